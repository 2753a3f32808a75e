from django.contrib import admin

from .models import (
    Deviation,
    DeviationCategory,
    DeviationCounter,
    DeviationEvent,
    QualityCouncilMeeting,
)


@admin.register(DeviationCategory)
class DeviationCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "position", "is_active"]
    list_editable = ["position", "is_active"]
    search_fields = ["name"]


class DeviationEventInline(admin.TabularInline):
    model = DeviationEvent
    extra = 0
    fields = ["at", "action", "from_status", "to_status", "user", "note"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Deviation)
class DeviationAdmin(admin.ModelAdmin):
    """For corrections by an administrator; the follow-up itself happens in the app.

    Saving here runs the model's validation, identity-number checks included."""

    list_display = ["reference", "org_unit", "category", "status", "created_at", "handler"]
    list_filter = ["status", "kind", "category"]
    search_fields = ["number", "org_unit__name", "description"]
    list_select_related = ["org_unit", "category", "handler"]
    autocomplete_fields = ["org_unit", "reporter", "handler"]
    raw_id_fields = ["measure"]
    readonly_fields = ["year", "number", "created_at", "closed_at"]
    inlines = [DeviationEventInline]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        # New deviations get their running number through the report form.
        return False


@admin.register(DeviationEvent)
class DeviationEventAdmin(admin.ModelAdmin):
    list_display = ["deviation", "action", "from_status", "to_status", "user", "at"]
    list_filter = ["action", "to_status"]
    list_select_related = ["deviation", "user"]
    raw_id_fields = ["deviation", "user"]


@admin.register(DeviationCounter)
class DeviationCounterAdmin(admin.ModelAdmin):
    list_display = ["year", "last_number"]


@admin.register(QualityCouncilMeeting)
class QualityCouncilMeetingAdmin(admin.ModelAdmin):
    list_display = ["held_on", "org_unit", "created_by"]
    list_filter = ["held_on"]
    search_fields = ["org_unit__name", "minutes"]
    list_select_related = ["org_unit", "created_by"]
    autocomplete_fields = ["org_unit"]
    raw_id_fields = ["deviations", "created_by"]
