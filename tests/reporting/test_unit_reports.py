"""The unit annual report: the workflow (draft → submitted → approved, or sent back), who
may write, approve and read it, and its pages."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from reporting import services, unit_reports
from reporting.models import UnitAnnualReport, UnitAnnualReportEvent
from tests.factories import (
    GoalFactory,
    IndicatorFactory,
    MeasureFactory,
    OrgUnitFactory,
    QualityPlanFactory,
)
from tests.reporting.dashboard_data import report

Status = UnitAnnualReport.Status
YEAR = 2022


@pytest.fixture
def goals(plan):
    return [
        GoalFactory(plan=plan, position=1, title="Trygge tjenester"),
        GoalFactory(plan=plan, position=2, title="Gode overganger"),
    ]


def _complete(goals) -> dict:
    return {
        "went_well": "Brukerrådet møttes jevnlig.",
        "to_improve": "Opplæring av nyansatte.",
        "goals": {goal.pk: ("partly", f"Om mål {goal.position}.") for goal in goals},
    }


def _save(plan, unit, user, plan_goals, **overrides) -> UnitAnnualReport:
    values = {**_complete(plan_goals), **overrides}
    return services.unit_report_save(plan=plan, year=YEAR, unit=unit, user=user, **values)


@pytest.fixture
def submitted(plan, org, users, goals):
    report = _save(plan, org.unit_a, users.leader_a, goals)
    return services.unit_report_submit(report=report, user=users.leader_a)


def _url(plan, unit, *action) -> str:
    if action:
        return reverse("annual_decide", args=[plan.pk, YEAR, unit.pk, *action])
    return reverse("annual_report", args=[plan.pk, YEAR, unit.pk])


# --- Services ---------------------------------------------------------------------------


def test_first_save_creates_the_draft_with_its_goals_and_history(plan, org, users, goals):
    report = _save(plan, org.unit_a, users.leader_a, goals, to_improve="")

    assert report.status == Status.DRAFT
    assert {row.goal_id: row.assessment for row in report.goals.all()} == {
        goals[0].pk: "partly",
        goals[1].pk: "partly",
    }
    assert [event.action for event in report.events.all()] == ["create"]


def test_second_save_updates_the_same_report(plan, org, users, goals):
    _save(plan, org.unit_a, users.leader_a, goals)
    report = _save(
        plan, org.unit_a, users.leader_a, goals, goals={goals[0].pk: ("achieved", "Nådd.")}
    )

    assert UnitAnnualReport.objects.count() == 1
    assert report.goals.get(goal=goals[0]).assessment == "achieved"
    assert report.goals.get(goal=goals[1]).assessment == "partly"
    assert report.events.count() == 1


def test_save_refuses_a_goal_of_another_plan(plan, org, users, goals):
    other_plan = QualityPlanFactory(owner=org.department, title="Annen plan")
    stranger_goal = GoalFactory(plan=other_plan, title="Annet mål")
    with pytest.raises(ValidationError, match="does not belong"):
        _save(plan, org.unit_a, users.leader_a, goals, goals={stranger_goal.pk: ("achieved", "")})


def test_save_refuses_a_year_outside_the_plan(plan, org, users, goals):
    with pytest.raises(ValidationError, match="outside"):
        services.unit_report_save(
            plan=plan, year=2030, unit=org.unit_a, user=users.leader_a, **_complete(goals)
        )


def test_submit_lists_what_is_missing(plan, org, users, goals):
    report = _save(
        plan, org.unit_a, users.leader_a, goals, went_well="", goals={goals[0].pk: ("", "Tekst")}
    )
    with pytest.raises(ValidationError) as raised:
        services.unit_report_submit(report=report, user=users.leader_a)

    assert raised.value.messages == [
        "Goal 1: choose how far it was achieved.",
        "Goal 2: choose how far it was achieved.",
        "Goal 2: write the assessment.",
        "Write what went well.",
    ]
    report.refresh_from_db()
    assert report.status == Status.DRAFT


def test_submit_and_approve_keep_the_history(submitted, users):
    report = services.unit_report_approve(report=submitted, user=users.area_leader, comment="Fint")

    assert report.status == Status.APPROVED
    assert report.approved_at is not None
    events = list(report.events.values_list("action", "from_status", "to_status", "user"))
    assert events == [
        ("create", "", "draft", users.leader_a.pk),
        ("submit", "draft", "submitted", users.leader_a.pk),
        ("approve", "submitted", "approved", users.area_leader.pk),
    ]


def test_a_submitted_report_cannot_be_changed(submitted, plan, org, users, goals):
    with pytest.raises(ValidationError, match="can no longer be changed"):
        _save(plan, org.unit_a, users.leader_a, goals)


def test_send_back_needs_a_comment(submitted, users):
    with pytest.raises(ValidationError):
        services.unit_report_send_back(report=submitted, user=users.area_leader, comment="  ")


def test_send_back_returns_the_report_to_draft_with_the_comment(submitted, users):
    services.unit_report_approve(report=submitted, user=users.area_leader)
    report = services.unit_report_send_back(
        report=submitted, user=users.quality_office, comment="Skriv mer om mål 2."
    )

    assert report.status == Status.DRAFT
    assert report.approved_at is None
    assert report.return_comment == "Skriv mer om mål 2."
    assert report.events.last().action == UnitAnnualReportEvent.Action.SEND_BACK


def test_a_draft_cannot_be_approved(plan, org, users, goals):
    report = _save(plan, org.unit_a, users.leader_a, goals)
    with pytest.raises(ValidationError, match="Only a submitted report"):
        services.unit_report_approve(report=report, user=users.area_leader)


# --- Who may do what --------------------------------------------------------------------


def test_rights_follow_the_roles(org, users):
    unit_a, unit_b, unit_c = org.unit_a.pk, org.unit_b.pk, org.unit_c.pk

    def rights(user):
        return unit_reports.report_rights(user=user)

    assert rights(users.leader_a).can_edit(unit_a)
    assert not rights(users.leader_a).can_edit(unit_b)
    assert not rights(users.leader_a).can_approve(unit_a)
    assert not rights(users.section_leader).can_edit(unit_a)
    assert rights(users.area_leader).can_approve(unit_a)
    assert rights(users.area_leader).can_approve(unit_b)
    assert not rights(users.area_leader).can_approve(unit_c)
    assert not rights(users.area_leader).can_edit(unit_a)
    assert rights(users.quality_office).can_approve(unit_c)
    assert rights(users.director).can_approve(unit_c)  # KD approves unit reports by default
    assert not rights(users.employee).uses_annual_reports
    assert not rights(users.stranger).uses_annual_reports


def test_rights_are_worked_out_once_per_user(users, django_assert_num_queries):
    unit_reports.report_rights(user=users.area_leader)
    with django_assert_num_queries(0):
        unit_reports.report_rights(user=users.area_leader)


def test_the_overview_shows_the_units_each_person_may_see(plan, org, users, submitted):
    def units(user):
        rows = unit_reports.unit_report_overview(user=user, plan=plan, year=YEAR).rows
        return {row.unit.name: row.status for row in rows}

    assert units(users.leader_a) == {"Hjemmetjenesten Nord": "submitted"}
    assert units(users.area_leader) == {
        "Hjemmetjenesten Nord": "submitted",
        "Hjemmetjenesten Sør": "",
    }
    assert units(users.quality_office) == {
        "Hjemmetjenesten Nord": "submitted",
        "Hjemmetjenesten Sør": "",
        "Sykehjemmet": "",
    }


def test_the_overview_query_count_does_not_grow_with_units(
    plan, org, users, submitted, django_assert_max_num_queries
):
    for n in range(15):
        OrgUnitFactory(name=f"Ekstra {n}", parent=org.area)
    # The user's access (2), the approving roles (1), the org tree twice, units, reports.
    with django_assert_max_num_queries(7):
        unit_reports.unit_report_overview(user=users.quality_office, plan=plan, year=YEAR)


def test_the_figures_are_the_dashboards_for_the_unit(plan, org, users, goals):
    from measures.periods import period_open

    measure = MeasureFactory(goal=goals[0], title="Brukerråd")
    IndicatorFactory(measure=measure, kind="count")
    period, _created = period_open(plan=plan, year=YEAR, number=1, deadline=None, user=None)
    report(period, measure, org.unit_a, status="on_track", progress=40, value_number=7)
    report(period, measure, org.unit_b, status="delayed", progress=10, value_number=3)

    figures = unit_reports.unit_report_figures(
        user=users.leader_a, plan=plan, year=YEAR, unit=org.unit_a
    )

    line = figures.goal(goals[0].pk).lines[0]
    assert line.rollup.value == 7
    assert line.rollup.reported == 1
    assert [(item.label, item.count) for item in line.rollup.status_items] == [("On track", 1)]
    assert figures.deviations.reported == 0


# --- Pages ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "code"),
    [
        ("leader_a", 200),
        ("area_leader", 200),
        ("quality_office", 200),
        ("director", 200),
        ("employee", 403),
        ("stranger", 403),
    ],
)
def test_overview_page_access(client, users, plan, goals, who, code):
    client.force_login(getattr(users, who))
    assert client.get(reverse("annual_overview")).status_code == code


def test_office_sees_who_has_submitted(client, users, plan, org, submitted):
    client.force_login(users.quality_office)
    page = client.get(reverse("annual_overview"), {"plan": plan.pk, "year": YEAR})

    rows = {row.unit.name: row.status for row in page.context["overview"].rows}
    assert rows["Hjemmetjenesten Nord"] == "submitted"
    assert rows["Sykehjemmet"] == ""
    assert page.context["overview"].submitted == 1
    assert page.context["overview"].not_started == 2


def test_leader_opens_the_form_for_their_unit(client, users, plan, org, goals):
    client.force_login(users.leader_a)
    page = client.get(_url(plan, org.unit_a))

    assert page.status_code == 200
    assert page.context["editable"]
    assert f'name="goal_{goals[0].pk}_assessment"' in page.content.decode()
    assert not UnitAnnualReport.objects.exists()  # opening the page writes nothing


def test_other_leader_gets_404_for_a_unit_they_do_not_read(client, users, plan, org, goals):
    client.force_login(users.leader_b)
    assert client.get(_url(plan, org.unit_a)).status_code == 404
    assert client.post(_url(plan, org.unit_a), {"action": "save"}).status_code == 404


def test_area_leader_reads_but_may_not_write(client, users, plan, org, goals):
    client.force_login(users.area_leader)
    assert client.get(_url(plan, org.unit_a)).context["editable"] is False
    assert client.post(_url(plan, org.unit_a), {"action": "save"}).status_code == 403


def test_a_year_outside_the_plan_is_404(client, users, plan, org, goals):
    client.force_login(users.leader_a)
    url = reverse("annual_report", args=[plan.pk, 2030, org.unit_a.pk])
    assert client.get(url).status_code == 404


def _post_data(goals, **extra) -> dict:
    data = {"went_well": "Godt samarbeid.", "to_improve": "Mer opplæring.", "action": "save"}
    for goal in goals:
        data[f"goal_{goal.pk}_assessment"] = "achieved"
        data[f"goal_{goal.pk}_text"] = "Vi nådde målet."
    return {**data, **extra}


def test_leader_saves_a_draft(client, users, plan, org, goals):
    client.force_login(users.leader_a)
    response = client.post(_url(plan, org.unit_a), _post_data(goals))

    assert response.status_code == 302
    report = UnitAnnualReport.objects.get()
    assert report.status == Status.DRAFT
    assert report.went_well == "Godt samarbeid."


def test_submitting_an_incomplete_report_says_what_is_missing(client, users, plan, org, goals):
    client.force_login(users.leader_a)
    data = _post_data(goals, action="submit", went_well="")
    data[f"goal_{goals[1].pk}_assessment"] = ""
    page = client.post(_url(plan, org.unit_a), data)

    assert page.status_code == 200
    errors = page.context["form"].non_field_errors()
    assert "Write what went well." in errors
    assert "Goal 2: choose how far it was achieved." in errors
    assert UnitAnnualReport.objects.get().status == Status.DRAFT  # the draft was kept


def test_an_invalid_assessment_is_refused(client, users, plan, org, goals):
    client.force_login(users.leader_a)
    data = _post_data(goals)
    data[f"goal_{goals[0].pk}_assessment"] = "splendid"
    page = client.post(_url(plan, org.unit_a), data)

    assert page.status_code == 200
    assert page.context["form"].errors
    assert not UnitAnnualReport.objects.exists()


def test_leader_submits_a_complete_report(client, users, plan, org, goals):
    client.force_login(users.leader_a)
    response = client.post(_url(plan, org.unit_a), _post_data(goals, action="submit"))

    assert response.status_code == 302
    assert UnitAnnualReport.objects.get().status == Status.SUBMITTED


def test_area_leader_approves(client, users, plan, org, submitted):
    client.force_login(users.area_leader)
    response = client.post(_url(plan, org.unit_a, "approve"), {"comment": ""})

    assert response.status_code == 302
    assert UnitAnnualReport.objects.get().status == Status.APPROVED


def test_decide_is_post_only(client, users, plan, org, submitted):
    client.force_login(users.area_leader)
    assert client.get(_url(plan, org.unit_a, "approve")).status_code == 405


def test_the_leader_may_not_approve_their_own_report(client, users, plan, org, submitted):
    client.force_login(users.leader_a)
    assert client.post(_url(plan, org.unit_a, "approve")).status_code == 403
    assert UnitAnnualReport.objects.get().status == Status.SUBMITTED


def test_area_leader_gets_404_outside_their_area(client, users, plan, org, goals):
    other = _save(plan, org.unit_c, users.quality_office, goals)
    services.unit_report_submit(report=other, user=users.quality_office)
    client.force_login(users.area_leader)
    assert client.post(_url(plan, org.unit_c, "approve")).status_code == 404


def test_send_back_without_a_comment_shows_the_error(client, users, plan, org, submitted):
    client.force_login(users.quality_office)
    page = client.post(_url(plan, org.unit_a, "send_back"), {"comment": ""})

    assert page.status_code == 200
    assert page.context["send_back_form"].errors["comment"]
    assert UnitAnnualReport.objects.get().status == Status.SUBMITTED


def test_send_back_with_a_comment(client, users, plan, org, submitted):
    client.force_login(users.quality_office)
    response = client.post(_url(plan, org.unit_a, "send_back"), {"comment": "Mer om mål 1."})

    assert response.status_code == 302
    report = UnitAnnualReport.objects.get()
    assert (report.status, report.return_comment) == (Status.DRAFT, "Mer om mål 1.")
    client.force_login(users.leader_a)
    assert "Mer om mål 1." in client.get(_url(plan, org.unit_a)).content.decode()


def test_an_unknown_decision_is_404(client, users, plan, org, submitted):
    client.force_login(users.quality_office)
    assert client.post(_url(plan, org.unit_a, "delete")).status_code == 404
