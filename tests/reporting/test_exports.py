import csv
import io
from datetime import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from reporting.exports import table_csv, table_xlsx
from reporting.figure_tables import ChartTable, Column
from tests.reporting.dashboard_data import build_plan, fill_reports

TABLE = ChartTable(
    columns=[
        Column("Goal"),
        Column("Rows", "int"),
        Column("Reported (%)", "percent"),
        Column("Mean progress (%)", "decimal", 1),
        Column("Value", "decimal"),
        Column("Target met", "bool"),
        Column("Light", "light"),
        Column("Last saved", "datetime"),
    ],
    rows=[
        [
            '=HYPERLINK("x")',
            1234,
            Decimal("66.7"),
            Decimal("57.5"),
            Decimal("10.25"),
            True,
            "red",
            datetime(2022, 5, 2, 10, 30, tzinfo=timezone.get_current_timezone()),
        ],
        ["2. Goal", 0, None, None, None, None, "grey", None],
    ],
    caption="Goals in 2022: [all]",
    name="goals",
)


def _csv(language: str) -> list[list[str]]:
    with translation.override(language):
        data = table_csv(TABLE)
        yes = gettext("Yes")
    assert data.startswith("\ufeff".encode())
    text = data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";" if language in ("nb", "sv") else ","))
    return rows, yes


def test_csv_in_norwegian_uses_semicolons_and_decimal_commas():
    (header, first, second), yes = _csv("nb")
    assert header[0] == "Goal"
    assert first[:6] == ['\'=HYPERLINK("x")', "1234", "66,7", "57,5", "10,25", yes]
    assert first[7] == "02.05.2022 10:30"
    assert second[1:6] == ["0", "", "", "", ""]


def test_csv_in_english_uses_commas_and_points():
    (_header, first, _second), _yes = _csv("en")
    assert first[1:5] == ["1234", "66.7", "57.5", "10.25"]
    assert first[5:7] == ["Yes", "Red"]
    assert first[7] == "2022-05-02 10:30"


def test_xlsx_keeps_numbers_as_numbers_with_formats():
    with translation.override("en"):
        book = load_workbook(io.BytesIO(table_xlsx(TABLE)))
    sheet = book.active
    assert sheet.title == "Goals in 2022   all"
    assert [c.value for c in sheet[1]][:3] == ["Goal", "Rows", "Reported (%)"]
    goal, rows, share, progress, value, met, light, saved = sheet[2]
    assert goal.value == '=HYPERLINK("x")' and goal.data_type == "s"  # text, never a formula
    assert rows.value == 1234 and rows.number_format == "#,##0"
    assert share.value == pytest.approx(0.667) and share.number_format == "0.0%"
    assert progress.value == 57.5 and progress.number_format == "#,##0.0"
    assert value.value == 10.25
    assert (met.value, light.value) == ("Yes", "Red")
    assert saved.value == datetime(2022, 5, 2, 10, 30) and saved.is_date
    assert [c.value for c in sheet[3]][1:5] == [0, None, None, None]
    assert sheet.freeze_panes == "B2"


# --- The pages' downloads -----------------------------------------------------------------


@pytest.fixture
def data(org, users, plan):
    data = build_plan(org=org, users=users, plan=plan)
    fill_reports(data, org)
    return data


def _sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content)).active


def test_measures_download_holds_the_dashboards_figures(client, data, users):
    client.force_login(users.quality_office)
    url = reverse("dashboard_plan", args=[data.plan.pk])
    sheet = _sheet(client.get(url, {"year": 2022, "format": "xlsx", "table": "measures"}))
    header = [c.value for c in sheet[1]]
    rows = {
        row[1]: dict(zip(header, row, strict=True))
        for row in sheet.iter_rows(min_row=2, values_only=True)
    }
    summed = rows["Samtaler"]
    assert (summed["Value"], summed["Target"], summed["Target met"]) == (10, 10, "Yes")
    assert (summed["Rows"], summed["Not reported"], summed["Delayed"]) == (3, 1, 1)
    assert summed["Light"] == "Red"
    assert summed["Reported (%)"] == pytest.approx(0.667)
    assert rows["Oppdaterte planer"]["Value"] == 80
    assert rows["Fall"]["Target met"] == "No"
    assert rows["Pårørendeplan"]["Value"] is None


def test_completeness_download_in_norwegian(client, data, users):
    client.force_login(users.quality_office)
    url = reverse("dashboard_completeness", args=[data.t2.pk])
    with translation.override("nb"):
        response = client.get(
            url, {"format": "csv", "table": "completeness"}, HTTP_ACCEPT_LANGUAGE="nb"
        )
    assert response["Content-Disposition"].endswith('.csv"')
    lines = response.content.decode("utf-8-sig").splitlines()
    with translation.override("nb"):
        assert lines[0].split(";")[:2] == [gettext("Unit"), gettext("Area")]
    assert lines[1].startswith("Hjemmetjenesten Sør;Område Hjemme;0;5;0,0;5;")


def test_every_table_on_the_plan_dashboard_downloads(client, data, users):
    client.force_login(users.quality_office)
    url = reverse("dashboard_plan", args=[data.plan.pk])
    page = client.get(url, {"year": 2022, "since": 2021})
    for name in ("goal-status", "goals", "measures", "units", "years"):
        assert f"table={name}" in page.content.decode()
        for fmt in ("csv", "xlsx"):
            response = client.get(url, {"year": 2022, "since": 2021, "format": fmt, "table": name})
            assert response.status_code == 200, (name, fmt)


def test_matrix_and_indicator_downloads(client, data, users):
    client.force_login(users.quality_office)
    matrix = _sheet(
        client.get(
            reverse("dashboard_matrix", args=[data.plan.pk]),
            {"year": 2022, "format": "xlsx", "table": "matrix"},
        )
    )
    header = [c.value for c in matrix[1]]
    assert header[:3] == ["Goal", "Measure", "Hjemmetjenesten Nord"]
    assert [c.value for c in matrix[2]][:3] == ["1", "Samtaler", "On track"]
    indicator = _sheet(
        client.get(
            reverse("dashboard_indicator", args=[data.indicators.summed.pk]),
            {"format": "xlsx", "table": "years"},
        )
    )
    values = {row[1]: row[2] for row in indicator.iter_rows(min_row=2, values_only=True)}
    assert values["2022"] == 10


@pytest.mark.parametrize(
    "query", [{"format": "pdf", "table": "goals"}, {"format": "csv", "table": "nope"}]
)
def test_unknown_downloads_are_not_found(client, data, users, query):
    client.force_login(users.quality_office)
    response = client.get(reverse("dashboard_plan", args=[data.plan.pk]), query)
    assert response.status_code == 404


def test_xlsx_columns_fit_their_content_with_a_filter_on_the_header():
    """Defect 4: the first column was 40 wide whatever it held, others 12, no filter."""
    table = ChartTable(
        columns=[Column("Mål"), Column("Tiltak", "int"), Column("Rapportert (%)", "percent")],
        rows=[["1", 3, Decimal("66.7")], ["2", 1234, Decimal("100")]],
        caption="Goals",
        name="goals",
    )
    sheet = load_workbook(io.BytesIO(table_xlsx(table))).active
    assert sheet.column_dimensions["A"].width < 10
    assert sheet.column_dimensions["B"].width < 10
    assert sheet.column_dimensions["C"].width == len("Rapportert (%)") + 2
    assert sheet.auto_filter.ref == "A1:C3"
    assert sheet["C2"].value == pytest.approx(0.667) and sheet["C2"].number_format == "0.0%"
