import pytest
from django.urls import reverse

from qualityplan.models import Goal, QualityPlan, SubGoal
from tests.factories import GoalFactory, MeasureFactory, QualityPlanFactory, SubGoalFactory


def test_login_is_required_for_the_plan_list(client, plan):
    response = client.get(reverse("plan_list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_plan_list_shows_plans_of_the_users_organisation_only(client, users, plan, org):
    foreign_root = type(org.department).objects.create(name="Annen kommune", kind="department")
    QualityPlanFactory(owner=foreign_root, title="Fremmed plan")
    client.force_login(users.leader_a)
    response = client.get(reverse("plan_list"))
    assert plan.title in response.text
    assert "Fremmed plan" not in response.text


def test_stranger_gets_404_on_a_plan(client, users, plan):
    client.force_login(users.stranger)
    assert client.get(reverse("plan_detail", args=[plan.pk])).status_code == 404


def test_unit_leader_reads_the_plan_but_gets_no_edit_controls(client, users, plan):
    GoalFactory(plan=plan, title="Trygge tjenester")
    client.force_login(users.leader_a)
    response = client.get(reverse("plan_detail", args=[plan.pk]), {"edit": "1"})
    assert response.status_code == 200
    assert "Trygge tjenester" in response.text
    assert reverse("goal_create", args=[plan.pk]) not in response.text


def test_quality_office_turns_on_edit_controls(client, users, plan):
    GoalFactory(plan=plan)
    client.force_login(users.quality_office)
    url = reverse("plan_detail", args=[plan.pk])
    assert reverse("goal_create", args=[plan.pk]) not in client.get(url).text
    assert reverse("goal_create", args=[plan.pk]) in client.get(url, {"edit": "1"}).text


@pytest.mark.parametrize("username", ["leader_a", "area_leader", "director", "employee"])
def test_only_the_quality_office_may_add_goals(client, users, plan, username):
    client.force_login(getattr(users, username))
    response = client.post(reverse("goal_create", args=[plan.pk]), {"title": "Nytt mål"})
    assert response.status_code == 403
    assert not Goal.objects.exists()


def test_quality_office_adds_goals_numbered_in_order(client, users, plan):
    client.force_login(users.quality_office)
    for title in ["Første mål", "Andre mål"]:
        response = client.post(reverse("goal_create", args=[plan.pk]), {"title": title})
        assert response.status_code == 302
    assert list(plan.goals.values_list("position", "title")) == [
        (1, "Første mål"),
        (2, "Andre mål"),
    ]


def test_empty_goal_title_is_refused_and_nothing_saved(client, users, plan):
    client.force_login(users.quality_office)
    response = client.post(reverse("goal_create", args=[plan.pk]), {"title": "  "})
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.text
    assert not Goal.objects.exists()


def test_moving_a_goal_down_swaps_it_with_the_next(client, users, plan):
    first, second = GoalFactory(plan=plan, position=1), GoalFactory(plan=plan, position=2)
    client.force_login(users.quality_office)
    client.post(reverse("goal_move", args=[first.pk]), {"direction": "down"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.position, second.position) == (2, 1)


def test_moving_is_post_only(client, users, plan):
    goal = GoalFactory(plan=plan)
    client.force_login(users.quality_office)
    assert client.get(reverse("goal_move", args=[goal.pk])).status_code == 405


def test_deleting_a_goal_asks_first_then_closes_the_numbering_gap(client, users, plan):
    first, second = GoalFactory(plan=plan, position=1), GoalFactory(plan=plan, position=2)
    MeasureFactory(goal=first)
    client.force_login(users.quality_office)
    confirm = client.get(reverse("goal_delete", args=[first.pk]))
    assert confirm.status_code == 200
    assert Goal.objects.count() == 2
    client.post(reverse("goal_delete", args=[first.pk]))
    second.refresh_from_db()
    assert list(Goal.objects.all()) == [second]
    assert second.position == 1


def test_quality_office_adds_and_edits_a_subgoal(client, users, plan):
    goal = GoalFactory(plan=plan)
    client.force_login(users.quality_office)
    client.post(reverse("subgoal_create", args=[goal.pk]), {"title": "Delmål A"})
    subgoal = SubGoal.objects.get()
    client.post(reverse("subgoal_edit", args=[subgoal.pk]), {"title": "Delmål B"})
    subgoal.refresh_from_db()
    assert (subgoal.position, subgoal.title) == (1, "Delmål B")


def test_unit_leader_cannot_edit_a_subgoal(client, users, plan):
    subgoal = SubGoalFactory(goal=GoalFactory(plan=plan), title="Uendret")
    client.force_login(users.leader_a)
    response = client.post(reverse("subgoal_edit", args=[subgoal.pk]), {"title": "Endret"})
    assert response.status_code == 403
    subgoal.refresh_from_db()
    assert subgoal.title == "Uendret"


def test_plan_period_cannot_shrink_below_its_measures_years(client, users, plan, org):
    MeasureFactory(goal=GoalFactory(plan=plan), years=[2024])
    client.force_login(users.quality_office)
    data = {
        "title": plan.title,
        "owner": org.department.pk,
        "first_year": 2021,
        "last_year": 2023,
        "frequency": "tertial",
        "status": "active",
    }
    response = client.post(reverse("plan_edit", args=[plan.pk]), data)
    assert response.status_code == 200
    assert "2024" in response.text
    plan.refresh_from_db()
    assert plan.last_year == 2024


def test_quality_office_creates_a_plan_for_a_unit_it_manages(client, users, org):
    client.force_login(users.quality_office)
    data = {
        "title": "Ny plan",
        "owner": org.department.pk,
        "first_year": 2025,
        "last_year": 2028,
        "frequency": "quarterly",
        "status": "draft",
    }
    response = client.post(reverse("plan_create"), data)
    plan = QualityPlan.objects.get()
    assert response.status_code == 302
    assert (plan.title, plan.frequency) == ("Ny plan", "quarterly")


def test_plan_with_last_year_before_first_is_refused(client, users, org):
    client.force_login(users.quality_office)
    data = {
        "title": "Feil",
        "owner": org.department.pk,
        "first_year": 2028,
        "last_year": 2025,
        "frequency": "yearly",
        "status": "draft",
    }
    response = client.post(reverse("plan_create"), data)
    assert response.status_code == 200
    assert not QualityPlan.objects.exists()


def test_deleting_a_plan_needs_confirmation(client, users, plan):
    client.force_login(users.quality_office)
    assert client.get(reverse("plan_delete", args=[plan.pk])).status_code == 200
    assert QualityPlan.objects.exists()
    client.post(reverse("plan_delete", args=[plan.pk]))
    assert not QualityPlan.objects.exists()


def test_language_choice_is_remembered_for_emails(client, users):
    from qualityplan.selectors import language_for_user

    client.force_login(users.leader_a)
    response = client.post(reverse("set_language"), {"language": "sv", "next": "/plans/"})
    assert response.status_code == 302
    users.leader_a.refresh_from_db()
    assert language_for_user(user=users.leader_a) == "sv"
    assert language_for_user(user=users.leader_b) == "en"  # the tests' default language
