"""Reads of deviations and meetings, scoped to the user and joined once for a whole page."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import connection
from django.db.models import (
    Aggregate,
    BooleanField,
    Case,
    CharField,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone

from measures.models import Indicator, Measure
from qualityplan.access import OrgTree, get_access
from qualityplan.models import OrgUnit, QualityPlan

from .models import (
    Deviation,
    DeviationCategory,
    DeviationEvent,
    QualityCouncilMeeting,
    RiskLevel,
)

OPEN = list(Deviation.OPEN_STATUSES)
# A meeting reviews the unit's open deviations and those closed within this time.
RECENTLY_CLOSED = timedelta(days=183)


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """Local midnight at `start` and after `end`: a half-open range that can use the indexes."""
    zone = timezone.get_current_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=zone),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone),
    )


def _units_with_descendants(unit_ids, tree: OrgTree | None = None) -> set[int]:
    tree = tree or OrgTree.load()
    found: set[int] = set()
    for unit_id in unit_ids:
        found |= tree.subtree(unit_id)
    return found


# --- Who reports where, who handles, what can be linked ----------------------------


def reportable_unit_ids(*, user: User) -> set[int]:
    """Units the user may report for: where they are a member (and below), and what they read."""
    access = get_access(user)
    if access.is_superuser:
        return set(OrgUnit.objects.filter(is_active=True).values_list("pk", flat=True))
    member_units = {unit_id for unit_id, _role in access.unit_roles}
    if not member_units:
        return set()
    return _units_with_descendants(member_units) | set(access.read_unit_ids)


def reportable_units(*, user: User) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(pk__in=reportable_unit_ids(user=user), is_active=True).order_by(
        "name"
    )


def own_unit_id(*, user: User, units: QuerySet[OrgUnit]) -> int | None:
    """The unit to preselect among `units`: the user's most specific membership there."""
    member_units = {unit_id for unit_id, _role in get_access(user).unit_roles}
    kinds = dict(units.filter(pk__in=member_units).values_list("pk", "kind"))
    if not kinds:
        return None
    order = [OrgUnit.Kind.SECTION, OrgUnit.Kind.UNIT, OrgUnit.Kind.OFFICE]
    return min(kinds, key=lambda pk: (order.index(kinds[pk]) if kinds[pk] in order else 9, pk))


def handler_candidates(*, deviation: Deviation, user: User | None = None) -> QuerySet[User]:
    """People who can be given the deviation: members of its unit and the units below it,
    the unit above a section, and the person assigning it."""
    tree = OrgTree.load()
    units = tree.subtree(deviation.org_unit_id)
    if deviation.org_unit.kind == OrgUnit.Kind.SECTION and deviation.org_unit.parent_id:
        units.add(deviation.org_unit.parent_id)
    who = Q(memberships__org_unit_id__in=units)
    if user is not None:
        who |= Q(pk=user.pk)
    users = get_user_model().objects.filter(who, is_active=True).distinct()
    return users.order_by("first_name", "last_name", "username")


def linkable_measures(*, user: User) -> QuerySet[Measure]:
    """Measures of the active plans the user can read, in plan order."""
    access = get_access(user)
    measures = Measure.objects.filter(
        is_active=True, goal__plan__status=QualityPlan.Status.ACTIVE
    ).select_related("goal__plan")
    if not access.is_superuser:
        measures = measures.filter(goal__plan__owner_id__in=access.member_org_unit_ids)
    return measures.order_by("goal__plan__title", "goal__position", "position")


# --- Deviations ----------------------------------------------------------------------

_RISK_LEVEL = Case(
    When(risk_value__lte=4, then=Value(RiskLevel.LOW)),
    When(risk_value__lte=9, then=Value(RiskLevel.MEDIUM)),
    default=Value(RiskLevel.HIGH),
    output_field=CharField(),
)


