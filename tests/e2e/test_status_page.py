from playwright.sync_api import expect

from measures.periods import period_open
from tests.factories import GoalFactory, IndicatorFactory, MeasureFactory


def test_unit_leader_saves_a_row_inline_and_the_count_changes(
    open_page, users, plan, screenshot_dir
):
    goal = GoalFactory(plan=plan, position=1, title="Pasientsikkerhetsarbeid er systematisert")
    measure = MeasureFactory(goal=goal, title="Rapportere og følge opp avvik")
    IndicatorFactory(measure=measure, name="Antall meldte avvik", kind="count")
    MeasureFactory(goal=goal, title="Etablere kvalitetsråd")
    period, _ = period_open(plan=plan, year=2022, number=1, deadline=None, user=None)
    row = period.statuses.get(measure=measure, org_unit__memberships__user=users.leader_a)

    page = open_page(users.leader_a, "/status/")
    expect(page.locator("#status-count")).to_contain_text("0 av 2 rapportert")
    page.screenshot(path=screenshot_dir / "status-page-before.png", full_page=True)

    page.select_option(f"#id_s{row.pk}-status", "on_track")
    page.fill(f"#id_s{row.pk}-progress", "60")
    page.fill(f"#id_s{row.pk}-value", "7")
    page.fill(f"#id_s{row.pk}-comment", "Avvik gjennomgås på hvert personalmøte.")
    url_before = page.url
    page.press(f"#id_s{row.pk}-value", "Enter")
    page.wait_for_selector(f"#status-{row.pk} [data-row-message]")

    assert page.url == url_before  # no page reload
    expect(page.locator("#status-count")).to_contain_text("1 av 2 rapportert")
    row.refresh_from_db()
    assert (row.status, row.progress, row.value_number) == ("on_track", 60, 7)
    page.screenshot(path=screenshot_dir / "status-page-after-save.png", full_page=True)


def test_status_page_on_a_phone(open_page, users, plan, screenshot_dir):
    goal = GoalFactory(plan=plan, position=1, title="Tjenestene er i samsvar med brukernes behov")
    IndicatorFactory(
        measure=MeasureFactory(goal=goal, title="Implementere pårørendeplan"),
        name="Andel brukere med plan",
        kind="percentage",
    )
    period_open(plan=plan, year=2022, number=1, deadline=None, user=None)
    page = open_page(users.leader_a, "/status/", phone=True)
    expect(page.get_by_text("Implementere pårørendeplan", exact=True)).to_be_visible()
    page.screenshot(path=screenshot_dir / "status-page-phone.png", full_page=True)
