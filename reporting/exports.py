"""Every table on the dashboards as CSV and XLSX, in the user's language.

A dashboard table is a `figure_tables.ChartTable`: the page draws it, and this module
writes the very same rows, so the download always holds what the page shows.

Headers are the translated column labels. Numbers stay numbers:
- XLSX cells hold numbers with number formats (thousands grouping, decimals, per
  cent); Excel shows them with the reader's own separators. Per cent columns hold
  the fraction (0.125) formatted as per cent, as Excel expects.
- CSV, for the Norwegian and Swedish Excel that opens it with a double click,
  uses ";" between fields and a decimal comma when the language is nb or sv
  (their Excel reads "," as the decimal separator); in English "," and a decimal
  point. Per cent columns hold the number of per cent (12,5), as the header says.
  Files start with a byte order mark so Excel reads them as UTF-8.

Text that a spreadsheet would run as a formula, column widths, the frozen header
row with its filter and the responses follow `qualityplan.spreadsheets`.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import get_language
from openpyxl import Workbook

from qualityplan.spreadsheets import (
    CSV_TYPE,
    PERCENT_FORMAT,
    XlsxTable,
    csv_text,
    download_name,
    workbook_bytes,
    xlsx_response,
)

from .figure_tables import ChartTable, Column, format_value

FORMATS = ("csv", "xlsx")
COMMA_LANGUAGES = ("nb", "nn", "no", "sv", "da")


def uses_decimal_comma(language: str | None = None) -> bool:
    language = (language or get_language() or "en").split("-")[0]
    return language in COMMA_LANGUAGES


def export_response(*, table: ChartTable, fmt: str, filename: str) -> HttpResponse:
    """The table as a download; `filename` without its extension."""
    if fmt not in FORMATS:
        raise ValueError(f"Unknown export format: {fmt!r}")
    name = download_name(filename, fmt)
    if fmt == "xlsx":
        return xlsx_response(table_xlsx(table), filename=name)
    response = HttpResponse(table_csv(table), content_type=CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- CSV ---------------------------------------------------------------------------


def table_csv(table: ChartTable) -> bytes:
    comma = uses_decimal_comma()
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if comma else ",", lineterminator="\r\n")
    writer.writerow([csv_text(str(column)) for column in table.columns])
    for row in table.rows:
        writer.writerow(
            [_csv_value(v, column, comma) for v, column in zip(row, table.columns, strict=False)]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _csv_value(value, column: Column, comma: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or column.kind == "light":
        return format_value(value, column)
    if isinstance(value, int | float | Decimal):
        text = _plain_number(value, column)
        return text.replace(".", ",") if comma else text
    if isinstance(value, datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return local.strftime("%d.%m.%Y %H:%M" if comma else "%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y" if comma else "%Y-%m-%d")
    return csv_text(str(value))


def _plain_number(value, column: Column) -> str:
    """Digits and a decimal point, no grouping: what a spreadsheet reads back."""
    if column.kind == "int" or (isinstance(value, int) and column.decimals is None):
        return str(int(value))
    if column.kind == "percent":
        return f"{Decimal(value):.1f}"
    if column.decimals is not None:
        return f"{Decimal(value):.{column.decimals}f}"
    text = f"{Decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


# --- XLSX --------------------------------------------------------------------------


def _number_format(column: Column) -> str:
    if column.kind == "int":
        return "#,##0"
    if column.kind == "percent":
        return PERCENT_FORMAT
    if column.kind == "decimal" and column.decimals is not None:
        return "#,##0." + "0" * column.decimals if column.decimals else "#,##0"
    return "General"


def _date_format() -> str:
    return "dd.mm.yyyy" if uses_decimal_comma() and get_language() != "sv" else "yyyy-mm-dd"


def table_xlsx(table: ChartTable) -> bytes:
    book = Workbook(write_only=True)
    columns = table.columns
    sheet = XlsxTable(
        book,
        title=table.caption,
        headers=[str(column) for column in columns],
        number_formats={index: _number_format(column) for index, column in enumerate(columns)},
        date_format=_date_format(),
        freeze="B2",
    )
    for row in table.rows:
        sheet.append([_xlsx_value(v, column) for v, column in zip(row, columns, strict=False)])
    sheet.close()
    return workbook_bytes(book)


def _xlsx_value(value, column: Column):
    """Numbers stay numbers (per cent as the fraction), times local without a zone."""
    if isinstance(value, bool) or (column.kind == "light" and value):
        return format_value(value, column)
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    if column.kind == "percent" and isinstance(value, int | float | Decimal):
        return float(Decimal(value) / 100)
    if isinstance(value, Decimal):
        return float(value)
    return value
