"""On a phone: the employee's own reports as cards, and the header folded behind a menu
button (a disclosure with aria-expanded) instead of filling the screen."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.deviations.factories import DeviationFactory, category

LONG = (
    "Beboer falt på badet under morgenstellet og ble liggende til nattevakten kom.\n"
    "Fikk hjelp opp av to ansatte, sykepleier sjekket for skader."
)


@pytest.fixture
def my_reports(db, org, users):
    fall = category("Fall")
    return [
        DeviationFactory(
            org_unit=org.unit_a,
            reporter=users.employee,
            category=fall,
            description=LONG,
            occurred_at=timezone.now() - timedelta(days=n + 1),
        )
        for n in range(3)
    ]


def test_employees_reports_are_cards_on_a_phone(open_page, users, my_reports, screenshot_dir):
    page = open_page(users.employee, "/deviations/", phone=True)
    expect(page.locator(".deviation-list__table table")).to_be_hidden()
    cards = page.locator(".deviation-card")
    expect(cards).to_have_count(3)
    first = cards.first
    expect(first.locator(".deviation-card__number")).to_have_text(my_reports[-1].reference)
    expect(first.locator(".ds-tag")).to_have_text("Rapportert")
    expect(first.locator(".deviation-card__text")).to_contain_text("Beboer falt på badet")
    # The card shows one line of the description, and nothing is wider than the phone.
    box = first.locator(".deviation-card__text").bounding_box()
    assert box["height"] < 40
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=screenshot_dir / "deviation-list-phone.png", full_page=True)


def test_the_table_stays_on_a_wide_screen(open_page, users, my_reports):
    page = open_page(users.employee, "/deviations/")
    expect(page.locator(".deviation-list__table table")).to_be_visible()
    expect(page.locator(".deviation-cards")).to_be_hidden()


def test_the_header_folds_into_a_menu_button_on_a_phone(open_page, users, my_reports):
    page = open_page(users.employee, "/deviations/", phone=True)
    button = page.get_by_role("button", name="Meny")
    nav = page.get_by_role("navigation", name="Hovedmeny")
    expect(button).to_be_visible()
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(nav).to_be_hidden()
    header = page.locator(".site-header").bounding_box()
    assert header["height"] < 120

    button.focus()
    page.keyboard.press("Enter")
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(nav).to_be_visible()
    expect(nav.get_by_role("link", name="Avvik")).to_be_visible()
    page.keyboard.press("Escape")
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(button).to_be_focused()


def test_the_header_has_no_menu_button_on_a_wide_screen(open_page, users, my_reports):
    page = open_page(users.employee, "/deviations/")
    expect(page.get_by_role("button", name="Meny")).to_be_hidden()
    expect(page.get_by_role("navigation", name="Hovedmeny")).to_be_visible()
