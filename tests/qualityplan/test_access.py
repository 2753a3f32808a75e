import pytest
from django.db import IntegrityError, transaction

from measures.models import MeasureYear
from qualityplan.access import get_access
from tests.factories import GoalFactory, MeasureFactory, SubGoalFactory


def test_unit_leader_reads_own_unit_and_its_sections_only(org, users):
    access = get_access(users.leader_a)
    assert access.read_unit_ids == {org.unit_a.pk, org.section_a.pk}
    assert access.can_report_for_unit(org.unit_a.pk)
    assert not access.can_report_for_unit(org.unit_b.pk)
    assert not access.can_read_unit(org.unit_b.pk)


def test_area_leader_reads_the_whole_area_but_reports_nothing(org, users):
    access = get_access(users.area_leader)
    assert access.read_unit_ids == {org.area.pk, org.unit_a.pk, org.unit_b.pk, org.section_a.pk}
    assert not access.report_unit_ids


def test_quality_office_reads_and_manages_the_whole_organisation(org, users, plan):
    access = get_access(users.quality_office)
    assert access.can_read_unit(org.unit_c.pk)
    assert access.can_manage_plan(plan)


def test_director_reads_everything_but_does_not_edit_the_plan(org, users, plan):
    access = get_access(users.director)
    assert access.can_read_unit(org.unit_c.pk)
    assert access.can_view_plan(plan)
    assert not access.can_manage_plan(plan)


def test_employee_sees_the_plan_but_no_follow_up(org, users, plan):
    access = get_access(users.employee)
    assert access.can_view_plan(plan)
    assert not access.read_unit_ids


def test_user_without_membership_sees_nothing(users, plan):
    access = get_access(users.stranger)
    assert not access.can_view_plan(plan)


def test_access_is_computed_once_per_user_object(users, django_assert_num_queries):
    with django_assert_num_queries(2):
        get_access(users.leader_a)
        get_access(users.leader_a)


def test_database_refuses_subgoal_of_another_goal(plan):
    goal, other_goal = GoalFactory(plan=plan), GoalFactory(plan=plan)
    foreign_subgoal = SubGoalFactory(goal=other_goal)
    with pytest.raises(IntegrityError), transaction.atomic():
        MeasureFactory(goal=goal, subgoal=foreign_subgoal)


def test_database_refuses_measure_year_outside_plan(plan):
    measure = MeasureFactory(goal=GoalFactory(plan=plan), years=[2021])
    with pytest.raises(IntegrityError), transaction.atomic():
        MeasureYear.objects.create(measure=measure, year=2030)


def test_database_refuses_shrinking_plan_below_its_measure_years(plan):
    MeasureFactory(goal=GoalFactory(plan=plan), years=[2024])
    plan.last_year = 2023
    with pytest.raises(IntegrityError), transaction.atomic():
        plan.save()


def test_unit_leader_leads_the_unit_and_its_sections_and_section_leader_the_section(org, users):
    assert get_access(users.leader_a).lead_unit_ids == {org.unit_a.pk, org.section_a.pk}
    assert get_access(users.section_leader).lead_unit_ids == {org.section_a.pk}
    assert not get_access(users.area_leader).lead_unit_ids
