from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from qualityplan.models import Membership, Municipality, OrgUnit
from qualityplan.municipality import municipality_forget, municipality_setup
from qualityplan.org_import import org_export_csv, org_file_read, org_sync_apply, org_sync_plan

DATA = Path(__file__).parent.parent / "data" / "org"


@pytest.fixture(autouse=True)
def _fresh_municipality_cache():
    municipality_forget()
    yield
    municipality_forget()


def _plan(name: str | None = None, data: bytes | None = None, filename: str = "x.csv"):
    if name is not None:
        data, filename = (DATA / name).read_bytes(), name
    return org_sync_plan(rows=org_file_read(data=data, filename=filename))


def _import(name: str):
    plan = _plan(name)
    assert plan.ok, plan.errors
    return plan, org_sync_apply(plan=plan, user=None)


def _tree() -> dict[str, tuple[str, str, str, bool]]:
    return {
        unit.external_code: (
            unit.name,
            unit.parent.external_code if unit.parent else "",
            unit.kind,
            unit.is_active,
        )
        for unit in OrgUnit.objects.select_related("parent").exclude(external_code="")
    }


def test_swedish_hr_export_in_cp1252_with_children_first_builds_the_tree(db):
    municipality_setup(name="Exempel kommun", department="Vård och omsorg", language="sv")
    plan, counts = _import("sv_hr_export_cp1252.csv")
    tree = _tree()
    assert len(tree) == 11
    # The file's top row became the installation's top unit, with the file's name and code.
    top = Municipality.objects.get().top_unit
    assert (top.external_code, top.name) == ("3000", "Vård- och omsorgsförvaltningen")
    assert OrgUnit.objects.filter(parent__isnull=True).count() == 1
    assert tree["3110"] == ("Hemtjänst Norr", "3100", "unit", True)  # trimmed
    assert tree["3100"][2] == "area"
    assert tree["3111"][2] == "section"
    assert tree["3211"][2] == "section"  # "Avdelning" under a unit
    assert tree["3050"][2] == "office"
    leaders = {
        (m.org_unit.external_code, m.role.code, m.user.email)
        for m in Membership.objects.select_related("org_unit", "role", "user")
    }
    assert leaders == {
        ("3110", "VL", "anna.lind@exempel.se"),
        ("3100", "OL", "per.ek@exempel.se"),
    }
    assert counts["add"] == 10


def test_norwegian_export_with_bom_without_setup_makes_its_own_top_unit(db):
    _import("nb_hr_export_bom.csv")
    tree = _tree()
    assert tree["4000"] == ("Helse og omsorg", "", "department", True)
    assert tree["4611"] == ("Nattpatruljen", "4610", "section", True)
    assert tree["4090"][2] == "office"


def test_reimport_renames_moves_adds_and_deactivates_in_place(db):
    municipality_setup(name="Bodø kommune", department="Helse og omsorg", language="nb")
    _import("nb_hr_export_bom.csv")
    ids = dict(OrgUnit.objects.values_list("external_code", "pk"))
    plan = _plan("nb_hr_reimport.tsv")
    assert plan.ok, plan.errors
    changes = {(c.action, c.code) for c in plan.changes}
    assert changes == {
        ("rename", "4620"),
        ("move", "4712"),
        ("add", "4720"),
        ("deactivate", "4611"),
    }
    # Nothing is written by the preview.
    assert not OrgUnit.objects.filter(external_code="4720").exists()
    org_sync_apply(plan=plan, user=None)
    tree = _tree()
    assert tree["4620"] == ("Hjemmetjenesten Sør og Sentrum", "4600", "unit", True)
    assert tree["4712"] == ("Skjermet enhet", "4610", "section", True)
    assert tree["4611"][3] is False
    assert tree["4090"][2] == "office"  # no level column: the kind it had is kept
    assert tree["4720"] == ("Korttidsavdelingen", "4700", "unit", True)
    # Same rows, same ids: renamed and moved in place, nothing deleted.
    assert all(OrgUnit.objects.get(external_code=c).pk == pk for c, pk in ids.items())
    history = OrgUnit.objects.get(external_code="4620").history.order_by("history_date")
    assert [h.name for h in history][-1] == "Hjemmetjenesten Sør og Sentrum"
    assert "Hjemmetjenesten Sør" in [h.name for h in history]


