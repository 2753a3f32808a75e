"""A plan table's bytes as rows of cells, and its header row found.

TSV, CSV (any delimiter, UTF-8 or Windows-1252) and XLSX are read the same way;
formulas are refused (`qualityplan.spreadsheets`), sizes are bounded.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from qualityplan.spreadsheets import WorkbookUnreadable, looks_like_formula, workbook_open

from .plan_table import (
    GOAL_LABEL,
    HEADER_SEARCH_ROWS,
    HEADER_WORDS,
    MAX_COLUMNS,
    MAX_ROWS,
    NORDIC_LETTERS,
    PLAUSIBLE_LEGACY,
    PlanImportError,
    _cell_ref,
    _clean,
    _fold,
    _formula_error,
    _not_text_error,
    _similar,
    _too_many_rows_error,
)

# --- Reading bytes into rows of cells ----------------------------------------------------


def _check_size(data: bytes) -> None:
    if not data or not data.strip():
        raise PlanImportError(_("The file is empty."), code="empty")
    limit = settings.PLAN_IMPORT_MAX_BYTES
    if len(data) > limit:
        raise PlanImportError(
            _(
                "The file is %(size)s; the largest file we accept is %(max)s. A plan table is "
                "much smaller: check that you chose the right file."
            )
            % {"size": filesizeformat(len(data)), "max": filesizeformat(limit)},
            code="too_big",
        )


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252 if it reads as Nordic."""
    try:
        if data.startswith(b"\xef\xbb\xbf"):
            text = data[3:].decode("utf-8")
        elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
            text = data.decode("utf-16")
        else:
            text = _decode_utf8_or_legacy(data)
    except UnicodeDecodeError as error:
        raise _not_text_error() from error
    if re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", text):
        raise _not_text_error()
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
        raise _not_text_error()
    return text


def _delimiters(text: str) -> list[str]:
    """Tab, semicolon and comma, the most frequent in the first lines first."""
    sample = [line for line in text.splitlines() if line.strip()][:10]
    candidates = ["\t", ";", ","]
    counts = {d: sum(line.count(d) for line in sample) for d in candidates}
    return sorted((d for d in candidates if counts[d]), key=lambda d: -counts[d]) or ["\t"]


def _split(text: str, delimiter: str) -> list[list[str]]:
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise _not_text_error() from error
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()
    if len(rows) > MAX_ROWS:
        raise _too_many_rows_error()
    return rows


def _check_text_formulas(rows: list[list[str]]) -> None:
    for row_index, row in enumerate(rows):
        for column, cell in enumerate(row):
            if looks_like_formula(cell):
                raise _formula_error(_cell_ref(row_index + 1, column), cell)


def _read_text(data: bytes) -> tuple[list[list[str]], Header]:
    text = _decode(data)
    if not text.strip():
        raise PlanImportError(_("The file is empty."), code="empty")
    delimiters = _delimiters(text)
    # Excel writes and reads a first line "sep=;" naming the delimiter; it shows no such row.
    if match := re.match(r"sep=(.)\r?\n", text):
        delimiters, text = [match[1]], text[match.end() :]
    for delimiter in delimiters:
        rows = _split(text, delimiter)
        header = _find_header(rows)
        if header is not None:
            _check_text_formulas(rows)
            return rows, header
    raise _no_header_error()


def _xlsx_value(value) -> str:
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


def _sheet_rows(sheet) -> tuple[list[list[str]], str | None]:
    """The sheet as strings, and the reference of its first formula-like cell, if any."""
    rows, formula = [], None
    for row_index, row in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS), start=1):
        values = []
        for column, cell in enumerate(row):
            value = _xlsx_value(cell.value)
            is_formula = getattr(cell, "data_type", None) == "f"
            if formula is None and (is_formula or looks_like_formula(value)):
                formula = (_cell_ref(row_index, column), value)
            values.append(value)
        if any(values) and row_index > MAX_ROWS:
            raise _too_many_rows_error()
        rows.append(values)
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()
    return rows, formula


