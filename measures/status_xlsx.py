"""A period's status rows as an Excel template: build it, read it back, check it, apply it.

The template carries each row's id and version in two hidden columns at the end
of the row, so users may sort and filter the rows in Excel. Reading it back
builds the form data the status page posts and validates it with
`StatusRowForm`: the file and the page cannot disagree on what a valid row is.
A row someone saved after the template was downloaded is a conflict, never a
silent overwrite, and nothing is written before the user has seen the check.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from qualityplan.models import OrgUnit

from . import selectors
from .forms import COUNTED_SOURCES, READ_ONLY_VALUE_SOURCES, StatusRowForm
from .models import Indicator, MeasureStatus, ReportingPeriod
from .statuses import StatusConflict, measure_status_update, status_may_edit

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
# An .xlsx is a zip: one that unpacks to far more than a status sheet needs is refused
# before openpyxl reads it into memory.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The technical columns keep fixed, untranslated headers: a template downloaded in
# one language is read back whatever language the uploader uses.
ID_HEADER, VERSION_HEADER = "row_id", "version"
META_SHEET = "kvalitetsplan"
TITLE_ROW, NOTE_ROW, HEADER_ROW = 1, 2, 3
# How far down a sheet the header row is looked for: users sometimes add a line on top.
HEADER_SEARCH_ROWS = 10
MAX_COLUMNS = 40

COLUMNS = [
    ("goal", gettext_lazy("Goal"), 28),
    ("measure", gettext_lazy("Measure"), 45),
    ("indicator", gettext_lazy("Indicator"), 30),
    ("kind", gettext_lazy("Kind of value"), 18),
    ("status", gettext_lazy("Status"), 22),
    ("progress", gettext_lazy("Progress (%)"), 13),
    ("value", gettext_lazy("Indicator value"), 16),
    ("comment", gettext_lazy("Comment"), 50),
    ("saved", gettext_lazy("Last saved"), 24),
    ("row_id", ID_HEADER, 10),
    ("version", VERSION_HEADER, 10),
]
COLUMN = {key: index for index, (key, _label, _width) in enumerate(COLUMNS, start=1)}
INPUT_KEYS = ("status", "progress", "value", "comment")
REQUIRED_KEYS = ("row_id", "version", *INPUT_KEYS)
FIELD_LABELS = {
    "status": gettext_lazy("Status"),
    "progress": gettext_lazy("Progress (%)"),
    "value": gettext_lazy("Indicator value"),
    "value_number": gettext_lazy("Indicator value"),
    "value_bool": gettext_lazy("Indicator value"),
    "value_text": gettext_lazy("Indicator value"),
    "comment": gettext_lazy("Comment"),
}

HEADER_FILL = PatternFill("solid", fgColor="DCE6F0")
INPUT_FILL = PatternFill("solid", fgColor="FFF8E1")
READ_ONLY_FILL = PatternFill("solid", fgColor="EDEDED")
READ_ONLY_FONT = Font(color="595959", italic=True)
THIN = Side(style="thin", color="B7B7B7")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")


class StatusSheetError(ValidationError):
    """The file cannot be read as a status template; the message says what to do."""


# --- Building the template -------------------------------------------------------------


def _indicator(row: MeasureStatus) -> Indicator | None:
    return next(iter(row.measure.indicators.all()), None)


def _is_counted(indicator: Indicator | None) -> bool:
    """A value the sheet does not take: counted by the app, imported or statistical."""
    return bool(indicator and indicator.source in READ_ONLY_VALUE_SOURCES)


def read_only_reason(row: MeasureStatus) -> str:
    if not row.period.is_open:
        return _("The period is closed.")
    return _("Your role does not answer for this measure in this unit.")


def _kind_text(indicator: Indicator | None) -> str:
    if indicator is None:
        return ""
    if indicator.source in COUNTED_SOURCES:
        return f"{_('Count')} ({_('counted automatically')})"
    if _is_counted(indicator):
        return str(indicator.get_source_display())
    return {
        Indicator.Kind.COUNT: _("Count"),
        Indicator.Kind.PERCENTAGE: _("Percentage 0–100"),
        Indicator.Kind.YES_NO: _("Yes/no"),
    }.get(indicator.kind, _("Text"))


def _goal_text(row: MeasureStatus) -> str:
    goal, subgoal = row.measure.goal, row.measure.subgoal
    text = f"{goal.position}. {goal.title}"
    if subgoal is not None:
        text += f"\n{goal.position}.{subgoal.position} {subgoal.title}"
    return text


def _value_cell(row: MeasureStatus, indicator: Indicator | None):
    if indicator is None:
        return None
    if indicator.kind == Indicator.Kind.YES_NO:
        return {True: _("Yes"), False: _("No")}.get(row.value_bool)
    if indicator.kind == Indicator.Kind.MILESTONE:
        return row.value_text or None
    if row.value_number is None:
        return None
    if indicator.kind == Indicator.Kind.COUNT and row.value_number == int(row.value_number):
        return int(row.value_number)
    return row.value_number


def _saved_text(row: MeasureStatus, editable: bool) -> str:
    lines = [] if editable else [_("Read only: %(reason)s") % {"reason": read_only_reason(row)}]
    if row.updated_at:
        when = formats.date_format(timezone.localtime(row.updated_at), "SHORT_DATETIME_FORMAT")
        who = (row.updated_by.get_full_name() or row.updated_by.username) if row.updated_by else ""
        lines.append(f"{when} {who}".strip())
    else:
        lines.append(_("Not saved yet"))
    return "\n".join(lines)


def _row_values(row: MeasureStatus) -> dict:
    indicator = _indicator(row)
    return {
        "goal": _goal_text(row),
        "measure": row.measure.title,
        "indicator": indicator.name if indicator else "",
        "kind": _kind_text(indicator),
        "status": str(MeasureStatus.Status(row.status).label),
        "progress": row.progress,
        "value": _value_cell(row, indicator),
        "comment": row.comment,
        "saved": _saved_text(row, row.editable),
        "row_id": row.pk,
        "version": row.version,
    }


def _input_keys(row: MeasureStatus) -> list[str]:
    """The cells of `row` the user fills in; none when they may not edit it."""
    if not row.editable:
        return []
    indicator = _indicator(row)
    has_value = indicator is not None and not _is_counted(indicator)
    return [key for key in INPUT_KEYS if key != "value" or has_value]


def _put(sheet, number: int, column: int, value):
    cell = sheet.cell(row=number, column=column, value=value)
    if isinstance(value, str):
        # Text stays text: a comment starting with "=" must not become a formula.
        cell.data_type = "s"
    return cell


def _write_row(sheet, number: int, row: MeasureStatus) -> list[str]:
    """Write one status row; returns the keys of the cells the user fills in."""
    inputs = _input_keys(row)
    for key, value in _row_values(row).items():
        cell = _put(sheet, number, COLUMN[key], value if value != "" else None)
        # The goal repeats on every row: wrapped, its long text would triple each row's height.
        cell.alignment, cell.border = (TOP if key == "goal" else WRAP), BORDER
        if not row.editable:
            cell.fill, cell.font = READ_ONLY_FILL, READ_ONLY_FONT
        elif key in inputs:
            cell.fill = INPUT_FILL
    return inputs


def _list_formula(options: list[str]) -> str:
    # Excel takes the list inline, comma separated, inside quotes.
    return '"' + ",".join(option.replace('"', '""') for option in options) + '"'


def _validations() -> dict[str, DataValidation]:
    def error(title, message, **kwargs) -> DataValidation:
        return DataValidation(
            showErrorMessage=True, errorTitle=str(title), error=str(message), **kwargs
        )

    statuses = [str(choice.label) for choice in MeasureStatus.Status]
    return {
        "status": error(
            _("Status"),
            _("Choose a status from the list."),
            type="list",
            formula1=_list_formula(statuses),
            allow_blank=False,
        ),
        "progress": error(
            _("Progress (%)"),
            _("Progress must be a whole number from 0 to 100."),
            type="whole",
            operator="between",
            formula1="0",
            formula2="100",
            allow_blank=True,
        ),
        Indicator.Kind.COUNT: error(
            _("Indicator value"),
            _("Write the count as a whole number, for example 12."),
            type="whole",
            operator="greaterThanOrEqual",
            formula1="0",
            allow_blank=True,
        ),
        Indicator.Kind.PERCENTAGE: error(
            _("Indicator value"),
            _("A percentage must be between 0 and 100."),
            type="decimal",
            operator="between",
            formula1="0",
            formula2="100",
            allow_blank=True,
        ),
        Indicator.Kind.YES_NO: error(
            _("Indicator value"),
            _("Choose Yes or No, or leave the cell empty."),
            type="list",
            formula1=_list_formula([_("Yes"), _("No")]),
            allow_blank=True,
        ),
    }


def _validate_cells(number: int, row: MeasureStatus, inputs: list[str], rules) -> None:
    for key in ("status", "progress"):
        if key in inputs:
            rules[key].add(f"{get_column_letter(COLUMN[key])}{number}")
    indicator = _indicator(row)
    if "value" in inputs and indicator.kind in rules:
        rules[indicator.kind].add(f"{get_column_letter(COLUMN['value'])}{number}")


def _write_heading(sheet, period: ReportingPeriod, unit: OrgUnit) -> None:
    title = _put(sheet, TITLE_ROW, 1, f"{unit.name} – {period.label}")
    title.font = Font(bold=True, size=14)
    deadline = formats.date_format(period.deadline, "SHORT_DATE_FORMAT")
    note = _(
        "%(plan)s. Deadline %(deadline)s. Fill in the yellow cells (status, progress, "
        "indicator value, comment) and upload the file on the status page. You may sort "
        "and filter the rows; leave the hidden columns as they are."
    ) % {"plan": period.plan.title, "deadline": deadline}
    note_cell = _put(sheet, NOTE_ROW, 1, note)
    note_cell.font, note_cell.alignment = Font(italic=True, color="404040"), WRAP
    visible = get_column_letter(COLUMN["saved"])
    sheet.merge_cells(f"A{TITLE_ROW}:{visible}{TITLE_ROW}")
    sheet.merge_cells(f"A{NOTE_ROW}:{visible}{NOTE_ROW}")
    # Excel does not grow a merged row to fit its text: room for two lines.
    sheet.row_dimensions[NOTE_ROW].height = 32
    for key, label, width in COLUMNS:
        cell = _put(sheet, HEADER_ROW, COLUMN[key], str(label))
        cell.font, cell.fill, cell.border = Font(bold=True), HEADER_FILL, BORDER
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        sheet.column_dimensions[get_column_letter(COLUMN[key])].width = width


def _finish_sheet(sheet, last_row: int) -> None:
    for key in ("row_id", "version"):
        sheet.column_dimensions[get_column_letter(COLUMN[key])].hidden = True
    last_column = get_column_letter(len(COLUMNS))
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{last_column}{max(last_row, HEADER_ROW + 1)}"
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _write_meta(workbook: Workbook, period: ReportingPeriod, unit: OrgUnit) -> None:
    """What the file was made for, so an upload to the wrong unit or period is refused."""
    meta = workbook.create_sheet(META_SHEET)
    meta.sheet_state = "hidden"
    facts = [
        ("format", 1),
        ("period", period.pk),
        ("unit", unit.pk),
        ("period_label", str(period.label)),
        ("unit_name", unit.name),
        ("downloaded", timezone.now().isoformat(timespec="seconds")),
    ]
    for number, (key, value) in enumerate(facts, start=1):
        _put(meta, number, 1, key)
        _put(meta, number, 2, value)


def status_template_build(
    *, period: ReportingPeriod, unit: OrgUnit, rows: list[MeasureStatus]
) -> bytes:
    """The rows as an XLSX template. Each row needs `editable` set (the views do)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Status")
    _write_heading(sheet, period, unit)
    rules = _validations()
    number = HEADER_ROW
    for row in rows:
        number += 1
        inputs = _write_row(sheet, number, row)
        _validate_cells(number, row, inputs, rules)
    for rule in rules.values():
        if rule.sqref:
            sheet.add_data_validation(rule)
    _finish_sheet(sheet, number)
    _write_meta(workbook, period, unit)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def status_template_filename(*, period: ReportingPeriod, unit: OrgUnit) -> str:
    name = unit.name.translate(str.maketrans({"æ": "ae", "ø": "o", "å": "a"}))
    name = name.translate(str.maketrans({"Æ": "Ae", "Ø": "O", "Å": "A"}))
    suffix = {4: f"t{period.number}", 3: f"q{period.number}"}.get(
        period.ends_on.month - period.starts_on.month + 1, ""
    )
    when = f"{period.year}-{suffix}" if suffix else str(period.year)
    return f"status-{slugify(name) or 'unit'}-{when}.xlsx"


