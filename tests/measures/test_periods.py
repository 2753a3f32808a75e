from datetime import date

import pytest
from django.core.exceptions import ValidationError

from measures.models import MeasureStatus
from measures.periods import obligations_refresh, period_bounds, period_open
from tests.factories import GoalFactory, MeasureFactory, MembershipFactory, OrgUnitFactory, role


def test_tertials_split_the_year_in_three():
    assert period_bounds(frequency="tertial", year=2026, number=2) == (
        date(2026, 5, 1),
        date(2026, 8, 31),
    )
    assert period_bounds(frequency="quarterly", year=2024, number=1)[1] == date(2024, 3, 31)
    assert period_bounds(frequency="yearly", year=2026, number=1) == (
        date(2026, 1, 1),
        date(2026, 12, 31),
    )


def test_a_period_outside_the_frequency_is_refused():
    with pytest.raises(ValidationError):
        period_bounds(frequency="tertial", year=2026, number=4)


def test_vl_measure_gives_every_unit_with_a_leader_a_row(org, users, plan):
    measure = MeasureFactory(goal=GoalFactory(plan=plan), roles=["VL"])
    period, created = period_open(plan=plan, year=2022, number=1, deadline=None, user=None)
    units = set(period.statuses.filter(measure=measure).values_list("org_unit_id", flat=True))
    assert units == {org.unit_a.pk, org.unit_b.pk}
    assert created == 2


def test_kuk_measure_goes_to_the_quality_office_only(org, users, plan):
    measure = MeasureFactory(goal=GoalFactory(plan=plan), roles=["KUK"])
    period, _ = period_open(plan=plan, year=2022, number=1, deadline=None, user=None)
    rows = period.statuses.filter(measure=measure)
    assert list(rows.values_list("org_unit_id", flat=True)) == [org.office.pk]


def test_measures_not_running_that_year_or_inactive_get_no_rows(org, users, plan):
    goal = GoalFactory(plan=plan)
    MeasureFactory(goal=goal, years=[2021])
    MeasureFactory(goal=goal, is_active=False)
    period, created = period_open(plan=plan, year=2023, number=1, deadline=None, user=None)
    assert created == 0


def test_opening_twice_creates_nothing_new(org, users, plan):
    MeasureFactory(goal=GoalFactory(plan=plan))
    period_open(plan=plan, year=2022, number=2, deadline=None, user=None)
    period, created = period_open(plan=plan, year=2022, number=2, deadline=None, user=None)
    assert created == 0
    assert MeasureStatus.objects.count() == 2


def test_a_unit_added_later_gets_its_rows_on_refresh(org, users, plan):
    MeasureFactory(goal=GoalFactory(plan=plan))
    period, _ = period_open(plan=plan, year=2022, number=1, deadline=None, user=None)
    new_unit = OrgUnitFactory(name="Ny virksomhet", parent=org.area)
    MembershipFactory(role=role("VL"), org_unit=new_unit)
    assert obligations_refresh(period=period) == 1
    assert obligations_refresh(period=period) == 0


def test_default_deadline_is_two_weeks_after_the_period(org, users, plan):
    period, _ = period_open(plan=plan, year=2022, number=3, deadline=None, user=None)
    assert period.deadline == date(2023, 1, 14)


def test_a_year_outside_the_plan_is_refused(org, users, plan):
    with pytest.raises(ValidationError):
        period_open(plan=plan, year=2030, number=1, deadline=None, user=None)
