"""The office's survey builder, and who may use it."""

import pytest
from django.urls import reverse

from surveys.models import Question, Section, Survey, SurveyLink

from .helpers import make_survey, open_survey


@pytest.fixture
def survey(org, users):
    return make_survey(org, user=users.quality_office)


def test_office_creates_a_survey_with_its_units(client, org, users):
    client.force_login(users.quality_office)
    assert client.get(reverse("survey_create")).status_code == 200
    response = client.post(
        reverse("survey_create"),
        {
            "owner": org.department.pk,
            "title_nb": "Pårørendeundersøkelse",
            "title_en": "Next of kin survey",
            "audience": "next_of_kin",
            "starts_on": "2024-10-01",
            "ends_on": "2024-10-31",
            "min_group_size": "5",
            "daily_cap": "300",
            "units": [org.unit_a.pk, org.unit_c.pk],
        },
    )
    survey = Survey.objects.get()
    assert response.status_code == 302
    assert survey.languages == ["nb", "en"]
    assert set(survey.links.values_list("org_unit", flat=True)) == {org.unit_a.pk, org.unit_c.pk}
    assert len({link.token for link in SurveyLink.objects.all()}) == 2


def test_threshold_below_three_is_refused(client, org, users):
    client.force_login(users.quality_office)
    response = client.post(
        reverse("survey_create"),
        {
            "owner": org.department.pk,
            "title_nb": "X",
            "audience": "staff",
            "starts_on": "2024-10-01",
            "ends_on": "2024-10-31",
            "min_group_size": "2",
            "daily_cap": "10",
            "units": [org.unit_a.pk],
        },
    )
    assert response.status_code == 200
    assert b"greater than or equal to 3" in response.content
    assert not Survey.objects.exists()


def test_a_unit_below_another_chosen_unit_is_refused(client, org, users):
    client.force_login(users.quality_office)
    response = client.post(
        reverse("survey_create"),
        {
            "owner": org.department.pk,
            "title_nb": "X",
            "audience": "staff",
            "starts_on": "2024-10-01",
            "ends_on": "2024-10-31",
            "min_group_size": "5",
            "daily_cap": "10",
            "units": [org.unit_a.pk, org.section_a.pk],
        },
    )
    assert b"lies under" in response.content
    assert not Survey.objects.exists()


def test_office_adds_sections_questions_and_bank_questions(client, survey, users):
    client.force_login(users.quality_office)
    client.post(reverse("section_create", args=[survey.pk]), {"title_nb": "Trivsel"})
    section = Section.objects.get(survey=survey, title_nb="Trivsel")
    response = client.post(
        reverse("question_create", args=[survey.pk]),
        {
            "section": section.pk,
            "kind": "single",
            "text_nb": "Hvem svarer?",
            "text_en": "Who answers?",
            "options_text": "Brukeren | Brukaren | The user\nPårørende | Anhörig | Next of kin",
        },
    )
    assert response.status_code == 302
    question = Question.objects.get(text_nb="Hvem svarer?")
    assert [o.text_en for o in question.options.all()] == ["The user", "Next of kin"]
    client.post(
        reverse("survey_bank_add", args=[survey.pk]),
        {"section": section.pk, "keys": ["time", "say"]},
    )
    assert list(section.questions.values_list("bank_key", flat=True)) == ["", "time", "say"]
    page = client.get(reverse("survey_detail", args=[survey.pk]))
    assert b"Who answers?" in page.content or b"Hvem svarer?" in page.content


def test_a_choice_question_needs_two_choices(client, survey, users):
    client.force_login(users.quality_office)
    section = survey.sections.first()
    response = client.post(
        reverse("question_create", args=[survey.pk]),
        {"section": section.pk, "kind": "multiple", "text_nb": "Hva?", "options_text": "Bare en"},
    )
    assert b"at least two choices" in response.content


def test_an_identity_number_in_a_question_is_refused(client, survey, users):
    client.force_login(users.quality_office)
    section = survey.sections.first()
    response = client.post(
        reverse("question_create", args=[survey.pk]),
        {"section": section.pk, "kind": "text", "text_nb": "Gjelder 01010012356?"},
    )
    assert b"national identity number" in response.content


def test_questions_are_fixed_once_the_survey_is_open(client, survey, users):
    open_survey(survey)
    client.force_login(users.quality_office)
    question = survey.questions.first()
    response = client.post(reverse("question_delete", args=[survey.pk, question.pk]), follow=True)
    assert b"cannot be changed" in response.content
    assert Question.objects.filter(pk=question.pk).exists()


def test_copy_for_next_year_keeps_questions_and_compares_with_this_one(client, survey, users):
    client.force_login(users.quality_office)
    response = client.post(reverse("survey_copy", args=[survey.pk]))
    copy = Survey.objects.exclude(pk=survey.pk).get()
    assert response.status_code == 302
    assert copy.previous == survey and copy.status == "draft"
    assert copy.starts_on.year == 2025
    assert copy.questions.count() == survey.questions.count()
    assert all(q.copied_from.survey_id == survey.pk for q in copy.questions.all())
    assert copy.links.count() == survey.links.count()
    assert copy.questions.get(bank_key="help_with").options.count() == 4


def test_open_and_close(client, survey, users):
    client.force_login(users.quality_office)
    client.post(reverse("survey_open", args=[survey.pk]))
    survey.refresh_from_db()
    assert survey.is_open
    client.post(reverse("survey_close", args=[survey.pk]))
    survey.refresh_from_db()
    assert survey.status == "closed"


def test_actions_are_post_only(client, survey, users):
    client.force_login(users.quality_office)
    for name in (
        "survey_open",
        "survey_close",
        "survey_copy",
        "survey_delete",
        "survey_bank_add",
        "section_create",
    ):
        assert client.get(reverse(name, args=[survey.pk])).status_code == 405


def test_unit_leader_reads_but_may_not_build(client, survey, users):
    client.force_login(users.leader_a)
    assert client.get(reverse("survey_detail", args=[survey.pk])).status_code == 200
    assert client.get(reverse("survey_edit", args=[survey.pk])).status_code == 403
    assert client.post(reverse("survey_open", args=[survey.pk])).status_code == 403
    assert client.get(reverse("survey_links", args=[survey.pk])).status_code == 403
    assert client.get(reverse("survey_create")).status_code == 403


def test_someone_outside_the_survey_gets_not_found(client, org, users):
    survey = make_survey(org, units=[org.unit_c])
    client.force_login(users.leader_b)
    assert client.get(reverse("survey_detail", args=[survey.pk])).status_code == 404
    assert client.get(reverse("survey_results", args=[survey.pk])).status_code == 404
    client.force_login(users.stranger)
    assert client.get(reverse("survey_list")).status_code == 403


def test_links_page_and_a_poster_pdf_with_the_link(client, survey, users, org):
    client.force_login(users.quality_office)
    page = client.get(reverse("survey_links", args=[survey.pk]))
    link = survey.links.get(org_unit=org.unit_a)
    assert link.token.encode() in page.content
    poster = client.get(reverse("survey_poster", args=[survey.pk, link.pk]))
    assert poster.status_code == 200
    assert poster["Content-Type"] == "application/pdf"
    assert poster.content.startswith(b"%PDF")


def test_the_list_shows_the_surveys(client, survey, users):
    client.force_login(users.quality_office)
    response = client.get(reverse("survey_list"))
    assert response.status_code == 200
    assert survey.title.encode() in response.content