# --- Reading it back ---------------------------------------------------------------------


@dataclass
class SheetRow:
    number: int
    cells: dict[str, object]


@dataclass
class StatusSheet:
    rows: list[SheetRow]
    meta: dict[str, object] = field(default_factory=dict)
    has_measure_column: bool = True


def _norm(value) -> str:
    return " ".join(str(value).split()).casefold()


def _in_every_language(texts) -> dict[str, str]:
    """{normalised text in nb, sv or en: key} for (key, lazy text) pairs."""
    texts, found = list(texts), {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            found.update({_norm(text): key for key, text in texts})
    return found


def _header_keys() -> dict[str, str]:
    keys = _in_every_language((key, label) for key, label, _width in COLUMNS[:-2])
    return {**keys, ID_HEADER: "row_id", VERSION_HEADER: "version"}


def _open_workbook(data: bytes):
    not_xlsx = _(
        "This file is not an Excel workbook (.xlsx). Download the template from the status "
        "page, fill it in, save it as .xlsx and upload it."
    )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as error:
        raise StatusSheetError(not_xlsx, code="not_xlsx") from error
    if unpacked > MAX_UNPACKED_BYTES:
        raise StatusSheetError(_("This file holds far more than a status sheet."), code="big")
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:
        # openpyxl raises KeyError, ValueError, XML errors … for a broken workbook.
        raise StatusSheetError(_corrupt_message(), code="corrupt") from error


def _find_header(sheet) -> tuple[int, dict[str, int]] | None:
    keys = _header_keys()
    rows = sheet.iter_rows(max_row=HEADER_SEARCH_ROWS, max_col=MAX_COLUMNS, values_only=True)
    for number, values in enumerate(rows, start=1):
        columns = {}
        for index, value in enumerate(values):
            key = keys.get(_norm(value)) if value is not None else None
            if key and key not in columns:
                columns[key] = index
        if "row_id" in columns and "version" in columns:
            return number, columns
    return None


def _find_status_sheet(workbook):
    for sheet in workbook.worksheets:
        if sheet.title == META_SHEET:
            continue
        found = _find_header(sheet)
        if found:
            return sheet, *found
    raise StatusSheetError(
        _(
            "We found no status sheet in this file: no sheet has the hidden columns "
            "“row_id” and “version”. Download the template from the status page, fill it in "
            "and upload that file."
        ),
        code="no_sheet",
    )


def _check_columns(columns: dict[str, int]) -> None:
    labels = {key: label for key, label, _width in COLUMNS}
    missing = [str(labels[key]) for key in REQUIRED_KEYS if key not in columns]
    if missing:
        raise StatusSheetError(
            _("The column “%(columns)s” is missing. Use the template as it was downloaded.")
            % {"columns": "”, “".join(missing)},
            code="missing_column",
        )


def _cell_value(cell, key: str):
    value = cell.value
    # "50 %" typed into Excel is stored as 0.5 with a percent format.
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    if key in ("progress", "value") and is_number and "%" in (cell.number_format or ""):
        return Decimal(str(value)) * 100
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _read_rows(sheet, header_row: int, columns: dict[str, int]) -> list[SheetRow]:
    width = max(columns.values()) + 1
    rows = []
    cells_by_row = sheet.iter_rows(min_row=header_row + 1, max_col=width)
    for number, cells in enumerate(cells_by_row, start=header_row + 1):
        values = {key: _cell_value(cells[index], key) for key, index in columns.items()}
        if all(value is None for value in values.values()):
            continue
        if len(rows) >= MAX_ROWS:
            raise StatusSheetError(
                _("The file has more than %(count)s rows; we read at most that many at once.")
                % {"count": formats.number_format(MAX_ROWS, force_grouping=True)},
                code="too_many_rows",
            )
        rows.append(SheetRow(number=number, cells=values))
    return rows


def _read_meta(workbook) -> dict[str, object]:
    if META_SHEET not in workbook.sheetnames:
        return {}
    rows = workbook[META_SHEET].iter_rows(max_row=20, max_col=2, values_only=True)
    return {str(key): value for key, value in rows if key is not None}


def status_sheet_parse(*, data: bytes) -> StatusSheet:
    """Read an uploaded template. Raises StatusSheetError with a message a user can act on."""
    workbook = _open_workbook(data)
    try:
        sheet, header_row, columns = _find_status_sheet(workbook)
        _check_columns(columns)
        rows = _read_rows(sheet, header_row, columns)
        meta = _read_meta(workbook)
    except StatusSheetError:
        raise
    except Exception as error:
        # A damaged file fails inside openpyxl in many ways (XML, zip, types): all mean the same.
        raise StatusSheetError(_corrupt_message(), code="corrupt") from error
    finally:
        workbook.close()
    return StatusSheet(rows=rows, meta=meta, has_measure_column="measure" in columns)


def _corrupt_message() -> str:
    return _(
        "The file could not be read: it may be damaged, or it is not an Excel workbook. "
        "Open it in Excel, save it as .xlsx and try again."
    )


# --- Turning cells into the page's form data ---------------------------------------------

_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")
YES_WORDS = {"yes", "ja", "sant", "sann", "true", "y", "j", "1"}
NO_WORDS = {"no", "nei", "nej", "usant", "falsk", "false", "n", "0"}


def _plain(number: Decimal) -> str:
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _number(value) -> str:
    """A number as the form reads it in any language ("85.5"), or the cell's text as it is,
    for the form to refuse with its own message. Reads Excel numbers, "85,5", "1 234", "50 %"."""
    if value is None:
        return ""
    if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
        return _plain(Decimal(str(value)))
    text = _text(value)
    compact = re.sub(r"[\s\u00a0\u202f]", "", text).removesuffix("%")
    if "," in compact and "." in compact:
        # "1.234,5" or "1,234.5": the last mark is the decimal one, the other groups thousands.
        thousands = "." if compact.rfind(",") > compact.rfind(".") else ","
        compact = compact.replace(thousands, "")
    compact = compact.replace(",", ".")
    if not _PLAIN_NUMBER.fullmatch(compact):
        return text
    try:
        return _plain(Decimal(compact))
    except InvalidOperation:
        return text


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, float | Decimal):
        return _plain(Decimal(str(value)))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


