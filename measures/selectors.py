"""Reads of the plan structure, joined once for a whole page."""

from dataclasses import dataclass, field

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import formats
from django.utils.translation import gettext as _

from qualityplan.access import get_access
from qualityplan.models import Goal, OrgUnit, QualityPlan, SubGoal

from .models import Indicator, Measure, MeasureStatus, ReportingPeriod


@dataclass
class SubGoalBlock:
    subgoal: SubGoal | None
    number: str
    measures: list[Measure] = field(default_factory=list)
    first: bool = False
    last: bool = False


@dataclass
class GoalBlock:
    goal: Goal
    blocks: list[SubGoalBlock]

    @property
    def measure_count(self) -> int:
        return sum(len(block.measures) for block in self.blocks)


def measures_with_details():
    """Measures with roles, years and indicators (with targets) prefetched."""
    return Measure.objects.prefetch_related(
        "responsible_roles",
        "years",
        Prefetch("indicators", queryset=Indicator.objects.prefetch_related("targets")),
    )


def plan_structure(*, plan: QualityPlan) -> list[GoalBlock]:
    """Goals → sub-goals → measures, numbered as in the plan table, in seven queries."""
    goals = plan.goals.prefetch_related(
        "subgoals",
        Prefetch("measures", queryset=measures_with_details().order_by("position")),
    ).order_by("position")
    structure = []
    for goal in goals:
        by_subgoal: dict[int | None, list[Measure]] = {}
        for measure in goal.measures.all():
            _annotate_for_table(measure, plan.years)
            by_subgoal.setdefault(measure.subgoal_id, []).append(measure)
        blocks = [SubGoalBlock(None, str(goal.position), by_subgoal.get(None, []))]
        blocks += [
            SubGoalBlock(sub, f"{goal.position}.{sub.position}", by_subgoal.get(sub.pk, []))
            for sub in goal.subgoals.all()
        ]
        if len(blocks) > 1:
            blocks[1].first, blocks[-1].last = True, True
        structure.append(GoalBlock(goal, blocks))
    return structure


def _annotate_for_table(measure: Measure, plan_years: list[int]) -> None:
    """Attach what the plan table shows, from the prefetched relations."""
    running = {row.year for row in measure.years.all()}
    measure.year_marks = [(year, year in running) for year in plan_years]
    measure.roles = sorted(measure.responsible_roles.all(), key=lambda role: role.code)
    measure.indicator = next(iter(measure.indicators.all()), None)


def measure_with_details(*, pk: int) -> Measure:
    return measures_with_details().select_related("goal__plan__owner", "subgoal").get(pk=pk)


def status_rows(*, period, unit_ids) -> QuerySet[MeasureStatus]:
    """Status rows of `period` in the given units, joined for the status page: the page's
    query count does not grow with its rows."""
    return (
        MeasureStatus.objects.filter(period=period, org_unit_id__in=unit_ids)
        .select_related(
            "measure__goal", "measure__subgoal", "org_unit", "updated_by", "period__plan"
        )
        .prefetch_related(
            "measure__responsible_roles",
            Prefetch("measure__indicators", queryset=Indicator.objects.order_by("id")),
        )
        .order_by(
            "measure__goal__position",
            F("measure__subgoal__position").asc(nulls_first=True),
            "measure__position",
            "org_unit__name",
        )
    )


def status_rows_of_unit(*, period, unit) -> QuerySet[MeasureStatus]:
    """The rows of one unit in one period, for the status page: the period and the unit are
    the same for every row, so they are not joined in again for each (a sixth of the page's
    time at a hundred rows); `attach_shared` puts them back after filtering."""
    return (
        MeasureStatus.objects.filter(period=period, org_unit=unit)
        .select_related("measure__goal", "measure__subgoal", "updated_by")
        .prefetch_related(
            "measure__responsible_roles",
            Prefetch("measure__indicators", queryset=Indicator.objects.order_by("id")),
        )
        .order_by(
            "measure__goal__position",
            F("measure__subgoal__position").asc(nulls_first=True),
            "measure__position",
        )
    )


