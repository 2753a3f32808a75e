"""A plan table's bytes as rows of cells, and its header row found.

TSV, CSV (any delimiter, UTF-8 or Windows-1252) and XLSX are read the same way;
formulas are refused (`qualityplan.spreadsheets`), sizes are bounded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

from qualityplan import table_reading

from .plan_table import (
    GOAL_LABEL,
    HEADER_SEARCH_ROWS,
    HEADER_WORDS,
    PlanImportError,
    _clean,
    _fold,
    _formula_error,
    _similar,
)

# --- Reading bytes into rows of cells: the shared reader (qualityplan.table_reading) ---

_check_size = table_reading.check_size
_decode = table_reading.decode
_delimiters = table_reading.delimiters
_split = table_reading.split
_check_text_formulas = table_reading.check_text_formulas
_sheet_rows = table_reading.sheet_rows
_open_workbook = table_reading.open_workbook


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
