from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from staircase.models import AreaAssessment, Criterion, Evidence, FrameworkVersion, SelfAssessment
from staircase.services import assessment_start

from .factories import criteria_up_to, make_framework, make_round

pytestmark = pytest.mark.django_db
SHEET = Path(__file__).parent / "data" / "kvalitetstrappa-forskola.xlsx"


def _post_data(assessment, stair, steps, evidence="Gjennomgått i personalmøtet."):
    data = {"revision": assessment.revision, "summary": "", "action": "save"}
    for area in stair.areas:
        data[f"met_{area.pk}"] = [
            str(pk) for pk in criteria_up_to(area, steps.get(area.position, 0))
        ]
        data[f"evidence_{area.pk}"] = evidence
    return data


def test_unit_leader_begins_fills_and_submits_a_self_assessment(client, stair, users, org):
    client.force_login(users.leader_a)
    page = client.get(reverse("staircase:round_detail", args=[stair.round.pk]))
    assert page.status_code == 200
    assert "Begin the self-assessment" in page.content.decode()
    response = client.post(
        reverse("staircase:assessment_start", args=[stair.round.pk, org.unit_a.pk]),
        {"kind": "unit"},
    )
    assessment = SelfAssessment.objects.get(org_unit=org.unit_a)
    assert response.url == reverse("staircase:assessment", args=[assessment.pk])
    data = _post_data(assessment, stair, {1: 2, 2: 1})
    data["action"] = "submit"
    response = client.post(reverse("staircase:assessment", args=[assessment.pk]), data)
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == "submitted"
    rows = AreaAssessment.objects.filter(assessment=assessment).order_by("area__position")
    assert [row.step_reached for row in rows] == [2, 1]
    text = client.get(reverse("staircase:assessment", args=[assessment.pk])).content.decode()
    assert "Every criterion up to step 2 is met; step 3 is not complete." in text


def test_outsider_gets_404_and_a_reader_gets_403_on_save(client, stair, users, org):
    assessment = assessment_start(round=stair.round, unit=org.unit_a, user=users.leader_a)
    url = reverse("staircase:assessment", args=[assessment.pk])
    client.force_login(users.leader_b)
    assert client.get(url).status_code == 404
    assert client.post(url, _post_data(assessment, stair, {1: 1})).status_code == 404
    client.force_login(users.area_leader)
    assert client.get(url).status_code == 200
    assert client.post(url, _post_data(assessment, stair, {1: 1})).status_code == 403
    client.force_login(users.stranger)
    assert client.get(reverse("staircase:home")).status_code == 404


def test_leader_of_another_unit_cannot_begin_ones_assessment(client, stair, users, org):
    client.force_login(users.leader_b)
    url = reverse("staircase:assessment_start", args=[stair.round.pk, org.unit_a.pk])
    assert client.post(url, {"kind": "unit"}).status_code == 403
    assert client.get(url).status_code == 405


def test_an_identity_number_in_evidence_shows_the_error_and_saves_nothing(
    client, stair, users, org
):
    assessment = assessment_start(round=stair.round, unit=org.unit_a, user=users.leader_a)
    client.force_login(users.leader_a)
    data = _post_data(assessment, stair, {1: 3}, evidence="Gjelder 15076500565")
    response = client.post(reverse("staircase:assessment", args=[assessment.pk]), data)
    assert response.status_code == 200
    assert "national identity number" in response.content.decode()
    assert not AreaAssessment.objects.filter(assessment=assessment, step_reached__gt=0).exists()


def test_a_stale_save_is_refused_with_a_message(client, stair, users, org):
    assessment = assessment_start(round=stair.round, unit=org.unit_a, user=users.leader_a)
    client.force_login(users.leader_a)
    url = reverse("staircase:assessment", args=[assessment.pk])
    client.post(url, _post_data(assessment, stair, {1: 1}))
    response = client.post(url, _post_data(assessment, stair, {1: 3}), follow=True)
    assert "Someone else saved this self-assessment" in response.content.decode()
    assert AreaAssessment.objects.get(assessment=assessment, area=stair.areas[0]).step_reached == 1


def test_area_leader_approves_and_unit_leader_cannot(client, stair, users, org):
    assessment = assessment_start(round=stair.round, unit=org.unit_a, user=users.leader_a)
    SelfAssessment.objects.filter(pk=assessment.pk).update(status="submitted")
    url = reverse("staircase:assessment_decide", args=[assessment.pk, "approve"])
    client.force_login(users.leader_a)
    assert client.post(url).status_code == 403
    client.force_login(users.area_leader)
    assert client.post(url).status_code == 302
    assert SelfAssessment.objects.get(pk=assessment.pk).status == "approved"


