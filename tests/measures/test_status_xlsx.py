import io
import re
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from measures.models import MeasureStatus
from measures.periods import obligations_refresh, period_close
from measures.status_upload import Vocabulary, _number
from measures.status_xlsx import COLUMN, HEADER_ROW, META_SHEET
from measures.statuses import measure_status_update
from tests.factories import IndicatorFactory, MeasureFactory


def download(client, period, unit, **headers):
    url = reverse("status_template", args=[period.pk]) + f"?unit={unit.pk}"
    return client.get(url, **headers)


def workbook_of(response):
    return load_workbook(io.BytesIO(response.content))


def template(client, reporting, unit):
    return workbook_of(download(client, reporting.period, unit))


def row_of(sheet, title: str) -> int:
    for number in range(HEADER_ROW + 1, sheet.max_row + 1):
        if sheet.cell(number, COLUMN["measure"]).value == title:
            return number
    raise AssertionError(f"{title} is not in the sheet")


def fill(sheet, title: str, **values) -> int:
    number = row_of(sheet, title)
    for key, value in values.items():
        sheet.cell(number, COLUMN[key], value)
    return number


def as_upload(workbook, name: str = "status.xlsx") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def upload(client, period, unit, file):
    url = reverse("status_upload", args=[period.pk]) + f"?unit={unit.pk}"
    return client.post(url, {"file": file})


def token_of(response) -> str:
    return re.search(r'name="token" value="([^"]+)"', response.text).group(1)


def confirm(client, period, token: str):
    return client.post(reverse("status_upload_confirm", args=[period.pk]), {"token": token})


def fresh(row) -> MeasureStatus:
    return MeasureStatus.objects.get(pk=row.pk)


def label_in(language: str, status: str) -> str:
    with translation.override(language):
        return str(MeasureStatus.Status(status).label)


def test_template_holds_the_units_rows_under_a_clear_header(client, users, org, reporting):
    client.force_login(users.leader_a)
    response = download(client, reporting.period, org.unit_a)
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(
        'filename="status-hjemmetjenesten-nord-2022-t1.xlsx"'
    )
    sheet = workbook_of(response).worksheets[0]
    header = [cell.value for cell in sheet[HEADER_ROW]]
    assert header[:9] == [
        "Goal",
        "Measure",
        "Indicator",
        "Kind of value",
        "Status",
        "Progress (%)",
        "Indicator value",
        "Comment",
        "Last saved",
    ]
    assert sheet.cell(1, 1).value == "Hjemmetjenesten Nord – Tertial 1 2022"
    number = row_of(sheet, "Brukerråd")
    assert sheet.cell(number, COLUMN["row_id"]).value == reporting.row_a.pk
    assert sheet.cell(number, COLUMN["version"]).value == 1
    assert sheet.cell(number, COLUMN["kind"]).value == "Count"
    assert sheet.cell(number, COLUMN["status"]).value == "Not started"
    ids = {sheet.cell(n, COLUMN["row_id"]).value for n in range(HEADER_ROW + 1, sheet.max_row + 1)}
    assert ids == {reporting.row_a.pk, reporting.plain_a.pk}
    assert sheet.column_dimensions["J"].hidden and sheet.column_dimensions["K"].hidden
    assert sheet.freeze_panes == f"A{HEADER_ROW + 1}"


def test_template_offers_dropdowns_for_status_progress_and_yes_no(client, users, org, reporting):
    IndicatorFactory(measure=reporting.plain, name="Plan laget", kind="yes_no")
    client.force_login(users.leader_a)
    sheet = template(client, reporting, org.unit_a).worksheets[0]
    rules = {
        (rule.type, rule.formula1, rule.formula2): str(rule.sqref)
        for rule in sheet.data_validations.dataValidation
    }
    status_row, plain_row = row_of(sheet, "Brukerråd"), row_of(sheet, "Pårørendeplan")
    statuses = '"Not started,On track,At risk,Delayed,Done,Continuous,Cancelled"'
    assert {f"E{status_row}", f"E{plain_row}"} <= set(rules["list", statuses, None].split())
    # Progress holds the fraction under a percent format: 0 % to 100 % is 0 to 1.
    assert f"F{status_row}" in rules["decimal", "0", "1"]
    assert sheet[f"F{status_row}"].number_format == "0%"
    assert rules["whole", "0", None] == f"G{status_row}"
    assert rules["list", '"Yes,No"', None] == f"G{plain_row}"


