from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from qualityplan.models import Membership, OrgUnit, Role
from qualityplan.municipality import municipality_forget
from tests.factories import OrgUnitFactory, UserFactory, role

DATA = Path(__file__).parent.parent / "data"


@pytest.fixture(autouse=True)
def _fresh():
    municipality_forget()
    yield
    municipality_forget()


def _upload(name: str, folder: str = "org"):
    return SimpleUploadedFile(name, (DATA / folder / name).read_bytes())


@pytest.mark.parametrize(
    "url",
    ["/organisation/", "/organisation/import/", "/organisation/people/import/",
     "/organisation/roles/", "/organisation/export.csv"],
)  # fmt: skip
@pytest.mark.parametrize("who", ["leader_a", "area_leader", "director", "employee", "stranger"])
def test_only_the_office_reaches_the_organisation_pages(client, users, url, who):
    client.force_login(getattr(users, who))
    assert client.get(url).status_code == 403


def test_unit_page_is_for_the_office_only(client, users, org):
    client.force_login(users.leader_a)
    assert client.get(f"/organisation/units/{org.unit_a.pk}/").status_code == 403
    response = client.post(
        f"/organisation/units/{org.unit_a.pk}/", {"save_unit": "1", "name": "X", "parent": ""}
    )
    assert response.status_code == 403
    assert OrgUnit.objects.get(pk=org.unit_a.pk).name == "Hjemmetjenesten Nord"


def test_org_import_previews_every_change_then_confirms_once(client, users):
    client.force_login(users.quality_office)
    response = client.post("/organisation/import/", {"file": _upload("nb_hr_export_bom.csv")})
    assert response.status_code == 200
    page = response.content.decode()
    assert response.context["plan"].errors == []
    assert "Nattpatruljen" in page and "New unit" in page
    # The standing org's units have no codes: the import leaves them as they are.
    assert not OrgUnit.objects.filter(external_code="4610").exists()
    token = response.context["token"]
    assert client.post("/organisation/import/confirm/", {"token": token}).status_code == 302
    assert OrgUnit.objects.filter(external_code__startswith="4").count() == 10
    # A double submit is harmless.
    client.post("/organisation/import/confirm/", {"token": token})
    assert OrgUnit.objects.filter(external_code__startswith="4").count() == 10


def test_org_import_shows_row_errors_and_keeps_no_upload(client, users):
    client.force_login(users.quality_office)
    bad = SimpleUploadedFile("bad.csv", b"Kode;Navn;Overordnet\n1;A;\n1;B;1\n")
    response = client.post("/organisation/import/", {"file": bad})
    page = response.content.decode()
    assert "also on row 2" in page and "Nothing was changed" in page
    assert "token" not in response.context


def test_org_import_with_a_file_that_is_no_table_says_so(client, users):
    client.force_login(users.quality_office)
    junk = SimpleUploadedFile("a.csv", b"\x00\x01\x02garbage")
    response = client.post("/organisation/import/", {"file": junk})
    assert response.status_code == 200
    assert "not a text table" in response.content.decode()


def test_office_moves_renames_and_deactivates_a_unit_with_history(client, users, org):
    client.force_login(users.quality_office)
    url = f"/organisation/units/{org.unit_b.pk}/"
    response = client.post(
        url, {"save_unit": "1", "name": "Hjemmetjenesten Sør", "parent": org.other_area.pk}
    )
    assert response.status_code == 302
    unit = OrgUnit.objects.get(pk=org.unit_b.pk)
    assert unit.parent == org.other_area and not unit.is_active
    page = client.get(url).content.decode()
    assert "quality_office" in page  # who changed it, in the history


def test_unit_cannot_move_under_its_own_section(client, users, org):
    client.force_login(users.quality_office)
    response = client.post(
        f"/organisation/units/{org.unit_a.pk}/",
        {"save_unit": "1", "name": "Hjemmetjenesten Nord", "parent": org.section_a.pk,
         "is_active": "on"},
    )  # fmt: skip
    assert response.status_code == 200
    assert OrgUnit.objects.get(pk=org.unit_a.pk).parent == org.area