def test_evidence_files_upload_download_and_stay_private(
    client, stair, users, org, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    assessment = assessment_start(round=stair.round, unit=org.unit_a, user=users.leader_a)
    area = stair.areas[0]
    client.force_login(users.leader_a)
    url = reverse("staircase:evidence_add", args=[assessment.pk, area.pk])
    upload = SimpleUploadedFile(
        "referat møte.pdf", b"%PDF-1.4 test", content_type="application/pdf"
    )
    client.post(url, {"file": upload})
    evidence = Evidence.objects.get()
    exe = SimpleUploadedFile("virus.exe", b"MZ", content_type="application/octet-stream")
    response = client.post(url, {"file": exe}, follow=True)
    assert "Attach a PDF" in response.content.decode()
    download = reverse("staircase:evidence_download", args=[evidence.pk])
    assert b"".join(client.get(download).streaming_content) == b"%PDF-1.4 test"
    client.force_login(users.leader_b)
    assert client.get(download).status_code == 404


def _fill(round_, units, user):
    for unit in units:
        assessment = assessment_start(round=round_, unit=unit, user=user)
        rows = list(AreaAssessment.objects.filter(assessment=assessment).select_related("area"))
        for row in rows:
            row.met_criteria.set(Criterion.objects.filter(area=row.area, step__lte=2))


@pytest.mark.parametrize("areas,per_step", [(2, 1), (11, 3)])
def test_pages_run_a_fixed_number_of_queries(
    client, org, users, django_assert_max_num_queries, areas, per_step
):
    version = make_framework(areas=areas, per_step=per_step)
    round_ = make_round(version=version, owner=org.department)
    _fill(round_, [org.unit_a, org.unit_b, org.unit_c], users.leader_a)
    assessment = SelfAssessment.objects.get(org_unit=org.unit_a)
    client.force_login(users.leader_a)
    with django_assert_max_num_queries(22):
        assert client.get(reverse("staircase:assessment", args=[assessment.pk])).status_code == 200
    client.force_login(users.quality_office)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("staircase:round_detail", args=[round_.pk])).status_code == 200
    with django_assert_max_num_queries(12):
        url = reverse("staircase:framework_version", args=[version.pk])
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(reverse("staircase:home")).status_code == 200


def test_office_imports_a_framework_through_preview_and_confirm_once(client, users):
    client.force_login(users.quality_office)
    upload = SimpleUploadedFile(SHEET.name, SHEET.read_bytes())
    preview = client.post(reverse("staircase:framework_import"), {"file": upload, "name": ""})
    text = preview.content.decode()
    assert "3 quality areas, 27 criteria and 4 perspectives" in text
    assert not FrameworkVersion.objects.exists()
    token = preview.context["token"]
    confirm = reverse("staircase:framework_import_confirm")
    response = client.post(confirm, {"token": token})
    version = FrameworkVersion.objects.get()
    assert response.url == reverse("staircase:framework_version", args=[version.pk])
    assert version.framework.name == "Kvalitetstrappa förskola – version hösten"
    client.post(confirm, {"token": token})
    assert FrameworkVersion.objects.count() == 1
    export = client.get(reverse("staircase:framework_export", args=[version.pk]))
    assert export["Content-Type"].endswith("spreadsheetml.sheet")


def test_a_bad_framework_file_shows_row_errors_and_saves_nothing(client, users):
    client.force_login(users.quality_office)
    bad = (Path(__file__).parent / "data" / "trappa-fel.csv").read_bytes()
    response = client.post(
        reverse("staircase:framework_import"), {"file": SimpleUploadedFile("trappa.csv", bad)}
    )
    assert "Row 5: “9” is not a step from 1 to 7." in response.content.decode()
    assert not FrameworkVersion.objects.exists()


def test_only_the_office_imports_frameworks(client, users):
    client.force_login(users.leader_a)
    assert client.get(reverse("staircase:framework_import")).status_code == 403


@pytest.mark.parametrize("areas,per_step,extra_measures", [(2, 1, 0), (11, 3, 30)])
def test_review_improvement_and_framework_pages_run_a_fixed_number_of_queries(
    client, org, users, plan, django_assert_max_num_queries, areas, per_step, extra_measures
):
    from datetime import timedelta

    from django.utils import timezone

    from qualityplan.models import QualityPlan
    from staircase.reviews import reviewer_appoint
    from tests.factories import GoalFactory, MeasureFactory

    QualityPlan.objects.filter(pk=plan.pk).update(status="active")
    goal = GoalFactory(plan=plan, position=1)
    for _ in range(extra_measures):
        MeasureFactory(goal=goal)
    version = make_framework(areas=areas, per_step=per_step)
    round_ = make_round(version=version, owner=org.department, year=2024)
    _fill(round_, [org.unit_a, org.unit_b], users.leader_a)
    assessment = SelfAssessment.objects.get(org_unit=org.unit_a)
    assignment, _created = reviewer_appoint(
        round=round_,
        unit=org.unit_a,
        username="eva",
        full_name="Eva Granskare",
        email="eva@example.se",
        access_until=timezone.localdate() + timedelta(days=9),
        user=users.quality_office,
    )
    client.force_login(assignment.user)
    with django_assert_max_num_queries(24):
        assert (
            client.get(reverse("staircase:review", args=[assignment.review_id])).status_code == 200
        )
    client.force_login(users.leader_a)
    with django_assert_max_num_queries(22):
        url = reverse("staircase:improvement", args=[assessment.pk])
        assert client.get(url).status_code == 200
    client.force_login(users.quality_office)
    with django_assert_max_num_queries(24):
        assert (
            client.get(reverse("staircase:review", args=[assignment.review_id])).status_code == 200
        )
    with django_assert_max_num_queries(10):
        assert client.get(reverse("staircase:framework_list")).status_code == 200