def _open_workbook(data: bytes):
    try:
        return workbook_open(data, data_only=False)
    except WorkbookUnreadable as error:
        raise PlanImportError(
            _(
                "The file is not an Excel workbook we can read. Save it from Excel as an Excel "
                "workbook (.xlsx) or as “CSV UTF-8” and try again."
            ),
            code="not_xlsx",
        ) from error


def _read_xlsx(data: bytes) -> tuple[list[list[str]], Header]:
    workbook = _open_workbook(data)
    try:
        for sheet in workbook.worksheets:
            rows, formula = _sheet_rows(sheet)
            header = _find_header(rows)
            if header is None:
                continue
            if formula is not None:
                raise _formula_error(*formula)
            return rows, header
    finally:
        workbook.close()
    raise _no_header_error()


def _read_rows(data: bytes, filename: str) -> tuple[list[list[str]], Header]:
    suffix = Path(filename or "").suffix.lower()
    if data.startswith(b"PK\x03\x04") or suffix in {".xlsx", ".xlsm"}:
        return _read_xlsx(data)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise PlanImportError(
            _(
                "This is an old Excel file (.xls). Open it in Excel and save it as an Excel "
                "workbook (.xlsx) or as “CSV UTF-8”, then upload that."
            ),
            code="old_xls",
        )
    return _read_text(data)


# --- Finding the header ------------------------------------------------------------------


@dataclass
class Header:
    row: int  # 1-based row number of the header row
    columns: dict[str, int]  # column kind → column index
    years: dict[int, int]  # column index → year
    goal_text: str = ""  # a goal written in the header row itself
    labels: dict[int, str] = field(default_factory=dict)  # column index → header text


def _no_header_error() -> PlanImportError:
    return PlanImportError(
        _(
            "We found no header row. The table needs a row with column names such as “Tiltak”, "
            "“Måleindikator”, “Ansvar” and the years (2021, 2022 …), in Norwegian, Swedish or "
            "English."
        ),
        code="no_header",
    )


def _header_year(text: str) -> int | None:
    if re.fullmatch(r"(?:19|20)\d{2}", text):
        year = int(text)
        return year if 2000 <= year <= 2100 else None
    return None


def _header_kind(text: str) -> str | None:
    """The column kind of a header cell: the kind of its first word that is a header word."""
    for word in _fold(text).split():
        for kind, known_words in HEADER_WORDS.items():
            if any(_similar(word, known) for known in known_words):
                return kind
    return None


def _goal_in_header(text: str) -> str:
    """The goal in a header cell like "Mål- Virksomhetene leverer …"; not in "Mål - delmål"."""
    match = GOAL_LABEL.match(text)
    goal = match["text"].strip() if match else ""
    if len(goal.split()) <= 2 and _header_kind(goal):
        return ""
    return goal


def _find_header(rows: list[list[str]]) -> Header | None:
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        header = _header_from_row(index + 1, row)
        if header is not None:
            return header
    return None


def _header_from_row(number: int, row: list[str]) -> Header | None:
    header = Header(row=number, columns={}, years={})
    for column, cell in enumerate(row):
        text = _clean(cell)
        if not text:
            continue
        header.labels[column] = text
        goal_text = _goal_in_header(text)
        if (year := _header_year(text)) is not None:
            header.years[column] = year
        elif goal_text and "goal" not in header.columns:
            header.columns["goal"], header.goal_text = column, goal_text
        elif kind := _header_kind(text):
            header.columns.setdefault(kind, column)
    others = {"indicator", "responsible", "period"} & header.columns.keys()
    if "measure" not in header.columns or not (others or header.years):
        return None
    _settle_goal_column(header, row)
    return header


def _settle_goal_column(header: Header, row: list[str]) -> None:
    """A header without a goal column reads goals from a sub-goal column or the first one."""
    if "goal" in header.columns:
        return
    if "subgoal" in header.columns:
        header.columns["goal"] = header.columns.pop("subgoal")
        return
    taken = set(header.columns.values()) | set(header.years)
    if 0 not in taken:
        header.columns["goal"] = 0
        return
    raise PlanImportError(
        _(
            "The header has no column for the goals. Name the first column “Mål”, “Delmål” or "
            "“Goal”, or put the goals in a column of their own."
        ),
        code="no_goal_column",
    )
