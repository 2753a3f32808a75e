"""A small plan with reports, for the dashboard tests: built by plain functions so that
each test module makes its own fixture from them.

Units A and B (area "Område Hjemme"), C (the other area) and the section under A
answer for the measures; 2022 has tertials 1 and 2 open.
"""

from decimal import Decimal
from types import SimpleNamespace

from django.utils import timezone

from measures.models import Indicator, IndicatorTarget, MeasureStatus
from measures.periods import obligations_refresh, period_open
from tests.factories import (
    GoalFactory,
    IndicatorFactory,
    MeasureFactory,
    MembershipFactory,
    OrgUnitFactory,
    UserFactory,
    role,
)


def report(period, measure, unit, **values) -> MeasureStatus:
    """Mark a row reported with `values`, as a save on the status page would."""
    now = timezone.now()
    rows = MeasureStatus.objects.filter(period=period, measure=measure, org_unit=unit)
    assert rows.update(reported_at=now, updated_at=now, **values) == 1
    return rows.get()


def indicator(measure, *, kind, aggregation="sum", direction="higher", targets=None):
    made = IndicatorFactory(
        measure=measure,
        name=f"Indikator for {measure.title}",
        kind=kind,
        aggregation=aggregation,
        direction=direction,
    )
    for year, value in (targets or {}).items():
        IndicatorTarget.objects.create(indicator=made, year=year, value=Decimal(value))
    return made


def build_plan(*, org, users, plan):
    """Two goals with six measures, two open periods of 2022, rows for A, B, C and the
    section (the section answers only for the AL measure)."""
    leader_c = UserFactory(username="leader_c")
    MembershipFactory(user=leader_c, role=role("VL"), org_unit=org.unit_c)
    safety = GoalFactory(plan=plan, position=1, title="Trygge tjenester")
    summed = MeasureFactory(goal=safety, position=1, title="Samtaler", roles=["VL"])
    averaged = MeasureFactory(goal=safety, position=2, title="Oppdaterte planer", roles=["VL"])
    yes_no = MeasureFactory(goal=safety, position=3, title="Rutine for fall", roles=["VL"])
    lower = MeasureFactory(goal=safety, position=4, title="Fall", roles=["VL"])
    care = GoalFactory(plan=plan, position=2, title="Gode overganger")
    plain = MeasureFactory(goal=care, position=1, title="Pårørendeplan", roles=["VL"])
    night = MeasureFactory(goal=care, position=2, title="Nattrutiner", roles=["AL"])
    indicators = SimpleNamespace(
        summed=indicator(summed, kind=Indicator.Kind.COUNT, targets={2022: 10}),
        averaged=indicator(
            averaged, kind=Indicator.Kind.PERCENTAGE, aggregation="average", targets={2022: 80}
        ),
        yes_no=indicator(yes_no, kind=Indicator.Kind.YES_NO, aggregation="average"),
        lower=indicator(lower, kind=Indicator.Kind.COUNT, direction="lower", targets={2022: 5}),
    )
    t1, _created = period_open(plan=plan, year=2022, number=1, deadline=None, user=None)
    t2, _created = period_open(plan=plan, year=2022, number=2, deadline=None, user=None)
    return SimpleNamespace(
        plan=plan,
        t1=t1,
        t2=t2,
        safety=safety,
        care=care,
        summed=summed,
        averaged=averaged,
        yes_no=yes_no,
        lower=lower,
        plain=plain,
        night=night,
        indicators=indicators,
        leader_c=leader_c,
    )


def fill_reports(data, org) -> None:
    """Unit A reports in tertial 2 (and had reported in 1); unit B only in tertial 1;
    unit C never; the section in tertial 2."""
    a, b = org.unit_a, org.unit_b
    report(data.t1, data.summed, a, status="on_track", progress=20, value_number=1)
    report(data.t2, data.summed, a, status="on_track", progress=40, value_number=4)
    report(data.t1, data.summed, b, status="delayed", progress=60, value_number=6)
    report(data.t2, data.averaged, a, status="done", progress=100, value_number=70)
    report(data.t1, data.averaged, b, status="on_track", progress=50, value_number=90)
    report(data.t2, data.yes_no, a, status="continuous", value_bool=True)
    report(data.t1, data.yes_no, b, status="on_track", value_bool=False)
    report(data.t2, data.lower, a, status="on_track", progress=50, value_number=3)
    report(data.t1, data.lower, b, status="on_track", progress=50, value_number=4)
    report(data.t2, data.plain, a, status="at_risk", progress=10)
    report(data.t2, data.night, org.section_a, status="done", progress=100)


def grow(data, org, *, units: int, measures: int) -> None:
    """More of everything, for query counts at a second size: `units` more units in the
    area with a leader each, `measures` more measures, the periods refreshed and filled."""
    for n in range(units):
        unit = OrgUnitFactory(name=f"Ekstra {n}", parent=org.area)
        MembershipFactory(user=UserFactory(username=f"extra_{n}"), role=role("VL"), org_unit=unit)
    for n in range(measures):
        measure = MeasureFactory(goal=data.care, position=10 + n, title=f"Ekstra {n}")
        indicator(measure, kind=Indicator.Kind.COUNT, targets={2022: n})
    for period in (data.t1, data.t2):
        obligations_refresh(period=period)
        now = timezone.now()
        rows = MeasureStatus.objects.filter(period=period, reported_at__isnull=True)
        every_other = list(rows.order_by("pk").values_list("pk", flat=True))[::2]
        MeasureStatus.objects.filter(pk__in=every_other).update(
            reported_at=now, status="on_track", progress=30, value_number=2
        )
