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

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property

from django.db.models import Case, Count, Exists, F, Max, OuterRef, Q, Sum, Value, When
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from deviations.indicators import COUNTED_SOURCES
from deviations.models import Deviation
from deviations.selectors import StatRow, period_bounds
from measures.models import Indicator, IndicatorTarget, Measure, MeasureStatus, MeasureYear
from measures.models import ReportingPeriod as Period
from measures.periods import PERIODS_PER_YEAR
from measures.periods import period_bounds as reporting_bounds
from qualityplan.access import OrgTree, get_access
from qualityplan.models import Goal, OrgUnit, QualityPlan

Status = MeasureStatus.Status
UNREPORTED = "unreported"
# The order of the status bars and the matrix legend: good news first, then trouble.
STATUS_ORDER = [
    Status.DONE,
    Status.ON_TRACK,
    Status.CONTINUOUS,
    Status.NOT_STARTED,
    Status.AT_RISK,
    Status.DELAYED,
    Status.CANCELLED,
]
STATUS_KEYS = [str(status.value) for status in STATUS_ORDER] + [UNREPORTED]
# The matrix writes a sign in each cell beside its colour; the legend names them.
STATUS_SIGNS = {
    "done": "✓",
    "on_track": "→",
    "continuous": "↻",
    "not_started": "○",
    "at_risk": "!",
    "delayed": "!!",
    "cancelled": "⊘",
    UNREPORTED: "?",
    "": "",
}

GREEN, YELLOW, RED, GREY = "green", "yellow", "red", "grey"
LIGHTS = [GREEN, YELLOW, RED, GREY]
# Designsystemet's colour of the tag that names each light.
LIGHT_COLORS = {GREEN: "success", YELLOW: "warning", RED: "danger", GREY: "neutral"}
# The traffic-light thresholds, in per cent. The rule's text is written from these numbers.
RED_DELAYED_SHARE = 25
YELLOW_REPORTED_SHARE = 50
GOAL_RED_SHARE = 25

HUNDRED = Decimal(100)


def status_label(key: str) -> str:
    if key == UNREPORTED:
        return _("Not reported")
    return str(Status(key).label)


@dataclass
class StatusItem:
    key: str
    label: str
    count: int

    @property
    def label_lower(self) -> str:
        return self.label.lower()


_LABELS: dict[str, dict[str, str]] = {}


def _status_labels() -> dict[str, str]:
    """The status names in the active language, looked up once per language."""
    language = get_language() or ""
    if language not in _LABELS:
        _LABELS[language] = {key: status_label(key) for key in STATUS_KEYS}
    return _LABELS[language]


def status_items(counts: dict[str, int]) -> list[StatusItem]:
    """The statuses that occur, in STATUS_KEYS order, for a line of text or a bar."""
    labels = _status_labels()
    return [StatusItem(key, labels[key], counts[key]) for key in STATUS_KEYS if counts.get(key)]


def light_label(light: str) -> str:
    return {GREEN: _("Green"), YELLOW: _("Yellow"), RED: _("Red"), GREY: _("Grey")}[light]


def _quantize(value, places: str) -> Decimal | None:
    if value is None:
        return None
    return Decimal(value).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def share(part: int, whole: int) -> Decimal | None:
    """`part` of `whole` in per cent, one decimal; None when there is no whole."""
    if not whole:
        return None
    return _quantize(Decimal(part) * HUNDRED / Decimal(whole), "0.1")


# --- Scope: which org units a dashboard covers ---------------------------------------


@dataclass
class DashboardScope:
    """The org units a dashboard covers for one user.

    `unit_ids`: the units whose rows count (the chosen unit and everything below it
    that the user may read). `root`: the unit the dashboard is about. `children`: the
    units one level down that hold something the user reads, for drilling down.
    `breadcrumbs`: from the user's top unit down to `root`, both included.
    """

    unit_ids: frozenset[int]
    root: OrgUnit
    children: list[OrgUnit]
    breadcrumbs: list[OrgUnit]
    top_id: int
    tree: OrgTree = field(repr=False)

    @property
    def is_top(self) -> bool:
        return self.root.pk == self.top_id


