"""Reading a framework spreadsheet (XLSX or CSV) and saving it as a new framework version.

A framework sheet is made by a person in a spreadsheet program: a title row above
the header, headers in Norwegian, Swedish or English in any order (area, step,
criterion, perspective), the area written only on its first row, blank lines
between areas. The parser reads such a sheet as it is. Every row it cannot read is
an error with its row number; a sheet with errors changes nothing. Nothing is
written until `framework_import_apply` is called with a parsed sheet that has none.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

# The safe readers of uploaded spreadsheets (size limits, zip-bomb guard, encodings,
# formula refusal) are shared by every importer (qualityplan.table_reading).
from qualityplan.table_reading import TableImportError as PlanImportError
from qualityplan.table_reading import check_size as _check_size
from qualityplan.table_reading import check_text_formulas as _check_text_formulas
from qualityplan.table_reading import decode as _decode
from qualityplan.table_reading import delimiters as _delimiters
from qualityplan.table_reading import formula_error as _formula_error
from qualityplan.table_reading import open_workbook as _open_workbook
from qualityplan.table_reading import sheet_rows as _sheet_rows
from qualityplan.table_reading import split as _split
from qualityplan.validators import find_identity_numbers

from .models import (
    STEPS,
    Criterion,
    Framework,
    FrameworkVersion,
    Perspective,
    QualityArea,
)

HEADER_SEARCH_ROWS = 20
MAX_ERRORS = 30

HEADER_WORDS = {
    "area": {
        "area",
        "quality area",
        "område",
        "områden",
        "området",
        "kvalitetsområde",
        "kvalitetsområden",
        "kvalitetsområdet",
        "kvalitetsomrade",
    },
    "step": {"step", "steps", "steg", "stegen", "trinn", "trin", "trappsteg", "level", "nivå"},
    "criterion": {
        "criterion",
        "criteria",
        "quality criterion",
        "quality criteria",
        "kriterium",
        "kriterie",
        "kriterier",
        "kriterierna",
        "kvalitetskriterium",
        "kvalitetskriterie",
        "kvalitetskriterier",
    },
    "perspective": {
        "perspective",
        "perspectives",
        "perspektiv",
        "perspektiver",
        "perspektiven",
        "perspektivene",
    },
}
REQUIRED_COLUMNS = ("area", "step", "criterion")

PERSPECTIVE_KINDS = {
    Perspective.Kind.MANAGEMENT: ("ledning", "ledelse", "ledare", "leder", "management", "chef"),
    Perspective.Kind.STAFF: ("personal", "medarbetar", "medarbeid", "ansatt", "staff", "employee"),
    Perspective.Kind.FAMILIES: (
        "vårdnadshavare",
        "foreldre",
        "föräldrar",
        "pårørende",
        "anhörig",
        "närstående",
        "famil",
        "parent",
        "next of kin",
        "relative",
    ),
    Perspective.Kind.USERS: (
        "barn",
        "elev",
        "bruker",
        "brukar",
        "brukare",
        "pasient",
        "patient",
        "omsorgstagar",
        "vårdtagar",
        "user",
        "child",
        "resident",
        "boende",
    ),
}
_STEP = re.compile(r"^(?:(?:step|steg|trinn|nivå|level)\s*)?(\d+)(?:[.,]0+)?$", re.I)
_SPLIT_PERSPECTIVES = re.compile(r"\s*(?:[,;/\n]|\s+(?:och|og|and|&)\s+)\s*")

AREA_MAX, CRITERION_MAX, PERSPECTIVE_MAX = 200, 1000, 100


class FrameworkImportError(ValidationError):
    """The sheet cannot be imported; the messages say which rows and why."""


@dataclass
class ParsedCriterion:
    row: int
    step: int
    text: str
    perspectives: list[str]


@dataclass
class ParsedArea:
    row: int
    name: str
    criteria: list[ParsedCriterion] = field(default_factory=list)

    def count_on(self, step: int) -> int:
        return sum(1 for c in self.criteria if c.step == step)

    @property
    def step_counts(self) -> list[int]:
        return [self.count_on(step) for step in STEPS]

    @property
    def empty_steps(self) -> list[int]:
        return [step for step in STEPS if not self.count_on(step)]


@dataclass
class ParsedFramework:
    title: str
    header_row: int
    areas: list[ParsedArea] = field(default_factory=list)
    perspectives: list[str] = field(default_factory=list)
    blank_rows: int = 0

    @property
    def criterion_count(self) -> int:
        return sum(len(area.criteria) for area in self.areas)


# --- Reading -----------------------------------------------------------------------


def _clean(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", str(text)).replace("\xa0", " ").split())


def _fold(text: str) -> str:
    return " ".join(re.sub(r"[-_/().,:;*]", " ", _clean(text).lower()).split())


def _read_sheets(data: bytes, filename: str) -> list[list[list[str]]]:
    """Every sheet of a workbook, or the one table of a text file, as rows of strings."""
    _check_size(data)
    suffix = Path(filename or "").suffix.lower()
    if data.startswith(b"PK\x03\x04") or suffix in {".xlsx", ".xlsm"}:
        workbook = _open_workbook(data)
        try:
            sheets = []
            for sheet in workbook.worksheets:
                rows, formula = _sheet_rows(sheet)
                if formula is not None and _find_header(rows) is not None:
                    raise _formula_error(*formula)
                sheets.append(rows)
            return sheets
        finally:
            workbook.close()
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise FrameworkImportError(
            _(
                "This is an old Excel file (.xls). Save it as an Excel workbook (.xlsx) or as "
                "“CSV UTF-8”, then upload that."
            ),
            code="old_xls",
        )
    text = _decode(data)
    if match := re.match(r"sep=(.)\r?\n", text):
        return [_split(text[match.end() :], match[1])]
    return [_split(text, delimiter) for delimiter in _delimiters(text)]


def _header_kind(cell: str) -> str | None:
    folded = _fold(cell)
    for kind, words in HEADER_WORDS.items():
        if folded in words:
            return kind
    return None


def _find_header(rows: list[list[str]]) -> tuple[int, dict[str, int]] | None:
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        columns: dict[str, int] = {}
        for column, cell in enumerate(row):
            kind = _header_kind(cell)
            if kind and kind not in columns:
                columns[kind] = column
        if all(kind in columns for kind in REQUIRED_COLUMNS):
            return index, columns
    return None


def _no_header_error() -> FrameworkImportError:
    return FrameworkImportError(
        _(
            "We found no header row with the columns area, step and criterion (in Norwegian, "
            "Swedish or English, e.g. “Kvalitetsområde”, “Steg”, “Kriterium”). Add such a row "
            "above the criteria and upload the file again."
        ),
        code="no_header",
    )


def parse_framework(*, data: bytes, filename: str) -> ParsedFramework:
    """Read a framework sheet. Raises FrameworkImportError listing every bad row."""
    try:
        sheets = _read_sheets(data, filename)
    except PlanImportError as error:
        raise FrameworkImportError(error.messages, code="unreadable") from error
    for rows in sheets:
        found = _find_header(rows)
        if found is None:
            continue
        if not filename.lower().endswith((".xlsx", ".xlsm")):
            try:
                _check_text_formulas(rows)
            except PlanImportError as error:
                raise FrameworkImportError(error.messages, code="formula") from error
        return _Builder(rows, *found).build()
    raise _no_header_error()


class _Builder:
    def __init__(self, rows: list[list[str]], header_index: int, columns: dict[str, int]):
        self.rows, self.header_index, self.columns = rows, header_index, columns
        title = next((_clean(c) for r in rows[:header_index] for c in r if _clean(c)), "")
        self.parsed = ParsedFramework(title=title[:AREA_MAX], header_row=header_index + 1)
        self.errors: list[str] = []
        self.areas: dict[str, ParsedArea] = {}
        self.current: ParsedArea | None = None

    def cell(self, row: list[str], kind: str) -> str:
        column = self.columns.get(kind)
        return _clean(row[column]) if column is not None and column < len(row) else ""

    def error(self, number: int, message: str) -> None:
        self.errors.append(_("Row %(row)d: %(message)s") % {"row": number, "message": message})

    def build(self) -> ParsedFramework:
        for index in range(self.header_index + 1, len(self.rows)):
            self._row(index + 1, self.rows[index])
        if not self.errors and not self.parsed.criterion_count:
            self.errors.append(_("The sheet has a header row but no criteria below it."))
        if self.errors:
            shown = self.errors[:MAX_ERRORS]
            if len(self.errors) > MAX_ERRORS:
                shown.append(
                    _("…and %(count)d more rows with errors.")
                    % {"count": len(self.errors) - MAX_ERRORS}
                )
            raise FrameworkImportError(shown, code="rows")
        return self.parsed

    def _row(self, number: int, row: list[str]) -> None:
        area, step_text = self.cell(row, "area"), self.cell(row, "step")
        text, perspectives = self.cell(row, "criterion"), self.cell(row, "perspective")
        if not any(_clean(cell) for cell in row):
            self.parsed.blank_rows += 1
            return
        if area:
            self._area(number, area)
        if not text:
            if step_text or perspectives:
                self.error(number, _("the row has a step or perspective but no criterion."))
            elif not area:
                self.parsed.blank_rows += 1
            return
        if self.current is None:
            self.error(
                number,
                _("the criterion has no area. Write the area on this row or on a row above it."),
            )
            return
        step = self._step(number, step_text)
        if step is None or not self._text_ok(number, text, CRITERION_MAX, _("criterion")):
            return
        names = [_clean(p) for p in _SPLIT_PERSPECTIVES.split(perspectives) if _clean(p)]
        known = {p.lower() for p in self.parsed.perspectives}
        for name in names:
            ok = self._text_ok(number, name, PERSPECTIVE_MAX, _("perspective"))
            if ok and name.lower() not in known:
                known.add(name.lower())
                self.parsed.perspectives.append(name)
        self.current.criteria.append(
            ParsedCriterion(row=number, step=step, text=text, perspectives=names)
        )

    def _area(self, number: int, name: str) -> None:
        if not self._text_ok(number, name, AREA_MAX, _("area")):
            return
        key = name.lower()
        if key not in self.areas:
            self.areas[key] = ParsedArea(row=number, name=name)
            self.parsed.areas.append(self.areas[key])
        self.current = self.areas[key]

    def _step(self, number: int, text: str) -> int | None:
        if not text:
            self.error(number, _("the criterion has no step. Write a step from 1 to 7."))
            return None
        match = _STEP.match(text)
        if match is None or int(match[1]) not in STEPS:
            self.error(number, _("“%(step)s” is not a step from 1 to 7.") % {"step": text[:20]})
            return None
        return int(match[1])

    def _text_ok(self, number: int, text: str, limit: int, what: str) -> bool:
        if len(text) > limit:
            self.error(
                number,
                _("the %(what)s is %(length)d characters long; at most %(max)d fit.")
                % {"what": what, "length": len(text), "max": limit},
            )
            return False
        if find_identity_numbers(text):
            self.error(
                number,
                _("the %(what)s contains what looks like a national identity number.")
                % {"what": what},
            )
            return False
        return True


# --- Writing -----------------------------------------------------------------------


def perspective_kind(name: str) -> str:
    folded = name.lower()
    for kind, words in PERSPECTIVE_KINDS.items():
        if any(word in folded for word in words):
            return kind
    return Perspective.Kind.OTHER


@transaction.atomic
def framework_import_apply(
    *, parsed: ParsedFramework, name: str, user: User | None, source_name: str = ""
) -> FrameworkVersion:
    """Save the parsed sheet as the next version of the framework called `name`
    (a new framework when there is none by that name)."""
    name = _clean(name)
    framework = Framework.objects.select_for_update().filter(name__iexact=name).first()
    if framework is None:
        framework = Framework(name=name)
        framework.full_clean()
        framework.save()
    number = (framework.versions.aggregate(top=Max("number"))["top"] or 0) + 1
    version = FrameworkVersion.objects.create(
        framework=framework, number=number, source_name=source_name[:200], created_by=user
    )
    perspectives = {}
    for position, pname in enumerate(parsed.perspectives, start=1):
        perspective = Perspective(
            version=version, position=position, name=pname, kind=perspective_kind(pname)
        )
        perspective.full_clean(exclude=["version"])
        perspectives[pname.lower()] = perspective
    Perspective.objects.bulk_create(perspectives.values())
    links = []
    for position, parsed_area in enumerate(parsed.areas, start=1):
        area = QualityArea(version=version, position=position, name=parsed_area.name)
        area.full_clean(exclude=["version"])
        area.save()
        links += _criteria_create(area, parsed_area, perspectives)
    Criterion.perspectives.through.objects.bulk_create(links)
    return version


def _criteria_create(area: QualityArea, parsed_area: ParsedArea, perspectives: dict) -> list:
    positions: dict[int, int] = {}
    criteria = []
    for parsed in parsed_area.criteria:
        positions[parsed.step] = positions.get(parsed.step, 0) + 1
        criterion = Criterion(
            area=area, step=parsed.step, position=positions[parsed.step], text=parsed.text
        )
        criterion.full_clean(exclude=["area"])
        criteria.append((criterion, parsed))
    Criterion.objects.bulk_create([criterion for criterion, _parsed in criteria])
    through = Criterion.perspectives.through
    return [
        through(criterion_id=criterion.pk, perspective_id=perspectives[name.lower()].pk)
        for criterion, parsed in criteria
        for name in dict.fromkeys(parsed.perspectives)
    ]


# --- Export -----------------------------------------------------------------------


def framework_export_xlsx(*, version: FrameworkVersion) -> bytes:
    """The version as a sheet the importer reads back: a title row, then one row a criterion."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Framework")[:31]
    sheet.append([f"{version.framework.name} (v{version.number})"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([_("Area"), _("Step"), _("Criterion"), _("Perspective")])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    criteria = (
        Criterion.objects.filter(area__version=version)
        .select_related("area")
        .prefetch_related("perspectives")
        .order_by("area__position", "step", "position")
    )
    last_area = None
    for criterion in criteria:
        area = criterion.area.name if criterion.area_id != last_area else ""
        last_area = criterion.area_id
        names = ", ".join(p.name for p in criterion.perspectives.all())
        sheet.append([_safe(area), criterion.step, _safe(criterion.text), _safe(names)])
    for column, width in zip("ABCD", (36, 8, 90, 30), strict=True):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=3):
        row[2].alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _safe(text: str) -> str:
    """A text a spreadsheet program would take for a formula gets a leading apostrophe."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
