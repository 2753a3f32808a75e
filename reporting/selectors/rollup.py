"""The plan roll-up: each goal and measure over the units of a scope, and the drill-down
one level down. Counting happens in the database, grouped by measure or unit; Python folds
the few grouped rows together (units into areas, measures into goals)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.utils.translation import ngettext

from deviations.indicators import COUNTED_SOURCES
from measures.models import Indicator, IndicatorTarget, Measure, MeasureStatus, MeasureYear
from measures.models import ReportingPeriod as Period
from qualityplan.access import OrgTree
from qualityplan.models import Goal, OrgUnit, QualityPlan
from reporting.lights import LIGHTS, goal_light, light_label, measure_light, target_met

from .rows import RowSelection, row_selection
from .scope import DashboardScope
from .statuses import STATUS_KEYS, UNREPORTED, StatusItem, _quantize, share, status_items

Status = MeasureStatus.Status


# --- The plan roll-up ----------------------------------------------------------------


def status_figures() -> dict:
    """The grouped figures of status rows: counts per status (reported rows only), the
    parts of the mean progress, and the parts of the indicator value (any row with one)."""
    reported = Q(reported_at__isnull=False)
    return {
        "total": Count("pk"),
        "reported": Count("pk", filter=reported),
        **{
            f"s_{key}": Count("pk", filter=reported & Q(status=key))
            for key in STATUS_KEYS
            if key != UNREPORTED
        },
        "progress_sum": Sum("progress", filter=reported),
        "progress_n": Count("progress", filter=reported),
        "value_sum": Sum("value_number"),
        "value_n": Count("value_number"),
        "yes_n": Count("pk", filter=Q(value_bool=True)),
        "bool_n": Count("value_bool"),
    }


@dataclass
class Figures:
    """Summable parts of a group of rows; the means are worked out from the parts, so
    units fold into areas and measures into goals without losing exactness."""

    total: int = 0
    reported: int = 0
    counts: Counter = field(default_factory=Counter)
    progress_sum: int = 0
    progress_n: int = 0
    value_sum: Decimal = Decimal(0)
    value_n: int = 0
    yes_n: int = 0
    bool_n: int = 0

    @classmethod
    def of(cls, row: dict) -> Figures:
        counts = Counter(
            {key: row[f"s_{key}"] for key in STATUS_KEYS if key != UNREPORTED and row[f"s_{key}"]}
        )
        return cls(
            total=row["total"],
            reported=row["reported"],
            counts=counts,
            progress_sum=row["progress_sum"] or 0,
            progress_n=row["progress_n"],
            value_sum=Decimal(row["value_sum"] or 0),
            value_n=row["value_n"],
            yes_n=row["yes_n"],
            bool_n=row["bool_n"],
        )

    def __add__(self, other: Figures) -> Figures:
        return Figures(
            total=self.total + other.total,
            reported=self.reported + other.reported,
            counts=self.counts + other.counts,
            progress_sum=self.progress_sum + other.progress_sum,
            progress_n=self.progress_n + other.progress_n,
            value_sum=self.value_sum + other.value_sum,
            value_n=self.value_n + other.value_n,
            yes_n=self.yes_n + other.yes_n,
            bool_n=self.bool_n + other.bool_n,
        )

    @property
    def status_counts(self) -> dict[str, int]:
        """Every status (reported rows) and "unreported", in STATUS_KEYS order."""
        counts = {key: self.counts.get(key, 0) for key in STATUS_KEYS if key != UNREPORTED}
        counts[UNREPORTED] = self.total - self.reported
        return counts

    @property
    def mean_progress(self) -> Decimal | None:
        if not self.progress_n:
            return None
        return _quantize(Decimal(self.progress_sum) / Decimal(self.progress_n), "0.1")

    def value(self, indicator: Indicator | None) -> Decimal | None:
        """The indicator's value over these rows: summed or averaged over the units as the
        indicator says; a yes/no indicator gives the share of yes in per cent."""
        if indicator is None or indicator.kind == Indicator.Kind.MILESTONE:
            return None
        if indicator.kind == Indicator.Kind.YES_NO:
            return share(self.yes_n, self.bool_n)
        if not self.value_n:
            return None
        if indicator.aggregation == Indicator.Aggregation.AVERAGE:
            return _quantize(self.value_sum / Decimal(self.value_n), "0.01")
        return _quantize(self.value_sum, "0.01")


class _RollupDisplay:
    """What a measure's and a goal's roll-up show alike: light, statuses, share reported."""

    @property
    def light_label(self) -> str:
        return light_label(self.light)

    @cached_property
    def status_items(self) -> list[StatusItem]:
        return status_items(self.status_counts)

    @property
    def reported_share(self) -> Decimal | None:
        return share(self.reported, self.total)


@dataclass
class MeasureRollup(_RollupDisplay):
    measure: Measure
    indicator: Indicator | None
    status_counts: dict[str, int]
    reported: int
    total: int
    mean_progress: Decimal | None
    value: Decimal | None
    target: Decimal | None
    target_met: bool | None
    light: str
    # How many rows carry an indicator value (or a yes/no answer).
    valued: int = 0
    # Whether `value` adds up every period of the year (an indicator the app counts).
    adds_up_year: bool = False

    @property
    def valued_label(self) -> str:
        return ngettext("%(count)d unit", "%(count)d units", self.valued) % {"count": self.valued}

    @property
    def value_suffix(self) -> str:
        kinds = (Indicator.Kind.PERCENTAGE, Indicator.Kind.YES_NO)
        return "%" if self.indicator is not None and self.indicator.kind in kinds else ""


@dataclass
class GoalRollup(_RollupDisplay):
    goal: Goal
    measures: list[MeasureRollup]
    light: str
    status_counts: dict[str, int]
    reported: int = 0
    total: int = 0
    mean_progress: Decimal | None = None
    lights: dict[str, int] = field(default_factory=dict)


@dataclass
class RollupTotals:
    status_counts: dict[str, int]
    reported: int
    total: int
    mean_progress: Decimal | None
    lights: dict[str, int]
    measures: int
    units: int

    @property
    def light_items(self) -> list[tuple[str, str, int]]:
        """(light, its name, how many measures) for the lights that occur."""
        return [(light, light_label(light), n) for light, n in self.lights.items() if n]

    @cached_property
    def status_items(self) -> list[StatusItem]:
        return status_items(self.status_counts)

    @property
    def reported_share(self) -> Decimal | None:
        return share(self.reported, self.total)


@dataclass
class PlanRollup:
    plan: QualityPlan
    year: int
    selection: RowSelection
    goals: list[GoalRollup]
    totals: RollupTotals
    # Measures running in the year with no status row in the scope.
    without_rows: list[Measure] = field(default_factory=list)
    # Whether the units are the plan owner's whole organisation. Targets are set for the
    # whole: for a part, a summed indicator has no target to meet (see plan_rollup).
    is_whole: bool = True


def plan_rollup(
    *, plan: QualityPlan, year: int, unit_ids, period: Period | None = None
) -> PlanRollup:
    """Each goal with its measures rolled up over `unit_ids` for `year` (or `period`).

    With `period=None` each unit counts with its rows from the latest period of the year
    in which it reported (see the module's docstring; `rollup.selection.description` says
    it in words); an indicator the app counts itself (deviations, meetings) sums every period
    of the year instead. Targets are the whole organisation's: for a part of it (an area, a
    unit) an indicator added up as a sum gets no target, while an average or a share is
    still held against it. Nine queries (ten with a counted indicator), whatever the size
    of the plan or the organisation.
    """
    selection = row_selection(plan=plan, years=[year], unit_ids=unit_ids, period=period)
    is_whole = OrgTree.load().subtree(plan.owner_id) <= set(unit_ids)
    # The selection names periods of this plan only, so no join to the plan is needed.
    rows = MeasureStatus.objects.filter(selection.q)
    by_measure = {
        row["measure_id"]: Figures.of(row)
        for row in rows.values("measure_id").annotate(**status_figures()).order_by()
    }
    units = rows.values("org_unit_id").order_by().distinct().count() if by_measure else 0
    measures, indicators, targets = _plan_parts(plan=plan, year=year)
    summed = set()
    if period is None:
        summed = _count_the_whole_year(by_measure, indicators, selection.periods_in(year), unit_ids)
    goals, without_rows = [], []
    for goal in plan.goals.order_by("position"):
        rollups = []
        for measure in measures.get(goal.pk, []):
            figures = by_measure.get(measure.pk)
            if figures is None:
                if measure.runs and measure.is_active:
                    without_rows.append(measure)
                continue
            indicator = indicators.get(measure.pk)
            target = targets.get(indicator.pk) if indicator else None
            if not (is_whole or _compares_in_part(indicator)):
                target = None
            rollup = _measure_rollup(measure, indicator, figures, target)
            rollup.adds_up_year = measure.pk in summed
            rollups.append(rollup)
        goals.append(_goal_rollup(goal, rollups, by_measure))
    return PlanRollup(
        plan=plan,
        year=year,
        selection=selection,
        goals=goals,
        totals=_totals(goals, by_measure, units),
        without_rows=without_rows,
        is_whole=is_whole,
    )


# Indicators the app counts itself (deviations reported or closed, meetings held): a
# period's row holds what happened in that period, so a year holds the sum of its periods.
def counts_per_period(indicator: Indicator | None) -> bool:
    """Whether the indicator's year value is the sum of the year's periods."""
    return indicator is not None and indicator.source in COUNTED_SOURCES


def _count_the_whole_year(by_measure: dict, indicators: dict, periods: list, unit_ids) -> set[int]:
    """A counted indicator's value for the year: its rows of every period of the year,
    summed, instead of the latest period's alone (one query, only when the plan has a
    counted indicator). The statuses and progress still come from the selected rows."""
    counted = sorted(
        pk
        for pk, indicator in indicators.items()
        if counts_per_period(indicator) and pk in by_measure
    )
    if not counted or not periods:
        return set()
    valued = Q(value_number__isnull=False)
    rows = (
        MeasureStatus.objects.filter(
            period_id__in=[period.pk for period in periods],
            org_unit_id__any_of=sorted(unit_ids),
            measure_id__in=counted,
        )
        .values("measure_id")
        .annotate(
            value_sum=Sum("value_number"),
            value_n=Count("org_unit_id", filter=valued, distinct=True),
        )
        .order_by()
    )
    for row in rows:
        figures = by_measure[row["measure_id"]]
        figures.value_sum = Decimal(row["value_sum"] or 0)
        figures.value_n = row["value_n"]
    return set(counted)


def _compares_in_part(indicator: Indicator | None) -> bool:
    """Whether part of the organisation is held against the (whole's) target: an average or
    a share is; a sum is not, since the target counts every unit."""
    if indicator is None:
        return False
    return (
        indicator.kind == Indicator.Kind.YES_NO
        or indicator.aggregation == Indicator.Aggregation.AVERAGE
    )


def _plan_parts(*, plan: QualityPlan, year: int):
    """The plan's measures per goal (flagged `runs` in `year`), each measure's first
    indicator, and the indicators' targets for `year`. Three queries."""
    runs = MeasureYear.objects.filter(measure=OuterRef("pk"), year=year)
    measures: dict[int, list[Measure]] = {}
    for measure in (
        Measure.objects.filter(goal__plan=plan)
        .annotate(runs=Exists(runs))
        .select_related("subgoal")
        .order_by(F("subgoal__position").asc(nulls_first=True), "position")
    ):
        measures.setdefault(measure.goal_id, []).append(measure)
    indicators: dict[int, Indicator] = {}
    for indicator in Indicator.objects.filter(measure__goal__plan=plan).order_by("-id"):
        indicators[indicator.measure_id] = indicator  # the first (lowest id) wins
    targets = dict(
        IndicatorTarget.objects.filter(
            indicator__measure__goal__plan=plan, year=year, value__isnull=False
        ).values_list("indicator_id", "value")
    )
    return measures, indicators, targets


def _measure_rollup(measure, indicator, figures: Figures, target) -> MeasureRollup:
    value = figures.value(indicator)
    met = target_met(
        direction=indicator.direction if indicator else Indicator.Direction.NONE,
        value=value,
        target=target,
    )
    counts = figures.status_counts
    valued = 0
    if indicator is not None:
        valued = figures.bool_n if indicator.kind == Indicator.Kind.YES_NO else figures.value_n
    return MeasureRollup(
        measure=measure,
        indicator=indicator,
        status_counts=counts,
        reported=figures.reported,
        total=figures.total,
        mean_progress=figures.mean_progress,
        value=value,
        target=target,
        target_met=met,
        light=measure_light(
            status_counts=counts, reported=figures.reported, total=figures.total, target_met=met
        ),
        valued=valued,
    )


def _sum_figures(parts) -> Figures:
    total = Figures()
    for part in parts:
        total = total + part
    return total


def _goal_rollup(goal: Goal, rollups: list[MeasureRollup], by_measure) -> GoalRollup:
    figures = _sum_figures(by_measure[rollup.measure.pk] for rollup in rollups)
    lights = Counter(rollup.light for rollup in rollups)
    return GoalRollup(
        goal=goal,
        measures=rollups,
        light=goal_light([rollup.light for rollup in rollups]),
        status_counts=figures.status_counts,
        reported=figures.reported,
        total=figures.total,
        mean_progress=figures.mean_progress,
        lights={light: lights.get(light, 0) for light in LIGHTS},
    )


def _totals(goals: list[GoalRollup], by_measure, units: int) -> RollupTotals:
    figures = _sum_figures(by_measure.values())
    lights = Counter(rollup.light for goal in goals for rollup in goal.measures)
    return RollupTotals(
        status_counts=figures.status_counts,
        reported=figures.reported,
        total=figures.total,
        mean_progress=figures.mean_progress,
        lights={light: lights.get(light, 0) for light in LIGHTS},
        measures=sum(len(goal.measures) for goal in goals),
        units=units,
    )


def plan_rollup_years(*, plan: QualityPlan, years: list[int], unit_ids) -> list[PlanRollup]:
    """`plan_rollup` for each of `years` (each unit's latest reported period per year)."""
    return [plan_rollup(plan=plan, year=year, unit_ids=unit_ids) for year in years]


# --- Drill-down: the units one level down --------------------------------------------


@dataclass
class UnitRollup:
    unit: OrgUnit
    status_counts: dict[str, int]
    reported: int
    total: int
    mean_progress: Decimal | None
    own_rows: bool = False  # the rows of the scope's root unit itself

    @cached_property
    def status_items(self) -> list[StatusItem]:
        return status_items(self.status_counts)

    @property
    def reported_share(self) -> Decimal | None:
        return share(self.reported, self.total)


def child_rollup(*, scope: DashboardScope, selection: RowSelection) -> list[UnitRollup]:
    """The selection's rows folded into the scope's children (and the root's own rows):
    one query grouped by unit."""
    rows = (
        MeasureStatus.objects.filter(selection.q, org_unit_id__any_of=scope.unit_ids)
        .values("org_unit_id")
        .annotate(**status_figures())
        .order_by()
    )
    by_unit = {row["org_unit_id"]: Figures.of(row) for row in rows}
    result = []
    for child in scope.children:
        members = scope.tree.subtree(child.pk)
        figures = _sum_figures(f for unit, f in by_unit.items() if unit in members)
        if figures.total:
            result.append(_unit_rollup(child, figures))
    own = by_unit.get(scope.root.pk)
    if own is not None:
        result.insert(0, _unit_rollup(scope.root, own, own_rows=True))
    return result


def _unit_rollup(unit: OrgUnit, figures: Figures, own_rows: bool = False) -> UnitRollup:
    return UnitRollup(
        unit=unit,
        status_counts=figures.status_counts,
        reported=figures.reported,
        total=figures.total,
        mean_progress=figures.mean_progress,
        own_rows=own_rows,
    )
