"""Login throttling: a username at one address is locked after 10 failures for 15
minutes; the right password is refused meanwhile; everyone else logs in as usual;
the office can unlock; the message never tells whether the user exists."""

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import translation

from qualityplan.models import SecurityEvent

PASSWORD = "correct horse battery staple"
Kind = SecurityEvent.Kind


def login(client, username, password=PASSWORD, address="10.0.0.5"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def fail(client, username, times=10, address="10.0.0.5"):
    return [login(client, username, "wrong", address).status_code for _ in range(times)]


def _alert(page: str) -> str:
    return re.search(r'<div class="ds-alert"[^>]*>(.*?)</div>', page, re.S).group(1)


def _travel(minutes: int) -> None:
    """Move the lock's start back in time, as if `minutes` had passed."""
    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time -= timedelta(minutes=minutes)
        attempt.save(update_fields=["attempt_time"])


def test_ten_failures_lock_and_the_right_password_is_refused(client, users):
    assert fail(client, "leader_a", 9) == [200] * 9
    assert fail(client, "leader_a", 1) == [429]
    response = login(client, "leader_a")
    assert response.status_code == 429
    assert not logged_in(client)
    assert "Logging in is paused for 15 minutes" in response.text
    assert 'name="username"' in response.text  # the form is still there


def test_the_lock_ends_after_fifteen_minutes(client, users):
    fail(client, "leader_a")
    assert login(client, "leader_a").status_code == 429
    _travel(minutes=14)
    assert login(client, "leader_a").status_code == 429
    _travel(minutes=2)
    assert login(client, "leader_a").status_code == 302
    assert logged_in(client)


def test_other_users_and_other_addresses_are_not_affected(client, users):
    fail(client, "leader_a")
    assert login(client, "leader_b").status_code == 302
    client.logout()
    assert login(client, "leader_a", address="10.9.9.9").status_code == 302


def test_the_message_is_the_same_for_a_user_who_does_not_exist(client, users):
    fail(client, "leader_a")
    fail(client, "nobody-by-this-name")
    known = login(client, "leader_a", "wrong")
    unknown = login(client, "nobody-by-this-name", "wrong")
    assert known.status_code == unknown.status_code == 429
    assert _alert(known.text) == _alert(unknown.text)
    assert "Logging in is paused" in _alert(known.text)


@pytest.mark.parametrize(
    ("language", "words"),
    [("nb", "Innlogging er satt på pause"), ("sv", "Inloggningen är pausad"), ("en", "paused")],
)
def test_the_message_reads_in_each_language(client, users, language, words):
    fail(client, "leader_a")
    with translation.override(language):
        response = client.post(
            reverse("login"),
            {"username": "leader_a", "password": PASSWORD},
            REMOTE_ADDR="10.0.0.5",
            HTTP_ACCEPT_LANGUAGE=language,
        )
    assert words in response.text


def test_the_lockout_is_in_the_security_log(client, users):
    fail(client, "leader_a")
    login(client, "leader_a")
    lock = SecurityEvent.objects.get(kind=Kind.LOCKOUT)
    assert (lock.username, lock.ip_address) == ("leader_a", "10.0.0.5")
    failures = SecurityEvent.objects.filter(kind=Kind.LOGIN_FAILED)
    assert failures.count() == 11
    assert failures.filter(detail="locked").count() == 1


def test_the_office_sees_and_lifts_a_lock(client, users):
    fail(client, "leader_a")
    office = client.__class__()
    office.force_login(users.quality_office)
    page = office.get(reverse("security_log"))
    (lock,) = page.context["lockouts"]
    assert "Unlock leader_a" in page.text
    unlock = reverse("security_unlock", args=[lock["id"]])
    assert office.get(unlock).status_code == 405
    response = office.post(unlock)
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    assert SecurityEvent.objects.filter(kind=Kind.UNLOCK, user=users.quality_office).exists()
    assert login(client, "leader_a").status_code == 302
    again = office.post(unlock, follow=True)
    assert "That login was no longer locked." in again.text


def test_only_the_office_may_unlock(client, users):
    fail(client, "leader_a")
    lock = AccessAttempt.objects.get()
    other = client.__class__()
    other.force_login(users.leader_b)
    assert other.post(reverse("security_unlock", args=[lock.pk])).status_code == 404
    assert AccessAttempt.objects.exists()


def test_the_defaults_are_ten_failures_and_fifteen_minutes(settings):
    assert settings.AXES_FAILURE_LIMIT == 10
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 15 * 60
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_an_identity_number_typed_as_username_is_stored_masked(client, db):
    fail(client, "14038512324")
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["*" * 11]
    assert "14038512324" not in AccessAttempt.objects.get().post_data
    assert not SecurityEvent.objects.filter(username__contains="1403").exists()


def test_a_lock_spread_over_several_browsers_is_listed_and_lifted_whole(client, users):
    for agent in ("Firefox", "Chrome"):
        for _ in range(5):
            client.post(
                reverse("login"),
                {"username": "leader_a", "password": "wrong"},
                REMOTE_ADDR="10.0.0.5",
                HTTP_USER_AGENT=agent,
            )
    assert AccessAttempt.objects.count() == 2
    assert login(client, "leader_a").status_code == 429
    office = client.__class__()
    office.force_login(users.quality_office)
    (lock,) = office.get(reverse("security_log")).context["lockouts"]
    assert (lock["username"], lock["failures"]) == ("leader_a", 10)
    office.post(reverse("security_unlock", args=[lock["id"]]))
    assert not AccessAttempt.objects.exists()
    assert login(client, "leader_a").status_code == 302