def test_template_follows_the_users_language(client, users, org, reporting):
    client.force_login(users.leader_a)
    response = download(client, reporting.period, org.unit_a, HTTP_ACCEPT_LANGUAGE="nb")
    sheet = workbook_of(response).worksheets[0]
    assert sheet.cell(HEADER_ROW, COLUMN["measure"]).value == "Tiltak"
    assert sheet.cell(row_of(sheet, "Brukerråd"), COLUMN["status"]).value == "Ikke startet"


def test_rows_the_reader_cannot_change_are_greyed_and_marked_read_only(
    client, users, org, reporting
):
    client.force_login(users.area_leader)
    sheet = template(client, reporting, org.unit_a).worksheets[0]
    saved = sheet.cell(row_of(sheet, "Brukerråd"), COLUMN["saved"])
    assert saved.value.startswith("Read only: Your role does not answer for this measure")
    assert saved.fill.fgColor.rgb.endswith("EDEDED")
    assert not sheet.data_validations.dataValidation


def test_round_trip_saves_the_changes_with_the_user(client, users, org, reporting):
    client.force_login(users.leader_a)
    workbook = template(client, reporting, org.unit_a)
    sheet = workbook.worksheets[0]
    on_track = label_in("nb", "on_track")
    assert on_track != "On track"
    number = fill(
        sheet, "Brukerråd", status=on_track, progress=60, value="3", comment="Godt i gang"
    )
    response = upload(client, reporting.period, org.unit_a, as_upload(workbook))
    assert response.status_code == 200
    assert "Nothing is saved yet." in response.text
    assert "1 row will be saved." in response.text and "1 row is unchanged." in response.text
    assert f'<td class="numeric" rowspan="4">{number}</td>' in response.text
    assert "<td>Not started</td>" in response.text
    assert "<td><strong>On track</strong></td>" in response.text
    assert fresh(reporting.row_a).version == 1

    response = confirm(client, reporting.period, token_of(response))
    assert response.status_code == 302
    assert response.url == reverse("status_page", args=[reporting.period.pk]) + (
        f"?unit={org.unit_a.pk}"
    )
    row = fresh(reporting.row_a)
    assert (row.status, row.progress, row.value_number, row.comment) == (
        "on_track",
        60,
        Decimal("3"),
        "Godt i gang",
    )
    assert (row.version, row.updated_by) == (2, users.leader_a)
    assert row.history.first().history_user == users.leader_a
    page = client.get(response.url)
    assert "1 row saved." in page.text


def test_rows_sorted_in_excel_still_reach_their_own_measure(client, users, org, reporting):
    client.force_login(users.leader_a)
    workbook = template(client, reporting, org.unit_a)
    sheet = workbook.worksheets[0]
    first, second = HEADER_ROW + 1, HEADER_ROW + 2
    cells = [[cell.value for cell in sheet[number]] for number in (first, second)]
    for number, values in zip((second, first), cells, strict=True):
        for column, value in enumerate(values, start=1):
            sheet.cell(number, column, value)
    fill(sheet, "Pårørendeplan", comment="Etter sortering")
    response = upload(client, reporting.period, org.unit_a, as_upload(workbook))
    confirm(client, reporting.period, token_of(response))
    assert fresh(reporting.plain_a).comment == "Etter sortering"
    assert fresh(reporting.row_a).version == 1


def test_a_row_whose_measure_no_longer_matches_its_id_is_refused(client, users, org, reporting):
    client.force_login(users.leader_a)
    workbook = template(client, reporting, org.unit_a)
    sheet = workbook.worksheets[0]
    number = fill(sheet, "Brukerråd", measure="Pårørendeplan", comment="Feil rad")
    response = upload(client, reporting.period, org.unit_a, as_upload(workbook))
    assert "does not match its hidden row id" in response.text
    assert f'<td class="numeric">{number}</td>' in response.text


