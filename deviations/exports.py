"""The filtered deviation list as CSV and XLSX, with the headers in the user's language.

Formulas, widths, the header row and the responses follow `qualityplan.spreadsheets`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from qualityplan.spreadsheets import (
    XlsxTable,
    csv_response,
    csv_text,
    workbook_bytes,
    xlsx_response,
)

from .models import Deviation, RiskLevel

CHUNK = 2000


def _headers() -> list[str]:
    return [
        _("Number"),
        _("Reported"),
        _("When it happened"),
        _("Unit"),
        _("Kind"),
        _("Category"),
        _("What happened"),
        _("What was done at once"),
        _("Consequence"),
        _("Probability"),
        _("Risk"),
        _("Risk level"),
        _("Status"),
        _("Handler"),
        _("Due date"),
        _("Cause"),
        _("Corrective action"),
        _("Closing note"),
        _("Reason for rejecting"),
        _("Closed"),
        _("Improvement measure"),
    ]


def _local(value: datetime | None) -> datetime | None:
    """Local time without a zone: spreadsheets have no time zones."""
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def _name(user) -> str:
    return (user.get_full_name() or user.username) if user else ""


def _row(deviation: Deviation) -> list:
    risk = deviation.consequence * deviation.probability
    return [
        deviation.reference,
        _local(deviation.created_at).date(),
        _local(deviation.occurred_at),
        deviation.org_unit.name,
        deviation.get_kind_display(),
        deviation.category.name,
        deviation.description,
        deviation.immediate_action,
        deviation.consequence,
        deviation.probability,
        risk,
        str(RiskLevel.of(risk).label),
        deviation.get_status_display(),
        _name(deviation.handler),
        deviation.due_date,
        deviation.cause,
        deviation.corrective_action,
        deviation.closing_note,
        deviation.rejection_reason,
        _local(deviation.closed_at).date() if deviation.closed_at else None,
        deviation.measure.title if deviation.measure else "",
    ]


def _rows(deviations: QuerySet[Deviation]) -> Iterator[list]:
    for deviation in deviations.iterator(chunk_size=CHUNK):
        yield _row(deviation)


def _filename(ext: str) -> str:
    return f"avvik-{timezone.localdate():%Y-%m-%d}.{ext}"


def _csv_cell(value) -> str:
    if isinstance(value, str):
        return csv_text(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)


def deviations_csv(deviations: QuerySet[Deviation]) -> StreamingHttpResponse:
    """Semicolon-separated UTF-8 with a byte order mark: what Excel in Norway and Sweden opens
    straight into columns. Dates are ISO 8601. Streamed, so a large export starts at once."""

    def lines():
        yield _headers()
        for row in _rows(deviations):
            yield [_csv_cell(value) for value in row]

    return csv_response(lines(), filename=_filename("csv"), stream=True)


def deviations_xlsx(deviations: QuerySet[Deviation]) -> HttpResponse:
    """One sheet with real dates and numbers, the header row frozen and filtered."""
    workbook = Workbook(write_only=True)
    sheet = XlsxTable(workbook, title=_("Deviations"), headers=_headers())
    for row in _rows(deviations):
        sheet.append(row)
    sheet.close()
    return xlsx_response(workbook_bytes(workbook), filename=_filename("xlsx"))