def attach_shared(rows: list[MeasureStatus], *, period, unit) -> list[MeasureStatus]:
    for row in rows:
        row.period, row.org_unit = period, unit
    return rows


def status_units_for_user(*, user, period) -> list:
    """Org units with rows in `period` that the user may read, their own units first."""
    access = get_access(user)
    units = OrgUnit.objects.filter(measure_statuses__period=period).distinct()
    if not access.is_superuser:
        units = units.filter(pk__in=access.read_unit_ids)
    own = {unit_id for unit_id, _role in access.unit_roles}
    return sorted(units, key=lambda unit: (unit.pk not in own, unit.name))


def open_periods_for_user(*, user) -> QuerySet[ReportingPeriod]:
    access = get_access(user)
    periods = ReportingPeriod.objects.filter(status=ReportingPeriod.Status.OPEN)
    if not access.is_superuser:
        periods = periods.filter(plan__owner_id__in=access.member_org_unit_ids)
    return periods.select_related("plan").order_by("-year", "-number")


def status_counts(*, period, unit_ids) -> dict:
    """How many rows are reported out of all, for the page's progress line."""
    rows = MeasureStatus.objects.filter(period=period, org_unit_id__in=unit_ids)
    return rows.aggregate(
        total=Count("id"), reported=Count("id", filter=Q(reported_at__isnull=False))
    )


def status_with_details(*, pk: int) -> MeasureStatus:
    return (
        MeasureStatus.objects.select_related(
            "measure__goal", "measure__subgoal", "org_unit", "updated_by", "period__plan"
        )
        .prefetch_related(
            "measure__responsible_roles",
            Prefetch("measure__indicators", queryset=Indicator.objects.order_by("id")),
        )
        .get(pk=pk)
    )


def periods_for_plan(*, plan) -> QuerySet[ReportingPeriod]:
    return plan.periods.order_by("-year", "-number")


@dataclass
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: object
    who: object
    changes: list[FieldChange]
    reason: str = ""


HISTORY_FIELDS = ("status", "progress", "value_number", "value_bool", "value_text", "comment")


def _shown(record, name: str) -> str:
    value = getattr(record, name)
    if name == "status":
        return str(MeasureStatus.Status(value).label)
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if name == "value_number":
        return formats.number_format(value.normalize(), use_l10n=True)
    return str(value)


def status_history(*, status_ids: list[int]) -> dict[int, list[HistoryEntry]]:
    """Who changed what and when, old → new, per status row, newest first; one query."""
    records = (
        MeasureStatus.history.filter(id__in=status_ids)
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
    )
    labels = {name: MeasureStatus._meta.get_field(name).verbose_name for name in HISTORY_FIELDS}
    history: dict[int, list[HistoryEntry]] = {}
    previous = None
    for record in records:
        if previous is None or previous.id != record.id:
            # Rows are created in bulk with their defaults and no history record:
            # the first change is measured against those defaults.
            previous = MeasureStatus(id=record.id)
        changes = [
            FieldChange(str(labels[name]), _shown(previous, name), _shown(record, name))
            for name in HISTORY_FIELDS
            if getattr(previous, name) != getattr(record, name)
        ]
        if changes:
            entry = HistoryEntry(
                record.history_date,
                record.history_user,
                changes,
                record.history_change_reason or "",
            )
            history.setdefault(record.id, []).insert(0, entry)
        previous = record
    return history


def measure_status_rows_for_user(*, user, measure, unit_id: int | None = None):
    """All status rows of a measure in the units the user may read, newest period first."""
    access = get_access(user)
    rows = measure.statuses.select_related("period", "org_unit", "updated_by")
    if not access.is_superuser:
        rows = rows.filter(org_unit_id__in=access.read_unit_ids)
    if unit_id:
        rows = rows.filter(org_unit_id=unit_id)
    return rows.order_by("-period__year", "-period__number", "org_unit__name")
