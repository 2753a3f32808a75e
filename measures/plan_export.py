"""A quality plan as an XLSX in the shape of the published plan table.

One header row (goal/sub-goal, measure, indicator, responsible, start/end and a
column per plan year), a "Goal: …" row per goal, a "Sub-goal: …" row per
sub-goal with its first measure on the same row, an X for every year a measure
runs, and the abbreviations of the roles at the end. `parse_plan_table` reads
it back to the same goals, sub-goals, measures, responsibilities and years.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from qualityplan.models import Goal, QualityPlan, Role, SubGoal
from qualityplan.spreadsheets import (
    fit_columns,
    header_freeze_and_filter,
    text_cell,
    workbook_bytes,
)

from .models import Measure

HEADER_COLUMNS = 5  # goal/sub-goal, measure, indicator, responsible, start/end


def _plan_with_parts(plan: QualityPlan) -> QualityPlan:
    measures = Measure.objects.order_by("position").prefetch_related(
        "responsible_roles", "years", "indicators"
    )
    goals = Goal.objects.order_by("position").prefetch_related(
        Prefetch("subgoals", queryset=SubGoal.objects.order_by("position")),
        Prefetch("measures", queryset=measures),
    )
    return QualityPlan.objects.prefetch_related(Prefetch("goals", queryset=goals)).get(pk=plan.pk)


def _period_text(measure: Measure) -> str:
    start, end = measure.start_date, measure.end_date
    whole_years = (start is None or (start.month, start.day) == (1, 1)) and (
        end is None or (end.month, end.day) == (12, 31)
    )
    first, last = _format_date(start, whole_years), _format_date(end, whole_years)
    if measure.is_continuous:
        return _("Continuous from %(start)s") % {"start": first} if start else _("Continuous")
    if start and end:
        return f"{first}–{last}"
    if start:
        return first
    return f"–{last}" if end else ""


def _format_date(day: date | None, whole_years: bool) -> str:
    if day is None:
        return ""
    return str(day.year) if whole_years else day.strftime("%d.%m.%Y")


def _measure_cells(measure: Measure, years: list[int]) -> list[str]:
    run_years = {row.year for row in measure.years.all()}
    codes = sorted(role.code for role in measure.responsible_roles.all())
    return [
        measure.title,
        "\n".join(indicator.name for indicator in measure.indicators.all()),
        "/".join(codes),
        _period_text(measure),
        *("X" if year in run_years else "" for year in years),
    ]


def _goal_rows(goal: Goal, years: list[int]) -> list[tuple[list[str], bool]]:
    """The rows of one goal, each with whether it is a goal row (shown bold)."""
    empty = [""] * (4 + len(years))
    measures = list(goal.measures.all())
    rows = [([_("Goal: %(title)s") % {"title": goal.title}, *empty], True)]
    # Measures straight under the goal come first: a row after a sub-goal belongs to it.
    for measure in (m for m in measures if m.subgoal_id is None):
        rows.append((["", *_measure_cells(measure, years)], False))
    for subgoal in goal.subgoals.all():
        label = _("Sub-goal: %(title)s") % {"title": subgoal.title}
        own = [m for m in measures if m.subgoal_id == subgoal.pk]
        if not own:
            rows.append(([label, *empty], False))
        for index, measure in enumerate(own):
            rows.append(([label if index == 0 else "", *_measure_cells(measure, years)], False))
    return rows


def _abbreviation_rows(plan: QualityPlan) -> list[list[str]]:
    codes = {
        role.code
        for goal in plan.goals.all()
        for measure in goal.measures.all()
        for role in measure.responsible_roles.all()
    }
    roles = Role.objects.filter(code__in=codes).order_by("code")
    lines = [f"{role.code} – {role.name}" for role in roles]
    if not lines:
        return []
    return [[], [f"{_('Abbreviations')}: {lines[0]}"], *([line] for line in lines[1:])]


def _write_row(sheet, number: int, values: list, bold: bool = False) -> None:
    for column, value in enumerate(values, start=1):
        if value == "":
            continue
        cell = text_cell(sheet.cell(row=number, column=column, value=value))
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if bold:
            cell.font = Font(bold=True)


def _format_sheet(sheet, years: list[int], last_row: int) -> None:
    fit_columns(sheet)
    header_freeze_and_filter(
        sheet, header_row=1, last_row=last_row, last_column=HEADER_COLUMNS + len(years)
    )


def plan_export_xlsx(*, plan: QualityPlan) -> bytes:
    """The plan as XLSX bytes, in the shape of the published plan table."""
    plan = _plan_with_parts(plan)
    years = plan.years
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Plan")
    header = [
        _("Goal / sub-goal"),
        _("Measure"),
        _("Indicator"),
        _("Responsible"),
        _("Start/end"),
        *years,
    ]
    _write_row(sheet, 1, header, bold=True)
    number = 1
    for goal in plan.goals.all():
        for values, bold in _goal_rows(goal, years):
            number += 1
            _write_row(sheet, number, values, bold=bold)
    last_table_row = number
    for values in _abbreviation_rows(plan):
        number += 1
        _write_row(sheet, number, values)
    _format_sheet(sheet, years, last_row=last_table_row)
    return workbook_bytes(workbook)
