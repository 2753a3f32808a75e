from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from staircase.framework_import import (
    FrameworkImportError,
    framework_export_xlsx,
    framework_import_apply,
    parse_framework,
)
from staircase.models import Criterion, Framework, FrameworkVersion, Perspective, QualityArea

DATA = Path(__file__).parent / "data"
SHEET = DATA / "kvalitetstrappa-forskola.xlsx"


def _parse(name: str):
    path = DATA / name
    return parse_framework(data=path.read_bytes(), filename=path.name)


def test_a_swedish_sheet_made_by_hand_reads_with_the_right_counts():
    parsed = _parse(SHEET.name)
    assert parsed.title == "Kvalitetstrappa förskola – version hösten"
    assert [area.name for area in parsed.areas] == [
        "Trygghet och trivsel",
        "Lärande miljö",
        "Samverkan med vårdnadshavare",
    ]
    assert parsed.criterion_count == 27
    assert parsed.areas[0].step_counts == [2, 2, 2, 2, 2, 2, 2]
    assert parsed.areas[2].empty_steps == [5, 6, 7]
    assert parsed.perspectives == ["Personal", "Vårdnadshavare", "Barn", "Ledning"]
    # Stray spaces go; "Steg 2" and 2.0 are step 2; "och" and commas split perspectives.
    second = parsed.areas[0].criteria[1]
    assert second.text == "Vårdnadshavare vet vem de kan vända sig till"
    assert [c.step for c in parsed.areas[0].criteria[2:4]] == [2, 2]
    assert parsed.areas[0].criteria[5].perspectives == ["Personal", "Ledning"]


@pytest.mark.django_db
def test_import_saves_a_framework_version_with_areas_criteria_and_perspectives():
    version = framework_import_apply(parsed=_parse(SHEET.name), name="Förskola", user=None)
    assert version.number == 1
    assert QualityArea.objects.filter(version=version).count() == 3
    assert Criterion.objects.filter(area__version=version).count() == 27
    kinds = dict(Perspective.objects.filter(version=version).values_list("name", "kind"))
    assert kinds == {
        "Personal": "staff",
        "Vårdnadshavare": "families",
        "Barn": "users",
        "Ledning": "management",
    }
    both = Criterion.objects.get(area__version=version, step=3, position=2, area__position=1)
    assert sorted(p.name for p in both.perspectives.all()) == ["Ledning", "Personal"]


@pytest.mark.django_db
def test_a_second_import_of_the_same_framework_is_a_new_version_and_keeps_the_first():
    parsed = _parse(SHEET.name)
    first = framework_import_apply(parsed=parsed, name="Förskola", user=None)
    second = framework_import_apply(parsed=parsed, name="förskola", user=None)
    assert (first.framework_id, second.number) == (second.framework_id, 2)
    assert Criterion.objects.filter(area__version=first).count() == 27


def test_bad_rows_get_their_row_numbers():
    with pytest.raises(FrameworkImportError) as caught:
        _parse("trappa-fel.csv")
    assert caught.value.messages == [
        "Row 5: “9” is not a step from 1 to 7.",
        "Row 7: “två” is not a step from 1 to 7.",
    ]


def test_a_criterion_above_every_area_is_an_error_with_its_row():
    data = "Område;Trinn;Kriterium\n\n;1;Noe uten område\nMåltider;1;Maten er varm\n"
    with pytest.raises(FrameworkImportError) as caught:
        parse_framework(data=data.encode("utf-8-sig"), filename="x.csv")
    assert caught.value.messages == [
        "Row 3: the criterion has no area. Write the area on this row or on a row above it."
    ]


def test_english_headers_in_another_order_and_commas_read():
    data = "Framework\nCriterion,Area,Step\nFood is warm,Meals,1\nChoice of two dishes,,2\n"
    parsed = parse_framework(data=data.encode(), filename="x.csv")
    assert [(c.step, c.text) for c in parsed.areas[0].criteria] == [
        (1, "Food is warm"),
        (2, "Choice of two dishes"),
    ]


def test_a_sheet_without_the_header_says_which_columns_it_needs():
    with pytest.raises(FrameworkImportError) as caught:
        parse_framework(data=b"a;b;c\n1;2;3\n", filename="x.csv")
    assert "area, step and criterion" in caught.value.messages[0]


def test_an_identity_number_in_a_criterion_is_refused_with_its_row():
    data = "Område;Trinn;Kriterium\nMåltider;1;Gjelder 15076500565\n"
    with pytest.raises(FrameworkImportError) as caught:
        parse_framework(data=data.encode(), filename="x.csv")
    assert caught.value.messages == [
        "Row 2: the criterion contains what looks like a national identity number."
    ]


def test_a_formula_in_a_csv_is_refused():
    data = 'Område;Trinn;Kriterium\nMåltider;1;=HYPERLINK("x")\n'
    with pytest.raises(FrameworkImportError) as caught:
        parse_framework(data=data.encode(), filename="x.csv")
    assert "formula" in caught.value.messages[0]


@pytest.mark.django_db
def test_export_reads_back_to_the_same_framework():
    version = framework_import_apply(parsed=_parse(SHEET.name), name="Förskola", user=None)
    data = framework_export_xlsx(version=version)
    again = parse_framework(data=data, filename="export.xlsx")
    assert again.criterion_count == 27
    assert [a.name for a in again.areas] == [a.name for a in _parse(SHEET.name).areas]
    sheet = load_workbook(__import__("io").BytesIO(data)).active
    assert sheet["A3"].value == "Trygghet och trivsel"
    assert sheet["A4"].value is None


@pytest.mark.django_db
def test_command_dry_run_saves_nothing_and_a_bad_file_changes_nothing(capsys):
    call_command("import_framework", str(SHEET), "--dry-run")
    assert "3 areas, 27 criteria, 4 perspectives" in capsys.readouterr().out
    assert not FrameworkVersion.objects.exists()
    with pytest.raises(CommandError, match="Row 5"):
        call_command("import_framework", str(DATA / "trappa-fel.csv"))
    assert not Framework.objects.exists()
    call_command("import_framework", str(SHEET), "--name", "Förskola")
    assert Criterion.objects.count() == 27
