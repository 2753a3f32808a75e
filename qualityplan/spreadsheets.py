"""Spreadsheets in and out: the one place every importer and exporter goes through.

Rules kept here, once:

- **Opening** an uploaded workbook checks the zip first: a file that unpacks to more
  than `MAX_UNPACKED_BYTES` is refused before openpyxl reads it (a zip bomb of a few
  kilobytes would otherwise fill the memory).
- **Formulas:** text starting like a formula (`FORMULA_START`, OWASP's list) never
  becomes one. Exports write it as text (a quote before it in CSV, a text cell in
  XLSX); importers refuse it (`looks_like_formula`), so no value read from a file
  is ever something a spreadsheet would run.
- **The look of an export:** columns as wide as their content (within bounds), long
  text wrapped, a frozen header row with a filter on it, percentages as numbers
  with a percent format (0.125 shown as 12.5 %).
- **Responses:** a CSV or XLSX download is built by `csv_response`/`xlsx_response`.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from datetime import date, datetime

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
# Far above any real plan table or status sheet, far below what would hurt the server.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A minus starts a formula only when a formula follows ("-SUM(…)", "-2*3", "-=…"),
# so "- Brukerråd" and "-5" in an imported cell are plain text.
FORMULA_MINUS = re.compile(r"^-(?:[=+\-@(]|\d[\d.,\s]*[-+*/^&]|[A-Za-z_][\w.]*[(!|])")
PERCENT_FORMAT = "0.0%"

MIN_WIDTH = 6
MAX_WIDTH = 60
# Write-only sheets stream their rows, so widths are fitted to the header and the
# first rows; long text wraps at MAX_WIDTH either way.
WIDTH_SAMPLE_ROWS = 500
WRAP = Alignment(wrap_text=True, vertical="top")
BOLD = Font(bold=True)


class WorkbookUnreadable(Exception):
    """Why an uploaded workbook was not opened: "not_xlsx", "too_big" or "corrupt"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def workbook_open(data: bytes, *, data_only: bool):
    """The workbook in `data`, read-only; `WorkbookUnreadable` for anything else.

    The importer turns the reason into a sentence in its own words."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError) as error:
        raise WorkbookUnreadable("not_xlsx") from error
    if unpacked > MAX_UNPACKED_BYTES:
        raise WorkbookUnreadable("too_big")
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
    except Exception as error:  # openpyxl raises KeyError, ValueError, XML errors …
        raise WorkbookUnreadable("corrupt") from error


# --- Formulas --------------------------------------------------------------------------


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet would run this imported text as a formula."""
    text = text.lstrip()
    if not text:
        return False
    if text.startswith("-"):
        return bool(FORMULA_MINUS.match(text))
    return text.startswith(FORMULA_START)


def csv_text(text: str) -> str:
    """Text for a CSV field: a quote before anything a spreadsheet would run."""
    return "'" + text if text.startswith(FORMULA_START) else text


def text_cell(cell):
    """Keep a text cell text: openpyxl would otherwise store "=…" as a formula."""
    if isinstance(cell.value, str):
        cell.data_type = "s"
    return cell


# --- The look of an export ---------------------------------------------------------------


def _text_width(value) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    if isinstance(value, float):
        return len(f"{value:,.2f}")
    return max((len(line) for line in str(value).splitlines()), default=0)


def fitted_width(longest: int) -> float:
    """A column width for text `longest` characters long, within MIN/MAX_WIDTH."""
    return float(min(MAX_WIDTH, max(MIN_WIDTH, longest + 2)))


def fit_columns(sheet, *, header_row: int = 1, skip: Iterable[str] = ()) -> None:
    """Columns of a (normal) worksheet as wide as their content from the header row
    down; cells longer than the widest column wrap. Columns in `skip` are left as set."""
    longest: dict[int, int] = {}
    for row in sheet.iter_rows(min_row=header_row):
        for cell in row:
            width = _text_width(cell.value)
            longest[cell.column] = max(longest.get(cell.column, 0), width)
            if width > MAX_WIDTH - 2 and isinstance(cell.value, str):
                cell.alignment = Alignment(
                    wrap_text=True, vertical=cell.alignment.vertical or "top"
                )
    for column, width in longest.items():
        letter = get_column_letter(column)
        if letter not in skip:
            sheet.column_dimensions[letter].width = fitted_width(width)


def header_freeze_and_filter(sheet, *, header_row: int, last_row: int, last_column: int) -> None:
    """The header row stays in view when scrolling and carries a filter."""
    sheet.freeze_panes = f"A{header_row + 1}"
    last = get_column_letter(max(last_column, 1))
    sheet.auto_filter.ref = f"A{header_row}:{last}{max(last_row, header_row + 1)}"


