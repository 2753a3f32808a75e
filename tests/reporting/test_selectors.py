from decimal import Decimal

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from measures.models import Indicator
from reporting import selectors
from reporting.selectors import GREEN, GREY, RED, YELLOW, goal_light, measure_light, target_met
from tests.reporting.dashboard_data import build_plan, fill_reports, grow


@pytest.fixture
def data(org, users, plan):
    data = build_plan(org=org, users=users, plan=plan)
    fill_reports(data, org)
    return data


def _rollup(data, user, **kwargs):
    scope = selectors.dashboard_scope(user=user, plan=data.plan)
    return selectors.plan_rollup(plan=data.plan, year=2022, unit_ids=scope.unit_ids, **kwargs)


def _measures(rollup):
    return {m.measure.title: m for goal in rollup.goals for m in goal.measures}


# --- Roll-up arithmetic ----------------------------------------------------------------


def test_sum_indicator_adds_up_the_units_and_meets_its_target(data, users):
    summed = _measures(_rollup(data, users.quality_office))["Samtaler"]
    # Unit A's tertial 2 (4) and unit B's tertial 1 (6); unit C has not reported.
    assert summed.value == Decimal("10.00")
    assert summed.target == Decimal("10.00")
    assert summed.target_met is True
    assert summed.valued == 2


def test_average_indicator_averages_the_units_that_gave_a_value(data, users):
    averaged = _measures(_rollup(data, users.quality_office))["Oppdaterte planer"]
    assert averaged.value == Decimal("80.00")  # (70 + 90) / 2, not / 3
    assert averaged.target_met is True
    assert averaged.value_suffix == "%"


def test_yes_no_indicator_gives_the_share_answering_yes(data, users):
    yes_no = _measures(_rollup(data, users.quality_office))["Rutine for fall"]
    assert yes_no.value == Decimal("50.0")
    assert yes_no.target is None
    assert yes_no.target_met is None


def test_lower_is_better_indicator_above_its_target_is_not_met(data, users):
    lower = _measures(_rollup(data, users.quality_office))["Fall"]
    assert lower.value == Decimal("7.00")
    assert lower.target == Decimal("5.00")
    assert lower.target_met is False
    assert lower.light == YELLOW


def test_measure_without_indicator_has_no_value(data, users):
    plain = _measures(_rollup(data, users.quality_office))["Pårørendeplan"]
    assert (plain.indicator, plain.value, plain.target, plain.target_met) == (
        None,
        None,
        None,
        None,
    )


def test_unreported_rows_are_counted_apart_from_the_statuses(data, users):
    summed = _measures(_rollup(data, users.quality_office))["Samtaler"]
    assert summed.status_counts == {
        "done": 0,
        "on_track": 1,
        "continuous": 0,
        "not_started": 0,
        "at_risk": 0,
        "delayed": 1,
        "cancelled": 0,
        "unreported": 1,
    }
    assert (summed.reported, summed.total) == (2, 3)
    assert sum(summed.status_counts.values()) == summed.total
    assert summed.mean_progress == Decimal("50.0")  # unit C's empty row is not a zero


def test_each_unit_counts_with_its_latest_reported_period_of_the_year(data, users):
    rollup = _rollup(data, users.quality_office)
    selection = rollup.selection
    assert selection.period is None
    assert selection.period_by_unit[(data.plan.owner_id, 2022)] == data.t2
    summed = _measures(rollup)["Samtaler"]
    # A's tertial 2 value (4, not 1) with B's tertial 1 value (6).
    assert summed.value == Decimal("10.00")
    assert "latest period" in selection.description


def test_a_chosen_period_uses_only_its_rows(data, users):
    rollup = _rollup(data, users.quality_office, period=data.t1)
    summed = _measures(rollup)["Samtaler"]
    assert summed.value == Decimal("7.00")  # A 1 + B 6
    assert summed.target_met is False
    assert rollup.selection.description == f"Figures from {data.t1.label}."


def test_a_period_of_another_plan_is_refused(data, users, org):
    from tests.factories import QualityPlanFactory

    other = QualityPlanFactory(owner=org.department, first_year=2021, last_year=2024)
    with pytest.raises(ValueError):
        selectors.row_selection(plan=other, years=[2022], unit_ids=[org.unit_a.pk], period=data.t1)


def test_goals_and_totals_add_up_their_measures(data, users):
    rollup = _rollup(data, users.quality_office)
    safety, care = rollup.goals
    assert (safety.light, care.light) == (RED, YELLOW)
    assert safety.total == 12 and safety.reported == 8
    assert rollup.totals.total == 16
    assert rollup.totals.reported == 10
    assert rollup.totals.units == 4
    assert rollup.totals.lights == {GREEN: 3, YELLOW: 2, RED: 1, GREY: 0}
    # Mean over every reported progress, not a mean of means.
    assert rollup.totals.mean_progress == Decimal("57.5")


