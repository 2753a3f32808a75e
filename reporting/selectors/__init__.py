"""Reads for the dashboards of the quality office, the director and the leaders.

The annual PDF report reads the same figures through the same functions, so a
number on the dashboard and the number in the report cannot differ.

Every function here makes a fixed number of queries, whatever the number of
units, measures or rows: the counting, summing and averaging happens in the
database, grouped by measure or by unit; Python only folds those few grouped
rows together (units into areas, measures into goals).

Which rows count
----------------
A status row belongs to a measure, an org unit and a reporting period. The
figures of a *year* use, for each unit, its rows from the latest period of that
year in which the unit reported anything; a unit that has reported nothing in
the year counts with its rows from the year's latest period (all unreported).
That way a unit that has not yet reported in tertial 3 still shows what it said
in tertial 2, instead of disappearing. The figures of a chosen *period* use
that period's rows only. `RowSelection.description` says which rule applied.
"""

# The package re-exports each page's selectors, so `selectors.plan_rollup` reads as before.
# ruff: noqa: F401

from reporting.lights import (
    GOAL_RED_SHARE,
    GREEN,
    GREY,
    LIGHTS,
    RED,
    RED_DELAYED_SHARE,
    YELLOW,
    YELLOW_REPORTED_SHARE,
    LightRule,
    goal_light,
    light_label,
    measure_light,
    target_met,
    traffic_light_rule,
)

from .completeness import UnitCompleteness, completeness
from .deviations import deviation_periods
from .indicators import (
    BY_AREA,
    BY_CHOICES,
    BY_DEPARTMENT,
    BY_UNIT,
    IndicatorSeries,
    Series,
    SeriesPoint,
    indicator_series,
)
from .matrix import MatrixCell, MatrixColumn, MatrixGoal, MatrixRow, StatusMatrix, status_matrix
from .rollup import (
    Figures,
    GoalRollup,
    MeasureRollup,
    PlanRollup,
    RollupTotals,
    UnitRollup,
    child_rollup,
    counts_per_period,
    plan_rollup,
    plan_rollup_years,
    status_figures,
)
from .rows import RowSelection, reported_in_periods, row_selection
from .scope import DashboardScope, dashboard_scope, unit_label
from .statuses import (
    STATUS_KEYS,
    STATUS_ORDER,
    UNREPORTED,
    StatusItem,
    share,
    status_items,
    status_label,
)