def dashboard_scope(
    *, user, unit_id: int | None = None, plan: QualityPlan | None = None
) -> DashboardScope:
    """What `user` sees on a dashboard, drilled down to `unit_id` if given.

    Without `unit_id` the dashboard starts at the highest unit the user reads: the
    department for the quality office and the director, the area for an area leader,
    the unit for a unit leader (a person reading several separate units starts at the
    nearest unit above them all, still counting only the units they read). With `plan`,
    only the units under the plan's owner count.

    Raises Http404 when the user reads none of the units, or when `unit_id` is outside
    what they read. Four queries at most (two of them are cached on the user).
    """
    access = get_access(user)
    tree = OrgTree.load()
    readable = set(tree.parent) if access.is_superuser else set(access.read_unit_ids)
    if plan is not None:
        readable &= tree.subtree(plan.owner_id)
    if not readable:
        raise Http404
    top_id = _top_unit(tree, readable)
    if unit_id is None:
        root_id = top_id
    elif unit_id in readable or unit_id == top_id:
        root_id = unit_id
    else:
        raise Http404
    chain = [root_id]
    while chain[-1] != top_id and tree.parent.get(chain[-1]) is not None:
        chain.append(tree.parent[chain[-1]])
    child_ids = [
        child for child in tree.children.get(root_id, ()) if tree.subtree(child) & readable
    ]
    units = OrgUnit.objects.in_bulk(chain + child_ids)
    return DashboardScope(
        unit_ids=frozenset(tree.subtree(root_id) & readable),
        root=units[root_id],
        children=sorted((units[pk] for pk in child_ids), key=lambda unit: unit.name),
        breadcrumbs=[units[pk] for pk in reversed(chain)],
        top_id=top_id,
        tree=tree,
    )


def _ancestors(tree: OrgTree, unit_id: int) -> list[int]:
    """`unit_id` and the units above it, nearest first."""
    found = [unit_id]
    while tree.parent.get(found[-1]) is not None and len(found) <= len(tree.parent):
        found.append(tree.parent[found[-1]])
    return found


def _top_unit(tree: OrgTree, readable: set[int]) -> int:
    """The one unit to start from: the nearest unit above all the readable tops."""
    tops = sorted(unit for unit in readable if tree.parent.get(unit) not in readable)
    if len(tops) == 1:
        return tops[0]
    shared = set(_ancestors(tree, tops[0]))
    for unit in tops[1:]:
        shared &= set(_ancestors(tree, unit))
    if shared:
        return next(unit for unit in _ancestors(tree, tops[0]) if unit in shared)
    # Separate organisations (only a superuser reads several): the largest one.
    return max(tops, key=lambda unit: (len(tree.subtree(unit) & readable), -unit))


# --- Which rows count ----------------------------------------------------------------


@dataclass
class RowSelection:
    """The status rows behind a year's (or a period's) figures, as a filter."""

    q: Q
    years: list[int]
    period: Period | None
    periods: list[Period]
    # For each unit and year: the period whose rows count for it.
    period_by_unit: dict[tuple[int, int], Period]

    @property
    def is_empty(self) -> bool:
        return not self.periods

    @property
    def description(self) -> str:
        if self.period is not None:
            return _("Figures from %(period)s.") % {"period": self.period.label}
        if not self.periods:
            return _("No reporting period has been opened for this year yet.")
        return _(
            "For each unit, the figures come from the latest period of the year in which "
            "it reported; a unit that has not reported this year counts as not reported "
            "in %(period)s."
        ) % {"period": self.periods[-1].label}

    def periods_in(self, year: int) -> list[Period]:
        return [period for period in self.periods if period.year == year]