def test_new_leader_from_a_date_ends_the_old_one_the_day_before(client, users, org):
    client.force_login(users.quality_office)
    start = timezone.localdate() + timedelta(days=10)
    response = client.post(
        f"/organisation/units/{org.unit_a.pk}/",
        {"email": "ny.leder@kommune.no", "name": "Ny Leder", "role": role("VL").pk,
         "valid_from": start.isoformat(), "replace": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    old = Membership.objects.get(user=users.leader_a, role__code="VL")
    assert old.valid_until == start - timedelta(days=1)
    new = Membership.objects.get(user__email="ny.leder@kommune.no")
    assert new.valid_from == start
    page = client.get(f"/organisation/units/{org.unit_a.pk}/").content.decode()
    assert "ny.leder@kommune.no" in page and "Starting later" in page


def test_ending_a_membership_today_removes_access_today(client, users, org):
    client.force_login(users.quality_office)
    membership = Membership.objects.get(user=users.leader_a, role__code="VL")
    assert client.post(f"/organisation/memberships/{membership.pk}/end/").status_code == 302
    membership.refresh_from_db()
    assert membership.valid_until == timezone.localdate() - timedelta(days=1)
    client.force_login(users.leader_a)
    assert client.get("/status/").status_code in (200, 302, 403)
    from qualityplan.access import get_access

    leader = type(users.leader_a).objects.get(pk=users.leader_a.pk)
    assert not get_access(leader).can_report_for_unit(org.unit_a.pk)


def test_roles_show_their_rules_in_words_and_can_be_renamed_per_language(client, users):
    client.force_login(users.quality_office)
    page = client.get("/organisation/roles/").content.decode()
    assert "Reports the status of measures for their unit" in page
    vl = Role.objects.get(code="VL")
    response = client.post(
        f"/organisation/roles/{vl.pk}/",
        {"code": "VL", "name": "Virksomhetsleder", "name_sv": "Verksamhetschef",
         "name_en": "Unit leader", "scope": "subtree", "reports_status": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    vl.refresh_from_db()
    assert vl.name_sv == "Verksamhetschef"
    assert vl.history.first().history_user == users.quality_office


def _grow(org, count: int):
    for index in range(count):
        unit = OrgUnitFactory(name=f"Enhet {index}", parent=org.area, external_code=f"E{index}")
        Membership.objects.create(user=UserFactory(), role=role("VL"), org_unit=unit)


@pytest.mark.parametrize("extra", [0, 40])
def test_tree_and_unit_pages_run_a_fixed_number_of_queries(
    client, users, org, extra, django_assert_max_num_queries
):
    _grow(org, extra)
    client.force_login(users.quality_office)
    client.get("/organisation/")  # warm the municipality cache
    with django_assert_max_num_queries(8):
        assert client.get("/organisation/?q=enhet").status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get(f"/organisation/units/{org.area.pk}/").status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get("/organisation/roles/").status_code == 200


def test_people_import_page_previews_and_applies(client, users, org):
    client.force_login(users.quality_office)
    OrgUnit.objects.filter(pk=org.unit_a.pk).update(external_code="4610")
    data = b"E-post;Navn;Enhetskode;Rolle\nny@kommune.no;Ny Person;4610;VL\n"
    response = client.post(
        "/organisation/people/import/", {"file": SimpleUploadedFile("p.csv", data)}
    )
    page = response.content.decode()
    assert "ny@kommune.no" in page and "Ended" in page  # the standing users are not listed
    client.post("/organisation/people/import/confirm/", {"token": response.context["token"]})
    assert Membership.objects.current().get(user__email="ny@kommune.no").org_unit == org.unit_a
    # The office's own membership is not in the list either: it ended too, but kept.
    assert Membership.objects.filter(user=users.quality_office).exists()


def test_get_on_confirm_is_not_allowed(client, users):
    client.force_login(users.quality_office)
    assert client.get(reverse("org_import_confirm")).status_code == 405


def _org_csv(units: int) -> bytes:
    lines = ["Kode;Navn;Overordnet;Leder e-post", "A;Helse og omsorg;;"]
    lines += [f"U{i};Enhet {i};A;leder{i}@kommune.no" for i in range(units)]
    return "\n".join(lines).encode()


@pytest.mark.parametrize("units", [5, 120])
def test_import_preview_runs_a_fixed_number_of_queries(
    client, users, units, django_assert_max_num_queries
):
    client.force_login(users.quality_office)
    client.get("/organisation/")
    upload = SimpleUploadedFile("org.csv", _org_csv(units))
    with django_assert_max_num_queries(16):
        response = client.post("/organisation/import/", {"file": upload})
    assert len(response.context["plan"].changes) >= units
