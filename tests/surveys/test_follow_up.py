"""From a result, the unit's leader follows up with a measure in the plan."""

import pytest
from django.urls import reverse

from measures.models import Measure
from surveys.models import SurveyFollowUp
from tests.factories import GoalFactory, MeasureFactory

from .helpers import add_responses, make_survey, open_survey, question


@pytest.fixture
def survey(org, plan):
    plan.status = "active"
    plan.save()
    survey = open_survey(make_survey(org))
    add_responses(survey, org.unit_a, 6, scale=2)
    add_responses(survey, org.unit_b, 6, scale=4)
    return survey


def test_unit_leader_creates_a_new_measure_from_a_result(client, survey, users, org, plan):
    goal = GoalFactory(plan=plan, position=1)
    safe = question(survey, "safe")
    client.force_login(users.leader_a)
    url = reverse("survey_follow_up", args=[survey.pk, org.unit_a.pk])
    assert client.get(url + f"?question={safe.pk}").status_code == 200
    response = client.post(
        url, {"question": safe.pk, "goal": goal.pk, "title": "Faste team på ruten"}
    )
    assert response.status_code == 302
    follow_up = SurveyFollowUp.objects.get()
    assert follow_up.measure.title == "Faste team på ruten" and follow_up.measure.goal == goal
    assert follow_up.org_unit == org.unit_a and follow_up.question == safe
    page = client.get(reverse("survey_results", args=[survey.pk]) + f"?unit={org.unit_a.pk}")
    assert "Faste team på ruten" in page.content.decode()


def test_unit_leader_links_an_existing_measure(client, survey, users, org, plan):
    measure = MeasureFactory(goal=GoalFactory(plan=plan, position=1))
    client.force_login(users.leader_a)
    url = reverse("survey_follow_up", args=[survey.pk, org.unit_a.pk])
    client.post(url, {"measure": measure.pk})
    client.post(url, {"measure": measure.pk})
    assert SurveyFollowUp.objects.get().measure == measure


def test_nothing_chosen_is_refused(client, survey, users, org):
    client.force_login(users.leader_a)
    response = client.post(
        reverse("survey_follow_up", args=[survey.pk, org.unit_a.pk]), {"title": "x"}
    )
    assert b"Choose an existing measure" in response.content
    assert not Measure.objects.exists()


def test_the_other_units_leader_may_not_follow_up(client, survey, users, org):
    client.force_login(users.leader_b)
    assert (
        client.get(reverse("survey_follow_up", args=[survey.pk, org.unit_a.pk])).status_code == 403
    )
