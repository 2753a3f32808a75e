"""Logging in through a real OpenID Connect provider, in a browser, and out again."""

import re

import pytest
from playwright.sync_api import expect

from tests.oidc_support import configure, run_provider

OFFICE = {
    "sub": "sub-kuk", "oid": "oid-kuk", "email": "quality_office@example.org",
    "given_name": "Karianne", "family_name": "Ulvestad",
}  # fmt: skip
STRANGER = {"sub": "sub-s", "oid": "oid-s", "email": "not.listed@example.org"}


@pytest.fixture
def provider(settings, tmp_path, live_server):
    settings.SITE_URL = live_server.url
    callback = f"{live_server.url}/oidc/callback/"
    users = {"karianne": OFFICE, "stranger": STRANGER}
    with run_provider(tmp_path=tmp_path, redirect_uris=[callback], users=users) as issuer:
        configure(settings, issuer)
        yield issuer


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="nb")
    yield context.new_page()
    context.close()


def _sign_in_at_provider(page, account: str) -> None:
    expect(page.get_by_role("heading", name="Test identity provider")).to_be_visible()
    page.get_by_label("Account").fill(account)
    page.get_by_role("button", name="Sign in").click()


def test_office_logs_in_through_the_provider_lands_on_its_page_and_logs_out(
    page, live_server, users, provider, screenshot_dir
):
    page.goto(f"{live_server.url}/organisation/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/organisation/"))
    page.screenshot(path=screenshot_dir / "sso-login.png", full_page=True)
    page.get_by_role("link", name="Logg inn med Testleverandør").click()
    _sign_in_at_provider(page, "karianne")
    # Back in the app, on the page asked for, as the quality office (the only role that
    # reaches the organisation pages), with the name the provider gave.
    expect(page).to_have_url(f"{live_server.url}/organisation/")
    expect(page.get_by_role("heading", name="Organisasjon", exact=True)).to_be_visible()
    expect(page.get_by_text("Karianne Ulvestad")).to_be_visible()
    page.screenshot(path=screenshot_dir / "sso-landed.png", full_page=True)
    page.get_by_role("button", name="Logg ut").click()
    # The provider's session ended too: it asks for the account again.
    expect(page).to_have_url(re.compile(r"/login/"))
    page.get_by_role("link", name="Logg inn med Testleverandør").click()
    expect(page.get_by_label("Account")).to_be_visible()


def test_someone_not_listed_gets_a_page_that_says_what_to_tell_it(
    page, live_server, users, provider, screenshot_dir
):
    page.goto(f"{live_server.url}/login/")
    page.get_by_role("link", name="Logg inn med Testleverandør").click()
    _sign_in_at_provider(page, "stranger")
    expect(page.get_by_role("heading", name="Du kunne ikke logges inn")).to_be_visible()
    expect(page.get_by_role("heading", name="Hva du sier til IT")).to_be_visible()
    page.screenshot(path=screenshot_dir / "sso-refused.png", full_page=True)
