from django.contrib import admin

from .models import (
    ImportMapping,
    IndicatorImport,
    RegionChange,
    StatisticLink,
    StatisticResponse,
    StatisticTable,
    StatisticValue,
    UnitAlias,
)


@admin.register(StatisticValue)
class StatisticValueAdmin(admin.ModelAdmin):
    list_display = ["table", "contents", "region", "period", "dimensions_key", "value", "status"]
    list_filter = ["provider", "table"]
    search_fields = ["contents", "region"]
    readonly_fields = ["response"]


@admin.register(StatisticResponse)
class StatisticResponseAdmin(admin.ModelAdmin):
    list_display = ["table", "provider", "fetched_at", "cells", "size", "file_name"]
    list_filter = ["provider"]
    exclude = ["content"]


@admin.register(StatisticTable)
class StatisticTableAdmin(admin.ModelAdmin):
    list_display = ["table", "provider", "title", "fetched_at"]


@admin.register(RegionChange)
class RegionChangeAdmin(admin.ModelAdmin):
    list_display = ["old_code", "new_code", "year"]


@admin.register(StatisticLink)
class StatisticLinkAdmin(admin.ModelAdmin):
    list_display = ["indicator", "table", "contents", "region", "last_success_at", "last_error"]
    raw_id_fields = ["indicator"]


class UnitAliasInline(admin.TabularInline):
    model = UnitAlias
    raw_id_fields = ["org_unit"]
    extra = 0


@admin.register(ImportMapping)
class ImportMappingAdmin(admin.ModelAdmin):
    list_display = ["name", "plan", "unit_column", "period_column", "updated_at"]
    inlines = [UnitAliasInline]


@admin.register(IndicatorImport)
class IndicatorImportAdmin(admin.ModelAdmin):
    list_display = ["file_name", "mapping", "status", "created_at", "applied_at", "changed"]
    exclude = ["content"]
