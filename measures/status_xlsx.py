"""A period's status rows as an Excel template: build it and read it back.

The template carries each row's id and version in two hidden columns at the end
of the row, so users may sort and filter the rows in Excel. Reading it back
gives the rows as they are in the file; `measures.status_upload` checks them
against the database and saves them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import formats, timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from qualityplan.models import OrgUnit
from qualityplan.spreadsheets import (
    PERCENT_FORMAT,
    WorkbookUnreadable,
    fit_columns,
    header_freeze_and_filter,
    text_cell,
    workbook_bytes,
    workbook_open,
)

from .forms import COUNTED_SOURCES, READ_ONLY_VALUE_SOURCES
from .models import Indicator, MeasureStatus, ReportingPeriod

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000

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
    if indicator.kind == Indicator.Kind.PERCENTAGE:
        return row.value_number / 100  # a fraction with a percent format, as Excel keeps it
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
        "progress": None if row.progress is None else Decimal(row.progress) / 100,
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
    return text_cell(sheet.cell(row=number, column=column, value=value))


def _percent_keys(row: MeasureStatus) -> set[str]:
    """The cells of `row` that hold a fraction shown as per cent."""
    indicator = _indicator(row)
    if indicator is not None and indicator.kind == Indicator.Kind.PERCENTAGE:
        return {"progress", "value"}
    return {"progress"}


def _write_row(sheet, number: int, row: MeasureStatus) -> list[str]:
    """Write one status row; returns the keys of the cells the user fills in."""
    inputs = _input_keys(row)
    percent = _percent_keys(row)
    for key, value in _row_values(row).items():
        cell = _put(sheet, number, COLUMN[key], value if value != "" else None)
        if key in percent:
            cell.number_format = PERCENT_FORMAT if key == "value" else "0%"
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
            # The cell shows per cent and holds the fraction: 0 % to 100 % is 0 to 1.
            type="decimal",
            operator="between",
            formula1="0",
            formula2="1",
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
            formula2="1",
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
    # Columns a person reads fit their content; the goal (repeated on every row, so
    # never wrapped), the cells one types into and the hidden ids keep their widths.
    kept = ("goal", *INPUT_KEYS, "row_id", "version")
    fit_columns(sheet, header_row=HEADER_ROW, skip=[get_column_letter(COLUMN[k]) for k in kept])
    for key in ("row_id", "version"):
        sheet.column_dimensions[get_column_letter(COLUMN[key])].hidden = True
    header_freeze_and_filter(
        sheet, header_row=HEADER_ROW, last_row=last_row, last_column=len(COLUMNS)
    )
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
    return workbook_bytes(workbook)


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
    try:
        return workbook_open(data, data_only=True)
    except WorkbookUnreadable as error:
        if error.reason == "too_big":
            message = _("This file holds far more than a status sheet.")
        elif error.reason == "corrupt":
            message = _corrupt_message()
        else:
            message = _(
                "This file is not an Excel workbook (.xlsx). Download the template from the "
                "status page, fill it in, save it as .xlsx and upload it."
            )
        raise StatusSheetError(message, code=error.reason) from error


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
    # "50 %" typed into Excel is stored as 0.5 with a percent format. A number above 1
    # in such a cell (above 100 %, which neither progress nor a percentage may be) was
    # written as per cent by a program rather than typed: it is read as written.
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    if key in ("progress", "value") and is_number and "%" in (cell.number_format or ""):
        return Decimal(str(value)) * 100 if value <= 1 else Decimal(str(value))
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
