"""Care-record exports as such reports look: a title, a print line, Norwegian headers, unit
names (one with a typo), one row per unit and month, a blank line and a total row."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import Workbook

from measures.models import Indicator, MeasureStatus
from measures.periods import period_open
from sources import careimport
from sources.models import ImportMapping, IndicatorImport, UnitAlias
from tests.factories import GoalFactory, IndicatorFactory, MeasureFactory

JANUARY_TO_MARCH = """Gerica rapport: Vedtak og tiltak per enhet;;;
Utskrevet 03.04.2024 kl. 07:12;;;
;;;
Enhet;Måned;Antall brukere med vedtak;Andel med IPLOS-vurdering siste 12 mnd (%)
Hjemmetjenesten Nord;januar 2024;112;87,5
Hjemmetjenesten Nord;februar 2024;115;88,5
Hjemmetjenesten Nord;mars 2024;118;89,0
Hjemmetjenesten Sor;januar 2024;98;91,2
Hjemmetjenesten Sor;februar 2024;101;
Hjemmetjenesten Sor;mars 2024;99;90,4
Dagsenteret Vest;mars 2024;14;100
;;;
Sum;;657;
"""

APRIL = """Gerica rapport: Vedtak og tiltak per enhet;;;
Utskrevet 03.05.2024 kl. 07:10;;;
Enhet;Måned;Antall brukere med vedtak;Andel med IPLOS-vurdering siste 12 mnd (%)
Hjemmetjenesten Nord;april 2024;120;90,0
Hjemmetjenesten Sor;april 2024;100;90,0
Sum;;220;
"""


@pytest.fixture
def setup(org, users):
    from tests.factories import QualityPlanFactory

    plan = QualityPlanFactory(owner=org.department, first_year=2023, last_year=2026)
    goal = GoalFactory(plan=plan, position=1, title="Trygge tjenester")
    users_measure = MeasureFactory(goal=goal, position=1, title="Vedtak", roles=["VL"])
    share_measure = MeasureFactory(goal=goal, position=2, title="IPLOS", roles=["VL"])
    count = IndicatorFactory(measure=users_measure, name="Brukere med vedtak", kind="count")
    share = IndicatorFactory(measure=share_measure, name="Andel vurdert", kind="percentage")
    period, _created = period_open(plan=plan, year=2024, number=1, deadline=None, user=None)
    mapping = ImportMapping(
        plan=plan,
        name="Gerica vedtak per enhet",
        unit_column="Enhet",
        period_column="Måned",
        columns={
            "Antall brukere med vedtak": count.pk,
            "Andel med IPLOS-vurdering siste 12 mnd (%)": share.pk,
        },
    )
    careimport.mapping_save(mapping=mapping, user=users.quality_office)
    return type(
        "Setup",
        (),
        {"plan": plan, "period": period, "mapping": mapping, "count": count, "share": share},
    )


def _row(setup, unit, indicator):
    return MeasureStatus.objects.get(
        period=setup.period, org_unit=unit, measure_id=indicator.measure_id
    )


def _cp1252(text: str) -> bytes:
    return text.replace("\n", "\r\n").encode("cp1252")


def test_mapping_makes_the_indicators_imported(setup):
    setup.count.refresh_from_db()
    assert setup.count.source == Indicator.Source.IMPORTED


def test_preview_shows_changes_unmatched_names_and_total_rows(setup, org):
    preview = careimport.import_preview(
        mapping=setup.mapping, data=_cp1252(JANUARY_TO_MARCH), file_name="vedtak.csv"
    )
    assert preview.totals_skipped == 1 and preview.rows == 7
    # Months of the first tertial are summed for a count, averaged for a share.
    changes = {(c.unit, c.indicator): (c.before, c.after) for c in preview.changes}
    assert changes[("Hjemmetjenesten Nord", "Brukere med vedtak")] == (None, Decimal("345.00"))
    assert changes[("Hjemmetjenesten Nord", "Andel vurdert")] == (None, Decimal("88.33"))
    assert {u.name for u in preview.unmatched} == {"Hjemmetjenesten Sor", "Dagsenteret Vest"}
    sor = next(u for u in preview.unmatched if u.name == "Hjemmetjenesten Sor")
    assert sor.suggestions[0] == org.unit_b and sor.lines == [8, 9, 10]


def test_confirm_writes_all_with_history_and_reimport_changes_nothing(setup, org, users):
    data = _cp1252(JANUARY_TO_MARCH)
    careimport.aliases_confirm(mapping=setup.mapping, choices={"Hjemmetjenesten Sor": org.unit_b})
    upload = careimport.import_upload(
        plan=setup.plan,
        mapping=setup.mapping,
        data=data,
        file_name="vedtak.csv",
        user=users.quality_office,
    )
    preview = careimport.import_preview(mapping=setup.mapping, data=data, file_name="vedtak.csv")
    assert (
        careimport.import_apply(upload=upload, user=users.quality_office, versions=preview.versions)
        == 4
    )
    row = _row(setup, org.unit_b, setup.count)
    assert row.value_number == Decimal("298.00") and row.version == 2
    assert _row(setup, org.unit_b, setup.share).value_number == Decimal("90.80")
    record = row.history.first()
    assert record.history_user == users.quality_office
    assert record.history_change_reason == "Imported: Gerica vedtak per enhet"
    # The same confirmation again, and the same file again: nothing changes.
    assert careimport.import_apply(upload=upload, user=users.quality_office) == 0
    again = careimport.import_preview(mapping=setup.mapping, data=data, file_name="vedtak.csv")
    assert again.changes == [] and again.unchanged == 4


def test_a_row_changed_after_the_preview_stops_the_whole_import(setup, org, users):
    data = _cp1252(JANUARY_TO_MARCH)
    upload = careimport.import_upload(
        plan=setup.plan, mapping=setup.mapping, data=data, file_name="vedtak.csv", user=None
    )
    preview = careimport.import_preview(mapping=setup.mapping, data=data, file_name="vedtak.csv")
    MeasureStatus.objects.filter(pk=preview.changes[0].status_id).update(version=7)
    with pytest.raises(Exception, match="changed by someone else"):
        careimport.import_apply(upload=upload, user=None, versions=preview.versions)
    assert not MeasureStatus.objects.filter(value_number__isnull=False).exists()
    upload.refresh_from_db()
    assert upload.status == IndicatorImport.Status.PREVIEW


def test_periods_outside_the_plan_or_not_opened_are_listed(setup):
    text = JANUARY_TO_MARCH.replace("mars 2024;14", "mars 2031;14").replace(
        "januar 2024;112", "september 2024;112"
    )
    preview = careimport.import_preview(
        mapping=setup.mapping, data=_cp1252(text), file_name="vedtak.csv"
    )
    messages = [p.message for p in preview.outside]
    assert "2031-03-01 is outside the plan's years." in messages
    assert "No reporting period is open for 2024-09-01." in messages


def test_xlsx_with_a_merged_title_and_dates_per_row_reads_the_same(setup, org):
    book = Workbook()
    sheet = book.active
    sheet["A1"] = "Visma Profil – Tjenester per avdeling"
    sheet.merge_cells("A1:D1")
    sheet.append([])
    sheet.append(
        [
            "Enhet",
            "Måned",
            "Antall brukere med vedtak",
            "Andel med IPLOS-vurdering siste 12 mnd (%)",
        ]
    )
    from datetime import datetime

    sheet.append(["Hjemmetjenesten Nord", datetime(2024, 1, 15), 10, 80])
    sheet.append(["Hjemmetjenesten Nord", datetime(2024, 2, 3), 5, 90])
    sheet.append([org.unit_b.name.upper(), datetime(2024, 2, 3), 7, None])
    sheet.append(["Totalt", None, 22, None])
    stream = io.BytesIO()
    book.save(stream)
    preview = careimport.import_preview(
        mapping=setup.mapping, data=stream.getvalue(), file_name="profil.xlsx"
    )
    changes = {(c.unit, c.indicator): c.after for c in preview.changes}
    assert changes[("Hjemmetjenesten Nord", "Brukere med vedtak")] == Decimal("15.00")
    assert changes[("Hjemmetjenesten Sør", "Brukere med vedtak")] == Decimal("7.00")
    assert preview.totals_skipped == 1 and not preview.unmatched


def test_units_matched_by_external_code_and_units_without_the_measure_named(setup, org):
    org.unit_a.external_code = "GER-3040"
    org.unit_a.save()
    text = (
        "Enhet;Måned;Antall brukere med vedtak\r\nGER-3040;2024-02;31\r\nSykehjemmet;2024-02;9\r\n"
    )
    preview = careimport.import_preview(
        mapping=setup.mapping, data=text.encode("utf-8-sig"), file_name="x.csv"
    )
    assert [(c.unit, c.after) for c in preview.changes] == [
        ("Hjemmetjenesten Nord", Decimal("31.00"))
    ]
    # Sykehjemmet has no unit leader, so no status row for the measure.
    assert preview.no_row == {"Brukere med vedtak"}


def test_a_formula_in_the_file_is_refused(setup):
    text = "Enhet;Måned;Antall brukere med vedtak\r\nHjemmetjenesten Nord;2024-02;=1+1\r\n"
    with pytest.raises(Exception, match="formula"):
        careimport.import_preview(mapping=setup.mapping, data=text.encode(), file_name="x.csv")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03", (2024, 3, 1)),
        ("03.2024", (2024, 3, 1)),
        ("mars 2024", (2024, 3, 1)),
        ("Mar 2024", (2024, 3, 1)),
        ("14.03.2024", (2024, 3, 14)),
        ("2024M03", (2024, 3, 1)),
        ("202403", (2024, 3, 1)),
        ("maj 2024", (2024, 5, 1)),
        ("2024-03-14 00:00:00", (2024, 3, 14)),
    ],
)
def test_periods_as_exports_write_them(text, expected):
    day = careimport.parse_period(text)
    assert (day.year, day.month, day.day) == expected


def test_the_office_maps_once_and_the_next_month_is_one_upload_and_one_click(
    client, setup, org, users
):
    client.force_login(users.quality_office)
    url = reverse("indicator_imports", args=[setup.plan.pk])
    first = io.BytesIO(_cp1252(JANUARY_TO_MARCH))
    first.name = "vedtak-mars.csv"
    response = client.post(url, {"file": first})
    upload = IndicatorImport.objects.get()
    assert response.url == reverse("indicator_import_mapping", args=[upload.token])
    page = client.get(response.url).content.decode()
    assert "Antall brukere med vedtak" in page and "Hjemmetjenesten Nord" in page
    response = client.post(
        response.url,
        {
            "name": "Vedtak per enhet",
            "unit_column": "Enhet",
            "period_column": "Måned",
            "period_kind": "month",
            f"ind_{setup.count.pk}": "Antall brukere med vedtak",
        },
    )
    assert response.status_code == 302
    preview_url = reverse("indicator_import_preview", args=[upload.token])
    page = client.get(preview_url).content.decode()
    assert "Hjemmetjenesten Sor" in page and "345" in page
    client.post(
        reverse("indicator_import_units", args=[upload.token]),
        {
            "name": ["Hjemmetjenesten Sor", "Dagsenteret Vest"],
            "unit": [str(org.unit_b.pk), ""],
        },
    )
    assert UnitAlias.objects.filter(name_in_file="Hjemmetjenesten Sor").exists()
    page = client.get(preview_url)
    versions = page.context["versions"]
    client.post(reverse("indicator_import_confirm", args=[upload.token]), {"versions": versions})
    assert _row(setup, org.unit_b, setup.count).value_number == Decimal("298.00")

    # A month later: the same report, upload and confirm. April is in the first tertial
    # too: its values add to January–March instead of replacing them.
    april = io.BytesIO(_cp1252(APRIL))
    april.name = "vedtak-april.csv"
    mapping = ImportMapping.objects.get(name="Vedtak per enhet")
    response = client.post(url, {"file": april, "mapping": mapping.pk})
    second = IndicatorImport.objects.exclude(pk=upload.pk).get()
    assert response.url == reverse("indicator_import_preview", args=[second.token])
    versions = client.get(response.url).context["versions"]
    client.post(reverse("indicator_import_confirm", args=[second.token]), {"versions": versions})
    assert _row(setup, org.unit_b, setup.count).value_number == Decimal("398.00")
    assert _row(setup, org.unit_a, setup.count).value_number == Decimal("465.00")
    again = careimport.import_preview(
        mapping=mapping, data=_cp1252(JANUARY_TO_MARCH), file_name="vedtak-mars.csv"
    )
    assert again.changes == []


def test_import_pages_are_for_the_office(client, setup, users):
    url = reverse("indicator_imports", args=[setup.plan.pk])
    client.force_login(users.leader_a)
    assert client.get(url).status_code == 403
    client.force_login(users.stranger)
    assert client.get(url).status_code == 404
    client.force_login(users.quality_office)
    assert client.get(url).status_code == 200
    bad = io.BytesIO(b"\x00\x01\x02 not a table")
    bad.name = "x.csv"
    upload = client.post(url, {"file": bad})
    token = IndicatorImport.objects.get().token
    assert upload.status_code == 302
    response = client.get(reverse("indicator_import_mapping", args=[token]), follow=True)
    assert "not a text table" in response.content.decode()
    assert client.get(reverse("indicator_import_confirm", args=[token])).status_code == 405


def test_command_dry_run_and_import(setup, org, tmp_path, capsys):
    path = tmp_path / "vedtak.csv"
    path.write_bytes(_cp1252(JANUARY_TO_MARCH))
    call_command("import_indicator_values", str(path), "--mapping", setup.mapping.name, "--dry-run")
    out = capsys.readouterr().out
    assert "Hjemmetjenesten Nord | Tertial 1 2024 | Brukere med vedtak: – → 345.00" in out
    assert "No unit: 'Dagsenteret Vest'" in out and "Dry run: 2 values would change." in out
    assert not MeasureStatus.objects.filter(value_number__isnull=False).exists()
    call_command("import_indicator_values", str(path), "--mapping", setup.mapping.name)
    assert "2 values changed" in capsys.readouterr().out
    call_command("import_indicator_values", str(path), "--mapping", setup.mapping.name)
    assert "0 values changed, 2 already there." in capsys.readouterr().out