def row_selection(
    *, plan: QualityPlan, years: list[int], unit_ids, period: Period | None = None
) -> RowSelection:
    """The rows that count for `years` in `unit_ids` (see the module's docstring), or
    `period`'s rows when a period is given. Two queries."""
    unit_ids = sorted(unit_ids)
    if period is not None:
        if period.plan_id != plan.pk:
            raise ValueError("The period belongs to another plan.")
        by_unit = {(unit, period.year): period for unit in unit_ids}
        q = Q(period_id=period.pk, org_unit_id__in=unit_ids)
        return RowSelection(q, [period.year], period, [period], by_unit)
    periods = list(Period.objects.filter(plan=plan, year__in=years).order_by("year", "number"))
    if not periods:
        return RowSelection(Q(pk__in=[]), list(years), None, [], {})
    by_unit: dict[tuple[int, int], Period] = {}
    for unit_id, *flags in reported_in_periods(periods=periods, unit_ids=unit_ids):
        for period, flag in zip(periods, flags, strict=True):
            if flag:  # periods come in order: the last one flagged wins
                by_unit[(unit_id, period.year)] = period
    last_of_year = {p.year: p for p in periods}
    for year in last_of_year:
        for unit in unit_ids:
            by_unit.setdefault((unit, year), last_of_year[year])
    return RowSelection(_selection_q(by_unit), list(years), None, periods, by_unit)


def reported_in_periods(*, periods: list[Period], unit_ids):
    """(unit id, reported in period 1?, in period 2?, …) for each unit: one probe per unit
    and period down the (period, org unit) index, far cheaper than grouping every
    reported row of the year."""
    reported = {
        f"p{period.pk}": Exists(
            MeasureStatus.objects.filter(
                period_id=period.pk, org_unit_id=OuterRef("pk"), reported_at__isnull=False
            )
        )
        for period in periods
    }
    return (
        OrgUnit.objects.filter(pk__in=sorted(unit_ids))
        .annotate(**reported)
        .values_list("pk", *reported)
        .order_by()
    )


def _selection_q(by_unit: dict[tuple[int, int], Period]) -> Q:
    """One OR-clause per period: a handful, however many units."""
    units_by_period: dict[int, list[int]] = {}
    for (unit, _year), period in by_unit.items():
        units_by_period.setdefault(period.pk, []).append(unit)
    q = Q(pk__in=[])
    for period_id, units in sorted(units_by_period.items()):
        q |= Q(period_id=period_id, org_unit_id__in=sorted(units))
    return q


# --- The traffic light: one rule, one place ------------------------------------------


@dataclass
class LightRule:
    light: str
    label: str
    text: str


def traffic_light_rule() -> list[LightRule]:
    """The traffic-light rule as the page (and the report) shows it, in the active
    language: one line per light, measures first, then how goals follow from them."""
    lines = _rule_lines()
    for line in lines:
        line.text = line.text.replace(" %", "\xa0%")  # "25 %" never breaks across lines
    return lines


def _rule_lines() -> list[LightRule]:
    values = {
        "delayed": RED_DELAYED_SHARE,
        "reported": YELLOW_REPORTED_SHARE,
        "goal_red": GOAL_RED_SHARE,
    }
    return [
        LightRule(
            RED,
            light_label(RED),
            _(
                "A measure is red when %(delayed)s %% or more of the units that reported "
                "say “delayed”."
            )
            % values,
        ),
        LightRule(
            YELLOW,
            light_label(YELLOW),
            _(
                "A measure is yellow when it is not red but the indicator's target for the year is "
                "not met, some unit says “at risk” or “delayed”, or fewer than %(reported)s %% of "
                "the units have reported."
            )
            % values,
        ),
        LightRule(
            GREEN,
            light_label(GREEN),
            _(
                "A measure is green when none of that applies: the reports are on track, done or "
                "continuous, and the target (if there is one) is met."
            ),
        ),
        LightRule(GREY, light_label(GREY), _("A measure is grey when no unit has reported yet.")),
        LightRule(
            "goal",
            _("Goals"),
            _(
                "A goal is red when %(goal_red)s %% or more of its measures with reports are red, "
                "yellow when any of them is red or yellow, green when all are green, and grey when "
                "none has reports."
            )
            % values,
        ),
    ]


