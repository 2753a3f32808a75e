"""Sessions end after 30 idle minutes and 10 hours in all; an edit in progress is not
lost to the end (the browser side is tested in tests/e2e/test_session_timeout.py)."""

import time

import pytest
from django.urls import reverse

from measures.periods import period_open
from qualityplan.sessions import LAST_SEEN, STARTED
from tests.factories import GoalFactory, MeasureFactory


def _age(client, **seconds_ago) -> None:
    session = client.session
    for key, ago in seconds_ago.items():
        session[key] = time.time() - ago
    session.save()


def _touch(client) -> None:
    assert client.get("/").status_code in (200, 302)


def test_the_defaults_are_30_minutes_idle_and_10_hours_in_all(settings):
    assert settings.SESSION_IDLE_TIMEOUT == 30 * 60
    assert settings.SESSION_MAX_LIFETIME == 10 * 60 * 60
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"


def test_a_session_idle_for_longer_than_the_timeout_ends(client, users, plan):
    client.force_login(users.leader_a)
    _touch(client)
    _age(client, **{LAST_SEEN: 31 * 60})

    response = client.get(f"/plans/{plan.pk}/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_active_session_ends_after_its_lifetime(client, users, plan):
    client.force_login(users.leader_a)
    _touch(client)
    _age(client, **{STARTED: 10 * 3600 + 60, LAST_SEEN: 10})

    response = client.get(f"/plans/{plan.pk}/")

    assert response.status_code == 302


def test_a_session_in_use_goes_on_and_its_expiry_follows_the_idle_timeout(client, users, plan):
    client.force_login(users.leader_a)
    _touch(client)
    _age(client, **{LAST_SEEN: 25 * 60})

    response = client.get(f"/plans/{plan.pk}/")

    assert response.status_code == 200
    assert time.time() - client.session[LAST_SEEN] < 5
    assert 29 * 60 <= client.session.get_expiry_age() <= 30 * 60 + 1


def test_the_timeouts_are_set_by_environment(settings, client, users, plan):
    settings.SESSION_IDLE_TIMEOUT = 60
    client.force_login(users.leader_a)
    _touch(client)
    _age(client, **{LAST_SEEN: 90})

    assert client.get(f"/plans/{plan.pk}/").status_code == 302


@pytest.fixture
def row(users, plan):
    goal = GoalFactory(plan=plan, position=1)
    measure = MeasureFactory(goal=goal, title="Rapportere avvik")
    period, _ = period_open(plan=plan, year=2022, number=1, deadline=None, user=None)
    return period.statuses.get(measure=measure, org_unit__memberships__user=users.leader_a)


def _row_post(row) -> dict:
    return {
        f"s{row.pk}-version": row.version,
        f"s{row.pk}-status": "on_track",
        f"s{row.pk}-comment": "Skrevet mens økten gikk ut.",
    }


def test_an_htmx_save_from_an_ended_session_gets_401_and_no_swap(client, users, row):
    client.force_login(users.leader_a)
    _touch(client)
    _age(client, **{LAST_SEEN: 3600})

    response = client.post(
        reverse("status_save", args=[row.pk]), _row_post(row), headers={"HX-Request": "true"}
    )

    assert response.status_code == 401
    assert response["HX-Reswap"] == "none"
    row.refresh_from_db()
    assert row.comment == ""


def test_a_plain_post_from_an_ended_session_comes_back_to_the_page_it_came_from(client, users, row):
    page = reverse("status_page", args=[row.period_id]) + f"?unit={row.org_unit_id}"
    client.force_login(users.leader_a)
    _touch(client)
    _age(client, **{LAST_SEEN: 3600})

    response = client.post(
        reverse("status_save_all", args=[row.period_id]),
        {"unit": row.org_unit_id, **_row_post(row)},
        headers={"Referer": f"http://testserver{page}"},
    )

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "save" not in response["Location"]
    assert (
        response["Location"]
        == f"/login/?next=/status/periods/{row.period_id}/%3Funit%3D{row.org_unit_id}"
    )


def test_session_alive_answers_204_or_401(client, users):
    assert client.get("/session/alive/").status_code == 401
    client.force_login(users.leader_a)
    assert client.get("/session/alive/").status_code == 204
    _age(client, **{LAST_SEEN: 3600})
    assert client.get("/session/alive/").status_code == 401


def test_a_unit_that_is_not_a_number_is_404_not_500(client, users, row):
    client.force_login(users.leader_a)

    response = client.post(
        reverse("status_save_all", args=[row.period_id]), {"unit": "abc", **_row_post(row)}
    )

    assert response.status_code == 404


def test_the_page_tells_its_script_when_the_session_may_end(client, users, plan):
    client.force_login(users.leader_a)

    page = client.get(f"/plans/{plan.pk}/").text

    assert 'data-idle-seconds="1800"' in page
    left = int(page.split('data-seconds-left="')[1].split('"')[0])
    assert 10 * 3600 - 60 <= left <= 10 * 3600