@dataclass
class Vocabulary:
    """Status labels and yes/no words in every language, read back to the page's values."""

    statuses: dict[str, str]
    answers: dict[str, str]

    @classmethod
    def load(cls) -> Vocabulary:
        statuses = _in_every_language(
            (choice.value, choice.label) for choice in MeasureStatus.Status
        )
        for choice in MeasureStatus.Status:
            statuses[_norm(choice.value)] = choice.value
            statuses[_norm(choice.value.replace("_", " "))] = choice.value
        answers = {word: "yes" for word in YES_WORDS} | {word: "no" for word in NO_WORDS}
        answers.update(
            _in_every_language([("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No"))])
        )
        return cls(statuses=statuses, answers=answers)

    def status(self, value) -> str | None:
        return self.statuses.get(_norm(_text(value)))

    def answer(self, value) -> str | None:
        if isinstance(value, bool):
            return "yes" if value else "no"
        if value is None:
            return ""
        return self.answers.get(_norm(_text(value)))


def _form_value(cells: dict, indicator: Indicator | None, words: Vocabulary):
    raw = cells.get("value")
    if indicator is None:
        return ""
    if indicator.kind in (Indicator.Kind.COUNT, Indicator.Kind.PERCENTAGE):
        return _number(raw)
    if indicator.kind == Indicator.Kind.YES_NO:
        answer = words.answer(raw)
        return _text(raw) if answer is None else answer
    return _text(raw)


