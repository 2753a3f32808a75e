from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Indicator,
    IndicatorTarget,
    Measure,
    MeasureStatus,
    MeasureYear,
    ReminderSent,
    ReportingPeriod,
)


class MeasureYearInline(admin.TabularInline):
    model = MeasureYear
    extra = 0


class IndicatorInline(admin.StackedInline):
    model = Indicator
    extra = 0


@admin.register(Measure)
class MeasureAdmin(admin.ModelAdmin):
    list_display = ["title", "goal", "subgoal", "is_continuous", "is_active"]
    list_filter = ["is_active", "is_continuous", "goal__plan"]
    search_fields = ["title"]
    filter_horizontal = ["responsible_roles"]
    list_select_related = ["goal", "subgoal"]
    inlines = [MeasureYearInline, IndicatorInline]


class IndicatorTargetInline(admin.TabularInline):
    model = IndicatorTarget
    extra = 0


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["name", "measure", "kind", "source", "aggregation"]
    list_filter = ["kind", "source", "aggregation"]
    search_fields = ["name", "measure__title"]
    inlines = [IndicatorTargetInline]


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(admin.ModelAdmin):
    list_display = ["plan", "year", "number", "starts_on", "ends_on", "deadline", "status"]
    list_filter = ["status", "plan"]
    list_select_related = ["plan"]


@admin.register(MeasureStatus)
class MeasureStatusAdmin(SimpleHistoryAdmin):
    list_display = ["measure", "org_unit", "period", "status", "progress", "reported_at"]
    list_filter = ["status", "period"]
    search_fields = ["measure__title", "org_unit__name"]
    list_select_related = ["measure", "org_unit", "period"]
    raw_id_fields = ["measure", "org_unit", "period", "updated_by"]


@admin.register(ReminderSent)
class ReminderSentAdmin(admin.ModelAdmin):
    list_display = ["user", "period", "kind", "sent_at"]
    list_filter = ["kind", "period"]
    list_select_related = ["user", "period"]
