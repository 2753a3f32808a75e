"""The plan table as the importer reads it: parsed goals, sub-goals, measures and roles,
the words the parser knows, and the errors and notes it gives.

Plan tables are written by people, for people: headers with typos, goals and
sub-goals told apart by a "Mål:"/"Delmål:" prefix (or by nothing at all),
responsibilities written as names or abbreviations, columns shifted by one. The
parser (`measures.plan_import`) reads such a table as it is and records, as notes
with the row number, every row it had to interpret or skip.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from difflib import SequenceMatcher

from qualityplan.table_reading import (  # noqa: F401 -- the plan import's names for them
    MAX_COLUMNS,
    MAX_ROWS,
    NORDIC_LETTERS,
    PLAUSIBLE_LEGACY,
    TableImportError,
)
from qualityplan.table_reading import cell_ref as _cell_ref  # noqa: F401
from qualityplan.table_reading import formula_error as _formula_error  # noqa: F401
from qualityplan.table_reading import not_text_error as _not_text_error  # noqa: F401
from qualityplan.table_reading import too_many_rows_error as _too_many_rows_error  # noqa: F401

from .models import Indicator

HEADER_SEARCH_ROWS = 30

INTERPRETED = "interpreted"
SKIPPED = "skipped"


# A plan table's errors are the shared table reader's: one class, so that a view catches
# what the reader and the parser raise alike.
PlanImportError = TableImportError


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
