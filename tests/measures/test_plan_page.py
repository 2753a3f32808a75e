from decimal import Decimal

from django.urls import reverse

from measures.models import Indicator, Measure
from tests.factories import GoalFactory, IndicatorFactory, MeasureFactory, SubGoalFactory


def _measure_data(**overrides):
    data = {
        "title": "Innføre pårørendeplan",
        "subgoal": "",
        "responsible_roles": [],
        "is_continuous": "on",
        "years": ["2021", "2022"],
        "indicator_name": "Antall planer",
        "indicator_kind": "count",
        "indicator_direction": "higher",
        "indicator_aggregation": "sum",
        "indicator_source": "manual",
        "is_active": "on",
        "target_2021": "12",
    }
    data.update(overrides)
    return data


def test_plan_page_shows_goals_subgoals_measures_and_year_marks(client, users, plan):
    goal = GoalFactory(plan=plan, title="Trygge tjenester")
    subgoal = SubGoalFactory(goal=goal, title="Avvik brukes til læring")
    IndicatorFactory(
        measure=MeasureFactory(goal=goal, subgoal=subgoal, title="Melde avvik", years=[2022]),
        name="Antall meldte avvik",
    )
    client.force_login(users.leader_a)
    text = client.get(reverse("plan_detail", args=[plan.pk])).text
    for expected in [
        "Trygge tjenester",
        "Avvik brukes til læring",
        "Melde avvik",
        "Antall meldte avvik",
        ">VL<",
        "2021",
        "2024",
    ]:
        assert expected in text


def test_plan_page_queries_do_not_grow_with_the_plan(
    client, users, plan, django_assert_max_num_queries
):
    for _ in range(3):
        goal = GoalFactory(plan=plan)
        SubGoalFactory(goal=goal)
        for _ in range(5):
            IndicatorFactory(measure=MeasureFactory(goal=goal))
    client.force_login(users.quality_office)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("plan_detail", args=[plan.pk])).status_code == 200


def test_quality_office_adds_a_measure_with_indicator_and_target(client, users, plan):
    goal = GoalFactory(plan=plan)
    client.force_login(users.quality_office)
    data = _measure_data(responsible_roles=[users.leader_a.memberships.get().role_id])
    response = client.post(reverse("measure_create", args=[goal.pk]), data)
    assert response.status_code == 302
    measure = Measure.objects.get()
    assert sorted(measure.years.values_list("year", flat=True)) == [2021, 2022]
    assert [role.code for role in measure.responsible_roles.all()] == ["VL"]
    indicator = measure.indicators.get()
    assert (indicator.kind, indicator.targets.get().value) == ("count", Decimal("12"))


def test_counted_indicator_must_be_a_count(client, users, plan):
    goal = GoalFactory(plan=plan)
    client.force_login(users.quality_office)
    data = _measure_data(indicator_kind="percentage", indicator_source="deviations_reported")
    response = client.post(reverse("measure_create", args=[goal.pk]), data)
    assert response.status_code == 200
    assert not Measure.objects.exists()


def test_continuous_measure_with_an_end_date_is_refused(client, users, plan):
    goal = GoalFactory(plan=plan)
    client.force_login(users.quality_office)
    data = _measure_data(end_date="2023-12-31")
    response = client.post(reverse("measure_create", args=[goal.pk]), data)
    assert response.status_code == 200
    assert not Measure.objects.exists()


def test_editing_a_measure_can_remove_its_indicator(client, users, plan):
    measure = MeasureFactory(goal=GoalFactory(plan=plan))
    IndicatorFactory(measure=measure)
    client.force_login(users.quality_office)
    data = _measure_data(title="Nytt navn", indicator_name="")
    response = client.post(reverse("measure_edit", args=[measure.pk]), data)
    assert response.status_code == 302
    assert not Indicator.objects.exists()
    measure.refresh_from_db()
    assert measure.title == "Nytt navn"


def test_unit_leader_cannot_edit_a_measure(client, users, plan):
    measure = MeasureFactory(goal=GoalFactory(plan=plan), title="Uendret")
    client.force_login(users.leader_a)
    response = client.post(reverse("measure_edit", args=[measure.pk]), _measure_data())
    assert response.status_code == 403
    measure.refresh_from_db()
    assert measure.title == "Uendret"


def test_stranger_gets_404_on_a_measure(client, users, plan):
    measure = MeasureFactory(goal=GoalFactory(plan=plan))
    client.force_login(users.stranger)
    assert client.get(reverse("measure_edit", args=[measure.pk])).status_code == 404


def test_measures_move_within_their_subgoal(client, users, plan):
    goal = GoalFactory(plan=plan)
    subgoal = SubGoalFactory(goal=goal)
    loose = MeasureFactory(goal=goal, position=1)
    first = MeasureFactory(goal=goal, subgoal=subgoal, position=2)
    second = MeasureFactory(goal=goal, subgoal=subgoal, position=3)
    client.force_login(users.quality_office)
    client.post(reverse("measure_move", args=[first.pk]), {"direction": "up"})
    first.refresh_from_db()
    assert first.position == 2  # nothing above it within the sub-goal
    client.post(reverse("measure_move", args=[second.pk]), {"direction": "up"})
    first.refresh_from_db()
    second.refresh_from_db()
    loose.refresh_from_db()
    assert (loose.position, second.position, first.position) == (1, 2, 3)


def test_deleting_a_measure_needs_confirmation(client, users, plan):
    measure = MeasureFactory(goal=GoalFactory(plan=plan))
    client.force_login(users.quality_office)
    assert client.get(reverse("measure_delete", args=[measure.pk])).status_code == 200
    client.post(reverse("measure_delete", args=[measure.pk]))
    assert not Measure.objects.exists()
