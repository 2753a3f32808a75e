import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from deviations.models import Deviation
from qualityplan.celery import app as celery_app
from tests.deviations.factories import DeviationFactory, category


@pytest.fixture(autouse=True)
def _emails_sent_in_place():
    """The report queues an email on commit; run it here, not in a worker."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def categories(db):
    return [category(name) for name in ("Legemiddel", "Fall", "Infeksjon", "HMS")]


def test_employee_reports_a_deviation_on_a_phone(open_page, users, org, categories, screenshot_dir):
    page = open_page(users.employee, "/deviations/new/", phone=True)
    expect(page.locator("#id_org_unit")).to_have_value(str(org.unit_a.pk))
    page.select_option("#id_category", label="Fall")
    page.fill("#id_description", "Beboer falt i gangen på vei til toalettet om natten.")
    page.fill("#id_immediate_action", "Hjulpet opp, sjekket for skader, sykepleier tilkalt.")
    page.locator("label[for=id_consequence_2]").click()
    page.locator("label[for=id_probability_3]").click()
    risk = page.locator("[data-risk-output]")
    expect(risk).to_contain_text("12")
    expect(risk).to_have_attribute("data-level", "high")
    expect(page.locator(".risk-matrix__cell.is-selected")).to_have_attribute("data-cell", "3-4")
    # Nothing on the page is wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=screenshot_dir / "deviation-report-phone.png", full_page=True)

    page.locator("button.report__submit").click()
    page.wait_for_load_state("networkidle")
    number = page.get_by_test_id("receipt-number").inner_text()
    deviation = Deviation.objects.get()
    assert number == deviation.reference
    assert re.fullmatch(r"\d{4}-\d{4}", number)
    assert (deviation.consequence, deviation.probability) == (3, 4)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=screenshot_dir / "deviation-receipt-phone.png", full_page=True)


def test_refused_report_on_a_phone_keeps_the_text(
    open_page, users, org, categories, screenshot_dir
):
    page = open_page(users.employee, "/deviations/new/", phone=True)
    page.fill("#id_description", "Pasient 01019010046 fikk feil medisin.")
    page.locator("button.report__submit").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("#id_description")).to_have_value("Pasient 01019010046 fikk feil medisin.")
    expect(page.locator("#id_description_error")).to_be_visible()
    expect(page.locator(".ds-error-summary")).to_be_visible()
    assert not Deviation.objects.exists()
    page.screenshot(path=screenshot_dir / "deviation-report-refused-phone.png", full_page=True)


def test_risk_is_chosen_with_the_keyboard(open_page, users, org, categories):
    page = open_page(users.employee, "/deviations/new/")
    page.focus("#id_consequence_0")
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")
    page.focus("#id_probability_0")
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    risk = page.locator("[data-risk-output]")
    expect(risk).to_have_attribute("aria-live", "polite")
    expect(risk).to_contain_text("6")
    expect(risk).to_have_attribute("data-level", "medium")


@pytest.fixture
def a_few(org, users, categories):
    now = timezone.now()
    rows = [
        DeviationFactory(
            org_unit=org.unit_a,
            reporter=users.employee,
            category=categories[n % 4],
            consequence=1 + n % 5,
            probability=1 + (n * 2) % 5,
            created_at=now - timedelta(days=n * 9),
        )
        for n in range(8)
    ]
    late = rows[3]
    late.status, late.handler, late.due_date = (
        Deviation.Status.IN_TREATMENT,
        users.leader_a,
        timezone.localdate() - timedelta(days=2),
    )
    late.save()
    return rows


def test_leader_sees_the_list_and_takes_one_into_treatment(open_page, users, a_few, screenshot_dir):
    page = open_page(users.leader_a, "/deviations/")
    expect(page.locator("table.deviation-table tbody tr")).to_have_count(8)
    page.screenshot(path=screenshot_dir / "deviation-list.png", full_page=True)
    page.get_by_role("link", name=a_few[0].reference).click()
    page.wait_for_load_state("networkidle")
    page.fill(
        "#id_start_treatment-due_date", (timezone.localdate() + timedelta(days=14)).isoformat()
    )
    page.locator("#start_treatment button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    a_few[0].refresh_from_db()
    assert a_few[0].status == Deviation.Status.IN_TREATMENT
    page.screenshot(path=screenshot_dir / "deviation-detail.png", full_page=True)


def test_statistics_page(open_page, users, a_few, screenshot_dir):
    page = open_page(users.director, "/deviations/statistics/")
    expect(page.locator("table.ds-table")).to_have_count(4)
    page.screenshot(path=screenshot_dir / "deviation-statistics.png", full_page=True)
