"""A person changes their own password, or gets a new one by email where there is no
single sign-on; at least 12 characters; every change in the security log."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from qualityplan.models import SecurityEvent
from qualityplan.services import user_language_set

OLD = "correct horse battery staple"
NEW = "lingonberry jam on Sundays"
Kind = SecurityEvent.Kind


# --- Change ---------------------------------------------------------------------------------


def test_the_user_menu_links_the_password_change(client, users):
    client.force_login(users.employee)
    page = client.get(reverse("home"), follow=True)
    assert f'href="{reverse("password_change")}"' in page.text


def test_a_person_changes_their_password_and_stays_logged_in(client, users):
    client.force_login(users.employee)
    form = client.get(reverse("password_change"))
    assert form.status_code == 200 and 'name="old_password"' in form.text
    response = client.post(
        reverse("password_change"),
        {"old_password": OLD, "new_password1": NEW, "new_password2": NEW},
        REMOTE_ADDR="10.0.0.7",
    )
    assert response.status_code == 302
    users.employee.refresh_from_db()
    assert users.employee.check_password(NEW)
    assert client.get(reverse("password_change")).status_code == 200  # still logged in
    event = SecurityEvent.objects.get(kind=Kind.PASSWORD_CHANGE)
    assert (event.user, event.ip_address) == (users.employee, "10.0.0.7")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("wrong", NEW, "Your old password was entered incorrectly"),
        (OLD, "short pass", "at least 12 characters"),
        (OLD, "123456789012345", "entirely numeric"),
    ],
)
def test_a_wrong_old_password_or_a_weak_new_one_is_refused(client, users, old, new, message):
    client.force_login(users.employee)
    response = client.post(
        reverse("password_change"),
        {"old_password": old, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 200
    assert message in response.text
    users.employee.refresh_from_db()
    assert users.employee.check_password(OLD)
    assert not SecurityEvent.objects.filter(kind=Kind.PASSWORD_CHANGE).exists()


def test_someone_not_logged_in_is_sent_to_the_login(client, db):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


# --- Reset by email ----------------------------------------------------------------------------


def _ask(client, email):
    return client.post(reverse("password_reset"), {"email": email})


def _link(message) -> str:
    return re.search(r"http://testserver(/account/reset/[^\s]+)", message.body).group(1)


def test_the_login_page_offers_the_reset(client, db):
    assert f'href="{reverse("password_reset")}"' in client.get(reverse("login")).text


def test_a_reset_link_is_mailed_in_the_persons_language_and_works_once(client, users, settings):
    settings.SITE_URL = "http://testserver"
    user_language_set(user=users.employee, language="sv")
    assert client.get(reverse("password_reset")).status_code == 200
    response = _ask(client, users.employee.email)
    assert response.status_code == 302 and response.url == reverse("password_reset_done")
    (message,) = mail.outbox
    assert message.to == [users.employee.email]
    assert message.subject.startswith("Nytt lösenord")
    assert "Ditt användarnamn är employee" in message.body
    link = _link(message)
    form = client.get(link, follow=True)
    assert 'name="new_password1"' in form.text
    done = client.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302 and done.url == reverse("password_reset_complete")
    users.employee.refresh_from_db()
    assert users.employee.check_password(NEW)
    again = client.get(link, follow=True)
    assert "This link has been used or is too old" in again.text
    kinds = list(SecurityEvent.objects.values_list("kind", flat=True).order_by("pk"))
    assert kinds == [Kind.PASSWORD_RESET_REQUEST, Kind.PASSWORD_RESET]


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, users):
    response = _ask(client, "nobody@example.org")
    assert response.status_code == 302 and response.url == reverse("password_reset_done")
    assert mail.outbox == []
    event = SecurityEvent.objects.get()
    assert event.detail == "no…@example.org"


def test_a_short_new_password_is_refused_on_reset(client, users, settings):
    settings.SITE_URL = "http://testserver"
    _ask(client, users.employee.email)
    form = client.get(_link(mail.outbox[0]), follow=True)
    response = client.post(form.redirect_chain[-1][0], {"new_password1": "x", "new_password2": "x"})
    assert response.status_code == 200
    assert "at least 12 characters" in response.text


def test_reset_is_off_with_single_sign_on(client, users, settings):
    settings.PASSWORD_RESET_ENABLED = False
    assert client.get(reverse("password_reset")).status_code == 404
    assert _ask(client, users.employee.email).status_code == 404
    assert mail.outbox == []
    assert reverse("password_reset") not in client.get(reverse("login")).text
