import pytest
from django.urls import reverse

from measures.models import MeasureStatus
from measures.periods import period_open
from qualityplan.models import QualityPlan
from staircase.models import AreaAssessment, AreaMeasure
from staircase.services import assessment_start
from tests.factories import GoalFactory, MeasureFactory, role

from .factories import make_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(stair, org, users, plan):
    QualityPlan.objects.filter(pk=plan.pk).update(status="active")
    goal = GoalFactory(plan=plan, position=1, title="Trygge tjenester")
    round_ = make_round(version=stair.version, owner=org.department, year=2024)
    assessment = assessment_start(round=round_, unit=org.unit_a, user=users.leader_a)
    AreaAssessment.objects.filter(assessment=assessment, area=stair.areas[0]).update(step_reached=2)
    period, _ = period_open(plan=plan, year=2024, number=1, deadline=None, user=None)
    return assessment, goal, period


def test_a_unit_makes_a_measure_for_an_area_below_the_step_and_it_joins_status_reporting(
    client, setting, stair, users, org
):
    assessment, goal, period = setting
    client.force_login(users.leader_a)
    url = reverse("staircase:improvement", args=[assessment.pk])
    page = client.get(url).content.decode()
    assert "Below the required step" in page
    data = {
        "form": "new",
        "area": stair.areas[0].pk,
        "goal": goal.pk,
        "title": "Felles rutine for innkomst av nye brukere",
        "role": role("VL").pk,
    }
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302  # a double submit makes one measure
    link = AreaMeasure.objects.get()
    assert link.measure.goal == goal and link.area == stair.areas[0]
    assert list(link.measure.years.values_list("year", flat=True)) == [2024]
    assert MeasureStatus.objects.filter(
        period=period, measure=link.measure, org_unit=org.unit_a
    ).exists()
    assert "Felles rutine for innkomst" in client.get(url).content.decode()


def test_linking_an_existing_measure_and_refusing_invalid_input(client, setting, stair, users, org):
    assessment, goal, _period = setting
    measure = MeasureFactory(goal=goal)
    client.force_login(users.leader_a)
    url = reverse("staircase:improvement", args=[assessment.pk])
    client.post(url, {"form": "link", "area": stair.areas[1].pk, "measure": measure.pk})
    assert AreaMeasure.objects.get().measure == measure
    bad = {
        "form": "new",
        "area": stair.areas[0].pk,
        "goal": goal.pk,
        "title": "Se 15076500565",
        "role": role("VL").pk,
    }
    response = client.post(url, bad)
    assert response.status_code == 200 and "national identity number" in response.content.decode()
    client.force_login(users.area_leader)
    assert (
        client.post(
            url, {"form": "link", "area": stair.areas[1].pk, "measure": measure.pk}
        ).status_code
        == 403
    )
    client.force_login(users.leader_b)
    assert client.get(url).status_code == 404