def test_reimport_of_the_same_file_changes_nothing(db):
    _import("nb_hr_export_bom.csv")
    plan = _plan("nb_hr_export_bom.csv")
    assert plan.changes == []
    assert plan.unchanged == 10


def test_export_reads_back_as_the_same_tree(db):
    _import("sv_hr_export_cp1252.csv")
    exported = org_export_csv()
    assert exported.startswith(b"\xef\xbb\xbf")
    plan = _plan(data=exported, filename="export.csv")
    assert plan.ok and plan.changes == []


def test_units_swapping_names_under_one_parent_import_cleanly(db):
    _import("nb_hr_export_bom.csv")
    text = (DATA / "nb_hr_export_bom.csv").read_bytes().decode("utf-8-sig")
    text = text.replace("4711;Avdeling 1. etasje", "4711;TMP").replace(
        "4712;Skjermet enhet", "4712;Avdeling 1. etasje"
    )
    text = text.replace("4711;TMP", "4711;Skjermet enhet")
    plan = _plan(data=text.encode(), filename="swap.csv")
    org_sync_apply(plan=plan, user=None)
    assert _tree()["4712"][0] == "Avdeling 1. etasje"


BAD = """Kode;Navn;Overordnet;Nivå;Leder
1;Helse;;Forvaltning;
2;Område A;3;Område;
3;Enhet B;2;Virksomhet;
4;Enhet C;99;Virksomhet;
4;Enhet D;1;Virksomhet;
5;Enhet E;1;Planet;ikke-epost
6;;1;;
"""


def test_bad_file_is_refused_with_a_message_per_row_and_nothing_changes(db):
    plan = _plan(data=BAD.encode(), filename="bad.csv")
    messages = {(e.row, e.message) for e in plan.errors}
    rows = {row for row, _ in messages}
    assert {3, 4, 5, 6, 7, 8} <= rows or {3, 5, 6, 7, 8} <= rows
    text = " ".join(message for _, message in messages)
    assert "also on row 5" in text
    assert "“99”" in text
    assert "each other's parents" in text
    assert "not an email address" in text
    assert "has no name" in text
    with pytest.raises(Exception):  # noqa: B017, PT011
        org_sync_apply(plan=plan, user=None)
    assert not OrgUnit.objects.exists()


def test_unknown_level_is_refused(db):
    data = "Kode;Navn;Overordnet;Nivå\n1;Helse;;\n2;Nord;1;Planet\n".encode()
    plan = _plan(data=data, filename="a.csv")
    assert [e.row for e in plan.errors] == [3]
    assert "“Planet”" in plan.errors[0].message


def test_xlsx_export_with_a_title_row_and_merged_cells_is_read(db, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Organisationsrapport"])
    sheet.merge_cells("A1:D1")
    sheet.append([])
    sheet.append(["Enhetskod", "Enhetsnamn", "Överordnad enhetskod", "Nivå"])
    sheet.append([200, "Arbetslag Sol", 20, "Arbetslag"])
    sheet.append([20, "Förskolan Solen", 2, "Enhet"])
    sheet.append([2, "Förskoleverksamheten", 1, "Verksamhetsområde"])
    sheet.append([1, "Barn- och utbildningsförvaltningen", None, "Förvaltning"])
    path = tmp_path / "org.xlsx"
    book.save(path)
    plan = _plan(data=path.read_bytes(), filename="org.xlsx")
    assert plan.ok, plan.errors
    org_sync_apply(plan=plan, user=None)
    assert _tree()["200"] == ("Arbetslag Sol", "20", "section", True)


def test_import_org_command_dry_run_saves_nothing_then_imports(db):
    call_command("import_org", str(DATA / "nb_hr_export_bom.csv"), "--dry-run")
    assert not OrgUnit.objects.exists()
    call_command("import_org", str(DATA / "nb_hr_export_bom.csv"))
    assert OrgUnit.objects.count() == 10


def test_import_org_command_refuses_a_bad_file(db, tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text(BAD)
    with pytest.raises(CommandError, match="nothing was changed"):
        call_command("import_org", str(path))
    assert "row 6: The code “4” is also on row 5" in capsys.readouterr().err
    assert not OrgUnit.objects.exists()
