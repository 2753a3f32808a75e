from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Goal, Membership, OrgUnit, QualityPlan, Role, SubGoal


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "parent", "external_code", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "external_code"]
    autocomplete_fields = ["parent"]
    inlines = [MembershipInline]


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "scope", "reports_status", "manages_plan", "approves_reports"]
    list_editable = ["scope", "reports_status", "manages_plan", "approves_reports"]
    search_fields = ["code", "name"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "org_unit", "valid_from", "valid_until"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "org_unit__name"]
    autocomplete_fields = ["user", "org_unit"]
    list_select_related = ["user", "role", "org_unit"]


class GoalInline(admin.TabularInline):
    model = Goal
    extra = 0
    fields = ["position", "title"]


@admin.register(QualityPlan)
class QualityPlanAdmin(admin.ModelAdmin):
    list_display = ["title", "owner", "first_year", "last_year", "frequency", "status"]
    list_filter = ["status", "frequency"]
    search_fields = ["title"]
    inlines = [GoalInline]


@admin.register(SubGoal)
class SubGoalAdmin(admin.ModelAdmin):
    list_display = ["title", "goal", "position"]
    list_select_related = ["goal"]
    search_fields = ["title"]


admin.site.site_header = _("Kvalitetsplan administration")
admin.site.site_title = _("Kvalitetsplan")
