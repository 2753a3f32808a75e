from django.contrib import admin

from .models import ReportJob, UnitAnnualReport, UnitAnnualReportEvent, UnitAnnualReportGoal


class UnitAnnualReportGoalInline(admin.TabularInline):
    model = UnitAnnualReportGoal
    extra = 0
    raw_id_fields = ["goal"]


class UnitAnnualReportEventInline(admin.TabularInline):
    model = UnitAnnualReportEvent
    extra = 0
    readonly_fields = ["action", "from_status", "to_status", "user", "at", "comment"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(UnitAnnualReport)
class UnitAnnualReportAdmin(admin.ModelAdmin):
    list_display = ["org_unit", "plan", "year", "status", "submitted_at", "approved_at"]
    list_filter = ["status", "year", "plan"]
    search_fields = ["org_unit__name"]
    raw_id_fields = ["plan", "org_unit", "updated_by"]
    inlines = [UnitAnnualReportGoalInline, UnitAnnualReportEventInline]


@admin.register(ReportJob)
class ReportJobAdmin(admin.ModelAdmin):
    """Jobs are made and run by the app; the admin shows them and nothing more."""

    list_display = ["pk", "plan", "year", "scope_unit", "status", "requested_by", "requested_at"]
    list_filter = ["status", "year"]
    search_fields = ["scope_unit__name", "requested_by__username"]
    readonly_fields = [field.name for field in ReportJob._meta.fields]

    def has_add_permission(self, request):
        return False