class XlsxTable:
    """One table on a sheet of a write-only workbook, with the look of every export.

    `number_formats` maps a column index to its format; values in a `PERCENT_FORMAT`
    column are fractions. `freeze` is the top left cell that scrolls ("B2" keeps the
    first column in view too). Rows are kept back until WIDTH_SAMPLE_ROWS have come (or
    `close`), because a write-only sheet takes its column widths before its first row.
    """

    def __init__(
        self,
        workbook: Workbook,
        *,
        title: str,
        headers: list[str],
        number_formats: dict[int, str] | None = None,
        date_format: str = "yyyy-mm-dd",
        freeze: str = "A2",
    ) -> None:
        self.sheet = workbook.create_sheet(sheet_title(title))
        self.headers = [str(header) for header in headers]
        self.number_formats = number_formats or {}
        self.date_format = date_format
        self.freeze = freeze
        self.waiting: list[list] | None = []
        self.count = 0

    def append(self, values: list) -> None:
        self.count += 1
        if self.waiting is None:
            self.sheet.append(self._cells(values))
            return
        self.waiting.append(values)
        if len(self.waiting) >= WIDTH_SAMPLE_ROWS:
            self._start()

    def _start(self) -> None:
        longest = [len(header) for header in self.headers]
        for values in self.waiting:
            for index, value in enumerate(values[: len(longest)]):
                longest[index] = max(longest[index], _text_width(value))
        for index, width in enumerate(longest):
            self.sheet.column_dimensions[get_column_letter(index + 1)].width = fitted_width(width)
        self.widths = longest
        self.sheet.freeze_panes = self.freeze
        self.sheet.append([self._header_cell(header) for header in self.headers])
        waiting, self.waiting = self.waiting, None
        for values in waiting:
            self.sheet.append(self._cells(values))

    def _header_cell(self, header: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.sheet, value=header)
        cell.font, cell.data_type = BOLD, "s"
        return cell

    def _cells(self, values: list) -> list:
        return [self._cell(index, value) for index, value in enumerate(values)]

    def _cell(self, index: int, value) -> WriteOnlyCell | None:
        if value is None or value == "":
            return None
        if isinstance(value, datetime) and value.tzinfo is not None:
            value = value.replace(tzinfo=None)
        cell = WriteOnlyCell(self.sheet, value=value)
        if isinstance(value, str):
            cell.data_type = "s"
            if _text_width(value) > MAX_WIDTH - 2 or "\n" in value:
                cell.alignment = WRAP
        elif isinstance(value, datetime):
            cell.number_format = f"{self.date_format} hh:mm"
        elif isinstance(value, date):
            cell.number_format = self.date_format
        elif index in self.number_formats and not isinstance(value, bool):
            cell.number_format = self.number_formats[index]
        return cell

    def close(self) -> None:
        if self.waiting is not None:
            self._start()
        self.sheet.auto_filter.ref = (
            f"A1:{get_column_letter(len(self.headers))}{max(self.count + 1, 2)}"
        )


def sheet_title(caption: str) -> str:
    """A sheet name Excel accepts: no []:*?/\\, at most 31 characters."""
    title = re.sub(r"[\[\]:*?/\\]", " ", caption or "Export").strip()
    return title[:31] or "Export"


def workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- Responses ---------------------------------------------------------------------------


def download_name(name: str, ext: str) -> str:
    """`name` as a file name a browser and every file system take, with `ext`."""
    return f"{slugify(name) or 'export'}.{ext}"


def _attachment(response, filename: str):
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def xlsx_response(data: bytes, *, filename: str) -> HttpResponse:
    return _attachment(HttpResponse(data, content_type=XLSX_TYPE), filename)


def csv_rows(rows: Iterable[list[str]], *, delimiter: str = ";") -> Iterator[str]:
    """CSV lines with a byte order mark first, so Excel reads them as UTF-8. Fields are
    passed through `csv_text` by the caller that knows which are text."""

    class _Echo:
        def write(self, value: str) -> str:
            return value

    writer = csv.writer(_Echo(), delimiter=delimiter, lineterminator="\r\n")
    for index, row in enumerate(rows):
        line = writer.writerow(row)
        yield "\ufeff" + line if index == 0 else line


def csv_response(
    rows: Iterable[list[str]], *, filename: str, delimiter: str = ";", stream: bool = False
):
    """A CSV download; `stream` sends it while it is written (for long exports)."""
    lines = csv_rows(rows, delimiter=delimiter)
    if stream:
        return _attachment(StreamingHttpResponse(lines, content_type=CSV_TYPE), filename)
    return _attachment(
        HttpResponse("".join(lines).encode("utf-8"), content_type=CSV_TYPE), filename
    )