def measure_light(
    *, status_counts: dict[str, int], reported: int, total: int, target_met: bool | None
) -> str:
    """The light of one measure; `traffic_light_rule` says the same in words."""
    if reported == 0:
        return GREY
    delayed = status_counts.get(Status.DELAYED, 0)
    if delayed * 100 >= RED_DELAYED_SHARE * reported:
        return RED
    troubled = delayed or status_counts.get(Status.AT_RISK, 0)
    if target_met is False or troubled or reported * 100 < YELLOW_REPORTED_SHARE * total:
        return YELLOW
    return GREEN


def goal_light(measure_lights: list[str]) -> str:
    """The light of a goal from the lights of its measures."""
    judged = [light for light in measure_lights if light != GREY]
    if not judged:
        return GREY
    reds = judged.count(RED)
    if reds and reds * 100 >= GOAL_RED_SHARE * len(judged):
        return RED
    if reds or YELLOW in judged:
        return YELLOW
    return GREEN


def target_met(*, direction: str, value: Decimal | None, target: Decimal | None) -> bool | None:
    """Met, not met, or None when there is nothing to compare (no value, no target, or an
    indicator where neither higher nor lower is better)."""
    if value is None or target is None:
        return None
    if direction == Indicator.Direction.HIGHER:
        return value >= target
    if direction == Indicator.Direction.LOWER:
        return value <= target
    return None


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
    """What a measure's and a goal's roll-up show alike: light, status bar, share reported."""

    @property
    def light_color(self) -> str:
        return LIGHT_COLORS[self.light]

    @property
    def light_label(self) -> str:
        return light_label(self.light)

    @cached_property
    def status_strip(self):
        """The status bar and counts for a table cell (see charts.status_strip)."""
        from ..charts import status_strip  # charts builds on this module

        return status_strip(self.status_items)

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
            org_unit_id__in=sorted(unit_ids),
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
    def status_strip(self):
        """The status bar and counts for a table cell (see charts.status_strip)."""
        from ..charts import status_strip  # charts builds on this module

        return status_strip(self.status_items)

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
        MeasureStatus.objects.filter(selection.q, org_unit_id__in=scope.unit_ids)
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


# --- The measure × unit matrix -------------------------------------------------------


@dataclass(slots=True)
class MatrixCell:
    status: str  # a status key, UNREPORTED, or "" when the unit has no row
    row_id: int | None = None
    period_id: int | None = None
    unit_id: int | None = None

    @property
    def sign(self) -> str:
        return STATUS_SIGNS[self.status]


@dataclass
class MatrixRow:
    measure: Measure
    cells: list[MatrixCell]


@dataclass
class MatrixGoal:
    goal: Goal
    rows: list[MatrixRow]


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


def unit_label(unit: OrgUnit) -> str:
    """A section is named with its unit: "Hjemmetjenesten Nord / Nattpatruljen"."""
    if unit.kind == OrgUnit.Kind.SECTION and unit.parent_id:
        return f"{unit.parent.name} / {unit.name}"
    return unit.name


# --- Reporting completeness ----------------------------------------------------------


@dataclass
class UnitCompleteness:
    unit: OrgUnit
    reported: int
    total: int
    last_saved: datetime | None

    @property
    def share(self) -> Decimal | None:
        return share(self.reported, self.total)

    @property
    def is_complete(self) -> bool:
        return self.reported >= self.total

    @property
    def missing(self) -> int:
        return self.total - self.reported

    @property
    def label(self) -> str:
        return unit_label(self.unit)


