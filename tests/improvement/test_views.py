"""The improvement pages: who may see and change what, bad input, fixed query counts."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from improvement import services
from improvement.models import DataPoint, ImprovementProject, PdsaCycle, RegulationDuty
from reporting import unit_reports
from tests.deviations.factories import DeviationFactory
from tests.qualityplan.test_validators import VALID_NO


def _points(project, values):
    for month, value in enumerate(values, start=1):
        services.data_point_save(
            project=project,
            measured_on=date(2024 + (month - 1) // 12, (month - 1) % 12 + 1, 28),
            value=Decimal(value),
        )


def test_unit_leader_starts_a_project_for_their_unit(client, org, users):
    client.force_login(users.leader_a)
    response = client.post(
        reverse("improvement:project_create"),
        {"title": "Bedre ernæring", "units": [org.unit_a.pk], "status": "active",
         "ideas": "Måltidsvert\nMellommåltid kl. 21", "higher_is_better": "on"},
    )  # fmt: skip
    project = ImprovementProject.objects.get()
    assert response.status_code == 302
    assert list(project.units.all()) == [org.unit_a]
    assert project.change_ideas.count() == 2
    assert project.created_by == users.leader_a


def test_unit_leader_cannot_start_a_project_for_another_unit(client, org, users):
    client.force_login(users.leader_a)
    response = client.post(
        reverse("improvement:project_create"),
        {"title": "Annen enhet", "units": [org.unit_b.pk], "status": "active"},
    )
    assert response.status_code == 200
    assert "units" in response.context["form"].errors
    assert not ImprovementProject.objects.exists()


def test_employee_cannot_start_projects(client, users):
    client.force_login(users.employee)
    assert client.get(reverse("improvement:project_create")).status_code == 403


def test_identity_number_in_a_project_is_refused_and_nothing_saved(client, org, users):
    client.force_login(users.leader_a)
    response = client.post(
        reverse("improvement:project_create"),
        {"title": "Fall", "units": [org.unit_a.pk], "status": "active",
         "problem": f"Pasient {VALID_NO} falt"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "problem" in response.context["form"].errors
    assert not ImprovementProject.objects.exists()


@pytest.mark.parametrize(
    ("who", "status"),
    [("leader_a", 200), ("area_leader", 200), ("quality_office", 200), ("director", 200),
     ("leader_b", 404), ("employee", 404), ("stranger", 404)],
)  # fmt: skip
def test_who_sees_a_project(client, users, project, who, status):
    client.force_login(getattr(users, who))
    assert client.get(reverse("improvement:project_detail", args=[project.pk])).status_code == (
        status
    )


@pytest.mark.parametrize(
    ("who", "status"),
    [("leader_a", 200), ("quality_office", 200), ("area_leader", 403), ("director", 403),
     ("leader_b", 404)],
)  # fmt: skip
def test_who_edits_a_project(client, users, project, who, status):
    client.force_login(getattr(users, who))
    assert client.get(reverse("improvement:project_edit", args=[project.pk])).status_code == (
        status
    )


def test_stale_edit_shows_the_conflict_and_keeps_the_users_text(client, org, users, project):
    services.project_update(
        project=project, user=users.quality_office, version=1, units=[org.unit_a], ideas=[],
        title="Kontorets tittel",
    )  # fmt: skip
    client.force_login(users.leader_a)
    response = client.post(
        reverse("improvement:project_edit", args=[project.pk]),
        {"title": "Min tittel", "units": [org.unit_a.pk], "status": "active", "version": 1},
    )
    assert response.status_code == 200
    assert response.context["conflict"].title == "Kontorets tittel"
    assert response.context["form"]["title"].value() == "Min tittel"
    project.refresh_from_db()
    assert project.title == "Kontorets tittel"


def test_cycle_pages(client, users, project):
    client.force_login(users.leader_a)
    url = reverse("improvement:cycle_create", args=[project.pk])
    response = client.post(url, {"starts_on": "2025-01-06", "plan": "Teste sjekkliste på natt"})
    assert response.status_code == 302
    cycle = PdsaCycle.objects.get()
    edit = reverse("improvement:cycle_edit", args=[project.pk, cycle.pk])
    response = client.post(
        edit, {"starts_on": "2025-01-06", "plan": cycle.plan, "study": "Færre fall.",
               "act": "adopt", "version": 1},
    )  # fmt: skip
    assert response.status_code == 302
    cycle.refresh_from_db()
    assert (cycle.act, cycle.version) == ("adopt", 2)
    bad = client.post(url, {"starts_on": "not a date"})
    assert bad.status_code == 200
    assert PdsaCycle.objects.count() == 1


def test_points_are_added_with_post_only_and_bad_values_refused(client, users, project):
    client.force_login(users.leader_a)
    url = reverse("improvement:point_add", args=[project.pk])
    assert client.get(url).status_code == 405
    assert client.post(url, {"measured_on": "2025-01-31", "value": "4"}).status_code == 302
    assert client.post(url, {"measured_on": "2025-02-28", "value": "mange"}).status_code == 400
    assert client.post(url, {"measured_on": "2025-02-28", "value": "1e999"}).status_code == 400
    assert DataPoint.objects.count() == 1
    point = DataPoint.objects.get()
    delete = reverse("improvement:point_delete", args=[project.pk, point.pk])
    assert client.post(delete).status_code == 302
    assert client.post(delete).status_code == 302  # a double submit
    assert not DataPoint.objects.exists()


def test_outsider_cannot_add_points(client, users, project):
    client.force_login(users.leader_b)
    url = reverse("improvement:point_add", args=[project.pk])
    assert client.post(url, {"measured_on": "2025-01-31", "value": "4"}).status_code == 404
    client.force_login(users.area_leader)
    assert client.post(url, {"measured_on": "2025-01-31", "value": "4"}).status_code == 403


def test_project_page_shows_the_shift_in_words(client, users, project):
    _points(project, [9, 8, 9, 10, 9, 8, 9, 4, 3, 4, 3, 2, 3, 4])
    client.force_login(users.leader_a)
    response = client.get(reverse("improvement:project_detail", args=[project.pk]))
    findings = " ".join(response.context["run_chart"].findings)
    assert "Shift: 7 points in a row below the median" in findings
    assert b"<svg" in response.content


def _projects(org, users, count: int):
    for number in range(count):
        project = services.project_create(
            user=users.leader_a, units=[org.unit_a, org.unit_b], ideas=["A", "B"],
            title=f"Prosjekt {number}",
        )  # fmt: skip
        services.cycle_create(project=project, user=users.leader_a, starts_on=date(2025, 1, 1))
        _points(project, range(12))
        project.deviations.add(DeviationFactory(org_unit=org.unit_a))


@pytest.mark.parametrize("count", [1, 6])
def test_project_list_queries_do_not_grow(client, org, users, count, django_assert_max_num_queries):
    _projects(org, users, count)
    client.force_login(users.quality_office)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("improvement:project_list"))
    assert len(response.context["table"].rows) == count


@pytest.mark.parametrize("count", [1, 6])
def test_project_detail_queries_do_not_grow(
    client, org, users, count, django_assert_max_num_queries
):
    _projects(org, users, 1)
    project = ImprovementProject.objects.get()
    for number in range(count):
        services.cycle_create(project=project, user=users.leader_a, starts_on=date(2025, 2, 1))
        project.deviations.add(DeviationFactory(org_unit=org.unit_a))
        _points(project, range(number * 3))
    client.force_login(users.leader_a)
    with django_assert_max_num_queries(14):
        client.get(reverse("improvement:project_detail", args=[project.pk]))


def test_unit_run_chart_of_deviations_per_month(client, org, users):
    client.force_login(users.leader_a)
    response = client.get(reverse("improvement:unit_run_chart", args=[org.unit_a.pk]))
    assert response.status_code == 200
    assert len(response.context["run_chart"].chart.table.rows) == 25
    client.force_login(users.leader_b)
    assert client.get(reverse("improvement:unit_run_chart", args=[org.unit_a.pk])).status_code == (
        404
    )
    response = client.get(
        reverse("improvement:unit_run_chart", args=[org.unit_b.pk]), {"indicator": "x"}
    )
    assert response.status_code == 200


def test_duty_statements_written_by_the_units_leader(client, plan, org, users):
    services.duties_load_defaults(country="no")
    duty = RegulationDuty.objects.get(code="§ 7")
    url = reverse("improvement:duty_statements", args=[plan.pk, 2022, org.unit_a.pk])
    client.force_login(users.leader_a)
    data = {f"duty-{d.pk}-assessment": "" for d in RegulationDuty.objects.all()}
    data[f"duty-{duty.pk}-assessment"] = "partly"
    data[f"duty-{duty.pk}-how"] = "Avvik meldes i kvalitetssystemet."
    assert client.post(url, data).status_code == 302
    report = unit_reports.unit_report_detail(plan=plan, year=2022, unit=org.unit_a)
    assert report.duty_statements.get(duty=duty).assessment == "partly"
    client.force_login(users.leader_b)
    assert client.get(url).status_code == 404
    client.force_login(users.area_leader)
    assert client.get(url).status_code == 200
    assert client.post(url, data).status_code == 403


@pytest.mark.parametrize("units", [1, 5])
def test_duty_overview_queries_do_not_grow(
    client, plan, org, users, units, django_assert_max_num_queries
):
    from tests.factories import OrgUnitFactory

    services.duties_load_defaults(country="no")
    for number in range(units):
        OrgUnitFactory(name=f"Enhet {number}", parent=org.area)
    client.force_login(users.quality_office)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("improvement:duty_overview"), {"plan": plan.pk})
    assert response.status_code == 200
    assert len(response.context["duties"]) == 4


def test_only_the_office_words_the_duties(client, users):
    client.force_login(users.leader_a)
    assert client.get(reverse("improvement:duty_list")).status_code == 403
    client.force_login(users.quality_office)
    response = client.post(
        reverse("improvement:duty_list"), {"code": "§ 6", "title": "Planlegge", "position": 1,
                                           "is_active": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    assert client.get(reverse("improvement:duty_list"), {"duty": "abc"}).status_code == 404


def test_management_review_and_decisions(client, org, users):
    url = reverse("improvement:review", args=[org.unit_a.pk, 2025])
    client.force_login(users.leader_a)
    assert client.post(url, {"summary": "Gjennomgang av avvik."}).status_code == 302
    add = reverse("improvement:decision_add", args=[org.unit_a.pk, 2025])
    assert client.post(add, {"text": "Innføre sjekkliste"}).status_code == 302
    assert client.get(add).status_code == 405
    client.force_login(users.leader_b)
    assert client.get(url).status_code == 404
    assert client.post(add, {"text": "Ikke min"}).status_code == 404
    client.force_login(users.area_leader)
    assert client.get(url).status_code == 200
    assert client.post(url, {"summary": "x"}).status_code == 403


def test_the_annual_report_page_shows_the_regulation_section(client, plan, org, users):
    from tests.factories import GoalFactory

    GoalFactory(plan=plan, position=1)
    services.duties_load_defaults(country="no")
    client.force_login(users.leader_a)
    response = client.get(reverse("annual_report", args=[plan.pk, 2022, org.unit_a.pk]))
    assert response.status_code == 200
    assert reverse("improvement:duty_statements", args=[plan.pk, 2022, org.unit_a.pk]) in (
        response.content.decode()
    )


def test_project_list_counts_projects_per_unit_and_status(client, org, users):
    _projects(org, users, 2)
    client.force_login(users.quality_office)
    response = client.get(reverse("improvement:project_list"))
    rows = {row.unit.name: (row.counts, row.total) for row in response.context["per_unit"]}
    assert rows[org.unit_a.name] == ([2, 0, 0, 0], 2)
    assert rows[org.unit_b.name] == ([2, 0, 0, 0], 2)
