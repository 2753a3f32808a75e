"""Reading a published plan table (TSV, CSV or XLSX) and creating a quality plan from it.

Plan tables are written by people, for people: headers with typos, goals and
sub-goals told apart by a "Mål:"/"Delmål:" prefix (or by nothing at all),
responsibilities written as names or abbreviations, columns shifted by one.
The parser reads such a table as it is and records, as notes with the row
number, every row it had to interpret or skip. Nothing is written until
`plan_import_apply` is called with the parsed table.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from difflib import SequenceMatcher
from pathlib import Path

from django.conf import settings
from django.contrib.admin.models import ADDITION
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from qualityplan.models import Goal, OrgUnit, QualityPlan, Role, SubGoal
from qualityplan.services import plan_activate, record_action
from qualityplan.spreadsheets import WorkbookUnreadable, looks_like_formula, workbook_open

from .models import Indicator, Measure, MeasureYear

logger = logging.getLogger(__name__)

MAX_ROWS = 2000
MAX_COLUMNS = 60
HEADER_SEARCH_ROWS = 30
# An XLSX is a zip: refuse one that unpacks to far more than any plan table needs.

INTERPRETED = "interpreted"
SKIPPED = "skipped"


class PlanImportError(ValidationError):
    """The file cannot be imported; the message says what the user can do about it."""


# --- The parsed table ---------------------------------------------------------------


@dataclass
class ImportNote:
    row: int | None
    kind: str  # INTERPRETED or SKIPPED
    message: str


@dataclass
class ParsedRole:
    code: str
    name: str
    source: str  # "abbreviations" or "responsibility"
    exists: bool = False

    @property
    def needs_name(self) -> bool:
        """A new role the file gives only by its code: the preview asks for its name."""
        return not self.exists and self.name.strip().upper() == self.code


@dataclass
class ParsedMeasure:
    title: str
    source_row: int
    indicator: str = ""
    indicator_kind: str = Indicator.Kind.MILESTONE
    responsible_codes: list[str] = field(default_factory=list)
    is_continuous: bool = False
    start_end_text: str = ""
    start_date: date | None = None
    end_date: date | None = None
    years: list[int] = field(default_factory=list)


@dataclass
class ParsedSubGoal:
    title: str
    source_row: int
    measures: list[ParsedMeasure] = field(default_factory=list)


@dataclass
class ParsedGoal:
    title: str
    source_row: int
    subgoals: list[ParsedSubGoal] = field(default_factory=list)
    measures_without_subgoal: list[ParsedMeasure] = field(default_factory=list)

    @property
    def measures(self) -> list[ParsedMeasure]:
        found = list(self.measures_without_subgoal)
        for subgoal in self.subgoals:
            found.extend(subgoal.measures)
        return found


@dataclass
class PlanTable:
    goals: list[ParsedGoal]
    years: list[int]
    roles: list[ParsedRole]
    notes: list[ImportNote]
    title_hint: str

    @property
    def goal_count(self) -> int:
        return len(self.goals)

    @property
    def subgoal_count(self) -> int:
        return sum(len(goal.subgoals) for goal in self.goals)

    @property
    def measure_count(self) -> int:
        return sum(len(goal.measures) for goal in self.goals)

    @property
    def measures(self) -> list[ParsedMeasure]:
        return [measure for goal in self.goals for measure in goal.measures]


# --- Words the parser knows -----------------------------------------------------------

# Header words per column kind, in Norwegian, Swedish and English. Matched word by
# word, allowing typos in words of five letters or more.
HEADER_WORDS = {
    "goal": ["mål", "maal", "goal", "goals", "objective", "objectives", "målsetting"],
    "subgoal": ["delmål", "delmaal", "subgoal", "subgoals", "delmålsetting"],
    "measure": [
        "tiltak", "åtgärd", "åtgärder", "aktivitet", "aktiviteter", "insats", "insatser",
        "measure", "measures", "action", "actions", "activity", "activities",
    ],
    "indicator": [
        "måleindikator", "måleindikatorer", "målindikator", "indikator", "indikatorer",
        "nyckeltal", "indicator", "indicators", "kpi", "mått", "måling",
    ],
    "responsible": [
        "ansvar", "ansvarlig", "ansvarig", "ansvariga", "responsible", "responsibility", "owner",
    ],
    "period": [
        "oppstart", "slutt", "start", "end", "period", "periode", "tidsperiode", "tidsplan",
        "tidsram", "frist", "startdato", "sluttdato", "startdatum", "slutdatum", "timeline",
        "deadline", "when", "när", "når",
    ],
}  # fmt: skip

# Names of the default roles, as municipalities write them.
ROLE_NAMES = {
    "KD": [
        "kommunaldirektør", "kommunalsjef", "förvaltningschef", "socialchef", "director",
        "executive director",
    ],
    "OL": ["områdeleder", "områdesleder", "områdeschef", "områdechef", "area leader",
           "area manager"],
    "VL": [
        "virksomhetsleder", "enhetsleder", "verksamhetschef", "enhetschef", "förskolechef",
        "unit leader", "unit manager", "head of unit",
    ],
    "AL": ["avdelingsleder", "avdelningschef", "sektionschef", "section leader",
           "section manager", "head of section"],
    "KUK": [
        "kvalitet og utviklingskontoret", "kvalitets og utviklingskontoret",
        "kvalitetskontoret", "kvalitet og utvikling", "kvalitets och utvecklingsenheten",
        "kvalitetsenheten", "quality office", "quality and development office",
    ],
    "ANS": ["ansatt", "ansatte", "alle ansatte", "medarbetare", "anställda", "employee",
            "employees", "all staff"],
}  # fmt: skip

# A measure that recurs every year ("Årligen", "Årlig") runs on, like "Løpende".
CONTINUOUS_WORDS = {
    "løpende", "lopende", "fortløpende", "kontinuerlig", "löpande", "fortlöpande",
    "kontinuerligt", "continuous", "ongoing", "continual",
    "årlig", "årligen", "årleg", "arlig", "arligen", "hvert år", "varje år", "årsvis",
    "annual", "annually", "yearly", "every year",
}  # fmt: skip
YEAR_MARKS = {"x", "✓", "✔", "☑", "ja", "yes", "j", "y", "•", "*"}
NOT_MARKS = {"nei", "nej", "no", "n", "-", "–", "0"}
# Letters a Norwegian or Swedish table written in Windows-1252 plausibly contains.
NORDIC_LETTERS = set("æøåÆØÅäöÄÖ")
PLAUSIBLE_LEGACY = NORDIC_LETTERS | set("éÉèüÜáíóúçàêëôñ–—’‘“”«»•…€§°½¼²³µ·×\xa0")

# "Mål: …", "Mål 2 - …", "Goal: …"; a sub-goal label may stand alone ("Delmål:", "Delmål").
NUMBER = r"(?:\s*(?:nr\.?\s*)?\d[\d.]*)?"
GOAL_LABEL = re.compile(
    rf"^(?:mål|maal|goals?|objective){NUMBER}\s*[-–—:.]\s*(?P<text>.*)$", re.I | re.S
)
SUBGOAL_LABEL = re.compile(
    rf"^(?:delmål|delmaal|del-mål|sub[\s-]?goal){NUMBER}\s*(?:[-–—:.]\s*|$)(?P<text>.*)$",
    re.I | re.S,
)
ABBREVIATIONS_LABEL = re.compile(
    r"^(?:forkortelser|forkortelse|förkortningar|förkortning|abbreviations?)\s*[:\-–—]?\s*"
    r"(?P<text>.*)$",
    re.I | re.S,
)
ABBREVIATION = re.compile(r"^(?P<code>[A-ZÆØÅÄÖ][A-ZÆØÅÄÖ0-9]{0,9})\s*[–—\-:=]\s*(?P<name>\S.*)$")
CODE_LIKE = re.compile(r"^[A-ZÆØÅÄÖ]{1,6}\d?$")
DATE_PATTERN = re.compile(
    r"(?P<iso>(?P<iy>\d{4})-(?P<im>\d{1,2})-(?P<id>\d{1,2}))"
    r"|(?P<dmy>(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4}))"
    r"|(?P<my>(?P<mm>\d{1,2})[./](?P<my_y>\d{4}))"
    r"|(?P<year>(?<!\d)(?:19|20)\d{2}(?!\d))"
)
END_WORDS = re.compile(r"^\s*(?:[-–—]|innen|senest|slutt|until|by|till|senast)", re.I)


# --- Small helpers ----------------------------------------------------------------------


def _clean(text: str) -> str:
    return " ".join(str(text).replace("\xa0", " ").split())


def _fold(text: str) -> str:
    """Lower case, hyphens and slashes as spaces: how names and headers are compared."""
    text = re.sub(r"\bsub[\s-]+", "sub", _clean(text).lower())
    return " ".join(re.sub(r"[-/().,:;]", " ", text).split())


def _similar(word: str, known: str, ratio: float = 0.8) -> bool:
    if word == known:
        return True
    if min(len(word), len(known)) < 5:
        return False
    return SequenceMatcher(None, word, known).ratio() >= ratio


def _cell_ref(row: int, column: int) -> str:
    return f"{get_column_letter(column + 1)}{row}"


def _formula_error(ref: str, text: str) -> PlanImportError:
    return PlanImportError(
        _(
            "Cell %(cell)s contains a formula or starts like one (“%(start)s”). Formulas are "
            "not imported, to protect against formula injection: replace the formula with its "
            "value, or remove the leading character, and upload the file again."
        )
        % {"cell": ref, "start": text.strip()[:20]},
        code="formula",
    )


def _not_text_error() -> PlanImportError:
    return PlanImportError(
        _(
            "The file is not a text table we can read. Save it from Excel as “CSV UTF-8” or as "
            "an Excel workbook (.xlsx) and try again."
        ),
        code="not_text",
    )


def _too_many_rows_error() -> PlanImportError:
    return PlanImportError(
        _(
            "The table has more than %(max)d rows. A plan table is much shorter: check that you "
            "chose the right file."
        )
        % {"max": MAX_ROWS},
        code="too_many_rows",
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


# --- Roles ---------------------------------------------------------------------------------


class RoleDirectory:
    """Codes and names of roles: the database's, the usual names, and the file's abbreviations."""

    def __init__(self, abbreviations: Iterable[ParsedRole]) -> None:
        self.existing = dict(Role.objects.values_list("code", "name"))
        self.codes = {code.lower(): code for code in self.existing}
        self.names: dict[str, str] = {}
        for code, names in ROLE_NAMES.items():
            self.codes.setdefault(code.lower(), code)
            self.names.update({_fold(name): code for name in names})
        for code, name in self.existing.items():
            self.names.setdefault(_fold(name), code)
        for role in abbreviations:
            code = self.codes.setdefault(role.code.lower(), role.code)
            self.names[_fold(role.name)] = code

    def lookup(self, token: str) -> tuple[str, bool] | None:
        """(code, was it a name) for a known code or name, allowing typos in names."""
        token = _clean(token)
        if token.lower() in self.codes:
            return self.codes[token.lower()], False
        folded = _fold(token)
        if folded in self.names:
            return self.names[folded], True
        for name, code in self.names.items():
            if _similar(folded, name, ratio=0.85):
                return code, True
        return None


def _role_tokens(text: str) -> list[str]:
    return [part for part in (_clean(p) for p in re.split(r"[/,;+&\n]", text)) if part]


def _new_code(token: str) -> str:
    if CODE_LIKE.match(token):
        return token
    folded = unicodedata.normalize("NFKD", token.upper()).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Z0-9]", "", folded)[:20] or "ROLE"


# --- Start/end, years, indicator kinds -----------------------------------------------------


def _date_from_match(match: re.Match, end: bool) -> date | None:
    try:
        if match["iso"]:
            return date(int(match["iy"]), int(match["im"]), int(match["id"]))
        if match["dmy"]:
            return date(int(match["y"]), int(match["m"]), int(match["d"]))
        if match["my"]:
            month, year = int(match["mm"]), int(match["my_y"])
            if end:
                return date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
            return date(year, month, 1)
        year = int(match["year"])
        return date(year, 12, 31) if end else date(year, 1, 1)
    except ValueError:
        return None


@dataclass
class Period:
    is_continuous: bool = False
    start: date | None = None
    end: date | None = None
    understood: bool = True


def _read_period(text: str) -> Period:
    """Continuous for "Løpende" and the like; one or two dates or years give start and end."""
    folded = _fold(text)
    if not folded:
        return Period()
    words = folded.split()
    pairs = {" ".join(pair) for pair in zip(words, words[1:], strict=False)}
    continuous = bool((set(words) | pairs) & CONTINUOUS_WORDS)
    matches = list(DATE_PATTERN.finditer(text))
    if not matches:
        return Period(is_continuous=continuous, understood=continuous)
    if len(matches) == 1 and END_WORDS.match(text):
        end = _date_from_match(matches[0], end=True)
        return Period(is_continuous=continuous, end=end, understood=end is not None)
    start = _date_from_match(matches[0], end=False)
    end = _date_from_match(matches[-1], end=True) if len(matches) > 1 else None
    if start is None or (len(matches) > 1 and (end is None or end < start)):
        return Period(is_continuous=continuous, understood=False)
    return Period(is_continuous=continuous, start=start, end=end)


def _is_year_mark(text: str) -> bool | None:
    """True for an X, False for empty or a "no", None for anything else."""
    folded = _clean(text).lower()
    if not folded or folded in NOT_MARKS:
        return False
    if folded in YEAR_MARKS:
        return True
    return None


def guess_indicator_kind(text: str) -> str:
    folded = _clean(text).lower()
    if re.match(r"^(antall|antal|number of|count of)\b", folded):
        return Indicator.Kind.COUNT
    if "%" in folded or re.search(r"\b(andel|andelen|prosent|procent|percentage|percent)", folded):
        return Indicator.Kind.PERCENTAGE
    return Indicator.Kind.MILESTONE


# --- Building the table ------------------------------------------------------------------


@dataclass
class _PendingMeasure:
    """A measure whose responsibilities are resolved once the abbreviations are known."""

    measure: ParsedMeasure
    responsible: str
    indicator: str


class _TableBuilder:
    def __init__(self, rows: list[list[str]], header: Header) -> None:
        self.rows, self.header = rows, header
        self.goals: list[ParsedGoal] = []
        self.notes: list[ImportNote] = []
        self.pending: list[_PendingMeasure] = []
        self.abbreviations: list[tuple[int, ParsedRole]] = []
        self.goal: ParsedGoal | None = None
        self.subgoal: ParsedSubGoal | None = None
        self.in_abbreviations = False

    def note(self, row: int | None, kind: str, message: str) -> None:
        self.notes.append(ImportNote(row=row, kind=kind, message=message))

    def cell(self, row: list[str], kind: str) -> str:
        column = self.header.columns.get(kind)
        if column is None or column >= len(row):
            return ""
        return _clean(row[column])

    def build(self) -> None:
        self._header_row()
        for index in range(self.header.row, len(self.rows)):
            self._row(index + 1, self.rows[index])

    def _header_row(self) -> None:
        for number in range(1, self.header.row):
            if any(_clean(cell) for cell in self.rows[number - 1]):
                self.note(number, SKIPPED, _("Above the header row of the table."))
        if self.header.goal_text:
            self._start_goal(self.header.row, self.header.goal_text)
            self.note(
                self.header.row,
                INTERPRETED,
                _("The header row also holds the first goal; read it as a goal."),
            )

    def _row(self, number: int, row: list[str]) -> None:
        if not any(_clean(cell) for cell in row):
            return
        if self.in_abbreviations:
            self._abbreviation_row(number, row)
        elif self._starts_abbreviations(row):
            self.in_abbreviations = True
            self._abbreviation_row(number, row, first=True)
        elif self._is_repeated_header(row):
            self.note(number, SKIPPED, _("A repeated header row."))
        else:
            self._plan_row(number, row)

    def _starts_abbreviations(self, row: list[str]) -> bool:
        first = next((_clean(cell) for cell in row if _clean(cell)), "")
        return bool(ABBREVIATIONS_LABEL.match(first))

    def _is_repeated_header(self, row: list[str]) -> bool:
        same = [
            column
            for column, label in self.header.labels.items()
            if column < len(row) and _clean(row[column]) == label
        ]
        return len(same) >= 2 and self.header.columns["measure"] in same

    def _plan_row(self, number: int, row: list[str]) -> None:
        label = self.cell(row, "goal")
        title = self.cell(row, "measure")
        if label:
            self._label(number, label, carries_measure=bool(title))
        if subgoal_label := self.cell(row, "subgoal"):
            self._start_subgoal(number, _strip_label(subgoal_label))
        if title:
            self._measure(number, row, title)
        elif self._has_measure_details(row):
            self.note(number, SKIPPED, _("The row has measure details but no measure title."))

    def _has_measure_details(self, row: list[str]) -> bool:
        kinds = ("indicator", "responsible", "period")
        years = any(_clean(row[c]) for c in self.header.years if c < len(row))
        return years or any(self.cell(row, kind) for kind in kinds)

    def _label(self, number: int, label: str, carries_measure: bool) -> None:
        if match := SUBGOAL_LABEL.match(label):
            self._subgoal_label(number, match["text"].strip())
        elif match := GOAL_LABEL.match(label):
            self._goal_label(number, match["text"].strip(), carries_measure)
        elif "subgoal" in self.header.columns:
            self._start_goal(number, label)
        elif self.goal is None:
            self._start_goal(number, label)
            self.note(number, INTERPRETED, _("Text before any goal; read as a goal."))
        else:
            self._start_subgoal(number, label)
            self.note(number, INTERPRETED, _("Text without a “Delmål:” label; read as a sub-goal."))

    def _goal_label(self, number: int, text: str, carries_measure: bool) -> None:
        if not text:
            self.note(number, SKIPPED, _("A “Mål:” label without any text."))
            return
        self._start_goal(number, text)
        if carries_measure:
            self.note(
                number,
                INTERPRETED,
                _("The goal row also holds a measure; created the goal and the measure under it."),
            )

    def _subgoal_label(self, number: int, text: str) -> None:
        if not text:
            self.note(number, SKIPPED, _("A “Delmål:” label without any text."))
        elif self.goal is None:
            self._start_goal(number, text)
            self.note(number, INTERPRETED, _("A sub-goal before any goal; read as a goal."))
        else:
            self._start_subgoal(number, text)

    def _start_goal(self, number: int, title: str) -> None:
        self.goal = ParsedGoal(title=title, source_row=number)
        self.subgoal = None
        self.goals.append(self.goal)

    def _start_subgoal(self, number: int, title: str) -> None:
        if self.goal is None:
            self._start_goal(number, title)
            return
        self.subgoal = ParsedSubGoal(title=title, source_row=number)
        self.goal.subgoals.append(self.subgoal)

    def _measure(self, number: int, row: list[str], title: str) -> None:
        if self.goal is None:
            self.note(number, SKIPPED, _("A measure before any goal."))
            return
        measure = ParsedMeasure(title=title, source_row=number)
        self._measure_period(measure, self.cell(row, "period"))
        self._measure_years(measure, row)
        if self.subgoal is not None:
            self.subgoal.measures.append(measure)
        else:
            self.goal.measures_without_subgoal.append(measure)
        self.pending.append(
            _PendingMeasure(measure, self.cell(row, "responsible"), self.cell(row, "indicator"))
        )

    def _measure_period(self, measure: ParsedMeasure, text: str) -> None:
        measure.start_end_text = text
        period = _read_period(text)
        measure.is_continuous, measure.start_date = period.is_continuous, period.start
        measure.end_date = None if period.is_continuous else period.end
        if not period.understood:
            self.note(
                measure.source_row,
                INTERPRETED,
                _("Could not read the start/end “%(text)s”; left empty.") % {"text": text},
            )
        elif period.is_continuous and period.end:
            self.note(
                measure.source_row,
                INTERPRETED,
                _("“%(text)s” is continuous; a continuous measure has no end.") % {"text": text},
            )

    def _measure_years(self, measure: ParsedMeasure, row: list[str]) -> None:
        for column, year in sorted(self.header.years.items(), key=lambda item: item[1]):
            text = _clean(row[column]) if column < len(row) else ""
            mark = _is_year_mark(text)
            if mark is None:
                self.note(
                    measure.source_row,
                    INTERPRETED,
                    _("Read “%(text)s” under %(year)s as the measure running that year.")
                    % {"text": text, "year": year},
                )
            if mark is not False and year not in measure.years:
                measure.years.append(year)
        if not measure.years:
            self.note(
                measure.source_row,
                INTERPRETED,
                _("No year is marked with X; the measure is not placed in any year."),
            )

    # The abbreviations after the table ("Forkortelser: OL – områdeleder").

    def _abbreviation_row(self, number: int, row: list[str], first: bool = False) -> None:
        cells = [str(cell).strip() for cell in row if str(cell).strip()]
        if first:
            cells[0] = ABBREVIATIONS_LABEL.match(cells[0])["text"]
        if len(cells) == 2 and CODE_LIKE.match(cells[0]) and not ABBREVIATION.match(cells[0]):
            cells = [f"{cells[0]} – {cells[1]}"]
        found = False
        for part in _abbreviation_parts(cells):
            if match := ABBREVIATION.match(part):
                role = ParsedRole(match["code"], _clean(match["name"]), "abbreviations")
                self.abbreviations.append((number, role))
                found = True
        if not found and any(cells):
            self.note(number, SKIPPED, _("Not an abbreviation like “OL – områdeleder”."))


def _abbreviation_parts(cells: list[str]) -> Iterator[str]:
    for cell in cells:
        for line in re.split(r"[\r\n;]", cell):
            for part in re.split(r",\s*(?=[A-ZÆØÅÄÖ]{1,10}\s*[–—\-:=])", line):
                if part.strip():
                    yield _clean(part)


def _strip_label(text: str) -> str:
    match = SUBGOAL_LABEL.match(text) or GOAL_LABEL.match(text)
    return match["text"].strip() if match and match["text"].strip() else text


# --- Resolving responsibilities ------------------------------------------------------------


class _RoleResolver:
    def __init__(self, builder: _TableBuilder) -> None:
        self.builder = builder
        self.directory = RoleDirectory(role for _row, role in builder.abbreviations)
        self.roles: dict[str, ParsedRole] = {}

    def resolve(self) -> list[ParsedRole]:
        for number, role in self.builder.abbreviations:
            self._abbreviation(number, role)
        for pending in self.builder.pending:
            self._measure(pending)
        return list(self.roles.values())

    def _abbreviation(self, number: int, role: ParsedRole) -> None:
        code = self.directory.codes[role.code.lower()]
        existing = self.directory.existing.get(code)
        if existing is not None and existing.lower() != role.name.lower():
            self.builder.note(
                number,
                INTERPRETED,
                _("The role %(code)s already exists as “%(name)s”; its name is kept.")
                % {"code": code, "name": existing},
            )
        name = existing or role.name[:1].upper() + role.name[1:]
        self.roles.setdefault(code, ParsedRole(code, name, "abbreviations", existing is not None))

    def _measure(self, pending: _PendingMeasure) -> None:
        measure, number = pending.measure, pending.measure.source_row
        codes = self._codes(number, pending.responsible)
        shifted = self._shifted_roles(pending.indicator)
        if shifted:
            self.builder.note(
                number,
                INTERPRETED,
                _("The indicator column holds only roles (“%(text)s”); read them as responsible.")
                % {"text": pending.indicator},
            )
            codes += [code for code in self._codes(number, pending.indicator) if code not in codes]
        else:
            measure.indicator = pending.indicator
            measure.indicator_kind = guess_indicator_kind(pending.indicator)
        measure.responsible_codes = codes
        if not codes:
            self.builder.note(number, INTERPRETED, _("No one is responsible for the measure."))

    def _shifted_roles(self, text: str) -> bool:
        tokens = _role_tokens(text)
        return bool(tokens) and all(self.directory.lookup(token) for token in tokens)

    def _codes(self, number: int, text: str) -> list[str]:
        codes, named = [], []
        for token in _role_tokens(text):
            code, was_name = self._code(number, token)
            if code not in codes:
                codes.append(code)
            if was_name:
                named.append(f"“{token}” → {code}")
        if named:
            self.builder.note(
                number, INTERPRETED, _("Read responsible %(names)s.") % {"names": ", ".join(named)}
            )
        return codes

    def _code(self, number: int, token: str) -> tuple[str, bool]:
        """The role code for a name or code; an unknown one becomes a new role."""
        found = self.directory.lookup(token) or self.directory.lookup(_new_code(token))
        if found is not None:
            self._remember(found[0], token)
            return found
        code = _new_code(token)
        self.directory.codes[code.lower()] = code
        self.directory.names[_fold(token)] = code
        self.roles[code] = ParsedRole(code, token[:200], "responsibility", False)
        self.builder.note(
            number,
            INTERPRETED,
            _("“%(token)s” is not a known role; a new role %(code)s will be created.")
            % {"token": token, "code": code},
        )
        return code, False

    def _remember(self, code: str, token: str) -> None:
        if code in self.roles:
            return
        existing = self.directory.existing.get(code)
        name = existing or (token if _fold(token) != code.lower() else code)
        self.roles[code] = ParsedRole(code, name, "responsibility", existing is not None)


# --- The public functions ------------------------------------------------------------------


def _title_hint(filename: str, years: list[int]) -> str:
    stem = Path(filename or "").stem
    words = [word for word in re.split(r"[\s_\-.]+", stem) if word]
    named = next((word for word in words if "plan" in word.lower() and word.isalpha()), "")
    name = named.capitalize() if named else _("Quality plan")
    if not years:
        return name
    if years[0] == years[-1]:
        return f"{name} {years[0]}"
    return f"{name} {years[0]}–{years[-1]}"


def _plan_years(builder: _TableBuilder) -> list[int]:
    years = sorted(set(builder.header.years.values()))
    if years and years[-1] - years[0] > 9:
        raise PlanImportError(
            _("The year columns run from %(first)s to %(last)s; a plan covers at most ten years.")
            % {"first": years[0], "last": years[-1]},
            code="too_many_years",
        )
    if years:
        return list(range(years[0], years[-1] + 1))
    this_year = date.today().year
    builder.note(
        builder.header.row,
        INTERPRETED,
        _("The table has no year columns; the plan covers %(year)s only.") % {"year": this_year},
    )
    return [this_year]


def parse_plan_table(*, data: bytes, filename: str) -> PlanTable:
    """Read a plan table from TSV, CSV or XLSX bytes. Raises PlanImportError for a bad file."""
    _check_size(data)
    rows, header = _read_rows(data, filename)
    builder = _TableBuilder(rows, header)
    builder.build()
    if not builder.goals or not builder.pending:
        raise PlanImportError(
            _(
                "The table has a header but no goals or measures under it. Goals are rows whose "
                "first column starts with “Mål:”, and measures are written under “Tiltak”."
            ),
            code="no_goals",
        )
    roles = _RoleResolver(builder).resolve()
    years = _plan_years(builder)
    builder.notes.sort(key=lambda note: note.row or 0)
    return PlanTable(
        goals=builder.goals,
        years=years,
        roles=roles,
        notes=builder.notes,
        title_hint=_title_hint(filename, years),
    )


def _full_save(obj):
    obj.full_clean()
    obj.save()
    return obj


def _roles_ensure(table: PlanTable) -> dict[str, Role]:
    """The roles the table uses; missing ones are created, existing ones left as they are."""
    found = {
        role.code: role for role in Role.objects.filter(code__in=[r.code for r in table.roles])
    }
    for parsed in table.roles:
        if parsed.code not in found:
            found[parsed.code] = _full_save(Role(code=parsed.code, name=parsed.name[:200]))
    return found


def _measure_create(
    *, goal: Goal, subgoal: SubGoal | None, position: int, parsed: ParsedMeasure, roles: dict
) -> Measure:
    measure = _full_save(
        Measure(
            goal=goal,
            subgoal=subgoal,
            position=position,
            title=parsed.title,
            is_continuous=parsed.is_continuous,
            start_date=parsed.start_date,
            end_date=parsed.end_date,
        )
    )
    measure.responsible_roles.set([roles[code] for code in parsed.responsible_codes])
    for year in parsed.years:
        _full_save(MeasureYear(measure=measure, year=year))
    if parsed.indicator:
        _full_save(Indicator(measure=measure, name=parsed.indicator, kind=parsed.indicator_kind))
    return measure


def _goal_create(*, plan: QualityPlan, position: int, parsed: ParsedGoal, roles: dict) -> Goal:
    goal = _full_save(Goal(plan=plan, position=position, title=parsed.title))
    measure_position = 0
    for measure in parsed.measures_without_subgoal:
        measure_position += 1
        _measure_create(
            goal=goal, subgoal=None, position=measure_position, parsed=measure, roles=roles
        )
    for subgoal_position, parsed_subgoal in enumerate(parsed.subgoals, start=1):
        subgoal = _full_save(
            SubGoal(goal=goal, position=subgoal_position, title=parsed_subgoal.title)
        )
        for measure in parsed_subgoal.measures:
            measure_position += 1
            _measure_create(
                goal=goal, subgoal=subgoal, position=measure_position, parsed=measure, roles=roles
            )
    return goal


def _plan_write(*, table: PlanTable, plan: QualityPlan, user) -> QualityPlan:
    roles = _roles_ensure(table)
    plan = _full_save(plan)
    for position, parsed in enumerate(table.goals, start=1):
        _goal_create(plan=plan, position=position, parsed=parsed, roles=roles)
    record_action(user=user, obj=plan, flag=ADDITION, message=_("Imported from a plan table."))
    return plan


def plan_import_apply(
    *,
    table: PlanTable,
    owner: OrgUnit,
    title: str,
    user=None,
    frequency: str = QualityPlan.Frequency.TERTIAL,
    status: str = QualityPlan.Status.DRAFT,
) -> QualityPlan:
    """Create the plan, its goals, sub-goals, measures, years, indicators and missing roles.

    An imported plan is a draft: making it the unit's active plan is the office's own
    step (`plan_activate`). Asked to import it active, the import is refused when the
    owner already has an active plan in the same years."""
    if not table.goals:
        raise PlanImportError(_("The table has no goals to import."), code="no_goals")
    plan = QualityPlan(
        title=_clean(title),
        owner=owner,
        first_year=min(table.years),
        last_year=max(table.years),
        frequency=frequency,
        status=QualityPlan.Status.DRAFT if status == QualityPlan.Status.ACTIVE else status,
    )
    try:
        with transaction.atomic():
            plan = _plan_write(table=table, plan=plan, user=user)
            if status == QualityPlan.Status.ACTIVE:
                plan_activate(plan=plan, user=user, archive_overlapping=False)
                plan.refresh_from_db()
    except ValidationError as error:
        if isinstance(error, PlanImportError):
            raise
        reason = " ".join(error.messages)
        raise PlanImportError(
            _("The plan could not be saved: %(reason)s") % {"reason": reason}, code="invalid"
        ) from error
    logger.info("Plan %s imported by user %s", plan.pk, getattr(user, "pk", None))
    return plan
