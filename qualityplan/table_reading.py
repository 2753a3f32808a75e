"""Reading an uploaded table's bytes into rows of cells, safely, for every importer.

CSV or TSV (any of tab, `;` and `,`; UTF-8 with or without BOM, UTF-16 with BOM, or
Windows-1252 when it reads as Nordic text) and XLSX (through the zip-bomb guard of
`qualityplan.spreadsheets`). Sizes and row counts are bounded, and a cell that holds or
starts like a formula is refused with its cell reference. Each importer (the plan table,
the organisation and people lists, quality frameworks, care-record exports, survey
answers) finds its own header row in the rows these functions return.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from .spreadsheets import WorkbookUnreadable, looks_like_formula, workbook_open

MAX_ROWS = 2000
MAX_COLUMNS = 60
NORDIC_LETTERS = set("æøåÆØÅäöÄÖ")
PLAUSIBLE_LEGACY = NORDIC_LETTERS | set("éÉèüÜáíóúçàêëôñ–—’‘“”«»•…€§°½¼²³µ·×\xa0")


class TableImportError(ValidationError):
    """The file cannot be imported; the message says what the user can do about it."""


def cell_ref(row: int, column: int) -> str:
    return f"{get_column_letter(column + 1)}{row}"


def formula_error(ref: str, text: str) -> TableImportError:
    return TableImportError(
        _(
            "Cell %(cell)s contains a formula or starts like one (“%(start)s”). Formulas are "
            "not imported, to protect against formula injection: replace the formula with its "
            "value, or remove the leading character, and upload the file again."
        )
        % {"cell": ref, "start": text.strip()[:20]},
        code="formula",
    )


def not_text_error() -> TableImportError:
    return TableImportError(
        _(
            "The file is not a text table we can read. Save it from Excel as “CSV UTF-8” or as "
            "an Excel workbook (.xlsx) and try again."
        ),
        code="not_text",
    )


def too_many_rows_error() -> TableImportError:
    return TableImportError(
        _("The table has more than %(max)d rows: check that you chose the right file.")
        % {"max": MAX_ROWS},
        code="too_many_rows",
    )


def check_size(data: bytes, limit: int | None = None) -> None:
    if not data or not data.strip():
        raise TableImportError(_("The file is empty."), code="empty")
    limit = limit or settings.PLAN_IMPORT_MAX_BYTES
    if len(data) > limit:
        raise TableImportError(
            _(
                "The file is %(size)s; the largest file we accept is %(max)s. Check that you "
                "chose the right file."
            )
            % {"size": filesizeformat(len(data)), "max": filesizeformat(limit)},
            code="too_big",
        )


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252 if it reads as Nordic."""
    try:
        if data.startswith(b"\xef\xbb\xbf"):
            text = data[3:].decode("utf-8")
        elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
            text = data.decode("utf-16")
        else:
            text = _decode_utf8_or_legacy(data)
    except UnicodeDecodeError as error:
        raise not_text_error() from error
    if re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", text):
        raise not_text_error()
    return unicodedata.normalize("NFC", text)


def _decode_utf8_or_legacy(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # Excel's "Save as CSV" on Windows writes Windows-1252. Accept it only when
    # every non-ASCII character is one a Nordic table plausibly holds.
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    foreign = {char for char in text if ord(char) > 127}
    if not foreign <= PLAUSIBLE_LEGACY or not foreign & NORDIC_LETTERS:
        raise not_text_error()
    return text


def delimiters(text: str) -> list[str]:
    """Tab, semicolon and comma, the most frequent in the first lines first."""
    sample = [line for line in text.splitlines() if line.strip()][:10]
    candidates = ["\t", ";", ","]
    counts = {d: sum(line.count(d) for line in sample) for d in candidates}
    return sorted((d for d in candidates if counts[d]), key=lambda d: -counts[d]) or ["\t"]


def split(text: str, delimiter: str) -> list[list[str]]:
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise not_text_error() from error
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()
    if len(rows) > MAX_ROWS:
        raise too_many_rows_error()
    return rows


def check_text_formulas(rows: list[list[str]]) -> None:
    for row_index, row in enumerate(rows):
        for column, cell in enumerate(row):
            if looks_like_formula(cell):
                raise formula_error(cell_ref(row_index + 1, column), cell)


def xlsx_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "x" if value else ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "date") and callable(value.date):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def sheet_rows(sheet) -> tuple[list[list[str]], tuple[str, str] | None]:
    """The sheet as strings, and the reference and text of its first formula-like cell."""
    rows, formula = [], None
    for row_index, row in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS), start=1):
        values = []
        for column, cell in enumerate(row):
            value = xlsx_value(cell.value)
            is_formula = getattr(cell, "data_type", None) == "f"
            if formula is None and (is_formula or looks_like_formula(value)):
                formula = (cell_ref(row_index, column), value)
            values.append(value)
        if any(values) and row_index > MAX_ROWS:
            raise too_many_rows_error()
        rows.append(values)
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()
    return rows, formula


def open_workbook(data: bytes):
    try:
        return workbook_open(data, data_only=False)
    except WorkbookUnreadable as error:
        raise TableImportError(
            _(
                "The file is not an Excel workbook we can read. Save it from Excel as an Excel "
                "workbook (.xlsx) or as “CSV UTF-8” and try again."
            ),
            code="not_xlsx",
        ) from error
