import io
import re

import pytest
from django.contrib.admin.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from measures.models import Measure
from measures.plan_write import plan_import_apply
from qualityplan.models import OrgUnit, QualityPlan

from .test_plan_import import REAL_NAME, nothing_created, parse_real, real_bytes, tsv_with


def upload_form(org, data: bytes = None, name: str = REAL_NAME, **fields) -> dict:
    return {
        "file": SimpleUploadedFile(name, real_bytes() if data is None else data),
        "title": "",
        "owner": org.department.pk,
        "frequency": QualityPlan.Frequency.TERTIAL,
        **fields,
    }


def preview(client, org, **fields):
    return client.post(reverse("plan_import"), upload_form(org, **fields))


def token_of(response) -> str:
    return re.search(r'name="token" value="([^"]+)"', response.text).group(1)


def confirm(client, token: str, **names):
    """Confirm, naming the role the real table gives only as "DL" (the preview asks)."""
    names = {"role_name_DL": "Daglig leder", **names}
    return client.post(reverse("plan_import_confirm"), {"token": token, **names})


def test_login_is_required_for_the_import_page(client, users):
    response = client.get(reverse("plan_import"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_quality_office_sees_the_upload_form(client, users, org):
    client.force_login(users.quality_office)
    response = client.get(reverse("plan_import"))
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in response.text
    assert f'<option value="{org.department.pk}" selected>' in response.text


def test_preview_shows_what_will_be_created_and_every_note(client, users, org):
    client.force_login(users.quality_office)
    response = preview(client, org)
    assert response.status_code == 200
    assert "Kvalitetsplan 2021–2024" in response.text
    assert "Utredde brukerråd Hjemmejeneste" in response.text
    assert "The indicator column holds only roles" in response.text
    assert "A “Delmål:” label without any text." in response.text
    assert nothing_created()


def test_confirm_creates_the_plan_and_goes_to_it(client, users, org):
    client.force_login(users.quality_office)
    response = confirm(client, token_of(preview(client, org, title="HO-plan")))
    plan = QualityPlan.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("plan_detail", args=[plan.pk])
    assert (plan.title, plan.owner, plan.frequency) == ("HO-plan", org.department, "tertial")
    assert Measure.objects.filter(goal__plan=plan).count() == 18
    assert LogEntry.objects.filter(user=users.quality_office, object_id=str(plan.pk)).exists()


def test_confirming_twice_creates_one_plan(client, users, org):
    client.force_login(users.quality_office)
    token = token_of(preview(client, org))
    confirm(client, token)
    response = confirm(client, token)
    assert QualityPlan.objects.count() == 1
    assert response.url == reverse("plan_list")


def test_unknown_token_creates_nothing(client, users, org):
    client.force_login(users.quality_office)
    preview(client, org)
    assert confirm(client, "made-up").url == reverse("plan_list")
    assert nothing_created()


@pytest.mark.parametrize("username", ["leader_a", "area_leader", "director", "employee"])
def test_only_plan_managers_may_import(client, users, org, username):
    client.force_login(getattr(users, username))
    assert client.get(reverse("plan_import")).status_code == 403
    assert preview(client, org).status_code == 403
    assert confirm(client, "any").status_code == 403
    assert nothing_created()


def test_confirm_only_accepts_post(client, users):
    client.force_login(users.quality_office)
    assert client.get(reverse("plan_import_confirm")).status_code == 405


def test_bad_file_shows_the_message_on_the_form_and_keeps_the_choices(client, users, org):
    client.force_login(users.quality_office)
    bad = tsv_with(6, 1, "=cmd|' /C calc'!A0")
    response = preview(client, org, data=bad, title="Min plan", frequency="quarterly")
    assert response.status_code == 200
    assert "Cell B6 contains a formula" in response.text
    assert '<option value="quarterly" selected>' in response.text
    assert 'value="Min plan"' in response.text
    assert 'aria-describedby="id_file_error id_file_helptext"' in response.text
    assert nothing_created()


def test_file_without_a_header_is_explained_on_the_form(client, users, org):
    client.force_login(users.quality_office)
    response = preview(client, org, data="Hei\tpå\tdeg\n".encode(), name="plan.tsv")
    assert "We found no header row." in response.text
    assert nothing_created()


def test_owner_outside_what_the_user_manages_is_refused(client, users, org):
    foreign = OrgUnit.objects.create(name="Annen kommune", kind=OrgUnit.Kind.DEPARTMENT)
    client.force_login(users.quality_office)
    response = preview(client, org, owner=foreign.pk)
    assert response.status_code == 200
    assert 'id="id_owner_error"' in response.text
    assert nothing_created()


def test_export_downloads_a_workbook_that_opens(client, users, org):
    plan = plan_import_apply(
        table=parse_real(), owner=org.department, title="Kvalitetsplan 2021–2024"
    )
    client.force_login(users.leader_a)
    response = client.get(reverse("plan_export", args=[plan.pk]))
    assert response.status_code == 200
    assert 'filename="kvalitetsplan-2021-2024.xlsx"' in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.active["A2"].value.startswith("Goal: Virksomhetene leverer")


def test_stranger_gets_404_on_export(client, users, plan):
    client.force_login(users.stranger)
    assert client.get(reverse("plan_export", args=[plan.pk])).status_code == 404


def test_export_of_a_missing_plan_is_404(client, users):
    client.force_login(users.quality_office)
    assert client.get(reverse("plan_export", args=[999999])).status_code == 404


def test_the_pending_file_is_a_row_not_session_data(client, users, org):
    from qualityplan.models import PendingUpload

    client.force_login(users.quality_office)
    token = token_of(preview(client, org))
    pending = PendingUpload.objects.get(token=token)
    assert pending.user == users.quality_office and pending.original_name == REAL_NAME
    assert not any("plan" in key for key, _value in client.session.items())


def test_another_persons_token_is_404(client, users, org):
    client.force_login(users.quality_office)
    token = token_of(preview(client, org))
    from tests.conftest import _member

    client.force_login(_member("office_2", "KUK", org.office))
    assert confirm(client, token).status_code == 404
    assert not QualityPlan.objects.filter(title="Kvalitetsplan 2021–2024").exists()


def test_an_expired_token_is_explained(client, users, org, settings):
    from datetime import timedelta

    from django.utils import timezone

    from qualityplan.models import PendingUpload

    client.force_login(users.quality_office)
    token = token_of(preview(client, org))
    PendingUpload.objects.update(created_at=timezone.now() - timedelta(days=3))
    response = confirm(client, token)
    assert response.url == reverse("plan_import")
    assert "has expired. Upload the file again." in client.get(response.url).text
    assert not QualityPlan.objects.filter(title="Kvalitetsplan 2021–2024").exists()


def test_an_import_is_a_draft_and_the_preview_names_the_plan_activation_would_archive(
    client, users, org
):
    """Defect 1: the import made a third plan active beside the unit's active plan."""
    from tests.factories import QualityPlanFactory

    current = QualityPlanFactory(
        owner=org.department, first_year=2021, last_year=2024, status=QualityPlan.Status.ACTIVE
    )
    client.force_login(users.quality_office)
    page = preview(client, org, title="HO-plan")
    assert "created as a draft" in page.text
    assert "Activating the new plan will archive it" in page.text and str(current) in page.text
    confirm(client, token_of(page))
    imported = QualityPlan.objects.get(title="HO-plan")
    assert imported.status == QualityPlan.Status.DRAFT
    assert QualityPlan.objects.get(pk=current.pk).status == QualityPlan.Status.ACTIVE


def test_owner_select_shows_each_units_path_so_equal_names_differ(client, users, org):
    """Defect 8: a flat list where "Avdeling 1. etasje" stood twice."""
    from tests.factories import OrgUnitFactory

    OrgUnitFactory(name="Avdeling 1. etasje", kind=OrgUnit.Kind.SECTION, parent=org.unit_a)
    OrgUnitFactory(name="Avdeling 1. etasje", kind=OrgUnit.Kind.SECTION, parent=org.unit_c)
    client.force_login(users.quality_office)
    page = client.get(reverse("plan_import")).text
    assert "Hjemmetjenesten Nord › Avdeling 1. etasje" in page
    assert "Sykehjemmet › Avdeling 1. etasje" in page
    assert "---------" not in page


def test_preview_asks_for_the_name_of_a_role_given_only_by_code(client, users, org):
    """Defect 8: "DL" became a role without a name."""
    client.force_login(users.quality_office)
    token = token_of(preview(client, org))
    response = client.post(reverse("plan_import_confirm"), {"token": token})
    assert response.status_code == 200
    assert 'name="role_name_DL"' in response.text
    assert "Give every new role a name" in response.text
    assert nothing_created()
    confirm(client, token, role_name_DL="Daglig leder")
    from qualityplan.models import Role

    assert Role.objects.get(code="DL").name == "Daglig leder"


def test_cancel_on_the_preview_drops_the_upload_and_creates_nothing(client, users, org):
    """Defect 8: the preview had no "Cancel"."""
    from qualityplan.models import PendingUpload

    client.force_login(users.quality_office)
    page = preview(client, org)
    assert 'name="cancel"' in page.text
    response = client.post(reverse("plan_import_confirm"), {"token": token_of(page), "cancel": "1"})
    assert response.url == reverse("plan_list")
    assert not PendingUpload.objects.exists() and nothing_created()


@pytest.mark.parametrize("extra_units", [0, 40])
def test_preview_runs_a_fixed_number_of_queries(
    client, users, org, extra_units, django_assert_max_num_queries
):
    from tests.factories import OrgUnitFactory

    for number in range(extra_units):
        OrgUnitFactory(name=f"Avdeling {number}", kind=OrgUnit.Kind.SECTION, parent=org.unit_a)
    client.force_login(users.quality_office)
    with django_assert_max_num_queries(16):
        page = preview(client, org)
    assert "Kvalitetsplan 2021–2024" in page.text
