"""Status data for the demo municipality and the benchmark municipality.

`demo_statuses_load` gives the demo's active plan two years of reporting, saved
through `measure_status_update` as the people who answer for each row, so the
history carries real names. The values follow each row along a path that is
drawn once (a seeded generator, the same on every run): work starts, progress
rises, some rows run into trouble and recover, a few are done.

`bench_statuses_seed` fills the benchmark plan with bulk inserts: no history,
only the rows the status page and "copy from the last period" read.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from measures.models import Indicator, IndicatorTarget, Measure, MeasureStatus, ReportingPeriod
from measures.periods import obligation_pairs, period_bounds, period_close, period_open
from measures.statuses import measure_status_update
from qualityplan.dataversion import plan_changed
from qualityplan.models import Membership, QualityPlan

Status = MeasureStatus.Status

# (year, tertial) from the first report of the plan to the one open now.
DEMO_PERIODS = [(2025, 1), (2025, 2), (2025, 3), (2026, 1), (2026, 2), (2026, 3)]
DEMO_OPEN_PERIOD = (2026, 3)
DEMO_OPEN_DEADLINE = date(2026, 12, 15)
# The share of the open period's rows each unit has reported so far: about 40 % in all.
DEMO_UNIT_EAGERNESS = (0.0, 0.25, 0.4, 0.5, 0.6, 0.9)
DEMO_OFFICE_USERNAME = "kuk"
# Sources whose values are counted by the app itself: the demo leaves them to it.
COUNTED_SOURCES = {
    Indicator.Source.DEVIATIONS_REPORTED,
    Indicator.Source.DEVIATIONS_CLOSED,
    Indicator.Source.MEETINGS_HELD,
}

DEMO_COMMENTS = {
    Status.NOT_STARTED: [
        "Oppstart er planlagt til neste tertial.",
        "Venter på felles opplæring fra kvalitetskontoret.",
        "Ikke prioritert ennå; tas opp i ledermøtet i neste måned.",
        "Ressursperson er ikke utpekt ennå.",
    ],
    Status.ON_TRACK: [
        "Rutinen er innført på alle avdelinger.",
        "Opplæring gjennomført for dagteamet; kveldsteamet følger i neste måned.",
        "Tema på personalmøtet i september, god deltakelse.",
        "Sjekklisten er tatt i bruk og evalueres etter tre måneder.",
        "Arbeidsgruppe etablert med tillitsvalgt og verneombud.",
        "Prosedyren er revidert og ligger i kvalitetssystemet.",
        "God fremdrift; ferdig som planlagt innen årsskiftet.",
        "Pårørendemøte holdt med 14 deltakere.",
    ],
    Status.AT_RISK: [
        "Høyt sykefravær har forsinket opplæringen.",
        "Mangler vikarer til å frigjøre tid for kurs.",
        "Usikker fremdrift etter omorganiseringen av avdelingen.",
        "Fagsystemet må oppdateres før rutinen kan tas i bruk.",
    ],
    Status.DELAYED: [
        "Utsatt på grunn av ombygging av avdelingen.",
        "Forsinket: prosjektleder i permisjon, ny er utpekt fra januar.",
        "Skjøvet til neste år etter budsjettbehandlingen.",
    ],
    Status.DONE: [
        "Tiltaket er gjennomført og evaluert i kvalitetsrådet.",
        "Ferdig. Rutinen er en del av den faste opplæringen av nyansatte.",
        "Gjennomført i alle avdelinger; erfaringene er delt i ledermøtet.",
    ],
    Status.CONTINUOUS: [
        "Fast tema på personalmøtene.",
        "Følges opp månedlig i kvalitetsrådet.",
        "Inngår i årshjulet; gjennomført som planlagt dette tertialet.",
        "Løpende arbeid; nye medarbeidere får opplæring ved oppstart.",
    ],
    Status.CANCELLED: [
        "Avsluttet etter vedtak i ledermøtet; erstattet av nytt tiltak.",
    ],
}
DEMO_MILESTONES = {
    Status.NOT_STARTED: "",
    Status.ON_TRACK: "Under innføring",
    Status.AT_RISK: "Delvis innført",
    Status.DELAYED: "Planlegging pågår",
    Status.DONE: "Gjennomført",
    Status.CONTINUOUS: "Pågår, kontinuerlig",
    Status.CANCELLED: "",
}


@dataclass
class StatusDemoSummary:
    periods: int = 0
    rows_filled: int = 0
    skipped: list[str] = field(default_factory=list)


@dataclass
class RowPath:
    """How one measure goes in one unit over the periods, drawn once."""

    start: int
    rate: int
    trouble: int | None
    finishes: bool
    cancelled_at: int | None
    continuous: bool


def demo_statuses_load(*, plan: QualityPlan) -> StatusDemoSummary:
    """Open the demo periods, fill the closed ones and part of the open one, close all but
    the open one. A period that already has a reported row is left as it is."""
    office = User.objects.filter(username=DEMO_OFFICE_USERNAME).first()
    summary = StatusDemoSummary()
    with transaction.atomic():
        for step, (year, number) in enumerate(DEMO_PERIODS):
            is_open = (year, number) == DEMO_OPEN_PERIOD
            deadline = DEMO_OPEN_DEADLINE if is_open else None
            period, created = _period_open(
                plan=plan, year=year, number=number, deadline=deadline, user=office
            )
            summary.periods += 1
            if period.statuses.filter(reported_at__isnull=False).exists():
                summary.skipped.append(str(period.label))
            else:
                summary.rows_filled += _period_fill(period=period, step=step, is_open=is_open)
            if not is_open and period.is_open:
                period = period_close(period=period, user=office)
            if created:
                _period_backdate(period=period)
    return summary


def _period_open(*, plan, year, number, deadline, user) -> tuple[ReportingPeriod, bool]:
    created = not plan.periods.filter(year=year, number=number).exists()
    period, _rows = period_open(plan=plan, year=year, number=number, deadline=deadline, user=user)
    return period, created


def _period_fill(*, period: ReportingPeriod, step: int, is_open: bool) -> int:
    rows = list(
        period.statuses.select_related("measure__goal", "org_unit").order_by("measure", "org_unit")
    )
    roles = _measure_roles(plan=period.plan)
    savers = _savers(unit_ids={row.org_unit_id for row in rows})
    indicators = _indicators(plan=period.plan, year=period.year)
    units_per_measure: dict[int, int] = {}
    for row in rows:
        units_per_measure[row.measure_id] = units_per_measure.get(row.measure_id, 0) + 1
    saved = []
    for row in rows:
        rng = random.Random(f"{row.measure.goal.position}.{row.measure.position}/{row.org_unit}")
        if is_open and _still_to_report(row=row, rng_seed=f"{step}/{row.pk}"):
            continue
        path = _draw_path(rng, continuous=row.measure.is_continuous)
        changes = _values(path=path, step=step, rng=random.Random(f"{row.pk}/{step}"))
        changes.update(
            _indicator_value(
                indicator=indicators.get(row.measure_id),
                status=changes["status"],
                step=step,
                period=period,
                units=units_per_measure[row.measure_id],
                rng=rng,
            )
        )
        user = _saver(savers, unit_id=row.org_unit_id, role_ids=roles.get(row.measure_id, []))
        saved.append(measure_status_update(row=row, user=user, version=row.version, **changes))
    _backdate(period=period, rows=saved)
    return len(saved)


def _still_to_report(*, row: MeasureStatus, rng_seed: str) -> bool:
    """Each unit has reported its own share of the open period; about 60 % is left."""
    eagerness = random.Random(row.org_unit.name).choice(DEMO_UNIT_EAGERNESS)
    return random.Random(rng_seed).random() >= eagerness


def _draw_path(rng: random.Random, *, continuous: bool) -> RowPath:
    start = rng.choice((0, 0, 0, 1, 1, 2))
    # Continuous work is rarely "done", but a unit may finish putting a routine in place.
    finishes = rng.random() < (0.12 if continuous else 0.35)
    trouble = rng.choice((None, None, None, None, 2, 3, 4)) if rng.random() < 0.4 else None
    return RowPath(
        start=start,
        rate=rng.randint(20, 30) if finishes else rng.randint(8, 18),
        trouble=trouble if trouble is None else max(trouble, start + 1),
        finishes=finishes,
        cancelled_at=3 if rng.random() < 0.03 else None,
        continuous=continuous,
    )


def _values(*, path: RowPath, step: int, rng: random.Random) -> dict:
    """Status, progress and comment of a row at `step` (0 is the plan's first tertial)."""
    if path.cancelled_at is not None and step >= path.cancelled_at:
        status, progress = Status.CANCELLED, None
    elif step < path.start:
        status, progress = Status.NOT_STARTED, 0
    else:
        progress = min(100, (step - path.start + 1) * path.rate + rng.randint(-4, 6))
        status = _status_for(path=path, step=step, progress=progress, rng=rng)
        if status in (Status.AT_RISK, Status.DELAYED):
            progress = max(0, progress - path.rate)
        elif status != Status.DONE:
            progress = min(progress, 95)
    comments = DEMO_COMMENTS[status]
    comment = rng.choice(comments) if rng.random() < 0.7 else ""
    return {"status": status, "progress": progress, "comment": comment}


def _status_for(*, path: RowPath, step: int, progress: int, rng: random.Random) -> str:
    if path.trouble is not None and path.trouble <= step <= path.trouble + 1:
        return (
            Status.AT_RISK
            if step == path.trouble
            else rng.choice((Status.DELAYED,) * 2 + (Status.AT_RISK,))
        )
    if path.finishes and progress >= 90:
        return Status.DONE
    if path.finishes:
        return Status.ON_TRACK
    # Continuous work is reported as such once it is part of the daily routine.
    return Status.CONTINUOUS if path.continuous and progress >= 60 else Status.ON_TRACK


def _indicator_value(*, indicator, status, step, period, units, rng) -> dict:
    """The indicator's value in one unit: year to date, so a year's last tertial adds up
    across the units to near the year's target."""
    if indicator is None or indicator.source in COUNTED_SOURCES:
        return {}
    if status in (Status.NOT_STARTED, Status.CANCELLED):
        return {}
    share_of_year = Decimal(period.number) / 3
    target = indicator.year_target
    if indicator.kind == Indicator.Kind.COUNT:
        base = target / units if target else Decimal(rng.randint(4, 20))
        value = base * share_of_year * Decimal(rng.uniform(0.75, 1.15))
        return {"value_number": Decimal(max(0, round(value)))}
    if indicator.kind == Indicator.Kind.PERCENTAGE:
        reach = target or Decimal(85)
        value = min(Decimal(100), reach * Decimal(rng.uniform(0.8, 1.05)))
        return {"value_number": value.quantize(Decimal("0.1"))}
    if indicator.kind == Indicator.Kind.YES_NO:
        return {"value_bool": status == Status.DONE or rng.random() < 0.25 + 0.12 * step}
    return {"value_text": DEMO_MILESTONES[status]}


def _measure_roles(*, plan: QualityPlan) -> dict[int, list[int]]:
    roles: dict[int, list[int]] = {}
    for measure_id, role_id in Measure.responsible_roles.through.objects.filter(
        measure__goal__plan=plan
    ).values_list("measure_id", "role_id"):
        roles.setdefault(measure_id, []).append(role_id)
    return roles


def _savers(*, unit_ids: set[int]) -> dict[tuple[int, int], User]:
    """Who may save each unit's rows, by (unit, role); unit leaders first."""
    memberships = Membership.objects.filter(org_unit_id__in=unit_ids).select_related("user", "role")
    savers: dict[tuple[int, int], User] = {}
    for membership in sorted(memberships, key=lambda m: (m.role.code != "VL", m.user_id)):
        savers.setdefault((membership.org_unit_id, membership.role_id), membership.user)
    return savers


def _saver(savers, *, unit_id: int, role_ids: list[int]) -> User | None:
    for role_id in sorted(role_ids):
        user = savers.get((unit_id, role_id))
        if user is not None:
            return user
    return None


def _indicators(*, plan: QualityPlan, year: int) -> dict[int, Indicator]:
    """Each measure's first indicator, with its target for `year` (or the latest before)."""
    indicators: dict[int, Indicator] = {}
    for indicator in Indicator.objects.filter(measure__goal__plan=plan).order_by("id"):
        indicators.setdefault(indicator.measure_id, indicator)
    targets: dict[int, Decimal] = {}
    for target in IndicatorTarget.objects.filter(
        indicator__in=indicators.values(), year__lte=year, value__isnull=False
    ).order_by("year"):
        targets[target.indicator_id] = target.value
    for indicator in indicators.values():
        indicator.year_target = targets.get(indicator.pk)
    return indicators


def _backdate(*, period: ReportingPeriod, rows: list[MeasureStatus]) -> None:
    """Move the saves made just now back into the weeks before the deadline, in the rows
    and in their history: each unit reported its rows in one sitting on a working day."""
    last_day = min(period.deadline, timezone.localdate() - timedelta(days=1))
    by_unit: dict[int, list[int]] = {}
    for row in rows:
        by_unit.setdefault(row.org_unit_id, []).append(row.pk)
    for unit_id, row_ids in by_unit.items():
        rng = random.Random(f"when/{period.pk}/{unit_id}")
        day = last_day - timedelta(days=rng.randint(0, 20))
        moment = timezone.make_aware(
            datetime.combine(day, time(rng.randint(8, 15), rng.randint(0, 59)))
        )
        MeasureStatus.objects.filter(pk__in=row_ids).update(updated_at=moment, reported_at=moment)
        MeasureStatus.history.filter(id__in=row_ids).update(history_date=moment)


def _period_backdate(*, period: ReportingPeriod) -> None:
    """Opened in the tertial's third month, closed a week after the deadline."""
    opened_on = min(period.starts_on + timedelta(days=60), timezone.localdate())
    opened = datetime.combine(opened_on, time(9))
    closed = datetime.combine(period.deadline + timedelta(days=7), time(9))
    ReportingPeriod.objects.filter(pk=period.pk).update(
        opened_at=timezone.make_aware(opened),
        closed_at=None if period.is_open else timezone.make_aware(closed),
    )


# --- The benchmark municipality -------------------------------------------------


@dataclass
class BenchStatusResult:
    previous: ReportingPeriod
    current: ReportingPeriod
    previous_rows: int
    current_rows: int


def bench_statuses_seed(*, plan: QualityPlan) -> BenchStatusResult:
    """Tertial 1 of the plan's first year reported in full and closed (bulk inserts, no
    history), and tertial 2 open with its rows as created: what the status page, a save
    and "copy from the last period" meet at size. Running it again adds nothing."""
    year = plan.first_year
    with transaction.atomic():
        previous = _bench_reported_period(plan=plan, year=year, number=1)
        current, _created = period_open(plan=plan, year=year, number=2, deadline=None, user=None)
    return BenchStatusResult(
        previous=previous,
        current=current,
        previous_rows=previous.statuses.count(),
        current_rows=current.statuses.count(),
    )


def _bench_reported_period(*, plan: QualityPlan, year: int, number: int) -> ReportingPeriod:
    starts, ends = period_bounds(frequency=plan.frequency, year=year, number=number)
    period, created = ReportingPeriod.objects.get_or_create(
        plan=plan,
        year=year,
        number=number,
        defaults={
            "starts_on": starts,
            "ends_on": ends,
            "deadline": ends + timedelta(days=14),
            "status": ReportingPeriod.Status.CLOSED,
            "closed_at": timezone.now(),
        },
    )
    if not created and period.statuses.exists():
        return period
    kinds = dict(
        Indicator.objects.filter(measure__goal__plan=plan)
        .order_by("-id")
        .values_list("measure_id", "kind")
    )
    reported_at = timezone.make_aware(datetime.combine(period.deadline, time(12)))
    MeasureStatus.objects.bulk_create(
        (
            _bench_row(period, measure_id, unit_id, kinds.get(measure_id), reported_at)
            for measure_id, unit_id in sorted(obligation_pairs(period=period))
        ),
        batch_size=2000,
        ignore_conflicts=True,
    )
    plan_changed(plan_id=plan.pk)
    return period


BENCH_STATUSES = [Status.ON_TRACK, Status.CONTINUOUS, Status.ON_TRACK, Status.AT_RISK, Status.DONE]


def _bench_row(period, measure_id, unit_id, kind, reported_at) -> MeasureStatus:
    n = measure_id * 7 + unit_id
    row = MeasureStatus(
        period=period,
        measure_id=measure_id,
        org_unit_id=unit_id,
        status=BENCH_STATUSES[n % len(BENCH_STATUSES)],
        progress=(n * 13) % 101,
        comment="Fulgt opp i personalmøtet." if n % 3 == 0 else "",
        reported_at=reported_at,
        updated_at=reported_at,
        version=2,
    )
    if kind in (Indicator.Kind.COUNT, Indicator.Kind.PERCENTAGE):
        row.value_number = Decimal(n % 100)
    elif kind == Indicator.Kind.YES_NO:
        row.value_bool = n % 2 == 0
    elif kind == Indicator.Kind.MILESTONE:
        row.value_text = "Under innføring"
    return row
