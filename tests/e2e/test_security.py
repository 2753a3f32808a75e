"""In the browser: a login locked after ten wrong passwords, unlocked by the quality
office on the security page; a person changes their own password from the menu."""

from playwright.sync_api import expect

from tests.e2e.conftest import PASSWORD


def _try_login(page, url, username, password):
    page.goto(f"{url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")


def test_a_locked_login_is_unlocked_by_the_office(
    browser, live_server, open_page, users, screenshot_dir
):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="nb")
    page = context.new_page()
    for _ in range(10):
        _try_login(page, live_server.url, "leader_a", "feil passord")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Innlogging er satt på pause i 15 minutter")
    _try_login(page, live_server.url, "leader_a", PASSWORD)
    expect(page.get_by_role("alert")).to_contain_text("satt på pause")
    page.screenshot(path=screenshot_dir / "login-locked-phone.png", full_page=True)

    office = open_page(users.quality_office, "/security/")
    expect(office.get_by_role("heading", name="Sikkerhetslogg")).to_be_visible()
    office.screenshot(path=screenshot_dir / "security-log.png", full_page=True)
    office.get_by_role("button", name="Lås opp leader_a").click()
    expect(office.get_by_text("Innloggingen er låst opp.")).to_be_visible()
    expect(office.get_by_text("Ingen innlogging er sperret nå.")).to_be_visible()

    _try_login(page, live_server.url, "leader_a", PASSWORD)
    # On a phone the header's tools fold behind the menu button.
    page.get_by_role("button", name="Meny").click()
    expect(page.get_by_role("button", name="Logg ut")).to_be_visible()
    context.close()


def test_a_person_changes_their_password_from_the_menu(live_server, open_page, users):
    page = open_page(users.employee, "/deviations/")
    page.get_by_role("link", name="Endre passord").click()
    page.fill("#id_old_password", PASSWORD)
    page.fill("#id_new_password1", "kort")
    page.fill("#id_new_password2", "kort")
    page.get_by_role("button", name="Endre passord").click()
    expect(page.get_by_text("minst 12 tegn").first).to_be_visible()
    page.fill("#id_old_password", PASSWORD)
    page.fill("#id_new_password1", "tyttebær på søndager")
    page.fill("#id_new_password2", "tyttebær på søndager")
    page.get_by_role("button", name="Endre passord").click()
    expect(page.get_by_text("Passordet ditt er endret.")).to_be_visible()
    users.employee.refresh_from_db()
    assert users.employee.check_password("tyttebær på søndager")