def test_norwegian_numbers_and_yes_no_words_are_read(client, users, org, reporting):
    measure = MeasureFactory(goal=reporting.counted.goal, title="Andel med plan", roles=["VL"])
    IndicatorFactory(measure=measure, name="Andel", kind="percentage")
    IndicatorFactory(measure=reporting.plain, name="Plan laget", kind="yes_no")
    obligations_refresh(period=reporting.period)
    client.force_login(users.leader_a)
    workbook = template(client, reporting, org.unit_a)
    sheet = workbook.worksheets[0]
    fill(sheet, "Andel med plan", value="85,5", progress="40 %")
    fill(sheet, "Pårørendeplan", value="Sant", status=label_in("sv", "on_track"))
    response = upload(client, reporting.period, org.unit_a, as_upload(workbook))
    assert "2 rows will be saved." in response.text
    confirm(client, reporting.period, token_of(response))
    share = MeasureStatus.objects.get(period=reporting.period, measure=measure, org_unit=org.unit_a)
    assert (share.value_number, share.progress) == (Decimal("85.5"), 40)
    plain = fresh(reporting.plain_a)
    assert (plain.value_bool, plain.status) == (True, "on_track")


@pytest.mark.parametrize(
    ("cell", "read"),
    [
        ("85,5", "85.5"),
        (85.5, "85.5"),
        (3, "3"),
        (3.0, "3"),
        ("1 234", "1234"),
        ("1.234,5", "1234.5"),
        ("50 %", "50"),
        (" 12 ", "12"),
        ("mange", "mange"),
        (None, ""),
    ],
)
def test_numbers_are_read_as_written_in_norway_or_by_excel(cell, read):
    assert _number(cell) == read


@pytest.mark.parametrize(
    ("cell", "answer"),
    [("Ja", "yes"), ("nei", "no"), ("Yes", "yes"), ("Sant", "yes"), ("Usant", "no"), ("Nej", "no")],
)
def test_yes_and_no_are_read_in_every_language(cell, answer):
    assert Vocabulary.load().answer(cell) == answer
    assert Vocabulary.load().answer(answer == "yes") == answer


@pytest.mark.parametrize("language", ["nb", "sv", "en"])
def test_status_labels_are_read_in_every_language(language):
    words = Vocabulary.load()
    for status in MeasureStatus.Status:
        label = label_in(language, status)
        assert words.status(label) == status
        assert words.status(f"  {label.upper()} ") == status
        assert words.status(status.value) == status


def test_someone_saving_after_the_download_is_a_conflict_not_overwritten(
    client, users, org, reporting
):
    client.force_login(users.leader_a)
    workbook = template(client, reporting, org.unit_a)
    measure_status_update(
        row=reporting.row_a,
        user=users.quality_office,
        version=1,
        status="at_risk",
        comment="Kontorets vurdering",
    )
    measure_status_update(
        row=reporting.plain_a, user=users.quality_office, version=1, status="delayed"
    )
    sheet = workbook.worksheets[0]
    number = fill(sheet, "Brukerråd", status="Done", comment="Min vurdering")
    response = upload(client, reporting.period, org.unit_a, as_upload(workbook))
    assert "Saved by someone else after the download" in response.text
    assert f'<td class="numeric" rowspan="2">{number}</td>' in response.text
    assert "Kontorets vurdering" in response.text and "Min vurdering" in response.text
    # The row the file left as it was is not a conflict: the newer save simply stays.
    assert "1 row is unchanged." in response.text
    assert "0 rows will be saved." in response.text
    assert 'data-variant="primary">Save' not in response.text
    confirm(client, reporting.period, token_of(response))
    assert fresh(reporting.row_a).comment == "Kontorets vurdering"
    assert fresh(reporting.plain_a).status == "delayed"