def test_a_year_without_periods_rolls_up_to_nothing(data, users):
    scope = selectors.dashboard_scope(user=users.quality_office, plan=data.plan)
    rollup = selectors.plan_rollup(plan=data.plan, year=2023, unit_ids=scope.unit_ids)
    assert rollup.selection.is_empty
    assert rollup.totals.total == 0
    assert all(not goal.measures for goal in rollup.goals)
    assert {m.title for m in rollup.without_rows} >= {"Samtaler", "Nattrutiner"}


# --- The traffic light ------------------------------------------------------------------


def _counts(**counts):
    return {key: counts.get(key, 0) for key in selectors.STATUS_KEYS}


def test_nothing_reported_is_grey():
    assert measure_light(status_counts=_counts(), reported=0, total=4, target_met=None) == GREY


def test_a_quarter_delayed_is_red():
    counts = _counts(delayed=1, on_track=3)
    assert measure_light(status_counts=counts, reported=4, total=4, target_met=True) == RED
    counts = _counts(delayed=1, on_track=4)
    assert measure_light(status_counts=counts, reported=5, total=5, target_met=True) == YELLOW


def test_target_not_met_or_at_risk_or_few_reports_is_yellow():
    on_track = _counts(on_track=4)
    assert measure_light(status_counts=on_track, reported=4, total=4, target_met=False) == YELLOW
    at_risk = _counts(on_track=3, at_risk=1)
    assert measure_light(status_counts=at_risk, reported=4, total=4, target_met=None) == YELLOW
    few = _counts(on_track=2)
    assert measure_light(status_counts=few, reported=2, total=5, target_met=None) == YELLOW
    half = _counts(on_track=2)
    assert measure_light(status_counts=half, reported=2, total=4, target_met=None) == GREEN


def test_goal_light_follows_its_measures():
    assert goal_light([GREY, GREY]) == GREY
    assert goal_light([GREEN, GREEN, GREY]) == GREEN
    assert goal_light([GREEN, YELLOW]) == YELLOW
    assert goal_light([RED, GREEN, GREEN, GREEN, GREEN]) == YELLOW
    assert goal_light([RED, GREEN, GREEN, GREEN]) == RED


def test_the_rule_text_names_the_thresholds_the_code_uses():
    text = " ".join(line.text for line in selectors.traffic_light_rule())
    assert f"{selectors.RED_DELAYED_SHARE}\xa0%" in text
    assert f"{selectors.YELLOW_REPORTED_SHARE}\xa0%" in text
    assert [line.light for line in selectors.traffic_light_rule()][:4] == [RED, YELLOW, GREEN, GREY]


@pytest.mark.parametrize(
    ("direction", "value", "target", "met"),
    [
        (Indicator.Direction.HIGHER, Decimal(10), Decimal(10), True),
        (Indicator.Direction.HIGHER, Decimal(9), Decimal(10), False),
        (Indicator.Direction.LOWER, Decimal(9), Decimal(10), True),
        (Indicator.Direction.LOWER, Decimal(11), Decimal(10), False),
        (Indicator.Direction.NONE, Decimal(11), Decimal(10), None),
        (Indicator.Direction.HIGHER, None, Decimal(10), None),
        (Indicator.Direction.HIGHER, Decimal(10), None, None),
    ],
)
def test_target_met_knows_which_way_is_better(direction, value, target, met):
    assert target_met(direction=direction, value=value, target=target) is met


# --- Scope per role ----------------------------------------------------------------------


def test_quality_office_and_director_see_the_whole_department(data, users, org):
    for user in (users.quality_office, users.director):
        scope = selectors.dashboard_scope(user=user, plan=data.plan)
        assert scope.root == org.department
        assert scope.unit_ids == {
            org.department.pk,
            org.area.pk,
            org.other_area.pk,
            org.unit_a.pk,
            org.unit_b.pk,
            org.unit_c.pk,
            org.section_a.pk,
            org.office.pk,
        }
        assert [unit.name for unit in scope.children] == [
            "Kvalitet- og utviklingskontoret",
            "Område Hjemme",
            "Område Institusjon",
        ]


