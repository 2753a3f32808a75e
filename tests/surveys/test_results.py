"""Results: the groups the rule shows, on every page, chart, export and in the PDF; and no
difference between shown figures that singles out a small group."""

import csv
import io
import re
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from qualityplan.models import OrgUnit
from surveys import services
from surveys.report import pdf_section
from surveys.results import survey_results
from tests.factories import OrgUnitFactory, QualityPlanFactory

from .helpers import add_responses, make_survey, open_survey

SMALL = "Hjemmetjenesten Sør"  # unit_b: 2 answers, all of them "1"
NEIGHBOUR = "Hjemmetjenesten Nord"  # unit_a: 8 answers; area minus it would be unit_b


@pytest.fixture
def survey(org):
    survey = open_survey(make_survey(org))
    add_responses(survey, org.unit_a, 8, scale=5, text="Mer tid til samtale")
    add_responses(survey, org.unit_b, 2, scale=1, text="Hemmelig klage fra Sør")
    add_responses(survey, org.unit_c, 6, scale=4, text="Bra mat")
    return survey


def _check_no_difference(rows: dict[str, int], parents: dict[str, str | None], minimum: int):
    """For every shown group: itself minus the shown groups right below it is 0 or ≥ minimum."""
    for name, total in rows.items():
        below = [other for other, parent in parents.items() if parent == name and other in rows]
        rest = total - sum(rows[b] for b in below)
        assert rest == 0 or rest >= minimum, (name, rest)


def test_rule_holds_back_the_small_unit_and_its_neighbour(survey, org):
    results = survey_results(survey=survey)
    assert results.shown == {org.department.pk, org.area.pk, org.other_area.pk, org.unit_c.pk}
    assert results.by_id[org.area.pk].respondents == 10
    assert results.held_back == 2


def _csv_groups(content: bytes) -> dict[str, int]:
    text = content.decode("utf-8-sig")
    delimiter = ";" if ";" in text.splitlines()[0] else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    groups = {}
    for row in rows[1:]:
        groups[row[0]] = int(row[2])
    return groups


PARENT_NAMES = {
    "Helse og omsorg": None,
    "Område Hjemme": "Helse og omsorg",
    "Område Institusjon": "Helse og omsorg",
    NEIGHBOUR: "Område Hjemme",
    SMALL: "Område Hjemme",
    "Sykehjemmet": "Område Institusjon",
}


def test_no_page_chart_or_export_shows_the_small_unit_or_lets_it_be_subtracted(
    client, survey, org, users
):
    client.force_login(users.quality_office)
    pages = [
        client.get(reverse("survey_results", args=[survey.pk])),
        client.get(reverse("survey_results", args=[survey.pk]) + f"?unit={org.area.pk}"),
        client.get(reverse("survey_results", args=[survey.pk]) + f"?unit={org.unit_b.pk}"),
        client.get(reverse("survey_results", args=[survey.pk]) + f"?unit={org.unit_a.pk}"),
        client.get(reverse("survey_follow_up", args=[survey.pk, org.unit_b.pk])),
    ]
    assert [p.status_code for p in pages] == [200, 200, 200, 200, 404]
    for page in pages[:4]:
        html = page.content.decode()
        assert SMALL not in html and NEIGHBOUR not in html
        assert "Hemmelig klage" not in html and "Mer tid til samtale" not in html
        assert "<svg" in html
    # The area's chart counts everyone in the area, the small unit's answers among them.
    assert "n = 10" in pages[1].content.decode()
    exported = client.get(reverse("survey_results_export", args=[survey.pk, "csv"]))
    groups = _csv_groups(exported.content)
    assert set(groups) == {"Helse og omsorg", "Område Hjemme", "Område Institusjon", "Sykehjemmet"}
    _check_no_difference(groups, PARENT_NAMES, survey.min_group_size)
    workbook = load_workbook(
        io.BytesIO(client.get(reverse("survey_results_export", args=[survey.pk, "xlsx"])).content)
    )
    names = {row[0] for row in workbook.active.iter_rows(min_row=2, values_only=True)}
    assert SMALL not in names and NEIGHBOUR not in names
    assert names == set(groups)


