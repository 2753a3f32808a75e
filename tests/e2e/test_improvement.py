"""Improvement work in the browser: a unit leader runs a PDSA cycle and records its data."""

from datetime import date
from decimal import Decimal

from playwright.sync_api import expect

from improvement import services


def test_unit_leader_adds_a_cycle_and_values_and_reads_the_run_chart(
    open_page, users, project, screenshot_dir
):
    for month, value in enumerate([9, 9, 10, 9, 9, 10, 4, 3, 4, 3, 2, 3], start=1):
        services.data_point_save(
            project=project, measured_on=date(2025, month, 15), value=Decimal(value)
        )
    page = open_page(users.leader_a, f"/improvement/{project.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Færre fall om natten")
    findings = page.get_by_role("list", name="Hva diagrammet viser")
    expect(findings).to_contain_text("Skift: 6 punkter på rad over medianen")

    page.get_by_role("link", name="Ny PDSA-sirkel").click()
    page.get_by_label("Plan: hva tester vi").fill("Teste sjekkliste ved vaktskifte i to uker.")
    page.get_by_label("Forventning: hva tror vi skjer?").fill("Færre fall rett etter vaktskiftet.")
    page.get_by_role("button", name="Lagre").click()
    expect(page.get_by_role("heading", name="PDSA-sirkel 1")).to_be_visible()

    page.get_by_text("Legg til eller rett en verdi").click()
    page.get_by_label("Dato").fill("2025-12-15")
    page.get_by_label("Verdi").fill("2")
    page.get_by_role("button", name="Lagre verdien").click()
    expect(page.get_by_text("Verdien er lagret.")).to_be_visible()
    expect(page.locator("#figure-project-run-chart svg")).to_be_visible()
    page.screenshot(path=screenshot_dir / "improvement-project.png", full_page=True)


def test_project_page_fits_a_phone(open_page, users, project, screenshot_dir):
    page = open_page(users.leader_a, f"/improvement/{project.pk}/", phone=True)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=screenshot_dir / "improvement-project-phone.png", full_page=True)
