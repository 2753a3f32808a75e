"""Importing answers exported from other tools: mapped once, previewed, all or nothing."""

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from surveys.models import Answer, PendingImport, SurveyResponse
from surveys.results import survey_results

from .helpers import make_survey, open_survey, question

DATA = Path(__file__).parent.parent / "data" / "surveys"


@pytest.fixture
def survey(org):
    return open_survey(make_survey(org))


def _upload(client, survey, name, content):
    return client.post(
        reverse("survey_import", args=[survey.pk]),
        {"file": SimpleUploadedFile(name, content), "answered_on": "2024-09-30"},
    )


def _mapping(client, survey, token, extra=None):
    page = client.get(reverse("survey_import_map", args=[survey.pk, token]))
    form = page.context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(extra or {})
    return page, data


@pytest.mark.parametrize(
    "name", ["surveyxact_hjemmetjenesten.csv", "surveyxact_hjemmetjenesten_cp1252.csv"]
)
def test_a_surveyxact_export_is_mapped_previewed_and_imported(client, survey, users, org, name):
    client.force_login(users.quality_office)
    response = _upload(client, survey, name, (DATA / name).read_bytes())
    assert response.status_code == 302
    token = PendingImport.objects.get().token
    page, data = _mapping(client, survey, token)
    assert b"row 4" in page.content  # the headings under two title rows and a blank one
    # Headings that are question texts and "Enhet" are mapped by themselves.
    assert data["c1"] == "unit"
    assert data["c2"] == str(question(survey, "respect").pk)
    assert data["c0"] == data["c6"] == "skip"
    preview = client.post(reverse("survey_import_map", args=[survey.pk, token]), data)
    assert b"13 responses are ready to import" in preview.content
    assert b"total row" in preview.content
    assert "Hjemmetjenesten Nord: 6" in preview.content.decode()
    assert not SurveyResponse.objects.exists()
    done = client.post(
        reverse("survey_import_map", args=[survey.pk, token]), {**data, "confirm": "1"}
    )
    assert done.status_code == 302
    assert SurveyResponse.objects.filter(source="import").count() == 13
    again = client.post(
        reverse("survey_import_map", args=[survey.pk, token]), {**data, "confirm": "1"}
    )
    assert again.status_code == 404
    assert SurveyResponse.objects.count() == 13
    assert Answer.objects.filter(text="Færre nye ansikter").exists()
    results = survey_results(survey=survey)
    # Sør has two answers: held back, and Nord with it; the area shows all eight.
    assert org.unit_b.pk not in results.shown and org.unit_a.pk not in results.shown
    assert results.by_id[org.area.pk].respondents == 8
    survey.refresh_from_db()
    assert survey.import_mapping["Enhet"] == "unit"


def test_an_error_in_a_row_imports_nothing(client, survey, users):
    client.force_login(users.quality_office)
    text = (DATA / "surveyxact_hjemmetjenesten.csv").read_bytes().decode("utf-8-sig")
    text = text.replace("Kommer for sent", "Gjelder 01010012356").replace(
        "Sykehjemmet;3 -", "Ukjent hjem;3 -"
    )
    text = text.replace("1002;Hjemmetjenesten Nord;4 - Enig", "1002;Hjemmetjenesten Nord;7")
    _upload(client, survey, "eksport.csv", text.encode("utf-8"))
    token = PendingImport.objects.get().token
    _page, data = _mapping(client, survey, token)
    preview = client.post(
        reverse("survey_import_map", args=[survey.pk, token]), {**data, "confirm": "1"}
    )
    html = preview.content.decode()
    assert "national identity number" in html
    assert "“Ukjent hjem” is not one of the survey&#x27;s units" in html
    assert "“7” is not an answer from 1 to 5" in html
    assert not SurveyResponse.objects.exists()


def test_a_netigate_style_workbook_with_a_merged_title(client, survey, users, org):
    workbook = Workbook()
    sheet = workbook.active
    sheet["A1"] = "Netigate – Brukerundersøkelse 2024"
    sheet.merge_cells("A1:D1")
    sheet.append([])
    sheet.append(["ID", "Avdeling", "Jeg føler meg trygg på hjelpen jeg får.", "Kommentar"])
    for n in range(6):
        sheet.append([n + 1, "Sykehjemmet", 5 if n % 2 else 4, "Fint" if n == 0 else None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    client.force_login(users.quality_office)
    _upload(client, survey, "netigate.xlsx", buffer.getvalue())
    token = PendingImport.objects.get().token
    _page, data = _mapping(client, survey, token, {"c3": str(question(survey, "improve_text").pk)})
    assert data["c1"] == "unit"
    client.post(reverse("survey_import_map", args=[survey.pk, token]), {**data, "confirm": "1"})
    assert SurveyResponse.objects.filter(org_unit=org.unit_c).count() == 6


def test_not_a_table_is_refused_with_a_message(client, survey, users):
    client.force_login(users.quality_office)
    response = _upload(client, survey, "bilde.csv", b"\x00\x01\x02 binary")
    assert response.status_code == 200
    assert not PendingImport.objects.exists()


def test_import_needs_the_office(client, survey, users):
    client.force_login(users.leader_a)
    assert client.get(reverse("survey_import", args=[survey.pk])).status_code == 403


def test_a_draft_takes_no_import(client, org, users):
    survey = make_survey(org)
    client.force_login(users.quality_office)
    response = client.get(reverse("survey_import", args=[survey.pk]))
    assert b"Open the survey first" in response.content