def test_area_leader_sees_their_area(data, users, org):
    scope = selectors.dashboard_scope(user=users.area_leader, plan=data.plan)
    assert scope.root == org.area
    assert scope.unit_ids == {org.area.pk, org.unit_a.pk, org.unit_b.pk, org.section_a.pk}
    assert scope.children == [org.unit_a, org.unit_b]
    rollup = selectors.plan_rollup(plan=data.plan, year=2022, unit_ids=scope.unit_ids)
    assert rollup.totals.total == 11  # A's and B's five rows each, and the section's one
    assert not rollup.is_whole


def test_a_part_of_the_organisation_is_held_against_averages_but_not_sums(data, users):
    measures = _measures(_rollup(data, users.area_leader))
    summed, averaged = measures["Samtaler"], measures["Oppdaterte planer"]
    assert summed.value == Decimal("10.00")
    assert (summed.target, summed.target_met) == (None, None)
    assert (averaged.target, averaged.target_met) == (Decimal("80.00"), True)


def test_unit_leader_sees_their_unit_and_its_sections(data, users, org):
    scope = selectors.dashboard_scope(user=users.leader_a, plan=data.plan)
    assert scope.root == org.unit_a
    assert scope.unit_ids == {org.unit_a.pk, org.section_a.pk}


def test_drilling_down_keeps_the_way_back(data, users, org):
    scope = selectors.dashboard_scope(user=users.quality_office, unit_id=org.unit_a.pk)
    assert scope.breadcrumbs == [org.department, org.area, org.unit_a]
    assert scope.unit_ids == {org.unit_a.pk, org.section_a.pk}
    assert not scope.is_top


@pytest.mark.parametrize(
    ("who", "where"),
    [("area_leader", "unit_c"), ("leader_b", "unit_a"), ("leader_a", "area")],
)
def test_a_unit_outside_the_scope_is_not_found(data, users, org, who, where):
    with pytest.raises(Http404):
        selectors.dashboard_scope(user=getattr(users, who), unit_id=getattr(org, where).pk)


def test_people_who_read_no_follow_up_have_no_scope(data, users):
    for user in (users.employee, users.stranger):
        with pytest.raises(Http404):
            selectors.dashboard_scope(user=user, plan=data.plan)


# --- Drill-down, completeness, matrix, indicators -------------------------------------


def test_child_rollup_folds_units_into_the_areas(data, users, org):
    scope = selectors.dashboard_scope(user=users.quality_office, plan=data.plan)
    rollup = selectors.plan_rollup(plan=data.plan, year=2022, unit_ids=scope.unit_ids)
    lines = {
        line.unit: line for line in selectors.child_rollup(scope=scope, selection=rollup.selection)
    }
    assert set(lines) == {org.area, org.other_area}  # the office has no rows
    assert (lines[org.area].reported, lines[org.area].total) == (10, 11)
    assert (lines[org.other_area].reported, lines[org.other_area].total) == (0, 5)
    assert lines[org.area].mean_progress == rollup.totals.mean_progress


def test_child_rollup_shows_a_units_own_rows_beside_its_sections(data, users, org):
    scope = selectors.dashboard_scope(user=users.leader_a, plan=data.plan)
    selection = selectors.row_selection(plan=data.plan, years=[2022], unit_ids=scope.unit_ids)
    own, section = selectors.child_rollup(scope=scope, selection=selection)
    assert own.own_rows and own.unit == org.unit_a and own.total == 5
    assert section.unit == org.section_a and section.total == 1


def test_completeness_lists_the_least_complete_first(data, users, org):
    scope = selectors.dashboard_scope(user=users.quality_office, plan=data.plan)
    lines = selectors.completeness(period=data.t2, unit_ids=scope.unit_ids)
    assert [(line.label, line.reported, line.total) for line in lines] == [
        ("Hjemmetjenesten Sør", 0, 5),
        ("Sykehjemmet", 0, 5),
        ("Hjemmetjenesten Nord", 5, 5),
        ("Hjemmetjenesten Nord / Nattpatruljen", 1, 1),
    ]
    assert lines[0].last_saved is None and lines[2].last_saved is not None
    assert lines[2].is_complete and lines[0].missing == 5 and lines[0].share == 0


def test_matrix_has_a_cell_per_row_and_marks_the_unreported(data, users, org):
    scope = selectors.dashboard_scope(user=users.quality_office, plan=data.plan)
    matrix = selectors.status_matrix(plan=data.plan, year=2022, scope=scope)
    labels = [column.label for column in matrix.columns]
    assert labels == [
        "Hjemmetjenesten Nord",
        "Hjemmetjenesten Nord / Nattpatruljen",
        "Hjemmetjenesten Sør",
        "Sykehjemmet",
    ]
    assert matrix.groups == [
        ("Område Hjemme", 3, org.area.pk),
        ("Område Institusjon", 1, org.other_area.pk),
    ]
    rows = {row.measure.title: row for goal in matrix.goals for row in goal.rows}
    assert [cell.status for cell in rows["Samtaler"].cells] == [
        "on_track",
        "",
        "delayed",
        "unreported",
    ]
    assert rows["Samtaler"].cells[0].period_id == data.t2.pk
    assert rows["Samtaler"].cells[2].period_id == data.t1.pk
    assert rows["Samtaler"].cells[3].status == selectors.UNREPORTED
    assert matrix.counts["unreported"] == 6


