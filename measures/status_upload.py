"""Checking an uploaded status sheet against the rows as they are now, and saving it.

The cells become the form data the status page posts (`form_data`), validated by
`StatusRowForm`: the file and the page cannot disagree on what a valid row is. A
row someone saved after the template was downloaded is a conflict, never a silent
overwrite, and nothing is written before the user has seen the check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qualityplan.models import OrgUnit

from . import selectors
from .forms import StatusRowForm
from .models import Indicator, MeasureStatus, ReportingPeriod
from .permissions import status_may_edit
from .status_xlsx import (
    FIELD_LABELS,
    SheetRow,
    StatusSheet,
    StatusSheetError,
    _in_every_language,
    _indicator,
    _norm,
    read_only_reason,
)
from .statuses import StatusConflict, measure_status_update

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