def form_data(*, line: SheetRow, row: MeasureStatus, version: int, words: Vocabulary) -> dict:
    """The POST the status page would send for this row, built from the sheet's cells."""
    cells = line.cells
    status = words.status(cells.get("status"))
    values = {
        "version": str(version),
        "status": status or _text(cells.get("status")),
        "progress": _number(cells.get("progress")),
        "value": _form_value(cells, _indicator(row), words),
        "comment": _text(cells.get("comment")),
    }
    return {f"s{row.pk}-{key}": value for key, value in values.items()}


# --- Checking an upload against the rows as they are now ---------------------------------


@dataclass
class FieldDiff:
    label: str
    old: str
    new: str


@dataclass
class RowChange:
    number: int
    row: MeasureStatus
    version: int
    values: dict
    diffs: list[FieldDiff]


@dataclass
class RowConflict:
    number: int
    row: MeasureStatus
    diffs: list[FieldDiff]


@dataclass
class RowProblem:
    number: int
    title: str
    messages: list[str]


@dataclass
class UploadCheck:
    changes: list[RowChange] = field(default_factory=list)
    conflicts: list[RowConflict] = field(default_factory=list)
    errors: list[RowProblem] = field(default_factory=list)
    ignored: list[RowProblem] = field(default_factory=list)
    unchanged: int = 0


