"""Keyboard only: the status update (a row saved with Enter, all rows saved at once, a
conflict resolved) and a deviation reported, without a mouse. Focus moves with Tab and
Shift+Tab; a choice is made with the arrow keys, Space or Enter."""

import pytest
from playwright.sync_api import expect

from deviations.models import Deviation
from measures.models import MeasureStatus
from measures.periods import period_open
from measures.statuses import measure_status_update
from qualityplan.celery import app as celery_app
from tests.deviations.factories import category
from tests.factories import GoalFactory, IndicatorFactory, MeasureFactory

MAX_TABS = 80


def tab_to(page, selector: str, *, backwards: bool = False) -> None:
    """Press Tab (or Shift+Tab) until `selector` has the focus, as a person would."""
    target = page.locator(selector)
    for _ in range(MAX_TABS):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
    raise AssertionError(f"Tab never reached {selector}")


@pytest.fixture
def rows(plan, users):
    goal = GoalFactory(plan=plan, position=1, title="Pasientsikkerhetsarbeid er systematisert")
    counted = MeasureFactory(goal=goal, position=1, title="Rapportere og følge opp avvik")
    IndicatorFactory(measure=counted, name="Antall gjennomganger", kind="count")
    plain = MeasureFactory(goal=goal, position=2, title="Etablere kvalitetsråd")
    period, _created = period_open(plan=plan, year=2022, number=1, deadline=None, user=None)
    mine = period.statuses.filter(org_unit__memberships__user=users.leader_a)
    return mine.get(measure=counted), mine.get(measure=plain)


def test_a_row_is_saved_with_enter(open_page, users, rows):
    row, _other = rows
    page = open_page(users.leader_a, "/status/")
    tab_to(page, f"#id_s{row.pk}-status")
    page.keyboard.press("ArrowDown")  # the first status after "choose"
    page.keyboard.press("Tab")
    page.keyboard.type("40")
    page.keyboard.press("Tab")
    page.keyboard.type("3")
    page.keyboard.press("Enter")

    message = page.locator(f"#status-{row.pk} [data-row-message]")
    expect(message).to_be_visible()
    expect(page.locator("#status-count")).to_contain_text("1 av 2")
    row.refresh_from_db()
    assert (row.progress, row.value_number) == (40, 3)
    assert row.reported_at is not None


def test_all_rows_are_saved_from_the_keyboard(open_page, users, rows):
    first, second = rows
    page = open_page(users.leader_a, "/status/")
    for row, progress in ((first, "20"), (second, "80")):
        tab_to(page, f"#id_s{row.pk}-status")
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Tab")
        page.keyboard.type(progress)
    save_all = page.get_by_role("button", name="Lagre alle endringer")
    tab_to(page, ".sticky-actions button[type=submit]:not([formaction])")
    expect(save_all).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.locator("#status-count")).to_contain_text("2 av 2")
    saved = dict(
        MeasureStatus.objects.filter(pk__in=[first.pk, second.pk]).values_list("pk", "progress")
    )
    assert saved == {first.pk: 20, second.pk: 80}


def test_a_conflict_is_resolved_with_the_keyboard(open_page, users, rows):
    row, _other = rows
    page = open_page(users.leader_a, "/status/")
    # Someone else saves the row while the page is open.
    measure_status_update(
        row=row, user=users.quality_office, version=row.version, status="at_risk", progress=10
    )
    tab_to(page, f"#id_s{row.pk}-status")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    page.keyboard.type("90")
    page.keyboard.press("Enter")

    alert = page.locator(f"#status-{row.pk} [role=alert]")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("Noen andre lagret denne raden")
    keep = alert.get_by_role("link")
    tab_to(page, f"#status-{row.pk} [role=alert] a")
    expect(keep).to_be_focused()
    page.keyboard.press("Enter")

    expect(alert).to_be_hidden()
    expect(page.locator(f"#id_s{row.pk}-progress")).to_have_value("10")
    row.refresh_from_db()
    assert (row.status, row.progress) == ("at_risk", 10)


@pytest.fixture
def _emails_sent_in_place():
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


def test_a_deviation_is_reported_with_the_keyboard(open_page, users, org, _emails_sent_in_place):
    for name in ("Legemiddel", "Fall", "HMS"):
        category(name)
    page = open_page(users.employee, "/deviations/new/")
    tab_to(page, "#id_category")
    page.keyboard.type("Fall")  # a closed select picks the option typed
    expect(page.locator("#id_category")).to_have_value(str(category("Fall").pk))
    tab_to(page, "#id_description")
    page.keyboard.type("Beboer falt i gangen på vei til toalettet om natten.")
    tab_to(page, "#id_consequence_0")
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")
    tab_to(page, "#id_probability_0")
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")
    expect(page.locator("[data-risk-output]")).to_contain_text("4")
    tab_to(page, "button.report__submit")
    page.keyboard.press("Enter")

    expect(page.get_by_test_id("receipt-number")).to_be_visible()
    deviation = Deviation.objects.get()
    assert deviation.category.name == "Fall"
    assert (deviation.consequence, deviation.probability) == (2, 2)
    expect(page.get_by_test_id("receipt-number")).to_have_text(deviation.reference)