def test_a_save_between_the_check_and_the_confirmation_is_a_conflict(client, users, org, reporting):
    client.force_login(users.leader_a)
    workbook = template(client, reporting, org.unit_a)
    fill(workbook.worksheets[0], "Brukerråd", comment="Fra fila")
    fill(workbook.worksheets[0], "Pårørendeplan", comment="Også fra fila")
    response = upload(client, reporting.period, org.unit_a, as_upload(workbook))
    assert "2 rows will be saved." in response.text
    measure_status_update(
        row=reporting.row_a, user=users.quality_office, version=1, comment="Kontoret var først"
    )
    response = confirm(client, reporting.period, token_of(response))
    page = client.get(response.url).text
    assert "1 row saved." in page
    assert "1 row was not saved: someone else saved it" in page
    assert "Brukerråd (row" in page
    assert fresh(reporting.row_a).comment == "Kontoret var først"
    assert fresh(reporting.plain_a).comment == "Også fra fila"


def test_invalid_cells_are_reported_by_sheet_row_and_nothing_is_saved(
    client, users, org, reporting
):
    client.force_login(users.leader_a)
    workbook = template(client, reporting, org.unit_a)
    sheet = workbook.worksheets[0]
    counted = fill(sheet, "Brukerråd", progress=150, value="mange")
    plain = fill(sheet, "Pårørendeplan", status="Fint")
    response = upload(client, reporting.period, org.unit_a, as_upload(workbook))
    assert response.status_code == 200
    text = response.text
    assert "2 rows have errors and will be left out." in text
    assert f'<td class="numeric">{counted}</td>' in text
    assert f'<td class="numeric">{plain}</td>' in text
    assert "Progress (%): Progress must be between 0 and 100." in text
    assert "Indicator value: Write the count as a whole number, for example 12." in text
    assert "Status: “Fint” is not a status. Use one of: Not started, On track" in text
    assert 'name="token"' in text and 'data-variant="primary">Save' not in text
    confirm(client, reporting.period, token_of(response))
    assert fresh(reporting.row_a).version == 1 and fresh(reporting.plain_a).version == 1


def test_double_confirm_saves_once(client, users, org, reporting):
    client.force_login(users.leader_a)
    workbook = template(client, reporting, org.unit_a)
    fill(workbook.worksheets[0], "Brukerråd", comment="En gang")
    token = token_of(upload(client, reporting.period, org.unit_a, as_upload(workbook)))
    confirm(client, reporting.period, token)
    response = confirm(client, reporting.period, token)
    assert "already been saved or has expired" in client.get(response.url).text
    assert fresh(reporting.row_a).version == 2
    assert MeasureStatus.history.filter(id=reporting.row_a.pk).count() == 1


def test_confirm_only_takes_post(client, users, reporting):
    client.force_login(users.leader_a)
    response = client.get(reverse("status_upload_confirm", args=[reporting.period.pk]))
    assert response.status_code == 405


def test_the_upload_page_shows_the_form(client, users, org, reporting):
    client.force_login(users.leader_a)
    url = reverse("status_upload", args=[reporting.period.pk]) + f"?unit={org.unit_a.pk}"
    response = client.get(url)
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in response.text
    assert reverse("status_template", args=[reporting.period.pk]) in response.text


def test_status_page_links_the_template_and_the_upload(client, users, org, reporting):
    client.force_login(users.leader_a)
    response = client.get(reverse("status_page", args=[reporting.period.pk]))
    assert "Download Excel template" in response.text and "Upload filled template" in response.text
    client.force_login(users.area_leader)
    url = reverse("status_page", args=[reporting.period.pk]) + f"?unit={org.unit_a.pk}"
    assert "Upload filled template" not in client.get(url).text


def test_unit_leader_b_cannot_reach_unit_as_template_or_upload(client, users, org, reporting):
    client.force_login(users.leader_b)
    assert download(client, reporting.period, org.unit_a).status_code == 404
    url = reverse("status_upload", args=[reporting.period.pk]) + f"?unit={org.unit_a.pk}"
    assert client.get(url).status_code == 404
    assert client.post(url, {}).status_code == 404