def _whole(value) -> int | None:
    """A hidden id or version cell as an integer, or None when it is not one."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int):
        return value
    text = str(value).strip()
    return int(text) if text.isdigit() else None


def _same(old, new) -> bool:
    if old in (None, "") and new in (None, ""):
        return True
    if isinstance(old, str) and isinstance(new, str):
        return _text(old) == _text(new)
    return old == new


def _holds(obj, values: dict) -> bool:
    return all(_same(getattr(obj, name), value) for name, value in values.items())


def _shown(name: str, value, indicator: Indicator | None) -> str:
    if name == "status":
        return str(MeasureStatus.Status(value).label)
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if name == "progress":
        return f"{value} %"
    if name == "value_number":
        shown = formats.number_format(_plain(Decimal(value)), use_l10n=True)
        is_percentage = indicator is not None and indicator.kind == Indicator.Kind.PERCENTAGE
        return f"{shown} %" if is_percentage else shown
    return str(value)


def _diffs(old_obj, values: dict, indicator: Indicator | None) -> list[FieldDiff]:
    return [
        FieldDiff(
            str(FIELD_LABELS[name]),
            _shown(name, getattr(old_obj, name), indicator),
            _shown(name, value, indicator),
        )
        for name, value in values.items()
        if not _same(getattr(old_obj, name), value)
    ]


def _form_messages(form: StatusRowForm, data: dict, row: MeasureStatus) -> list[str]:
    """The form's errors, in the words of the sheet's columns."""
    messages = []
    for name, errors in form.errors.items():
        label = FIELD_LABELS.get(name, "")
        shown = data.get(f"s{row.pk}-{name}", "")
        if name == "status":
            choices = ", ".join(str(choice.label) for choice in MeasureStatus.Status)
            errors = [
                _("“%(value)s” is not a status. Use one of: %(choices)s.")
                % {"value": shown, "choices": choices}
                if shown
                else _("Choose a status.")
            ]
        elif name == "value" and form.indicator.kind == Indicator.Kind.YES_NO:
            errors = [_("“%(value)s” is not an answer. Write Yes or No.") % {"value": shown}]
        messages += [f"{label}: {error}" if label else str(error) for error in errors]
    return messages


def _version_at(pairs: set[tuple[int, int]]) -> dict[tuple[int, int], object]:
    """Each row as it was at the given version: what the template showed when downloaded."""
    if not pairs:
        return {}
    records = MeasureStatus.history.filter(
        id__in={pk for pk, _v in pairs}, version__in={version for _pk, version in pairs}
    ).order_by("history_date", "history_id")
    found = {(r.id, r.version): r for r in records if (r.id, r.version) in pairs}
    for pk, version in pairs:
        if version == 1:
            # Rows are created in bulk with their defaults, without a history record.
            found.setdefault((pk, version), MeasureStatus())
    return found


@dataclass
class _Candidate:
    line: SheetRow
    row: MeasureStatus
    version: int
    values: dict | None
    editable: bool


def _title_matches(line: SheetRow, row: MeasureStatus, sheet: StatusSheet) -> bool:
    if not sheet.has_measure_column:
        return True
    return _norm(_text(line.cells.get("measure"))) == _norm(row.measure.title)


def _row_problem(line: SheetRow, row, *, sheet: StatusSheet, seen: dict) -> RowProblem | None:
    """Why a sheet row cannot be matched to one of the unit's rows, or None when it can."""
    row_id, version = _whole(line.cells.get("row_id")), _whole(line.cells.get("version"))
    title = _text(line.cells.get("measure")) or "–"
    if row_id is None or version is None:
        message = _(
            "This row has no hidden row id or version, so we do not know which measure it is. "
            "Rows added in Excel cannot be read: new measures are added to the plan."
        )
        return RowProblem(line.number, title, [message])
    if row_id in seen:
        message = _("This row appears twice in the file (also row %(row)s).")
        return RowProblem(line.number, title, [message % {"row": seen[row_id]}])
    seen[row_id] = line.number
    if row is None:
        message = _("This row is not one of this unit's rows in this period. It is left out.")
        return RowProblem(line.number, title, [message])
    if not _title_matches(line, row, sheet):
        message = _(
            "The measure in this row does not match its hidden row id (it is “%(title)s”). "
            "Were the rows sorted without the hidden columns? Download a fresh template."
        )
        return RowProblem(line.number, title, [message % {"title": row.measure.title}])
    return None


