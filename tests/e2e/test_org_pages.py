"""The office's organisation pages in the browser: import with preview, the tree, a unit."""

from pathlib import Path

from playwright.sync_api import expect

from qualityplan.models import Membership, OrgUnit

DATA = Path(__file__).parent.parent / "data"


def test_office_imports_the_organisation_with_a_preview_and_finds_a_unit(
    open_page, users, screenshot_dir
):
    page = open_page(users.quality_office, "/organisation/import/")
    page.get_by_label("Fil").set_input_files(str(DATA / "org" / "nb_hr_export_bom.csv"))
    page.get_by_role("button", name="Les filen").click()
    expect(page.get_by_role("table", name="Alle endringene filen gjør")).to_be_visible()
    expect(page.get_by_role("cell", name="Nattpatruljen").first).to_be_visible()
    page.screenshot(path=screenshot_dir / "org-import-preview.png", full_page=True)
    assert not OrgUnit.objects.filter(external_code="4611").exists()
    page.get_by_role("button", name="Gjør disse endringene").click()
    expect(page.get_by_text("Organisasjonen er importert.")).to_be_visible()
    page.get_by_label("Finn en enhet etter navn eller kode").fill("solgløtt")
    page.get_by_role("button", name="Søk").click()
    expect(page.locator("mark", has_text="Sykehjemmet Solgløtt")).to_be_visible()
    page.screenshot(path=screenshot_dir / "org-tree-search.png", full_page=True)
    page.get_by_role("link", name="Sykehjemmet Solgløtt").click()
    expect(page.get_by_role("heading", name="Sykehjemmet Solgløtt")).to_be_visible()


def test_file_with_errors_lists_them_by_row(open_page, users, tmp_path, screenshot_dir):
    bad = tmp_path / "org.csv"
    bad.write_text("Kode;Navn;Overordnet\n1;Helse;\n2;Nord;9\n2;Sør;1\n", encoding="utf-8")
    page = open_page(users.quality_office, "/organisation/import/", phone=True)
    page.get_by_label("Fil").set_input_files(str(bad))
    page.get_by_role("button", name="Les filen").click()
    expect(page.get_by_role("table", name="Rader med feil")).to_be_visible()
    expect(page.get_by_text("Koden «2» står også på rad 3")).to_be_visible()
    page.screenshot(path=screenshot_dir / "org-import-errors-phone.png", full_page=True)


def test_office_gives_a_unit_a_new_leader_from_a_date(open_page, users, org, screenshot_dir):
    page = open_page(users.quality_office, f"/organisation/units/{org.unit_a.pk}/")
    page.get_by_label("Personens e-postadresse").fill("ny.leder@kommune.no")
    page.get_by_label("Navn").first.fill("Nina Leder")
    page.get_by_label("Rolle", exact=True).select_option(label="VL – Virksomhetsleder")
    page.get_by_role("button", name="Tildel").click()
    expect(page.get_by_text("Rollen er tildelt.")).to_be_visible()
    expect(page.get_by_role("table", name="Gjelder i dag")).to_contain_text("Nina Leder")
    expect(page.get_by_role("table", name="Hadde rollen før")).to_contain_text("leader_a")
    page.screenshot(path=screenshot_dir / "org-unit-new-leader.png", full_page=True)
    assert Membership.objects.current().get(role__code="VL", org_unit=org.unit_a).user.email == (
        "ny.leder@kommune.no"
    )


def test_first_run_a_swedish_municipality_gets_swedish(
    open_page, db, screenshot_dir, settings, tmp_path
):
    from qualityplan.municipality import municipality_forget
    from tests.factories import UserFactory

    settings.MEDIA_ROOT = tmp_path
    municipality_forget()
    admin = UserFactory(username="admin", is_superuser=True, is_staff=True)
    page = open_page(admin, "/")
    expect(page.get_by_role("heading", name="Sett opp kommunen")).to_be_visible()
    page.screenshot(path=screenshot_dir / "first-run.png", full_page=True)
    page.get_by_label("Kommunens navn").fill("Umeå kommun")
    page.get_by_label("Øverste enhet").fill("Vård- och omsorgsförvaltningen")
    page.get_by_label("Standardspråk").select_option("sv")
    page.get_by_label("Logo til forsiden av rapporten").set_input_files(
        str(DATA / "logo-with-script.svg")
    )
    page.get_by_role("button", name="Lagre").click()
    # A person who has not chosen a language now reads Swedish.
    expect(page.get_by_role("heading", name="Organisation", exact=True)).to_be_visible()
    expect(page.locator(".site-header__municipality")).to_have_text("Umeå kommun")
    page.screenshot(path=screenshot_dir / "first-run-done-sv.png", full_page=True)
    municipality_forget()
