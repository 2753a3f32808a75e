from django.contrib import admin

from .models import Indicator, IndicatorTarget, Measure, MeasureYear


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