def completeness(*, period: Period, unit_ids) -> list[UnitCompleteness]:
    """How much of its rows each unit has reported in `period`, and when it last saved
    one; least complete first. Two queries."""
    rows = (
        MeasureStatus.objects.filter(period=period, org_unit_id__in=unit_ids)
        .values("org_unit_id")
        .annotate(
            total=Count("pk"),
            reported=Count("pk", filter=Q(reported_at__isnull=False)),
            last_saved=Max("updated_at"),
        )
        .order_by()
    )
    figures = {row["org_unit_id"]: row for row in rows}
    units = OrgUnit.objects.filter(pk__in=figures).select_related("parent")
    result = [
        UnitCompleteness(
            unit=unit,
            reported=figures[unit.pk]["reported"],
            total=figures[unit.pk]["total"],
            last_saved=figures[unit.pk]["last_saved"],
        )
        for unit in units
    ]
    return sorted(result, key=lambda line: (line.reported / line.total, line.label))


# --- Indicators over time ------------------------------------------------------------

BY_DEPARTMENT, BY_AREA, BY_UNIT = "department", "area", "unit"
BY_CHOICES = [BY_DEPARTMENT, BY_AREA, BY_UNIT]


@dataclass
class SeriesPoint:
    key: object  # a year, or a period's pk
    label: str
    value: Decimal | None
    valued: int  # how many units gave a value
    target: Decimal | None
    target_met: bool | None


@dataclass
class Series:
    key: int | None
    label: str
    years: list[SeriesPoint]
    periods: list[SeriesPoint]
    compared: bool  # whether the series is held against the (department's) targets


@dataclass
class IndicatorSeries:
    indicator: Indicator
    by: str
    years: list[int]
    periods: list[Period]
    targets: dict[int, Decimal | None]
    series: list[Series]
    selection: RowSelection

    @property
    def value_suffix(self) -> str:
        kinds = (Indicator.Kind.PERCENTAGE, Indicator.Kind.YES_NO)
        return "%" if self.indicator.kind in kinds else ""


def indicator_series(
    *, indicator: Indicator, unit_ids, years: list[int], by: str = BY_DEPARTMENT
) -> IndicatorSeries:
    """The indicator's value per year and per period, for the whole scope
    (`by="department"`), per area or per unit, against the yearly targets.

    The yearly value uses the same rows as `plan_rollup` for that year, so the
    department's yearly values equal the dashboard's. Per period, each period's own rows.
    Targets are set for the whole; a sum is held against them only for the whole scope,
    an average (or a share) for every series, as in `plan_rollup`. Seven queries.
    """
    if by not in BY_CHOICES:
        raise ValueError(f"by must be one of {BY_CHOICES}")
    plan = indicator.measure.goal.plan
    selection = row_selection(plan=plan, years=years, unit_ids=unit_ids)
    rows = MeasureStatus.objects.filter(measure_id=indicator.measure_id)
    per_year = (
        rows.filter(selection.q)
        .values("org_unit_id", "period__year")
        .annotate(**status_figures())
        .order_by()
    )
    per_period = (
        rows.filter(period__in=selection.periods, org_unit_id__in=sorted(unit_ids))
        .values("org_unit_id", "period_id")
        .annotate(**status_figures())
        .order_by()
    )
    targets = dict(
        indicator.targets.filter(year__in=years, value__isnull=False).values_list("year", "value")
    )
    group_of, labels = _groups(by=by, unit_ids=unit_ids)
    years_fig: dict[tuple[int, int], Figures] = {}
    for row in per_year:
        key = (group_of(row["org_unit_id"]), row["period__year"])
        years_fig[key] = years_fig.get(key, Figures()) + Figures.of(row)
    periods_fig: dict[tuple[int, int], Figures] = {}
    for row in per_period:
        key = (group_of(row["org_unit_id"]), row["period_id"])
        periods_fig[key] = periods_fig.get(key, Figures()) + Figures.of(row)
    is_whole = OrgTree.load().subtree(plan.owner_id) <= set(unit_ids)
    compared = (by == BY_DEPARTMENT and is_whole) or _compares_in_part(indicator)
    groups = sorted({group for group, _k in years_fig} | {g for g, _k in periods_fig})
    series = []
    for group in sorted(groups, key=lambda g: labels.get(g, "")):
        series.append(
            Series(
                key=group,
                label=labels.get(group, ""),
                years=[
                    _point(
                        indicator,
                        year,
                        str(year),
                        years_fig.get((group, year)),
                        targets.get(year),
                        compared,
                    )
                    for year in years
                ],
                periods=[
                    _point(
                        indicator,
                        p.pk,
                        p.label,
                        periods_fig.get((group, p.pk)),
                        targets.get(p.year),
                        compared,
                    )
                    for p in selection.periods
                ],
                compared=compared,
            )
        )
    return IndicatorSeries(
        indicator=indicator,
        by=by,
        years=list(years),
        periods=selection.periods,
        targets={year: targets.get(year) for year in years},
        series=series,
        selection=selection,
    )


