from datetime import date

from django.utils import timezone

from deviations.indicators import counted_values_refresh, refresh_open_periods
from deviations.models import Deviation, DeviationCategory, QualityCouncilMeeting
from deviations.services import deviation_report
from measures.models import MeasureStatus
from measures.periods import period_open
from tests.factories import GoalFactory, IndicatorFactory, MeasureFactory


def _counted_measure(plan, source, title):
    measure = MeasureFactory(goal=GoalFactory(plan=plan), title=title, years=[2026], roles=["VL"])
    IndicatorFactory(measure=measure, name=title, kind="count", source=source)
    return measure


def _deviation(unit, reporter, **fields):
    return Deviation(
        org_unit=unit,
        reporter=reporter,
        occurred_at=timezone.now(),
        category=DeviationCategory.objects.first(),
        description="Beboer falt på badet.",
        immediate_action="Tilsyn av sykepleier.",
        consequence=2,
        probability=3,
        **fields,
    )


def test_a_new_deviation_counts_in_the_units_open_period(
    org, users, plan, django_capture_on_commit_callbacks
):
    plan.first_year, plan.last_year = 2025, 2028
    plan.save()
    measure = _counted_measure(plan, "deviations_reported", "Antall meldte avvik")
    year = timezone.localdate().year
    number = (timezone.localdate().month - 1) // 4 + 1
    period, _ = period_open(plan=plan, year=year, number=number, deadline=None, user=None)
    row = period.statuses.get(measure=measure, org_unit=org.unit_a)
    assert row.value_number == 0
    with django_capture_on_commit_callbacks(execute=True):
        deviation_report(deviation=_deviation(org.section_a, users.employee), user=users.employee)
    row.refresh_from_db()
    assert row.value_number == 1  # reported in the section, counted for the unit above it
    assert period.statuses.get(measure=measure, org_unit=org.unit_b).value_number == 0


def test_meetings_held_are_counted_when_the_period_opens(org, users, plan):
    plan.first_year, plan.last_year = 2025, 2028
    plan.save()
    measure = _counted_measure(plan, "meetings_held", "Antall møter i kvalitetsrådet")
    for day in (3, 20):
        QualityCouncilMeeting.objects.create(
            org_unit=org.unit_a, held_on=date(2026, 2, day), created_by=users.leader_a
        )
    QualityCouncilMeeting.objects.create(
        org_unit=org.unit_a, held_on=date(2026, 6, 1), created_by=users.leader_a
    )
    period, _ = period_open(plan=plan, year=2026, number=1, deadline=None, user=None)
    assert period.statuses.get(measure=measure, org_unit=org.unit_a).value_number == 2


def test_refresh_changes_only_counted_rows_and_is_idempotent(org, users, plan):
    plan.first_year, plan.last_year = 2025, 2028
    plan.save()
    _counted_measure(plan, "deviations_closed", "Antall lukkede avvik")
    manual = MeasureFactory(goal=GoalFactory(plan=plan), years=[2026])
    IndicatorFactory(measure=manual, kind="count", source="manual")
    period, _ = period_open(plan=plan, year=2026, number=2, deadline=None, user=None)
    MeasureStatus.objects.filter(measure=manual).update(value_number=7)
    assert counted_values_refresh(period=period) == 0
    assert refresh_open_periods() == 0
    assert set(
        MeasureStatus.objects.filter(measure=manual).values_list("value_number", flat=True)
    ) == {7}