def test_the_annual_report_chapter_shows_only_the_shown_groups(survey, org, users):
    from reporting import pdf

    plan = QualityPlanFactory(owner=org.department, first_year=2021, last_year=2024)
    section = pdf_section(plan=plan, year=2024, unit_ids={u.pk for u in OrgUnit.objects.all()})
    assert section is not None
    assert SMALL not in section.html and NEIGHBOUR not in section.html
    assert "Område Hjemme" in section.html and "<svg" in section.html
    data = pdf.report_data(plan=plan, year=2024, scope_unit=org.department, user=users.director)
    html = pdf.report_html(data=data)
    assert 'id="surveys"' in html and SMALL not in html and NEIGHBOUR not in html
    document, _pages = pdf.html_to_pdf(html=html)
    assert document.startswith(b"%PDF")


def test_free_text_only_for_the_office_and_the_unit_leader_and_only_for_shown_units(
    client, survey, org, users
):
    client.force_login(users.quality_office)
    page = client.get(reverse("survey_results", args=[survey.pk]) + f"?unit={org.other_area.pk}")
    assert "Bra mat" in page.content.decode()
    client.force_login(users.director)
    page = client.get(reverse("survey_results", args=[survey.pk]) + f"?unit={org.other_area.pk}")
    assert page.status_code == 200 and "Bra mat" not in page.content.decode()
    client.force_login(users.leader_a)
    page = client.get(reverse("survey_results", args=[survey.pk]))
    html = page.content.decode()
    assert "Mer tid til samtale" not in html and NEIGHBOUR not in html
    assert "too few answers" in html


def test_unit_leader_sees_the_area_and_department_but_not_other_areas(client, org, users):
    survey = open_survey(make_survey(org))
    add_responses(survey, org.unit_a, 6, scale=5, text="Fint")
    add_responses(survey, org.unit_b, 6, scale=2)
    add_responses(survey, org.unit_c, 6, scale=4)
    client.force_login(users.leader_a)
    html = client.get(reverse("survey_results", args=[survey.pk])).content.decode()
    assert NEIGHBOUR in html and "Område Hjemme" in html and "Fint" in html
    assert "Sykehjemmet" not in html and SMALL not in html


def test_against_last_time(org, users, client):
    before = open_survey(make_survey(org))
    add_responses(before, org.unit_c, 6, scale=2)
    after = services.survey_copy(survey=before, user=None)
    open_survey(after)
    add_responses(after, org.unit_c, 6, scale=5)
    client.force_login(users.quality_office)
    html = client.get(
        reverse("survey_results", args=[after.pk]) + f"?unit={org.unit_c.pk}"
    ).content.decode()
    # One rule for percentages: at most one decimal, a trailing zero dropped.
    assert "100 %" in html and re.search(r"(?<![\d.,])0 %", html)


# Session, user, survey, memberships, org tree, links, respondents per unit, names,
# questions, choices, counts, number sums, free text, follow-ups (and the export's own).
PAGE_QUERIES = 15
EXPORT_QUERIES = 13


def _grow(survey, org, units: int, per_unit: int):
    for n in range(units):
        unit = OrgUnitFactory(name=f"Bofellesskap {n}", parent=org.other_area)
        survey.links.create(org_unit=unit)
        add_responses(survey, unit, per_unit, scale=3 + n % 3, text="Tekst")


def test_results_page_and_export_run_a_fixed_number_of_queries(
    client, survey, org, users, django_assert_max_num_queries
):
    client.force_login(users.quality_office)
    url = reverse("survey_results", args=[survey.pk]) + f"?unit={org.other_area.pk}"
    export = reverse("survey_results_export", args=[survey.pk, "csv"])
    client.get(url)
    with django_assert_max_num_queries(PAGE_QUERIES):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(EXPORT_QUERIES):
        client.get(export)
    _grow(survey, org, units=12, per_unit=6)
    with django_assert_max_num_queries(PAGE_QUERIES):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(EXPORT_QUERIES):
        client.get(export)


def test_survey_date_only(survey):
    response = survey.responses.first()
    assert isinstance(response.answered_on, date)
