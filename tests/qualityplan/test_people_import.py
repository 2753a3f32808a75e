from datetime import date, timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from qualityplan.access import get_access
from qualityplan.models import Membership
from qualityplan.municipality import municipality_forget
from qualityplan.org_import import org_file_read, org_sync_apply, org_sync_plan
from qualityplan.people_import import people_file_read, people_sync_apply, people_sync_plan

DATA = Path(__file__).parent.parent / "data"


@pytest.fixture
def organisation(db):
    municipality_forget()
    data = (DATA / "org" / "nb_hr_export_bom.csv").read_bytes()
    plan = org_sync_plan(rows=org_file_read(data=data, filename="org.csv"))
    org_sync_apply(plan=plan, user=None)
    Membership.objects.all().delete()  # the org file's leader column; this test is the list's


def _plan(data: bytes, filename: str = "people.csv"):
    rows, errors = people_file_read(data=data, filename=filename)
    return people_sync_plan(rows=rows, errors=errors)


def _import(data: bytes):
    plan = _plan(data)
    assert plan.ok, plan.errors
    return people_sync_apply(plan=plan, user=None)


def test_people_list_creates_users_and_memberships(organisation):
    counts = _import((DATA / "people" / "nb_people_bom.csv").read_bytes())
    # Vigdis came with the org file's leader column, without her name.
    assert counts == {"user": 4, "name": 1, "add": 5}
    vigdis = User.objects.get(email="vigdis.nordli@bodo.kommune.no")
    assert (vigdis.first_name, vigdis.last_name) == ("Vigdis", "Nordli")
    assert not vigdis.has_usable_password()
    membership = Membership.objects.get(user=vigdis)
    assert (membership.role.code, membership.org_unit.external_code) == ("VL", "4610")
    assert membership.valid_from == date(2026, 1, 1)
    # Role given by its name.
    assert Membership.objects.get(user__email="ole.hammer@bodo.kommune.no").role.code == "OL"
    anne = Membership.objects.get(user__email="anne.lunde@bodo.kommune.no")
    assert anne.valid_until == date(2027, 12, 31)


def test_reimport_ends_what_is_missing_and_the_person_loses_access_today(organisation):
    text = (DATA / "people" / "nb_people_bom.csv").read_bytes().decode("utf-8-sig")
    _import(text.encode())
    sindre = User.objects.get(email="sindre.sorlie@bodo.kommune.no")
    unit_id = Membership.objects.get(user=sindre).org_unit_id
    assert get_access(sindre).can_report_for_unit(unit_id)
    without = "\r\n".join(line for line in text.split("\r\n") if "sindre" not in line)
    plan = _plan(without.encode())
    assert [(c.action, c.email) for c in plan.changes] == [("end", sindre.email)]
    people_sync_apply(plan=plan, user=None)
    ended = Membership.objects.get(user=sindre)  # kept, with an end date
    assert ended.valid_until == timezone.localdate() - timedelta(days=1)
    sindre = User.objects.get(pk=sindre.pk)
    assert not get_access(sindre).can_report_for_unit(unit_id)
    assert not get_access(sindre).reads_follow_up
    assert ended.history.count() == 2
    # The same list again changes nothing.
    assert _plan(without.encode()).changes == []


def test_a_membership_not_begun_yet_gives_no_access(organisation):
    start = timezone.localdate() + timedelta(days=3)
    _import(f"E-post;Enhetskode;Rolle;Fra\nny@x.no;4610;VL;{start.isoformat()}\n".encode())
    person = User.objects.get(email="ny@x.no")
    assert not get_access(person).report_unit_ids


BAD = """E-post;Navn;Enhetskode;Rolle;Fra
ikke-en-epost;Per;4610;VL;
kari@x.no;Kari;9999;VL;
ola@x.no;Ola;4610;Sjef;
eva@x.no;Eva;4610;VL;31.02.2026
eva@x.no;Eva;4610;VL;
"""


def test_bad_rows_are_refused_each_with_its_message_and_nothing_changes(organisation):
    plan = _plan(BAD.encode())
    by_row = {}
    for error in plan.errors:
        by_row.setdefault(error.row, []).append(error.message)
    assert "not an email address" in by_row[2][0]
    assert "“9999”" in by_row[3][0]
    assert "“Sjef”" in by_row[4][0]
    assert "not a date" in by_row[5][0]
    assert "also on row 5" in by_row[6][0]
    with pytest.raises(Exception):  # noqa: B017, PT011
        people_sync_apply(plan=plan, user=None)
    assert not User.objects.filter(email__in=["kari@x.no", "ola@x.no", "eva@x.no"]).exists()
    assert not Membership.objects.exists()


def test_import_people_command_imports_and_refuses_a_bad_list(organisation, tmp_path):
    from django.core.management import CommandError, call_command

    call_command("import_people", str(DATA / "people" / "nb_people_bom.csv"))
    assert Membership.objects.count() == 5
    bad = tmp_path / "bad.csv"
    bad.write_text(BAD)
    with pytest.raises(CommandError, match="nothing was changed"):
        call_command("import_people", str(bad))
    assert Membership.objects.count() == 5


def test_people_list_as_xlsx_with_date_cells_and_a_title_row(organisation, tmp_path):
    from datetime import datetime

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Behörighetslista"])
    sheet.append(["E-postadress", "Namn", "Enhetskod", "Roll", "Från", "Till"])
    sheet.append(["Per.Ek@Exempel.se", "Per Ek", 4610, "Virksomhetsleder",
                  datetime(2026, 3, 1), datetime(2026, 12, 31)])  # fmt: skip
    path = tmp_path / "people.xlsx"
    book.save(path)
    rows, errors = people_file_read(data=path.read_bytes(), filename="people.xlsx")
    plan = people_sync_plan(rows=rows, errors=errors)
    assert plan.ok, plan.errors
    people_sync_apply(plan=plan, user=None)
    membership = Membership.objects.get(user__email="per.ek@exempel.se")
    assert (membership.valid_from, membership.valid_until) == (date(2026, 3, 1), date(2026, 12, 31))