def test_matrix_of_one_goal(data, users):
    scope = selectors.dashboard_scope(user=users.quality_office, plan=data.plan)
    matrix = selectors.status_matrix(plan=data.plan, year=2022, scope=scope, goal=data.care)
    assert [goal.goal for goal in matrix.goals] == [data.care]


def test_indicator_series_of_the_whole_equals_the_dashboard(data, users):
    scope = selectors.dashboard_scope(user=users.quality_office, plan=data.plan)
    rollup = selectors.plan_rollup(plan=data.plan, year=2022, unit_ids=scope.unit_ids)
    for name in ("summed", "averaged", "yes_no", "lower"):
        indicator = getattr(data.indicators, name)
        series = selectors.indicator_series(
            indicator=indicator, unit_ids=scope.unit_ids, years=data.plan.years
        )
        (whole,) = series.series
        in_2022 = next(point for point in whole.years if point.key == 2022)
        assert in_2022.value == _measures(rollup)[indicator.measure.title].value


def test_indicator_series_per_period_and_per_area(data, users, org):
    scope = selectors.dashboard_scope(user=users.quality_office, plan=data.plan)
    series = selectors.indicator_series(
        indicator=data.indicators.summed, unit_ids=scope.unit_ids, years=[2021, 2022], by="area"
    )
    by_label = {line.label: line for line in series.series}
    home = by_label["Område Hjemme"]
    assert [point.value for point in home.years] == [None, Decimal("10.00")]
    assert [point.value for point in home.periods] == [Decimal("7.00"), Decimal("4.00")]
    # A sum's target is the whole's: an area is not held against it.
    assert not home.compared and home.years[1].target is None
    assert series.targets == {2021: None, 2022: Decimal("10.00")}


def test_indicator_series_per_unit_rolls_sections_into_their_unit(data, users, org):
    scope = selectors.dashboard_scope(user=users.area_leader, plan=data.plan)
    series = selectors.indicator_series(
        indicator=data.indicators.averaged, unit_ids=scope.unit_ids, years=[2022], by="unit"
    )
    values = {line.label: line.years[0].value for line in series.series}
    assert values == {
        "Hjemmetjenesten Nord": Decimal("70.00"),
        "Hjemmetjenesten Sør": Decimal("90.00"),
    }
    # An average is held against the target in every series.
    assert all(line.compared for line in series.series)


# --- Fixed numbers of queries ------------------------------------------------------------


def _count(function) -> int:
    with CaptureQueriesContext(connection) as queries:
        function()
    return len(queries)


def test_selectors_make_the_same_number_of_queries_at_two_sizes(data, users, org):
    user = users.quality_office

    def everything():
        scope = selectors.dashboard_scope(user=user, plan=data.plan)
        rollup = selectors.plan_rollup(plan=data.plan, year=2022, unit_ids=scope.unit_ids)
        selectors.child_rollup(scope=scope, selection=rollup.selection)
        selectors.status_matrix(plan=data.plan, year=2022, scope=scope)
        selectors.completeness(period=data.t2, unit_ids=scope.unit_ids)
        selectors.indicator_series(
            indicator=data.indicators.summed,
            unit_ids=scope.unit_ids,
            years=data.plan.years,
            by="unit",
        )

    small = [_count(everything)]
    grow(data, org, units=12, measures=15)
    user.__dict__.pop("_qualityplan_access", None)
    large = [_count(everything)]
    assert small == large


def test_the_selectors_hold_no_presentation_and_import_no_chart():
    """The selectors hand over keys and counts; signs, colours and HTML live in
    `reporting.display` and the charts, which import the selectors, never the reverse."""
    import ast
    from pathlib import Path

    package = Path(selectors.__file__).parent
    for path in package.glob("*.py"):
        tree = ast.parse(path.read_text())
        imported = {
            node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
        }
        assert not imported & {"reporting.charts", "reporting.display", "charts", "display"}, path
        text = path.read_text()
        for presentation in ("status_strip", "LIGHT_COLORS", "STATUS_SIGNS", "<span"):
            assert presentation not in text, (path, presentation)
