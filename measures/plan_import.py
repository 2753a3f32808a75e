"""Reading a published plan table (TSV, CSV or XLSX) into a `PlanTable`.

The rows (`measures.plan_read`) become goals, sub-goals, measures, years and
responsibilities; every row the parser had to interpret or skip is noted with its
number. Nothing is written until `measures.plan_write.plan_import_apply` is called
with the parsed table.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from django.utils.translation import gettext as _

from qualityplan.models import Role

from .models import Indicator
from .plan_read import Header, _check_size, _read_rows
from .plan_table import (
    ABBREVIATION,
    ABBREVIATIONS_LABEL,
    CODE_LIKE,
    CONTINUOUS_WORDS,
    DATE_PATTERN,
    END_WORDS,
    GOAL_LABEL,
    INTERPRETED,
    NOT_MARKS,
    ROLE_NAMES,
    SKIPPED,
    SUBGOAL_LABEL,
    YEAR_MARKS,
    ImportNote,
    ParsedGoal,
    ParsedMeasure,
    ParsedRole,
    ParsedSubGoal,
    PlanImportError,
    PlanTable,
    _clean,
    _fold,
    _similar,
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