def test_a_file_for_unit_a_is_refused_in_unit_bs_upload(client, users, org, reporting):
    client.force_login(users.leader_a)
    workbook = template(client, reporting, org.unit_a)
    fill(workbook.worksheets[0], "Brukerråd", comment="Inntrenger")
    client.force_login(users.leader_b)
    response = upload(client, reporting.period, org.unit_b, as_upload(workbook))
    assert "This template was downloaded for Hjemmetjenesten Nord" in response.text
    assert 'name="token"' not in response.text
    assert fresh(reporting.row_a).version == 1


def test_unit_as_row_ids_in_unit_bs_file_are_left_out(client, users, org, reporting):
    client.force_login(users.leader_b)
    workbook = template(client, reporting, org.unit_b)
    sheet = workbook.worksheets[0]
    number = fill(sheet, "Brukerråd", row_id=reporting.row_a.pk, comment="Inntrenger")
    response = upload(client, reporting.period, org.unit_b, as_upload(workbook))
    assert "not one of this unit&#x27;s rows in this period" in response.text
    assert f'<td class="numeric">{number}</td>' in response.text
    confirm(client, reporting.period, token_of(response))
    assert fresh(reporting.row_a).version == 1


def test_a_reader_without_editable_rows_gets_403_on_upload(client, users, org, reporting):
    client.force_login(users.area_leader)
    assert download(client, reporting.period, org.unit_a).status_code == 200
    url = reverse("status_upload", args=[reporting.period.pk]) + f"?unit={org.unit_a.pk}"
    assert client.get(url).status_code == 403
    assert client.post(url, {}).status_code == 403


def test_after_the_period_closes_the_leader_cannot_upload_but_the_office_can(
    client, users, org, reporting
):
    client.force_login(users.quality_office)
    workbook = template(client, reporting, org.unit_a)
    fill(workbook.worksheets[0], "Brukerråd", comment="Etter fristen")
    period_close(period=reporting.period, user=None)
    client.force_login(users.leader_a)
    url = reverse("status_upload", args=[reporting.period.pk]) + f"?unit={org.unit_a.pk}"
    assert client.get(url).status_code == 403
    client.force_login(users.quality_office)
    response = upload(client, reporting.period, org.unit_a, as_upload(workbook))
    confirm(client, reporting.period, token_of(response))
    assert fresh(reporting.row_a).comment == "Etter fristen"


def test_read_only_rows_in_the_file_are_ignored_with_the_reason(client, users, org, reporting):
    # The employees of unit A answer for this one: the unit leader reads it but may not edit it.
    staff_measure = MeasureFactory(goal=reporting.counted.goal, title="Hospitering", roles=["ANS"])
    obligations_refresh(period=reporting.period)
    row = MeasureStatus.objects.get(measure=staff_measure, org_unit=org.unit_a)
    client.force_login(users.leader_a)
    workbook = template(client, reporting, org.unit_a)
    sheet = workbook.worksheets[0]
    assert sheet.cell(row_of(sheet, "Hospitering"), COLUMN["saved"]).value.startswith("Read only")
    fill(sheet, "Brukerråd", comment="Min rad")
    response = upload(client, reporting.period, org.unit_a, as_upload(workbook))
    # Left as it was, the read-only row is simply unchanged: nothing to explain.
    assert "2 rows are unchanged." in response.text and "read only for you" not in response.text
    number = fill(sheet, "Hospitering", comment="Prøver likevel")
    response = upload(client, reporting.period, org.unit_a, as_upload(workbook))
    assert "1 row is read only for you and is ignored." in response.text
    assert f'<td class="numeric">{number}</td>' in response.text
    assert "Your role does not answer for this measure in this unit." in response.text
    confirm(client, reporting.period, token_of(response))
    assert fresh(row).version == 1
    assert fresh(reporting.row_a).comment == "Min rad"


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"not a workbook at all", "status.xlsx", "This file is not an Excel workbook (.xlsx)."),
        (b"a;b;c\n1;2;3\n", "status.csv", "Upload the Excel workbook (.xlsx) you downloaded."),
    ],
)
def test_a_file_that_is_not_a_workbook_is_refused(
    client, users, org, reporting, data, name, message
):
    client.force_login(users.leader_a)
    response = upload(client, reporting.period, org.unit_a, SimpleUploadedFile(name, data))
    assert response.status_code == 200
    assert message in response.text
    assert 'name="token"' not in response.text


