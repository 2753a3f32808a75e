"""Single sign-on against the test provider, a real OpenID Connect server in its own process."""

import logging
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.contrib.auth.models import User

from qualityplan.models import ExternalIdentity, Membership
from tests.factories import UserFactory, role
from tests.oidc_support import configure, run_provider

CALLBACK = "http://testserver/oidc/callback/"
USERS = {
    "leader": {"sub": "sub-leader", "oid": "oid-leader", "email": "leader_a@example.org",
               "given_name": "Vigdis", "family_name": "Nordli"},
    "renamed": {"sub": "sub-leader-2", "oid": "oid-leader", "email": "vigdis.new@example.org",
                "given_name": "Vigdis", "family_name": "Berg"},
    "unknown": {"sub": "sub-x", "oid": "oid-x", "email": "nobody@example.org"},
    "noemail": {"sub": "sub-n", "oid": "oid-n", "_drop": ["email"]},
    "wrongaud": {"sub": "sub-w", "oid": "oid-w", "email": "leader_a@example.org",
                 "_aud": "another-app"},
    "grouped": {"sub": "sub-g", "oid": "oid-g", "email": "new.kuk@example.org",
                "name": "Kari Kontor", "groups": ["grp-kuk"]},
}  # fmt: skip


@pytest.fixture
def provider(settings, tmp_path):
    settings.SITE_URL = "http://testserver"
    with run_provider(tmp_path=tmp_path, redirect_uris=[CALLBACK], users=USERS) as issuer:
        configure(settings, issuer)
        yield issuer


def _login(client, account: str, next_url: str = "/plans/"):
    """Through the provider's form and back, as a browser would go."""
    start = client.get(f"/oidc/login/?next={next_url}")
    assert start.status_code == 302, start.content
    authorize = start["Location"]
    query = {k: v[0] for k, v in parse_qs(urlsplit(authorize).query).items()}
    answer = requests.post(
        authorize.split("?")[0], data={"username": account, **query}, allow_redirects=False,
        timeout=10,
    )  # fmt: skip
    assert answer.status_code == 302, answer.text
    back = answer.headers["Location"]
    assert back.startswith(CALLBACK)
    return client.get(back.removeprefix("http://testserver"))


def test_listed_leader_logs_in_lands_on_the_page_asked_for_with_names_refreshed(
    client, users, provider
):
    response = _login(client, "leader", next_url="/status/")
    assert response.status_code == 302 and response["Location"] == "/status/"
    user = User.objects.get(pk=users.leader_a.pk)
    assert (user.first_name, user.last_name) == ("Vigdis", "Nordli")
    assert ExternalIdentity.objects.get(user=user).subject == "oid-leader"
    assert client.get("/status/").wsgi_request.user == user


def test_later_logins_match_on_the_stable_claim_and_refresh_the_email(client, users, provider):
    _login(client, "leader")
    client.logout()
    _login(client, "renamed")
    user = User.objects.get(pk=users.leader_a.pk)
    assert (user.email, user.last_name) == ("vigdis.new@example.org", "Berg")


def test_person_not_in_the_list_is_refused_with_a_page_and_logged(client, db, provider, caplog):
    with caplog.at_level(logging.INFO, logger="kvalitetsplan.security"):
        response = _login(client, "unknown")
    assert response.status_code == 403
    page = response.content.decode()
    assert "not in the municipality" in page and "What to tell IT" in page
    assert not User.objects.filter(email="nobody@example.org").exists()
    assert any("sso.refused" in r.getMessage() and "not_listed" in r.getMessage()
               for r in caplog.records)  # fmt: skip


def test_missing_claim_is_refused(client, users, provider):
    response = _login(client, "noemail")
    assert response.status_code == 403
    assert "claim was missing" in response.content.decode()


def test_token_for_another_audience_is_refused(client, users, provider, caplog):
    with caplog.at_level(logging.INFO, logger="kvalitetsplan.security"):
        response = _login(client, "wrongaud")
    assert response.status_code == 403
    assert "could not be verified" in response.content.decode()
    assert not ExternalIdentity.objects.exists()
    assert any("bad_token" in r.getMessage() for r in caplog.records)


def test_token_signed_with_another_key_is_refused(client, users, provider, monkeypatch):
    from joserfc.jwk import RSAKey

    from qualityplan import sso

    client_app = sso.oidc_client()
    metadata = sso.pinned_metadata(client_app)
    other = RSAKey.generate_key(2048, parameters={"kid": "evil"})
    # The provider's keys as the app knows them are swapped for a stranger's.
    metadata["jwks"] = {"keys": [other.as_dict(private=False)]}
    monkeypatch.setattr(client_app, "fetch_jwk_set", lambda force=False: metadata["jwks"])
    response = _login(client, "leader")
    assert response.status_code == 403
    assert "could not be verified" in response.content.decode()


def test_group_claim_gives_the_mapped_role(client, users, org, provider, settings):
    org.office.external_code = "KUK1"
    org.office.save()
    settings.OIDC_GROUP_ROLES = ["grp-kuk=KUK@KUK1"]
    response = _login(client, "grouped")
    assert response.status_code == 302
    person = User.objects.get(email="new.kuk@example.org")
    assert Membership.objects.current().filter(user=person, role=role("KUK")).exists()


def test_with_sso_on_only_superusers_use_passwords(client, users, provider):
    assert not client.login(username="leader_a", password="correct horse battery staple")
    admin = UserFactory(username="root", is_superuser=True)
    assert client.login(username=admin.username, password="correct horse battery staple")
    page = client.get("/login/")
    assert page.status_code in (200, 302)


def test_login_page_offers_the_provider(client, db, provider):
    page = client.get("/login/?next=/status/").content.decode()
    assert "Log in with Testleverandør" in page
    assert "/oidc/login/?next=/status/" in page


def test_logout_ends_the_provider_session(client, users, provider):
    _login(client, "leader")
    response = client.post("/logout/")
    assert response.status_code == 302
    assert response["Location"].startswith(f"{provider}/logout?")
    assert "id_token_hint=" in response["Location"]
    assert client.get("/plans/").status_code == 302  # logged out here


def test_callback_without_a_started_login_is_refused(client, db, provider):
    response = client.get("/oidc/callback/?code=abc&state=forged")
    assert response.status_code == 403


def test_sso_pages_are_absent_when_sso_is_off(client, db):
    assert client.get("/oidc/login/").status_code == 404


def test_person_whose_roles_have_ended_is_refused(client, users, provider):
    from datetime import timedelta

    from django.utils import timezone

    Membership.objects.filter(user=users.leader_a).update(
        valid_until=timezone.localdate() - timedelta(days=1)
    )
    response = _login(client, "leader")
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_role_from_a_group_ends_when_the_person_leaves_the_group(client, users, org, provider,
                                                                  settings):  # fmt: skip
    from qualityplan import sso

    org.office.external_code = "KUK1"
    org.office.save()
    settings.OIDC_GROUP_ROLES = ["grp-kuk=KUK@KUK1"]
    _login(client, "grouped")
    person = User.objects.get(email="new.kuk@example.org")
    claims = {"sub": "sub-g", "oid": "oid-g", "email": person.email, "groups": []}
    issuer = sso.pinned_metadata(sso.oidc_client())["issuer"]
    with pytest.raises(sso.SsoRefused):  # no role left: refused, and the group's role ended
        sso.sso_user_for_claims(claims=claims, issuer=issuer)
    ended = Membership.objects.get(user=person, role=role("KUK"))
    assert (
        ended.valid_until is not None
        and not Membership.objects.current().filter(user=person).exists()
    )
