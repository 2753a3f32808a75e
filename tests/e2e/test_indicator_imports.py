"""The quality office imports a care-record export in the browser; the unit leader sees
the value with its source on the status page."""

import pytest
from playwright.sync_api import expect

from measures.periods import period_open
from tests.factories import GoalFactory, IndicatorFactory, MeasureFactory, QualityPlanFactory
from tests.sources.test_careimport import JANUARY_TO_MARCH

pytestmark = pytest.mark.e2e


@pytest.fixture
def importing(org, users, tmp_path):
    plan = QualityPlanFactory(owner=org.department, first_year=2023, last_year=2026)
    goal = GoalFactory(plan=plan, position=1, title="Trygge tjenester")
    measure = MeasureFactory(goal=goal, position=1, title="Vedtak", roles=["VL"])
    IndicatorFactory(measure=measure, name="Brukere med vedtak", kind="count")
    period, _created = period_open(plan=plan, year=2024, number=1, deadline=None, user=None)
    export = tmp_path / "vedtak-mars.csv"
    export.write_bytes(JANUARY_TO_MARCH.replace("\n", "\r\n").encode("cp1252"))
    return plan, period, export


def test_office_maps_previews_and_imports_an_export(open_page, users, importing, screenshot_dir):
    plan, period, export = importing
    page = open_page(users.quality_office, f"/sources/plans/{plan.pk}/imports/")
    page.get_by_label("Eksport fra fagsystemet (CSV eller Excel)").set_input_files(export)
    page.get_by_role("button", name="Les filen").click()
    expect(page.get_by_role("heading", name="Koble rapportens kolonner")).to_be_visible()
    page.get_by_label("Navn på rapporten").fill("Gerica vedtak")
    page.get_by_label("Kolonnen med enheten").select_option("Enhet")
    page.get_by_label("Kolonnen med måned eller dato").select_option("Måned")
    page.get_by_label("1.1 Brukere med vedtak").select_option("Antall brukere med vedtak")
    page.get_by_role("button", name="Lagre koblingen og se forhåndsvisning").click()
    expect(page.get_by_role("heading", name="Kontroller før import")).to_be_visible()
    expect(page.get_by_role("cell", name="Hjemmetjenesten Sor", exact=True)).to_be_visible()
    page.get_by_role("button", name="Husk disse enhetene").click()
    expect(page.get_by_role("heading", name="2 verdier blir endret")).to_be_visible()
    page.screenshot(path=screenshot_dir / "indicator-import-preview.png", full_page=True)
    page.get_by_role("button", name="Importer 2 verdier").click()
    expect(page.get_by_text("2 verdier importert.")).to_be_visible()

    leader = open_page(users.leader_b, f"/status/periods/{period.pk}/")
    row = leader.locator("tr", has_text="Vedtak")
    expect(row.get_by_text("importert fra fil")).to_be_visible()
    expect(row.get_by_text("298")).to_be_visible()
