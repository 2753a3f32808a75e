"""The security page's filter, table and downloads.

The downloads keep a typed username from running as a formula in a spreadsheet
(someone may type "=HYPERLINK(…)" as their username on purpose).
"""

from __future__ import annotations

import csv
import io
from datetime import datetime, time, timedelta

import django_filters
import django_tables2 as tables
from django import forms
from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook

from .forms import DesignsystemetFormMixin
from .models import SecurityEvent

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_MAX_ROWS = 100_000


class _FilterForm(DesignsystemetFormMixin, forms.Form):
    pass


def _day_start(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


class SecurityEventFilter(django_filters.FilterSet):
    username = django_filters.CharFilter(label=_("User"), lookup_expr="icontains", max_length=150)
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=SecurityEvent.Kind.choices, empty_label=_("All kinds")
    )
    date_from = django_filters.DateFilter(
        label=_("From"), method="filter_from", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = django_filters.DateFilter(
        label=_("To"), method="filter_to", widget=forms.DateInput(attrs={"type": "date"})
    )
    object_type = django_filters.CharFilter(
        label=_("Object type"),
        max_length=60,
        help_text=_("For example deviations.deviation"),
    )
    object_id = django_filters.CharFilter(label=_("Object id"), max_length=40)

    class Meta:
        model = SecurityEvent
        fields = ["username", "kind", "date_from", "date_to", "object_type", "object_id"]
        form = _FilterForm

    def filter_from(self, queryset, name, value):
        return queryset.filter(at__gte=_day_start(value))

    def filter_to(self, queryset, name, value):
        return queryset.filter(at__lt=_day_start(value + timedelta(days=1)))


class SecurityEventTable(tables.Table):
    at = tables.DateTimeColumn(verbose_name=_("When"), format="SHORT_DATETIME_FORMAT")
    kind = tables.Column(verbose_name=_("Kind"))
    username = tables.Column(verbose_name=_("User"))
    ip_address = tables.Column(verbose_name=_("Address"))
    path = tables.Column(verbose_name=_("Page"), orderable=False)
    object = tables.Column(
        verbose_name=_("Object"), accessor="object_id", orderable=False, empty_values=()
    )
    detail = tables.Column(verbose_name=_("Detail"), orderable=False)

    class Meta:
        model = SecurityEvent
        fields = []
        template_name = "qualityplan/_security_table.html"
        attrs = {"class": "ds-table", "data-border": "", "data-size": "sm"}
        empty_text = _("No events match the filters.")
        order_by = ("-at",)


def _header() -> list[str]:
    return [
        str(_("When")),
        str(_("Kind")),
        str(_("User")),
        str(_("Address")),
        str(_("Page")),
        str(_("Object type")),
        str(_("Object id")),
        str(_("Detail")),
    ]


def _safe(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _rows(events: QuerySet):
    for event in events[:EXPORT_MAX_ROWS].iterator(chunk_size=2000):
        yield [
            timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M:%S"),
            str(event.get_kind_display()),
            _safe(event.username),
            event.ip_address or "",
            _safe(event.path),
            event.object_type,
            event.object_id,
            _safe(event.detail),
        ]


def security_events_csv(events: QuerySet) -> HttpResponse:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(_header())
    writer.writerows(_rows(events))
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="security-log.csv"'
    return response


def security_events_xlsx(events: QuerySet) -> HttpResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(str(_("Security log"))[:31])
    sheet.append(_header())
    for row in _rows(events):
        # Cells are strings; openpyxl writes a string starting with "=" as a formula,
        # which _safe has already quoted.
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="security-log.xlsx"'
    return response
