"""The office imports a plan table in the browser: the preview says the plan will be a
draft and which active plan activating it archives, asks for the name of a role the
file gives only by code, and the plan page activates it."""

from pathlib import Path

from playwright.sync_api import expect

from qualityplan.models import QualityPlan
from tests.factories import QualityPlanFactory

TABLE = Path(__file__).resolve().parent.parent / "data" / "ho-kvalitetsplan-2021-2024.tsv"


def test_office_imports_names_the_role_and_activates_over_the_old_plan(
    open_page, users, org, screenshot_dir
):
    old = QualityPlanFactory(
        owner=org.department, first_year=2021, last_year=2024, title="Gammel plan"
    )
    page = open_page(users.quality_office, "/plans/import/")
    owner = page.get_by_label("Organisasjonsenhet som eier planen")
    expect(owner).to_contain_text("Helse og omsorg › Område Hjemme")
    page.get_by_label("Plantabell").set_input_files(str(TABLE))
    page.get_by_role("button", name="Les filen").click()
    expect(page.get_by_text("Planen opprettes som utkast")).to_be_visible()
    expect(page.get_by_role("link", name=str(old))).to_be_visible()
    page.screenshot(path=screenshot_dir / "plan-import-preview.png", full_page=True)

    page.get_by_role("button", name="Opprett planen").click()
    role_name = page.get_by_label("Navn på rollen DL")
    expect(role_name).to_be_focused()  # the browser asks for the name before sending
    role_name.fill("Daglig leder")
    page.get_by_role("button", name="Opprett planen").click()
    expect(page.get_by_text("Planen er et utkast")).to_be_visible()

    page.get_by_role("link", name="Aktiver plan").click()
    expect(page.get_by_text("blir arkivert")).to_be_visible()
    page.screenshot(path=screenshot_dir / "plan-activate.png", full_page=True)
    page.get_by_role("button", name="Aktiver og arkiver den andre").click()
    expect(page.get_by_text("er nå aktiv")).to_be_visible()
    old.refresh_from_db()
    assert old.status == QualityPlan.Status.ARCHIVED
    assert QualityPlan.objects.filter(status=QualityPlan.Status.ACTIVE).count() == 1
