"""Answering without an account: nothing kept about the respondent, and no flooding."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from surveys.models import Answer, SurveyCode, SurveyResponse
from surveys.services import code_hash

from .helpers import link_of, make_survey, old_stamp, open_survey, question


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def survey(org):
    return open_survey(make_survey(org))


def _url(link, lang="nb"):
    return reverse("survey_answer", args=[link.token]) + f"?lang={lang}"


def _post(client, link, data, lang="nb", **extra):
    payload = {"stamp": old_stamp(link), "website": "", **data}
    return client.post(_url(link, lang), payload, **extra)


def test_language_is_chosen_first_and_the_form_sets_no_cookie(client, survey, org):
    link = link_of(survey, org.unit_a)
    response = client.get(reverse("survey_answer", args=[link.token]))
    assert response.status_code == 200
    assert b"Svenska" in response.content and b"English" in response.content
    response = client.get(_url(link, "sv"))
    assert response.status_code == 200
    assert "Jag känner mig trygg".encode() in response.content
    assert not response.cookies
    assert "no-store" in response["Cache-Control"]
    assert b'autocomplete="off"' in response.content
    assert b"csrfmiddlewaretoken" not in response.content


def test_an_answer_is_saved_with_the_unit_and_the_day_only(client, survey, org):
    link = link_of(survey, org.unit_a)
    respect, helped = question(survey, "respect"), question(survey, "help_with")
    options = list(helped.options.values_list("pk", flat=True))
    response = _post(
        client,
        link,
        {f"q{respect.pk}": "5", f"q{helped.pk}": [options[0], options[2]]},
        REMOTE_ADDR="10.1.2.3",
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("survey_thanks", args=[link.token]))
    saved = SurveyResponse.objects.get()
    assert saved.org_unit == org.unit_a and saved.language == "nb"
    fields = {f.name for f in SurveyResponse._meta.get_fields()}
    assert not fields & {"user", "ip", "address", "created_at", "code"}
    assert sorted(Answer.objects.values_list("number", flat=True).exclude(number=None)) == [5]
    assert Answer.objects.filter(question=helped).count() == 2
    assert not response.cookies
    thanks = client.get(response["Location"])
    assert b"Neste respondent" in thanks.content
    assert "no-store" in thanks["Cache-Control"]


def test_an_identity_number_in_free_text_is_refused(client, survey, org):
    link = link_of(survey, org.unit_a)
    text = question(survey, "improve_text")
    response = _post(client, link, {f"q{text.pk}": "Gjelder 01010012356, takk"}, lang="en")
    assert response.status_code == 400
    assert b"national identity number" in response.content
    assert not SurveyResponse.objects.exists()


def test_the_honeypot_thanks_a_bot_and_saves_nothing(client, survey, org):
    link = link_of(survey, org.unit_a)
    respect = question(survey, "respect")
    response = _post(client, link, {f"q{respect.pk}": "4", "website": "http://spam"})
    assert response.status_code == 302
    assert not SurveyResponse.objects.exists()


def test_a_double_submit_saves_one_answer(client, survey, org):
    link = link_of(survey, org.unit_a)
    respect = question(survey, "respect")
    data = {"stamp": old_stamp(link), "website": "", f"q{respect.pk}": "4"}
    first = client.post(_url(link), data)
    second = client.post(_url(link), data)
    assert first.status_code == second.status_code == 302
    assert SurveyResponse.objects.count() == 1


def test_a_form_sent_within_a_second_is_not_saved(client, survey, org):
    link = link_of(survey, org.unit_a)
    page = client.get(_url(link))
    stamp = page.context["form"]["stamp"].value()
    respect = question(survey, "respect")
    client.post(_url(link), {"stamp": stamp, f"q{respect.pk}": "4"})
    assert not SurveyResponse.objects.exists()


def test_a_forged_stamp_shows_the_form_again(client, survey, org):
    link = link_of(survey, org.unit_a)
    respect = question(survey, "respect")
    response = client.post(_url(link, "en"), {"stamp": "forged", f"q{respect.pk}": "4"})
    assert response.status_code == 400
    assert b"open for a long time" in response.content
    assert not SurveyResponse.objects.exists()


def test_an_empty_form_is_refused(client, survey, org):
    response = _post(client, link_of(survey, org.unit_a), {}, lang="en")
    assert response.status_code == 400
    assert b"Answer at least one question" in response.content


def test_a_closed_survey_stops_its_links(client, survey, org):
    from surveys.services import survey_close

    survey_close(survey=survey, user=None)
    link = link_of(survey, org.unit_a)
    assert client.get(_url(link)).status_code == 410
    respect = question(survey, "respect")
    assert _post(client, link, {f"q{respect.pk}": "4"}).status_code == 410
    assert not SurveyResponse.objects.exists()


def test_a_draft_survey_link_is_not_found(client, org):
    survey = make_survey(org)
    assert client.get(_url(link_of(survey, org.unit_a))).status_code == 404


def test_an_unknown_token_is_not_found(client, survey):
    assert client.get(reverse("survey_answer", args=["nope"])).status_code == 404


def test_the_daily_cap_stops_the_link(client, org):
    survey = open_survey(make_survey(org, daily_cap=2))
    link = link_of(survey, org.unit_a)
    respect = question(survey, "respect")
    for _n in range(3):
        response = _post(client, link, {f"q{respect.pk}": "4"}, lang="en")
    assert response.status_code == 429
    assert b"as many answers as it may today" in response.content
    assert SurveyResponse.objects.count() == 2


def test_rate_limit_per_address_without_keeping_the_address(client, survey, org, settings):
    settings.SURVEY_RATE_PER_ADDRESS = 2
    link = link_of(survey, org.unit_a)
    respect = question(survey, "respect")
    codes = [
        _post(client, link, {f"q{respect.pk}": "4"}, REMOTE_ADDR="10.9.9.9").status_code
        for _n in range(3)
    ]
    assert codes == [302, 302, 429]
    # Another address still gets through.
    assert _post(client, link, {f"q{respect.pk}": "4"}, REMOTE_ADDR="10.9.9.8").status_code == 302
    assert SurveyResponse.objects.count() == 3
    store = cache._cache
    if isinstance(store, dict):  # the local-memory cache
        keys = list(store)
    else:  # Redis
        keys = [key.decode() for key in store.get_client().keys("*")]
    assert keys and not any("10.9.9" in key for key in keys)


def test_one_time_code_is_used_once_and_not_kept_with_the_answer(client, org, mailoutbox):
    from django.test import TestCase

    from surveys import services

    survey = open_survey(make_survey(org, audience="staff", uses_codes=True))
    link = link_of(survey, org.unit_a)
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.codes_send(
            survey=survey,
            link=link,
            emails=["a@example.org", "b@example.org"],
            user=None,
            link_url="http://testserver/s/x/",
        )
    assert len(mailoutbox) == 2
    code = mailoutbox[0].body.split("enter this code: ")[1].split()[0]
    assert SurveyCode.objects.filter(code_hash=code_hash(code)).exists()
    assert not SurveyCode.objects.filter(code_hash__icontains=code).exists()
    respect = question(survey, "respect")
    assert _post(client, link, {f"q{respect.pk}": "4", "code": code}, lang="en").status_code == 302
    again = _post(client, link, {f"q{respect.pk}": "4", "code": code}, lang="en")
    assert again.status_code == 400 and b"has been used already" in again.content
    # A code of the right form that was never given out.
    wrong = _post(client, link, {f"q{respect.pk}": "4", "code": "ABCDE-23456"}, lang="en")
    assert wrong.status_code == 400
    assert SurveyResponse.objects.count() == 1
    assert SurveyCode.objects.filter(used=True).count() == 1