def test_a_damaged_workbook_is_refused(client, users, org, reporting):
    client.force_login(users.leader_a)
    good = download(client, reporting.period, org.unit_a)
    data = good.content
    damaged = data[: len(data) // 2]
    response = upload(client, reporting.period, org.unit_a, SimpleUploadedFile("s.xlsx", damaged))
    assert "not an Excel workbook" in response.text or "could not be read" in response.text


def test_a_workbook_without_the_id_columns_is_refused(client, users, org, reporting):
    client.force_login(users.leader_a)
    workbook = Workbook()
    workbook.active.append(["Tiltak", "Status", "Kommentar"])
    workbook.active.append(["Brukerråd", "Går etter planen", "Hei"])
    response = upload(client, reporting.period, org.unit_a, as_upload(workbook))
    assert "no sheet has the hidden columns" in response.text


def test_a_missing_input_column_is_named(client, users, org, reporting):
    client.force_login(users.leader_a)
    workbook = template(client, reporting, org.unit_a)
    workbook.worksheets[0].delete_cols(COLUMN["comment"])
    response = upload(client, reporting.period, org.unit_a, as_upload(workbook))
    assert "The column “Comment” is missing." in response.text


def test_too_many_rows_or_too_large_a_file_is_refused(client, users, org, reporting, monkeypatch):
    client.force_login(users.leader_a)
    workbook = template(client, reporting, org.unit_a)
    monkeypatch.setattr("measures.status_xlsx.MAX_ROWS", 1)
    response = upload(client, reporting.period, org.unit_a, as_upload(workbook))
    assert "The file has more than 1 rows" in response.text
    monkeypatch.setattr("measures.status_xlsx_views.MAX_UPLOAD_BYTES", 100)
    response = upload(client, reporting.period, org.unit_a, as_upload(workbook))
    assert "the largest file we accept is 100" in response.text


def test_the_template_carries_its_unit_and_period(client, users, org, reporting):
    client.force_login(users.leader_a)
    workbook = template(client, reporting, org.unit_a)
    meta = dict(workbook[META_SHEET].iter_rows(values_only=True))
    assert (meta["period"], meta["unit"]) == (reporting.period.pk, org.unit_a.pk)
    assert workbook[META_SHEET].sheet_state == "hidden"


def test_download_query_count_does_not_grow_with_rows(
    client, users, org, reporting, django_assert_max_num_queries
):
    for number in range(10):
        measure = MeasureFactory(goal=reporting.counted.goal, title=f"Ekstra {number}")
        IndicatorFactory(measure=measure, kind="percentage")
    obligations_refresh(period=reporting.period)
    client.force_login(users.leader_a)
    with django_assert_max_num_queries(15):
        response = download(client, reporting.period, org.unit_a)
    assert load_workbook(io.BytesIO(response.content)).worksheets[0].max_row > 10


def test_a_workbook_with_a_broken_sheet_inside_is_refused(client, users, org, reporting):
    client.force_login(users.leader_a)
    data = download(client, reporting.period, org.unit_a).content
    broken = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(broken, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = content[: len(content) // 2]
            target.writestr(item, content)
    file = SimpleUploadedFile("status.xlsx", broken.getvalue())
    response = upload(client, reporting.period, org.unit_a, file)
    assert "The file could not be read: it may be damaged" in response.text


def test_another_persons_status_upload_token_is_404(client, users, org, reporting):
    client.force_login(users.leader_a)
    workbook = template(client, reporting, org.unit_a)
    fill(workbook.worksheets[0], "Brukerråd", comment="Min")
    token = token_of(upload(client, reporting.period, org.unit_a, as_upload(workbook)))
    client.force_login(users.quality_office)
    assert confirm(client, reporting.period, token).status_code == 404
    assert fresh(reporting.row_a).version == 1
