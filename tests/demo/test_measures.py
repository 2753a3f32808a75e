from decimal import Decimal
from statistics import mean

import pytest
from django.core.management import call_command

from demo.measures import DEMO_COMMENTS, bench_statuses_seed, demo_statuses_load
from measures.models import IndicatorTarget, MeasureStatus, ReportingPeriod
from measures.statuses import previous_status
from qualityplan.access import get_access
from qualityplan.models import QualityPlan
from tests.factories import GoalFactory, IndicatorFactory, MeasureFactory, QualityPlanFactory


@pytest.fixture
def demo_plan(org, users):
    """A 2025–2028 plan with one measure per kind of indicator, reported by units A and B."""
    plan = QualityPlanFactory(owner=org.department, title="Kvalitetsplan 2025–2028")
    goal = GoalFactory(plan=plan, position=1)
    for number, kind in enumerate(["count", "percentage", "yes_no", "milestone", None] * 2):
        measure = MeasureFactory(
            goal=goal, position=number + 1, roles=["VL"], is_continuous=number % 2 == 0
        )
        if kind is None:
            continue
        indicator = IndicatorFactory(measure=measure, kind=kind)
        if kind == "count":
            for year in plan.years:
                IndicatorTarget.objects.create(indicator=indicator, year=year, value=20)
    return plan


def _periods(plan):
    return {(p.year, p.number): p for p in plan.periods.all()}


def _reported(period):
    return period.statuses.filter(reported_at__isnull=False)


def test_it_opens_six_tertials_and_leaves_only_the_last_open(demo_plan):
    demo_statuses_load(plan=demo_plan)
    periods = _periods(demo_plan)
    assert sorted(periods) == [(2025, 1), (2025, 2), (2025, 3), (2026, 1), (2026, 2), (2026, 3)]
    assert [key for key, period in periods.items() if period.is_open] == [(2026, 3)]
    assert str(periods[(2026, 3)].deadline) == "2026-12-15"
    for key, period in periods.items():
        if key != (2026, 3):
            assert period.closed_at is not None
            assert _reported(period).count() == period.statuses.count() > 0


def test_rows_are_saved_by_the_people_who_answer_for_them(demo_plan, users):
    demo_statuses_load(plan=demo_plan)
    rows = MeasureStatus.objects.filter(reported_at__isnull=False).select_related(
        "updated_by", "measure"
    )
    for row in rows:
        roles = [role.pk for role in row.measure.responsible_roles.all()]
        assert get_access(row.updated_by).holds_role_at(row.org_unit_id, roles)
    history = MeasureStatus.history.filter(history_user__isnull=False)
    assert history.count() == rows.count()
    assert {record.history_user for record in history} == {users.leader_a, users.leader_b}


def test_the_mix_moves_from_not_started_towards_done_with_rising_progress(demo_plan):
    demo_statuses_load(plan=demo_plan)
    periods = _periods(demo_plan)
    first = set(_reported(periods[(2025, 1)]).values_list("status", flat=True))
    assert "not_started" in first
    progress = [
        mean(p or 0 for p in _reported(periods[key]).values_list("progress", flat=True))
        for key in [(2025, 1), (2025, 3), (2026, 2)]
    ]
    assert progress == sorted(progress) and progress[-1] > progress[0] + 20
    later = set(
        MeasureStatus.objects.filter(period__year=2026, reported_at__isnull=False).values_list(
            "status", flat=True
        )
    )
    assert later & {"on_track", "continuous"}
    assert "not_started" not in set(_reported(periods[(2026, 2)]).values_list("status", flat=True))


def test_values_fit_their_indicators_and_comments_are_norwegian(demo_plan):
    demo_statuses_load(plan=demo_plan)
    rows = list(MeasureStatus.objects.filter(reported_at__isnull=False).select_related("measure"))
    kinds = {row.pk: next((i.kind for i in row.measure.indicators.all()), None) for row in rows}
    for row in rows:
        if kinds[row.pk] in ("count", "percentage") and row.value_number is not None:
            assert 0 <= row.value_number <= (100 if kinds[row.pk] == "percentage" else 1000)
        if kinds[row.pk] != "yes_no":
            assert row.value_bool is None
    assert any(row.value_bool is not None for row in rows)
    assert any(row.value_text for row in rows)
    known = {comment for comments in DEMO_COMMENTS.values() for comment in comments}
    assert 20 <= len(known) <= 30
    assert {row.comment for row in rows if row.comment} <= known


def test_counts_add_up_to_near_the_target_by_the_years_last_tertial(demo_plan):
    demo_statuses_load(plan=demo_plan)
    values = [
        row.value_number
        for row in MeasureStatus.objects.filter(
            period__year=2025,
            period__number=3,
            measure__indicators__kind="count",
            value_number__isnull=False,
        )
    ]
    # Two counted measures, each with a target of 20 a year shared by two units.
    assert Decimal(25) <= sum(values) <= Decimal(50)


def test_the_history_reads_as_saved_before_each_deadline(demo_plan):
    demo_statuses_load(plan=demo_plan)
    period = _periods(demo_plan)[(2025, 2)]
    for row in _reported(period):
        assert row.updated_at.date() <= period.deadline
    records = MeasureStatus.history.filter(id__in=_reported(period).values("id"))
    assert all(record.history_date.date() <= period.deadline for record in records)


def test_running_it_again_changes_nothing(demo_plan):
    first = demo_statuses_load(plan=demo_plan)
    records = MeasureStatus.history.count()
    second = demo_statuses_load(plan=demo_plan)
    assert first.rows_filled > 0
    assert second.rows_filled == 0
    assert len(second.skipped) == 6
    assert MeasureStatus.history.count() == records
    assert ReportingPeriod.objects.filter(plan=demo_plan, status="open").count() == 1


def test_load_demo_fills_the_active_plan_and_leaves_most_of_the_open_period_to_do(db):
    call_command("load_demo", "--quiet")
    plan = QualityPlan.objects.get(status="active", title__endswith="2025–2028")
    period = plan.periods.get(year=2026, number=3)
    share = _reported(period).count() / period.statuses.count()
    assert 0.3 <= share <= 0.5
    assert plan.periods.filter(status="closed").count() == 5
    archived = QualityPlan.objects.get(status="archived")
    assert not archived.periods.exists()


def test_the_bench_gets_a_reported_closed_period_before_an_open_unreported_one(demo_plan):
    result = bench_statuses_seed(plan=demo_plan)
    assert (result.previous.number, result.current.number) == (1, 2)
    assert not result.previous.is_open and result.current.is_open
    assert result.previous_rows == result.current_rows > 0
    assert _reported(result.previous).count() == result.previous_rows
    assert not _reported(result.current).exists()
    row = result.current.statuses.first()
    assert previous_status(status=row).period == result.previous
    again = bench_statuses_seed(plan=demo_plan)
    assert MeasureStatus.objects.count() == again.previous_rows + again.current_rows
