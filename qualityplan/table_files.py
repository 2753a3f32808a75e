"""Reading an uploaded table (CSV with `;`, `,` or tab, in UTF-8 with or without BOM or
cp1252; or XLSX) into rows of trimmed strings, for the organisation and people imports.

The guards are the shared reader's (`table_reading`: size, encoding, zip bombs,
formulas); this module only adds the search for a header row, which each import
describes with a function.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from django.utils.translation import gettext as _

from .table_reading import TableImportError as PlanImportError
from .table_reading import check_size as _check_size
from .table_reading import check_text_formulas as _check_text_formulas
from .table_reading import decode as _decode
from .table_reading import delimiters as _delimiters
from .table_reading import formula_error as _formula_error
from .table_reading import open_workbook as _open_workbook
from .table_reading import sheet_rows as _sheet_rows
from .table_reading import split as _split

H = TypeVar("H")
HEADER_SEARCH_ROWS = 30


class TableFileError(PlanImportError):
    """The file as a whole cannot be read; the message says what to do."""


def _header_in(rows: list[list[str]], find: Callable[[list[str]], H | None]):
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        header = find([cell.strip() for cell in row])
        if header is not None:
            return index, header
    return None


def _clean_rows(rows: list[list[str]]) -> list[list[str]]:
    return [[" ".join(str(cell).replace("\xa0", " ").split()) for cell in row] for row in rows]


def table_read(
    *, data: bytes, filename: str, find_header: Callable[[list[str]], H | None], no_header: str
) -> tuple[list[list[str]], int, H]:
    """The file's rows (cells trimmed), the 0-based index of its header row and the header.

    `find_header` gets a row and returns a header description or None; `no_header` is the
    message for a file in which no row is a header.
    """
    _check_size(data)
    suffix = Path(filename or "").suffix.lower()
    if data.startswith(b"PK\x03\x04") or suffix in {".xlsx", ".xlsm"}:
        workbook = _open_workbook(data)
        try:
            for sheet in workbook.worksheets:
                rows, formula = _sheet_rows(sheet)
                found = _header_in(rows, find_header)
                if found is None:
                    continue
                if formula is not None:
                    raise _formula_error(*formula)
                return _clean_rows(rows), *found
        finally:
            workbook.close()
        raise TableFileError(no_header, code="no_header")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise TableFileError(
            _(
                "This is an old Excel file (.xls). Open it in Excel and save it as an Excel "
                "workbook (.xlsx) or as “CSV UTF-8”, then upload that."
            ),
            code="old_xls",
        )
    text = _decode(data)
    delimiters = _delimiters(text)
    if match := re.match(r"sep=(.)\r?\n", text):
        delimiters, text = [match[1]], text[match.end() :]
    for delimiter in delimiters:
        rows = _split(text, delimiter)
        found = _header_in(rows, find_header)
        if found is not None:
            _check_text_formulas(rows[found[0] + 1 :])
            return _clean_rows(rows), *found
    raise TableFileError(no_header, code="no_header")
