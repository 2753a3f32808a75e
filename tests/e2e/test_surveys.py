"""A respondent answers a survey on a phone and on a shared tablet, without logging in."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from surveys.models import Answer, SurveyResponse
from tests.surveys.helpers import link_of, make_survey, open_survey

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "tablet": {"width": 1024, "height": 1366}}


def _no_violations(page, name):
    results = Axe().run(page)
    assert results.violations_count == 0, f"{name}: {results.generate_report()}"


@pytest.mark.parametrize("device", ["phone", "tablet"])
def test_a_respondent_answers_without_logging_in(
    browser, live_server, org, settings, screenshot_dir, device
):
    settings.SURVEY_MIN_SECONDS = 0
    survey = open_survey(make_survey(org))
    link = link_of(survey, org.unit_a)
    context = browser.new_context(viewport=VIEWPORTS[device], locale="nb-NO", has_touch=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/s/{link.token}/")
    expect(page.get_by_role("heading", name="Brukerundersøkelse hjemmetjenesten")).to_be_visible()
    _no_violations(page, "language")
    page.get_by_role("link", name="Norsk").click()
    expect(page.get_by_role("button", name="Send svarene mine")).to_be_visible()
    _no_violations(page, "form")
    respect = page.get_by_role("group", name=re.compile("behandler meg med respekt"))
    respect.get_by_label("5 – Helt enig").check()
    page.get_by_role("group", name=re.compile("Vet du hvem")).get_by_label("Ja").check()
    page.get_by_role("group", name=re.compile("Hva får du hjelp til")).get_by_label(
        "Måltider"
    ).check()
    page.get_by_label(re.compile("Hva er det viktigste")).fill("Litt mer tid til en prat")
    page.screenshot(path=str(screenshot_dir / f"survey-answer-{device}.png"), full_page=True)
    page.get_by_role("button", name="Send svarene mine").click()
    expect(page.get_by_role("heading", name="Takk for svarene dine!")).to_be_visible()
    _no_violations(page, "thanks")
    page.screenshot(path=str(screenshot_dir / f"survey-thanks-{device}.png"), full_page=True)
    assert SurveyResponse.objects.filter(org_unit=org.unit_a).count() == 1
    assert Answer.objects.filter(text="Litt mer tid til en prat").exists()
    # The next person on the same device starts from nothing.
    page.get_by_role("link", name="Neste respondent").click()
    page.get_by_role("link", name="Norsk").click()
    expect(page.get_by_label("5 – Helt enig").first).not_to_be_checked()
    expect(page.get_by_label(re.compile("Hva er det viktigste"))).to_have_value("")
    assert context.cookies() == []
    page.go_back()
    page.go_back()
    expect(page.get_by_text("Litt mer tid til en prat")).to_have_count(0)
    context.close()


def test_an_empty_form_tells_what_to_do(browser, live_server, org, settings):
    settings.SURVEY_MIN_SECONDS = 0
    survey = open_survey(make_survey(org))
    context = browser.new_context(viewport=VIEWPORTS["phone"], locale="nb-NO")
    page = context.new_page()
    page.goto(f"{live_server.url}/s/{link_of(survey, org.unit_b).token}/?lang=nb")
    page.get_by_role("button", name="Send svarene mine").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Svar på minst ett spørsmål")
    expect(alert).to_be_focused()
    _no_violations(page, "errors")
    context.close()


@pytest.mark.parametrize("phone", [False, True])
def test_the_office_reads_results_with_small_units_merged(
    open_page, org, users, screenshot_dir, phone
):
    from tests.surveys.helpers import add_responses

    survey = open_survey(make_survey(org))
    add_responses(survey, org.unit_a, 8, scale=5, text="Mer tid til samtale")
    add_responses(survey, org.unit_b, 2, scale=1)
    add_responses(survey, org.unit_c, 7, scale=4, text="God mat")
    page = open_page(
        users.quality_office, f"/surveys/{survey.pk}/results/?unit={org.department.pk}", phone=phone
    )
    expect(page.get_by_role("heading", name=re.compile("Resultater"))).to_be_visible()
    expect(page.get_by_text("2 virksomheter telles bare med i en større gruppe.")).to_be_visible()
    expect(page.locator("svg[role=img]").first).to_be_visible()
    expect(page.get_by_text("Hjemmetjenesten Sør")).to_have_count(0)
    _no_violations(page, "results")
    page.screenshot(
        path=str(screenshot_dir / f"survey-results-{'phone' if phone else 'desktop'}.png"),
        full_page=True,
    )
    page.goto(page.url.split("/results")[0] + "/")
    expect(page.get_by_role("heading", name="Spørsmål")).to_be_visible()
    _no_violations(page, "builder")
    page.screenshot(
        path=str(screenshot_dir / f"survey-builder-{'phone' if phone else 'desktop'}.png"),
        full_page=True,
    )


def test_the_office_imports_a_surveyxact_export(open_page, org, users, screenshot_dir):
    from pathlib import Path

    from surveys.models import SurveyResponse

    survey = open_survey(make_survey(org))
    page = open_page(users.quality_office, f"/surveys/{survey.pk}/import/")
    data = Path(__file__).parent.parent / "data" / "surveys" / "surveyxact_hjemmetjenesten.csv"
    page.get_by_label("Fil (CSV eller XLSX)").set_input_files(str(data))
    page.get_by_label("Besvart (dato)").fill("2024-09-30")
    page.get_by_role("button", name="Neste: koble kolonnene").click()
    expect(page.get_by_role("heading", name="Koble kolonnene")).to_be_visible()
    page.get_by_role("button", name="Forhåndsvis").click()
    expect(page.get_by_text("13 besvarelser er klare til import.")).to_be_visible()
    _no_violations(page, "import preview")
    page.screenshot(path=str(screenshot_dir / "survey-import-preview.png"), full_page=True)
    page.get_by_role("button", name="Importer svarene").click()
    expect(page.get_by_text("13 besvarelser importert.")).to_be_visible()
    assert SurveyResponse.objects.filter(source="import").count() == 13