def _check_source(sheet: StatusSheet, period: ReportingPeriod, unit: OrgUnit) -> None:
    period_id, unit_id = _whole(sheet.meta.get("period")), _whole(sheet.meta.get("unit"))
    if sheet.meta and (period_id != period.pk or unit_id != unit.pk):
        raise StatusSheetError(
            _(
                "This template was downloaded for %(file_unit)s, %(file_period)s; you are "
                "uploading to %(unit)s, %(period)s. Upload it on the status page it came from, "
                "or download the template for %(unit)s."
            )
            % {
                "file_unit": sheet.meta.get("unit_name") or "–",
                "file_period": sheet.meta.get("period_label") or "–",
                "unit": unit.name,
                "period": period.label,
            },
            code="other_source",
        )


def _candidates(sheet, period, unit, user, check: UploadCheck) -> list[_Candidate]:
    """The sheet's rows matched to the unit's rows, validated as the page validates them.

    Rows the user may not edit come along with `values` None when their cells do
    not even pass validation: either way they are never saved.
    """
    rows = {row.pk: row for row in selectors.status_rows(period=period, unit_ids=[unit.pk])}
    words, seen, found = Vocabulary.load(), {}, []
    for line in sheet.rows:
        row = rows.get(_whole(line.cells.get("row_id")))
        problem = _row_problem(line, row, sheet=sheet, seen=seen)
        if problem is not None:
            check.errors.append(problem)
            continue
        version = _whole(line.cells["version"])
        data = form_data(line=line, row=row, version=version, words=words)
        form = StatusRowForm(data, row=row)
        editable = status_may_edit(user=user, status=row)
        if form.is_valid():
            found.append(_Candidate(line, row, version, form.changes(), editable))
        elif not editable:
            found.append(_Candidate(line, row, version, None, editable))
        else:
            messages = _form_messages(form, data, row)
            check.errors.append(RowProblem(line.number, row.measure.title, messages))
    return found