def deviation_list_for_user(*, user: User) -> QuerySet[Deviation]:
    """Deviations the user may read (their units', and their own reports), newest first.

    Annotated with `risk_value` (consequence × probability), `risk_band` (its RiskLevel)
    and `overdue` (open past its due date).
    """
    access = get_access(user)
    deviations = Deviation.objects.select_related(
        "org_unit", "category", "reporter", "handler"
    ).annotate(
        risk_value=F("consequence") * F("probability"),
        risk_band=_RISK_LEVEL,
        overdue=Case(
            When(Q(status__in=OPEN, due_date__lt=timezone.localdate()), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
    )
    if not access.is_superuser:
        deviations = deviations.filter(
            Q(org_unit_id__in=access.read_unit_ids) | Q(reporter_id=user.pk)
        )
    return deviations.order_by("-year", "-number")


def deviation_detail(*, pk: int) -> Deviation:
    """One deviation with what its page shows. Raises Deviation.DoesNotExist."""
    return (
        Deviation.objects.select_related(
            "org_unit__parent", "category", "reporter", "handler", "measure__goal__plan"
        )
        .prefetch_related(
            Prefetch("events", queryset=DeviationEvent.objects.select_related("user")),
            Prefetch("meetings", queryset=QualityCouncilMeeting.objects.select_related("org_unit")),
        )
        .get(pk=pk)
    )


def readable_units(*, user: User) -> QuerySet[OrgUnit]:
    """Units whose deviations the user may read, for the filters."""
    access = get_access(user)
    units = OrgUnit.objects.all()
    if not access.is_superuser:
        units = units.filter(pk__in=access.read_unit_ids)
    return units.order_by("name")


# --- Quality council meetings --------------------------------------------------------


def meeting_list_for_user(*, user: User) -> QuerySet[QualityCouncilMeeting]:
    access = get_access(user)
    meetings = QualityCouncilMeeting.objects.select_related("org_unit").annotate(
        deviation_count=Count("deviations")
    )
    if not access.is_superuser:
        meetings = meetings.filter(org_unit_id__in=access.read_unit_ids)
    return meetings.order_by("-held_on", "-id")


def meeting_detail(*, pk: int) -> QualityCouncilMeeting:
    deviations = Deviation.objects.select_related("category", "org_unit").order_by("year", "number")
    return (
        QualityCouncilMeeting.objects.select_related("org_unit", "created_by")
        .prefetch_related(Prefetch("deviations", queryset=deviations))
        .get(pk=pk)
    )


def meeting_units_for_user(*, user: User) -> QuerySet[OrgUnit]:
    """Units whose quality council meetings the user may record."""
    access = get_access(user)
    units = OrgUnit.objects.filter(is_active=True)
    if access.is_superuser:
        return units.order_by("name")
    ids = set(access.lead_unit_ids)
    if access.manages_any_plan:
        ids |= access.read_unit_ids
    return units.filter(pk__in=ids).order_by("name")


def reviewable_deviations(
    *, org_unit_id: int, meeting: QualityCouncilMeeting | None = None
) -> QuerySet[Deviation]:
    """The unit's (and its sections') open deviations, those closed lately, and any the
    meeting already reviewed."""
    units = _units_with_descendants([org_unit_id])
    since = timezone.now() - RECENTLY_CLOSED
    wanted = Q(status__in=OPEN) | Q(closed_at__gte=since)
    if meeting is not None and meeting.pk:
        wanted |= Q(meetings=meeting)
    return (
        Deviation.objects.filter(wanted, org_unit_id__in=units)
        .select_related("category")
        .distinct()
        .order_by("-year", "-number")
    )


# --- Statistics and indicators -------------------------------------------------------


class _Median(Aggregate):
    """PostgreSQL's percentile_cont: the median computed where the rows are."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


@dataclass
class StatRow:
    label: str
    key: object = None
    reported: int = 0
    closed: int = 0
    open_overdue: int = 0
    median_days: float | None = None


@dataclass
class DeviationStatistics:
    start: date
    end: date
    total: StatRow
    by_unit: list[StatRow] = field(default_factory=list)
    by_category: list[StatRow] = field(default_factory=list)
    by_risk: list[StatRow] = field(default_factory=list)
    by_month: list[StatRow] = field(default_factory=list)


def _statistics_rows(*, user: User, low: datetime, high: datetime, unit_ids) -> QuerySet:
    """Deviations the user reads that were reported or closed in the period."""
    access = get_access(user)
    deviations = Deviation.objects.all()
    if not access.is_superuser:
        deviations = deviations.filter(org_unit_id__any_of=access.read_unit_ids)
    if unit_ids:
        deviations = deviations.filter(org_unit_id__any_of=_units_with_descendants(unit_ids))
    reported = Q(created_at__gte=low, created_at__lt=high)
    closed = Q(status=Deviation.Status.CLOSED, closed_at__gte=low, closed_at__lt=high)
    return deviations.filter(reported | closed).annotate(
        risk_value=F("consequence") * F("probability"), risk_level=_RISK_LEVEL
    )


def deviation_statistics(
    *, user: User, start: date, end: date, unit_ids: list[int] | None = None
) -> DeviationStatistics:
    """Counts for deviations the user may read, from `start` to `end` (both included).

    Reported and open-overdue count the deviations reported in the period; closed and the
    median days to close count those closed in it. Every table is one query grouped on an
    id, named afterwards from two small queries. The medians are computed by PostgreSQL
    (percentile_cont) inside those queries; on other databases they come from one extra
    query of the durations, in Python.
    """
    low, high = period_bounds(start, end)
    base = _statistics_rows(user=user, low=low, high=high, unit_ids=unit_ids)
    reported_q = Q(created_at__gte=low, created_at__lt=high)
    closed_q = Q(status=Deviation.Status.CLOSED, closed_at__gte=low, closed_at__lt=high)
    in_db = connection.vendor == "postgresql"
    measures = {
        "reported": Count("pk", filter=reported_q),
        "closed": Count("pk", filter=closed_q),
        "open_overdue": Count(
            "pk", filter=reported_q & Q(status__in=OPEN, due_date__lt=timezone.localdate())
        ),
    }
    if in_db:
        duration = ExpressionWrapper(F("closed_at") - F("created_at"), output_field=DurationField())
        measures["median"] = _Median(duration, filter=closed_q)

    def grouped(key: str) -> dict:
        return {row[key]: row for row in base.values(key).annotate(**measures).order_by()}

    units, categories = grouped("org_unit_id"), grouped("category_id")
    result = DeviationStatistics(
        start=start,
        end=end,
        total=_stat_row("", None, base.aggregate(**measures)),
        by_unit=_unit_rows(units),
        by_category=_category_rows(categories),
        by_risk=[
            _stat_row(RiskLevel(level).label, level, row)
            for level, row in sorted(
                grouped("risk_level").items(), key=lambda item: RiskLevel.values.index(item[0])
            )
        ],
        by_month=_by_month(base, reported_q, closed_q, start, end),
    )
    if not in_db:
        _medians_in_python(result, base.filter(closed_q))
    return result


def _unit_rows(grouped: dict[int, dict]) -> list[StatRow]:
    """One row per unit, named "unit / section" for a section, in name order."""
    labels = {}
    for unit in OrgUnit.objects.filter(pk__in=grouped).select_related("parent"):
        is_section = unit.kind == OrgUnit.Kind.SECTION and unit.parent is not None
        labels[unit.pk] = f"{unit.parent.name} / {unit.name}" if is_section else unit.name
    rows = [_stat_row(labels[pk], pk, values) for pk, values in grouped.items()]
    return sorted(rows, key=lambda row: row.label)


def _category_rows(grouped: dict[int, dict]) -> list[StatRow]:
    """One row per category, in the categories' own order."""
    categories = DeviationCategory.objects.filter(pk__in=grouped).order_by("position", "name")
    return [_stat_row(c.name, c.pk, grouped[c.pk]) for c in categories]


def _stat_row(label: str, key, values: dict) -> StatRow:
    median = values.get("median")
    return StatRow(
        label=label,
        key=key,
        reported=values.get("reported", 0),
        closed=values.get("closed", 0),
        open_overdue=values.get("open_overdue", 0),
        median_days=round(median.total_seconds() / 86400, 1) if median is not None else None,
    )


def _per_month(rows: QuerySet, field_name: str) -> dict[date, int]:
    counted = (
        rows.annotate(month=TruncMonth(field_name))
        .values_list("month")
        .annotate(n=Count("pk"))
        .values_list("month", "n")
    )
    return {timezone.localtime(month).date(): n for month, n in counted}


def _by_month(base, reported_q, closed_q, start: date, end: date) -> list[StatRow]:
    """Reported per month of reporting, closed per month of closing: two queries."""
    reported = _per_month(base.filter(reported_q), "created_at")
    closed = _per_month(base.filter(closed_q), "closed_at")
    rows, month = [], start.replace(day=1)
    while month <= end:
        rows.append(
            StatRow(
                label=month.isoformat(),
                key=month,
                reported=reported.get(month, 0),
                closed=closed.get(month, 0),
            )
        )
        month = (month + timedelta(days=32)).replace(day=1)
    return rows


def _medians_in_python(result: DeviationStatistics, closed: QuerySet) -> None:
    """The medians for databases without percentile_cont: one query of the durations."""
    rows = closed.values_list("org_unit_id", "category_id", "risk_level", "created_at", "closed_at")
    days: dict[tuple[str, object], list[float]] = {}
    for unit_id, category, level, created_at, closed_at in rows:
        value = (closed_at - created_at).total_seconds() / 86400
        for key in (("total", None), ("unit", unit_id), ("category", category), ("risk", level)):
            days.setdefault(key, []).append(value)

    def median(key) -> float | None:
        values = days.get(key)
        return round(statistics.median(values), 1) if values else None

    result.total.median_days = median(("total", None))
    for kind, table in (
        ("unit", result.by_unit),
        ("category", result.by_category),
        ("risk", result.by_risk),
    ):
        for row in table:
            row.median_days = median((kind, row.key))


def indicator_counts(
    *, source: str, org_unit_ids: list[int], start: date, end: date
) -> dict[int, int]:
    """For each unit, how many deviations were reported or closed, or quality council
    meetings held, from `start` to `end` (both included), counting the unit's own and
    those of every unit below it. Two queries, however many units.

    `source` is one of Indicator.Source's counted sources.
    """
    tree = OrgTree.load()
    subtrees = {unit_id: tree.subtree(unit_id) for unit_id in org_unit_ids}
    every_unit = set().union(*subtrees.values()) if subtrees else set()
    low, high = period_bounds(start, end)
    if source == Indicator.Source.DEVIATIONS_REPORTED:
        rows = Deviation.objects.filter(created_at__gte=low, created_at__lt=high)
    elif source == Indicator.Source.DEVIATIONS_CLOSED:
        rows = Deviation.objects.filter(
            status=Deviation.Status.CLOSED, closed_at__gte=low, closed_at__lt=high
        )
    elif source == Indicator.Source.MEETINGS_HELD:
        rows = QualityCouncilMeeting.objects.filter(held_on__gte=start, held_on__lte=end)
    else:
        raise ValueError(f"Not a counted indicator source: {source!r}")
    per_unit = dict(
        rows.filter(org_unit_id__in=every_unit)
        .values_list("org_unit_id")
        .annotate(n=Count("pk"))
        .values_list("org_unit_id", "n")
    )
    return {
        unit_id: sum(per_unit.get(member, 0) for member in units)
        for unit_id, units in subtrees.items()
    }
