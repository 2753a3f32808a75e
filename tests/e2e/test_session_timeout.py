"""A session that ends while a unit leader types loses nothing: the save is held, a login
in a new tab is offered, and "Try again" saves what was typed."""

import time

from django.contrib.sessions.backends.db import SessionStore
from playwright.sync_api import expect

from measures.periods import period_open
from qualityplan.sessions import LAST_SEEN
from tests.e2e.conftest import PASSWORD
from tests.factories import GoalFactory, IndicatorFactory, MeasureFactory


def _with_a_clock(page) -> None:
    """The page's clock under the test's control (the page is loaded again with it)."""
    page.clock.install()
    page.reload()


def _idle_for_an_hour(page) -> None:
    """An hour passes: in the page's clock and on the server."""
    page.clock.fast_forward("01:00:00")
    key = next(c["value"] for c in page.context.cookies() if c["name"] == "sessionid")
    session = SessionStore(session_key=key)
    session[LAST_SEEN] = time.time() - 3600
    session.save()


def _log_in_again_in_a_new_tab(page, user) -> None:
    dialog = page.locator("#session-ended")
    expect(dialog).to_be_visible()
    with page.context.expect_page() as new_tab:
        dialog.get_by_role("link", name="Logg inn i en ny fane").click()
    login = new_tab.value
    login.fill("#id_username", user.username)
    login.fill("#id_password", PASSWORD)
    login.click("button[type=submit]")
    expect(login.locator("#id_username")).to_have_count(0)
    login.close()
    dialog.get_by_role("button", name="Prøv igjen").click()


def _status_rows(plan, users):
    goal = GoalFactory(plan=plan, position=1, title="Pasientsikkerhetsarbeid er systematisert")
    measure = MeasureFactory(goal=goal, title="Rapportere og følge opp avvik")
    IndicatorFactory(measure=measure, name="Antall meldte avvik", kind="count")
    period, _ = period_open(plan=plan, year=2022, number=1, deadline=None, user=None)
    row = period.statuses.get(measure=measure, org_unit__memberships__user=users.leader_a)
    return period, row


def test_a_row_typed_while_the_session_ended_is_saved_after_a_new_login(
    open_page, users, plan, screenshot_dir
):
    _period, row = _status_rows(plan, users)
    page = open_page(users.leader_a, "/status/")
    _with_a_clock(page)
    page.select_option(f"#id_s{row.pk}-status", "on_track")
    page.fill(f"#id_s{row.pk}-value", "7")
    page.fill(f"#id_s{row.pk}-comment", "Skrevet mens økten gikk ut.")

    _idle_for_an_hour(page)
    page.press(f"#id_s{row.pk}-value", "Enter")

    expect(page.locator("#session-ended")).to_be_visible()
    page.screenshot(path=screenshot_dir / "session-ended-dialog.png")
    expect(page.locator(f"#id_s{row.pk}-comment")).to_have_value("Skrevet mens økten gikk ut.")
    row.refresh_from_db()
    assert row.comment == ""

    _log_in_again_in_a_new_tab(page, users.leader_a)

    expect(page.locator(f"#status-{row.pk} [data-row-message]")).to_be_visible()
    row.refresh_from_db()
    assert (row.status, row.value_number, row.comment) == (
        "on_track",
        7,
        "Skrevet mens økten gikk ut.",
    )


def test_the_whole_form_saved_after_the_session_ended_keeps_its_values(open_page, users, plan):
    _period, row = _status_rows(plan, users)
    page = open_page(users.leader_a, "/status/")
    _with_a_clock(page)
    page.fill(f"#id_s{row.pk}-comment", "Lagret med hele skjemaet.")

    _idle_for_an_hour(page)
    page.locator("#status-form .sticky-actions button[type=submit]").first.click()

    expect(page.locator("#session-ended")).to_be_visible()
    expect(page.locator(f"#id_s{row.pk}-comment")).to_have_value("Lagret med hele skjemaet.")
    _log_in_again_in_a_new_tab(page, users.leader_a)

    expect(page.locator(".messages")).to_contain_text("1 rad er lagret")
    row.refresh_from_db()
    assert row.comment == "Lagret med hele skjemaet."


def test_an_uploaded_sheet_waits_for_the_new_login(open_page, users, plan, tmp_path):
    period, _row = _status_rows(plan, users)
    unit = users.leader_a.memberships.first().org_unit
    page = open_page(users.leader_a, f"/status/periods/{period.pk}/upload/?unit={unit.pk}")
    _with_a_clock(page)
    base = page.url.split("/status/")[0]
    sheet = page.request.get(f"{base}/status/periods/{period.pk}/template.xlsx?unit={unit.pk}")
    assert sheet.ok
    path = tmp_path / "status.xlsx"
    path.write_bytes(sheet.body())
    page.set_input_files("input[type=file]", str(path))

    _idle_for_an_hour(page)
    page.get_by_role("button", name="Les filen").click()

    expect(page.locator("#session-ended")).to_be_visible()
    assert page.eval_on_selector("input[type=file]", "input => input.files.length") == 1
    _log_in_again_in_a_new_tab(page, users.leader_a)

    expect(page.get_by_role("heading", name="Kontroller opplastingen")).to_be_visible()
