from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from sources import jsonstat
from sources.models import RegionChange, StatisticResponse, StatisticTable, StatisticValue
from sources.regions import code_in_year, region_lineage
from sources.statistics import jsonstat_store, statistics_file_store


def _cells(data: bytes):
    return list(jsonstat.parse_dataset(jsonstat.load(data)).cells())


def test_kostra_table_with_roles_reads_every_cell_in_row_major_order(data_file):
    cells = _cells(data_file("ssb_12209_kokkommuneregion.json"))
    assert len(cells) == 4 * 2 * 5
    first = cells[0]
    assert (first.region, first.contents, first.period) == ("1804", "KOShjtj80aarover0001", "2019")
    assert first.value == Decimal("29.0")
    # The last dimension (Tid) runs fastest, the first (region) slowest.
    assert [c.period for c in cells[:5]] == ["2019", "2020", "2021", "2022", "2023"]
    assert cells[10].region == "EKG13"


def test_status_markers_leave_the_value_missing_never_zero(data_file):
    cells = _cells(data_file("ssb_12209_kokkommuneregion.json"))
    bodo_2023 = next(
        c
        for c in cells
        if c.region == "1804" and c.period == "2023" and c.contents == "KOSsykhjand80aar0000"
    )
    assert bodo_2023.value is None and bodo_2023.status == ".."
    group_2019 = [c for c in cells if c.region == "EKG13" and c.period == "2019"]
    assert {c.status for c in group_2019} == {"."}
    assert all(c.value is None for c in group_2019)


def test_region_convention_found_by_name_and_municipality_numbers_normalised(data_file):
    dataset = jsonstat.parse_dataset(jsonstat.load(data_file("ssb_12003_region.json")))
    assert (dataset.table, dataset.region_id, dataset.time_id) == ("12003", "Region", "Tid")
    assert dataset.contents_id == "ContentsCode"
    cells = list(dataset.cells())
    assert {c.region for c in cells} == {"0", "4001", "3806", "0805"}
    assert set(cells[0].dimensions) == {"Alder", "HjemmeTjeneste"}
    confidential = [c for c in cells if c.status == ":"]
    assert confidential and all(c.value is None for c in confidential)
    assert {c.dimensions["Alder"] for c in confidential} == {"080+"}


def test_national_table_with_sparse_values_and_one_status_for_all(data_file):
    dataset = jsonstat.parse_dataset(jsonstat.load(data_file("ssb_national_sparse.json")))
    assert dataset.region_id is None and dataset.table == "09747"
    cells = list(dataset.cells())
    # Positions 2 and 5 are left out of the value object: missing, not stored as 0.
    assert [c.value for c in cells] == [10421, 10188, 22034, 21710]
    assert [c.period for c in cells] == ["2021", "2022", "2021", "2022"]
    assert {c.region for c in cells} == {""} and {c.status for c in cells} == {"p"}
    assert cells[2].dimensions == {"Kjonn": "2"}


@pytest.mark.parametrize(
    ("code", "expected"),
    [("K-1804", "1804"), ("1804", "1804"), ("301", "0301"), ("EKA08", "EKA08"), ("EAK", "EAK")],
)
def test_region_codes_normalise(code, expected):
    assert jsonstat.normalise_region(code) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b"<html>Not found</html>", "not JSON"),
        (b"[1, 2]", "no JSON-stat dataset"),
        (
            b'{"class": "dataset", "id": ["Tid"], "size": [2], "dimension": {"Tid": '
            b'{"category": {"index": ["2020"]}}}, "value": [1, 2], "label": "12345: x"}',
            "size of 2",
        ),
        (
            b'{"class": "dataset", "id": ["Tid"], "size": [1], "dimension": {"Tid": '
            b'{"category": {"index": ["2020"]}}}, "value": [1, 2], "label": "12345: x"}',
            "2 values",
        ),
    ],
)
def test_broken_files_say_why_and_store_nothing(db, text, message):
    with pytest.raises(jsonstat.JsonStatError, match=message):
        jsonstat_store(data=text)
    assert not StatisticValue.objects.exists() and not StatisticResponse.objects.exists()


def test_store_keeps_raw_response_table_codes_and_every_cell(db, data_file):
    result = jsonstat_store(data=data_file("ssb_12209_kokkommuneregion.json"))
    assert (result.table, result.cells, result.missing) == ("12209", 40, 3)
    table = StatisticTable.objects.get(table="12209")
    assert table.label_of("KOKkommuneregion0000", "EKG13") == "Kostragruppe 13"
    assert [d["role"] for d in table.dimensions] == ["geo", "metric", "time"]
    value = StatisticValue.objects.get(
        table="12209", contents="KOShjtj80aarover0001", region="EAK", period="2022"
    )
    assert value.year == 2022 and value.value is not None and value.response_id
    assert StatisticResponse.objects.get().cells == 40


def test_storing_the_same_file_twice_changes_no_value(db, data_file):
    data = data_file("ssb_12003_region.json")
    jsonstat_store(data=data)
    before = sorted(
        StatisticValue.objects.values_list("region", "period", "dimensions_key", "value", "status")
    )
    jsonstat_store(data=data)
    after = sorted(
        StatisticValue.objects.values_list("region", "period", "dimensions_key", "value", "status")
    )
    assert before == after and len(after) == 4 * 2 * 2 * 4


def test_import_statistics_command_reads_a_saved_file(db, tmp_path, data_file, capsys):
    path = tmp_path / "12209.json"
    path.write_bytes(data_file("ssb_12209_kokkommuneregion.json"))
    call_command("import_statistics", str(path))
    assert "Table 12209: 40 cells, 37 with a value, 3 missing" in capsys.readouterr().out
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    with pytest.raises(CommandError, match="not JSON"):
        call_command("import_statistics", str(broken))


def test_merged_municipality_reads_each_year_under_the_number_of_that_year(db):
    RegionChange.objects.create(old_code="0805", new_code="3806", year=2020)
    RegionChange.objects.create(old_code="3806", new_code="4001", year=2024)
    lineage = region_lineage(code="4001")
    assert lineage == [("4001", 2024), ("3806", 2020), ("0805", 0)]
    assert [code_in_year(lineage, y) for y in (2019, 2020, 2023, 2024)] == [
        "0805",
        "3806",
        "3806",
        "4001",
    ]


def test_years_before_a_merger_of_several_belong_to_none_of_them(db):
    RegionChange.objects.create(old_code="1841", new_code="1804", year=2005)
    RegionChange.objects.create(old_code="1842", new_code="1804", year=2005)
    lineage = region_lineage(code="1804")
    assert code_in_year(lineage, 2004) is None and code_in_year(lineage, 2005) == "1804"


def test_file_store_recognises_a_kolada_response(db, data_file):
    result = statistics_file_store(data=data_file("kolada_n21704_page1.json"))
    assert result.table == "N21704" and result.cells == 6


def test_kolada_unit_level_response_stores_the_unit_as_region(db, data_file):
    result = statistics_file_store(data=data_file("kolada_u21468_ou.json"))
    value = StatisticValue.objects.get(table="U21468")
    assert result.cells == 1 and value.region == "V21E218400201"
    assert value.dimensions == {"gender": "T"} and value.value == 84 and value.year == 2023


def test_kolada_missing_value_keeps_its_status(db, data_file):
    statistics_file_store(data=data_file("kolada_n21704_page2.json"))
    missing = StatisticValue.objects.get(region="2184", period="2023")
    assert missing.value is None and missing.status == "Missing"
