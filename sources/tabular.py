"""Reading an exported report (CSV or XLSX) into rows of text cells.

The safe opening (size of the unpacked workbook, the encodings Excel writes,
the delimiters, the formula guard) is the project's shared one; this module
only adds what a care-record export needs: more rows than a plan table, and a
header found below a title, a print date and a merged title cell.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# The shared safe readers for uploaded tables (decoding, delimiters, workbook guard).
from qualityplan.spreadsheets import looks_like_formula as _looks_like_formula
from qualityplan.table_reading import cell_ref as _cell_ref
from qualityplan.table_reading import decode as _decode
from qualityplan.table_reading import delimiters as _delimiters
from qualityplan.table_reading import formula_error as _formula_error
from qualityplan.table_reading import open_workbook as _open_workbook
from qualityplan.table_reading import xlsx_value as _xlsx_value

MAX_ROWS = 50_000
MAX_COLUMNS = 80
HEADER_SEARCH_ROWS = 30
NUMERIC = re.compile(r"^[\s\d.,%\-–+]*$")


@dataclass
class Table:
    headers: list[str]
    header_line: int
    rows: list[tuple[int, list[str]]]  # (line number in the file, cells)


def _norm(text: str) -> str:
    return " ".join(str(text).replace("\xa0", " ").split()).casefold()


def read_table(*, data: bytes, file_name: str, expect: list[str] | None = None) -> Table:
    """The table in the file: its header row (the one holding `expect`, if given, else the
    first full row of words) and every row below it."""
    if not data or not data.strip():
        raise ValidationError(_("The file is empty."))
    limit = settings.INDICATOR_IMPORT_MAX_BYTES
    if len(data) > limit:
        raise ValidationError(
            _("The file is %(size)s; the largest file we accept is %(max)s.")
            % {"size": filesizeformat(len(data)), "max": filesizeformat(limit)}
        )
    suffix = Path(file_name or "").suffix.lower()
    if data.startswith(b"PK\x03\x04") or suffix in {".xlsx", ".xlsm"}:
        rows = _xlsx_rows(data)
    elif data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ValidationError(
            _("This is an old Excel file (.xls). Save it as .xlsx or as CSV and upload that.")
        )
    else:
        rows = _text_rows(data, expect)
    return _table(rows, expect)


def _text_rows(data: bytes, expect) -> list[list[str]]:
    text = _decode(data)
    delimiters = _delimiters(text)
    if match := re.match(r"sep=(.)\r?\n", text):
        delimiters, text = [match[1]], text[match.end() :]
    best = None
    for delimiter in delimiters:
        try:
            rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
        except csv.Error:
            continue
        if len(rows) > MAX_ROWS:
            raise ValidationError(_("The file has more than %(max)d rows.") % {"max": MAX_ROWS})
        if _header_index(rows, expect) is not None:
            best = rows
            break
        best = best or rows
    if best is None:
        raise ValidationError(_("The file is not a table we can read."))
    for number, row in enumerate(best, start=1):
        for column, cell in enumerate(row[:MAX_COLUMNS]):
            if _looks_like_formula(cell):
                raise _formula_error(_cell_ref(number, column), cell)
    return [row[:MAX_COLUMNS] for row in best]


def _xlsx_rows(data: bytes) -> list[list[str]]:
    workbook = _open_workbook(data)
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for number, row in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS), start=1):
            values = []
            for column, cell in enumerate(row):
                value = _xlsx_value(cell.value)
                if getattr(cell, "data_type", None) == "f" or _looks_like_formula(value):
                    raise _formula_error(_cell_ref(number, column), value)
                values.append(value)
            if number > MAX_ROWS and any(values):
                raise ValidationError(_("The file has more than %(max)d rows.") % {"max": MAX_ROWS})
            rows.append(values)
        return rows
    finally:
        workbook.close()


def _header_index(rows: list[list[str]], expect: list[str] | None) -> int | None:
    sample = rows[:HEADER_SEARCH_ROWS]
    if expect:
        wanted = {_norm(name) for name in expect}
        for index, row in enumerate(sample):
            if wanted <= {_norm(cell) for cell in row}:
                return index
        return None
    widest = max((sum(1 for c in row if c.strip()) for row in sample), default=0)
    for index, row in enumerate(sample):
        filled = [c for c in row if c.strip()]
        if len(filled) >= max(2, widest - 1) and not any(NUMERIC.match(c) for c in filled):
            return index
    return None


def _table(rows: list[list[str]], expect) -> Table:
    index = _header_index(rows, expect)
    if index is None:
        if expect:
            raise ValidationError(
                _("The file has no header row with the columns %(columns)s.")
                % {"columns": ", ".join(f"“{name}”" for name in expect)}
            )
        raise ValidationError(_("The file has no header row (a row of column names)."))
    headers = [" ".join(cell.split()) for cell in rows[index]]
    body = [
        (number, row + [""] * (len(headers) - len(row)))
        for number, row in enumerate(rows[index + 1 :], start=index + 2)
        if any(cell.strip() for cell in row)
    ]
    return Table(headers=headers, header_line=index + 1, rows=body)


def column_index(table: Table, name: str) -> int | None:
    wanted = _norm(name)
    return next((i for i, header in enumerate(table.headers) if _norm(header) == wanted), None)
