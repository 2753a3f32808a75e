import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from qualityplan import spreadsheets
from qualityplan.spreadsheets import (
    WorkbookUnreadable,
    XlsxTable,
    csv_response,
    csv_text,
    looks_like_formula,
    workbook_bytes,
    workbook_open,
)


def _zip_unpacking_to(size: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * size)
    return buffer.getvalue()


def test_a_zip_unpacking_past_the_limit_is_refused_before_it_is_read(monkeypatch):
    monkeypatch.setattr(spreadsheets, "MAX_UNPACKED_BYTES", 1000)
    data = _zip_unpacking_to(5000)
    assert len(data) < 1000
    with pytest.raises(WorkbookUnreadable) as refused:
        workbook_open(data, data_only=True)
    assert refused.value.reason == "too_big"


@pytest.mark.parametrize(
    ("data", "reason"),
    [(b"goal;measure\n", "not_xlsx"), (_zip_unpacking_to(10), "corrupt")],
)
def test_what_is_not_a_workbook_says_why(data, reason):
    with pytest.raises(WorkbookUnreadable) as refused:
        workbook_open(data, data_only=True)
    assert refused.value.reason == reason


@pytest.mark.parametrize(
    ("text", "formula"),
    [
        ("=SUM(A1:A9)", True),
        ("  +1", True),
        ("@cmd", True),
        ("-2*3", True),
        ("-SUM(A1:A2)", True),
        ("- Brukerråd", False),
        ("-5", False),
        ("Tiltak", False),
        ("", False),
    ],
)
def test_importers_and_exporters_share_one_formula_rule(text, formula):
    assert looks_like_formula(text) is formula
    if text.startswith(("=", "+", "@", "-")):
        assert csv_text(text) == "'" + text


def test_a_table_keeps_text_text_and_numbers_numbers():
    book = Workbook(write_only=True)
    table = XlsxTable(
        book, title="Ark: [1]", headers=["Tekst", "Andel"], number_formats={1: "0.0%"}
    )
    table.append(["=HYPERLINK(1)", 0.5])
    table.close()
    sheet = load_workbook(io.BytesIO(workbook_bytes(book))).active
    assert sheet.title == "Ark   1"
    assert sheet["A2"].data_type == "s" and sheet["A2"].value == "=HYPERLINK(1)"
    assert sheet["B2"].value == 0.5 and sheet["B2"].number_format == "0.0%"
    assert sheet["A1"].font.bold and sheet.freeze_panes == "A2"


def test_widths_fit_rows_past_the_first_sample(monkeypatch):
    monkeypatch.setattr(spreadsheets, "WIDTH_SAMPLE_ROWS", 2)
    book = Workbook(write_only=True)
    table = XlsxTable(book, title="T", headers=["A"])
    for text in ["kort", "litt lengre tekst", "x"]:
        table.append([text])
    table.close()
    sheet = load_workbook(io.BytesIO(workbook_bytes(book))).active
    assert [cell.value for cell in sheet["A"]] == ["A", "kort", "litt lengre tekst", "x"]
    assert sheet.column_dimensions["A"].width == len("litt lengre tekst") + 2
    assert sheet.auto_filter.ref == "A1:A4"


def test_csv_response_starts_with_a_byte_order_mark_and_names_the_file():
    response = csv_response([["Mål", "Verdi"], ["=1", "2"]], filename="mål.csv")
    assert response.content.decode("utf-8").startswith("\ufeffMål;Verdi\r\n=1;2")
    assert "attachment" in response["Content-Disposition"]
