"""The measure × unit matrix: each measure's status in each unit of the scope."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.db.models import Case, F, Value, When

from measures.models import Measure, MeasureStatus
from measures.models import ReportingPeriod as Period
from qualityplan.models import Goal, OrgUnit, QualityPlan

from .rows import RowSelection, row_selection
from .scope import DashboardScope, unit_label
from .statuses import STATUS_KEYS, UNREPORTED

# --- The measure × unit matrix -------------------------------------------------------


@dataclass(slots=True)
class MatrixCell:
    status: str  # a status key, UNREPORTED, or "" when the unit has no row
    row_id: int | None = None
    period_id: int | None = None
    unit_id: int | None = None


@dataclass
class MatrixRow:
    measure: Measure
    cells: list[MatrixCell]


@dataclass
class MatrixGoal:
    goal: Goal
    rows: list[MatrixRow]
    # An outline (the whole plan's matrix before its pieces load) keeps no rows, only
    # how many there are.
    size: int | None = None

    @property
    def measure_count(self) -> int:
        return len(self.rows) if self.size is None else self.size


@dataclass
class MatrixColumn:
    unit: OrgUnit
    label: str
    group: str  # the area the unit lies in, when the scope spans areas; else ""
    group_id: int | None = None


@dataclass
class StatusMatrix:
    columns: list[MatrixColumn]
    goals: list[MatrixGoal]
    selection: RowSelection
    counts: dict[str, int]

    @property
    def groups(self) -> list[tuple[str, int, int | None]]:
        """(label, number of columns, area id) of consecutive column groups, for a header
        row; empty when the columns are not grouped by area."""
        if not any(column.group for column in self.columns):
            return []
        spans: list[tuple[str, int, int | None]] = []
        for column in self.columns:
            if spans and spans[-1][0] == column.group:
                spans[-1] = (column.group, spans[-1][1] + 1, column.group_id)
            else:
                spans.append((column.group, 1, column.group_id))
        return spans


def status_matrix(
    *,
    plan: QualityPlan,
    year: int,
    scope: DashboardScope,
    period: Period | None = None,
    goal: Goal | None = None,
) -> StatusMatrix:
    """Each measure's status in each unit of the scope: one cell per status row of the
    selection (see `row_selection`). Five queries."""
    selection = row_selection(plan=plan, years=[year], unit_ids=scope.unit_ids, period=period)
    rows = MeasureStatus.objects.filter(selection.q).order_by()
    if goal is not None:
        rows = rows.filter(measure__goal=goal)
    # The status key is worked out by the database: no timestamps to convert per cell.
    key = Case(When(reported_at__isnull=True, then=Value(UNREPORTED)), default=F("status"))
    by_measure: dict[int, dict[int, MatrixCell]] = {}
    counts: Counter = Counter()
    for pk, measure_id, unit_id, period_id, status in rows.annotate(key=key).values_list(
        "pk", "measure_id", "org_unit_id", "period_id", "key"
    ):
        by_measure.setdefault(measure_id, {})[unit_id] = MatrixCell(status, pk, period_id, unit_id)
        counts[status] += 1
    unit_ids = {unit_id for cells in by_measure.values() for unit_id in cells}
    columns = _matrix_columns(scope, unit_ids)
    column_ids = [column.unit.pk for column in columns]
    measures = (
        Measure.objects.filter(pk__in=by_measure)
        .select_related("goal", "subgoal")
        .order_by("goal__position", F("subgoal__position").asc(nulls_first=True), "position")
    )
    goals: list[MatrixGoal] = []
    empty = MatrixCell("")
    for measure in measures:
        if not goals or goals[-1].goal.pk != measure.goal_id:
            goals.append(MatrixGoal(measure.goal, []))
        row = by_measure[measure.pk]
        goals[-1].rows.append(MatrixRow(measure, [row.get(unit, empty) for unit in column_ids]))
    return StatusMatrix(
        columns=columns,
        goals=goals,
        selection=selection,
        counts={key: counts.get(key, 0) for key in STATUS_KEYS},
    )


def _matrix_columns(scope: DashboardScope, unit_ids: set[int]) -> list[MatrixColumn]:
    group_of: dict[int, OrgUnit] = {}
    for child in scope.children:
        if child.kind != OrgUnit.Kind.AREA:
            continue  # below an area the columns are the units themselves
        for unit in scope.tree.subtree(child.pk):
            group_of[unit] = child
    units = OrgUnit.objects.filter(pk__in=unit_ids).select_related("parent")
    columns = []
    for unit in units:
        area = group_of.get(unit.pk)
        columns.append(
            MatrixColumn(unit, unit_label(unit), area.name if area else "", area and area.pk)
        )
    return sorted(columns, key=lambda column: (column.group, column.label))