def _point(indicator, key, label, figures: Figures | None, target, compared) -> SeriesPoint:
    figures = figures or Figures()
    value = figures.value(indicator)
    valued = figures.bool_n if indicator.kind == Indicator.Kind.YES_NO else figures.value_n
    met = (
        target_met(direction=indicator.direction, value=value, target=target) if compared else None
    )
    return SeriesPoint(key, label, value, valued, target if compared else None, met)


def _groups(*, by: str, unit_ids):
    """A function from unit id to its group, and the groups' labels. One query."""
    units = {
        unit.pk: unit
        for unit in OrgUnit.objects.filter(pk__in=unit_ids).only("pk", "name", "kind", "parent")
    }
    tree_parent = {pk: unit.parent_id for pk, unit in units.items()}
    if by == BY_DEPARTMENT:
        tops = [pk for pk, parent in tree_parent.items() if parent not in units]
        top = tops[0] if len(tops) == 1 else None
        label = units[top].name if top is not None else _("All units")
        return (lambda _unit: top), {top: label}
    wanted = OrgUnit.Kind.AREA if by == BY_AREA else OrgUnit.Kind.UNIT
    memo: dict[int, int] = {}

    def group_of(unit_id: int) -> int:
        if unit_id not in memo:
            current = unit_id
            while current in units and units[current].kind != wanted:
                current = tree_parent.get(current)
            memo[unit_id] = current if current in units else unit_id
        return memo[unit_id]

    labels = {pk: unit.name for pk, unit in units.items()}
    return group_of, labels


# --- Deviations per reporting period -------------------------------------------------


def deviation_periods(*, user, plan: QualityPlan, year: int, unit_ids) -> list[StatRow]:
    """Deviations reported, closed and open past their due date in each reporting period
    of `year` (by the plan's frequency), in `unit_ids` and what the user reads; counted
    as `deviations.selectors.deviation_statistics` counts them. One query.

    Returns `deviations.selectors.StatRow`s labelled with the periods (no medians).
    """
    access = get_access(user)
    rows = Deviation.objects.filter(org_unit_id__in=sorted(unit_ids))
    if not access.is_superuser:
        rows = rows.filter(org_unit_id__in=sorted(access.read_unit_ids))
    today = timezone.localdate()
    counts, labels = {}, []
    for number in range(1, PERIODS_PER_YEAR[plan.frequency] + 1):
        start, end = reporting_bounds(frequency=plan.frequency, year=year, number=number)
        low, high = period_bounds(start, end)
        reported = Q(created_at__gte=low, created_at__lt=high)
        closed = Q(status=Deviation.Status.CLOSED, closed_at__gte=low, closed_at__lt=high)
        overdue = reported & Q(status__in=Deviation.OPEN_STATUSES, due_date__lt=today)
        counts[f"r{number}"] = Count("pk", filter=reported)
        counts[f"c{number}"] = Count("pk", filter=closed)
        counts[f"o{number}"] = Count("pk", filter=overdue)
        labels.append(
            (number, Period(year=year, number=number, starts_on=start, ends_on=end).label)
        )
    totals = rows.aggregate(**counts)
    return [
        StatRow(
            label=label,
            key=number,
            reported=totals[f"r{number}"],
            closed=totals[f"c{number}"],
            open_overdue=totals[f"o{number}"],
        )
        for number, label in labels
    ]
