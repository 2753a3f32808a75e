"""Lex Sarah and lex Maria (Swedish installations): the handler sets the reporting regime
of a deviation, and its page tells the duties that follow."""

import pytest
from django.urls import reverse

from deviations.models import Deviation, DeviationEvent

from .factories import DeviationFactory


@pytest.fixture
def deviation(org, users):
    return DeviationFactory(org_unit=org.unit_a, reporter=users.employee)


@pytest.fixture(autouse=True)
def _swedish_installation(settings):
    settings.DEVIATION_LEGAL_CLASSES = True


def test_the_units_leader_marks_lex_sarah_and_sees_the_duty(client, users, deviation):
    client.force_login(users.leader_a)
    url = reverse("deviation_classify", args=[deviation.pk])
    response = client.post(url, {"classify-legal_class": "lex_sarah"})
    assert response.status_code == 302
    deviation.refresh_from_db()
    assert deviation.legal_class == Deviation.LegalClass.LEX_SARAH
    assert DeviationEvent.objects.filter(deviation=deviation, action="classify").count() == 1
    page = client.get(reverse("deviation_detail", args=[deviation.pk])).content.decode()
    assert "no later than two weeks" in page
    # The same choice sent again is one change, not two.
    client.post(url, {"classify-legal_class": "lex_sarah"})
    assert DeviationEvent.objects.filter(deviation=deviation, action="classify").count() == 1


def test_lex_maria_tells_its_own_duty(client, users, deviation):
    client.force_login(users.leader_a)
    client.post(
        reverse("deviation_classify", args=[deviation.pk]), {"classify-legal_class": "lex_maria"}
    )
    page = client.get(reverse("deviation_detail", args=[deviation.pk])).content.decode()
    assert "as soon as possible after it happened" in page


def test_an_unknown_regime_is_refused_and_nothing_changes(client, users, deviation):
    client.force_login(users.leader_a)
    response = client.post(
        reverse("deviation_classify", args=[deviation.pk]), {"classify-legal_class": "lex_x"}
    )
    assert response.status_code == 200
    deviation.refresh_from_db()
    assert deviation.legal_class == ""


def test_only_those_who_handle_it_set_the_regime(client, users, deviation):
    url = reverse("deviation_classify", args=[deviation.pk])
    client.force_login(users.employee)
    assert client.post(url, {"classify-legal_class": "lex_sarah"}).status_code in (403, 404)
    client.force_login(users.leader_b)
    assert client.post(url, {"classify-legal_class": "lex_sarah"}).status_code == 404
    assert client.get(url).status_code == 405
    deviation.refresh_from_db()
    assert deviation.legal_class == ""


def test_a_norwegian_installation_does_not_offer_it(client, users, deviation, settings):
    settings.DEVIATION_LEGAL_CLASSES = False
    client.force_login(users.leader_a)
    page = client.get(reverse("deviation_detail", args=[deviation.pk])).content.decode()
    assert reverse("deviation_classify", args=[deviation.pk]) not in page