def status_upload_check(
    *, sheet: StatusSheet, period: ReportingPeriod, unit: OrgUnit, user
) -> UploadCheck:
    """Sort the sheet's rows into changes, unchanged, errors, conflicts and ignored rows.

    A row whose version is older than the row's was saved by someone after the
    download. If the file still holds what the row held then, the user did not
    touch it and it counts as unchanged; otherwise it is a conflict. A read-only
    row counts as unchanged when the user left it as it was, else it is ignored.
    """
    _check_source(sheet, period, unit)
    check = UploadCheck()
    candidates = _candidates(sheet, period, unit, user, check)
    stale = {(c.row.pk, c.version) for c in candidates if c.version != c.row.version}
    as_downloaded = _version_at(stale)
    for candidate in candidates:
        row, values, number = candidate.row, candidate.values, candidate.line.number
        original = as_downloaded.get((row.pk, candidate.version))
        untouched = values is not None and (
            _holds(row, values) or (original is not None and _holds(original, values))
        )
        if untouched:
            check.unchanged += 1
        elif not candidate.editable:
            check.ignored.append(RowProblem(number, row.measure.title, [read_only_reason(row)]))
        elif candidate.version == row.version:
            diffs = _diffs(row, values, _indicator(row))
            check.changes.append(RowChange(number, row, candidate.version, values, diffs))
        else:
            check.conflicts.append(RowConflict(number, row, _diffs(row, values, _indicator(row))))
    return check


@dataclass
class UploadResult:
    saved: list[RowChange]
    conflicts: list[RowConflict]
    errors: list[RowProblem]


@transaction.atomic
def status_upload_apply(*, check: UploadCheck, user, row_ids: set[int]) -> UploadResult:
    """Save the checked changes of the rows in `row_ids` (those the user saw in the preview),
    each with the version from the file: a row saved in between is a conflict, not saved."""
    saved, conflicts, errors = [], list(check.conflicts), list(check.errors)
    for change in check.changes:
        if change.row.pk not in row_ids:
            continue
        try:
            measure_status_update(
                row=change.row, user=user, version=change.version, **change.values
            )
        except StatusConflict as conflict:
            diffs = _diffs(conflict.current, change.values, _indicator(change.row))
            conflict.current.measure = change.row.measure
            conflicts.append(RowConflict(change.number, conflict.current, diffs))
        except ValidationError as error:
            errors.append(RowProblem(change.number, change.row.measure.title, error.messages))
        else:
            saved.append(change)
    return UploadResult(saved=saved, conflicts=conflicts, errors=errors)
