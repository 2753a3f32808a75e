from datetime import timedelta

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from deviations import services
from deviations.models import Deviation, DeviationEvent
from qualityplan.models import UserProfile
from tests.factories import GoalFactory, MeasureFactory, QualityPlanFactory
from tests.qualityplan.test_validators import VALID_NO

from .factories import DeviationFactory, MeetingFactory, category

Status = Deviation.Status
IN_A_WEEK = timezone.localdate() + timedelta(days=7)


def new_deviation(unit, **fields) -> Deviation:
    values = {
        "org_unit": unit,
        "occurred_at": timezone.now() - timedelta(hours=1),
        "category": category(),
        "description": "Beboer falt på badet.",
        "consequence": 3,
        "probability": 4,
        **fields,
    }
    return Deviation(**values)


def report(user, unit, **fields) -> Deviation:
    return services.deviation_report(deviation=new_deviation(unit, **fields), user=user)


@pytest.fixture
def reported(users, org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return report(users.employee, org.unit_a)


@pytest.fixture
def in_treatment(users, reported):
    return services.deviation_start_treatment(
        deviation=reported, user=users.leader_a, handler=users.leader_a, due_date=IN_A_WEEK
    )


def close(deviation, user):
    return services.deviation_close(
        deviation=deviation,
        user=user,
        cause="Glatt gulv etter vask.",
        corrective_action="Rutine for skilting ved vask er innført.",
        closing_note="Gjennomgått i personalmøtet.",
    )


# --- Reporting ---------------------------------------------------------------------------


def test_employee_reports_and_gets_running_numbers_for_the_year(users, org):
    first = report(users.employee, org.unit_a)
    second = report(users.leader_b, org.unit_b)
    year = timezone.localdate().year
    assert (first.year, first.number, second.number) == (year, 1, 2)
    assert first.reference == f"{year}-0001"
    assert first.reporter == users.employee
    assert first.status == Status.REPORTED


def test_numbering_continues_after_rows_loaded_another_way(users, org):
    DeviationFactory(org_unit=org.unit_a, number=41)
    assert report(users.employee, org.unit_a).number == 42


def test_report_is_in_the_history_and_the_admin_log(users, org):
    deviation = report(users.employee, org.unit_a)
    event = DeviationEvent.objects.get(deviation=deviation)
    assert (event.action, event.from_status, event.to_status, event.user) == (
        "report",
        "",
        Status.REPORTED,
        users.employee,
    )
    assert LogEntry.objects.filter(object_id=str(deviation.pk), action_flag=ADDITION).exists()


def test_employee_may_report_for_a_section_of_their_unit(users, org):
    assert report(users.employee, org.section_a).org_unit == org.section_a


@pytest.mark.parametrize("username", ["employee", "section_leader", "stranger"])
def test_reporting_for_a_unit_one_does_not_belong_to_is_refused(users, org, username):
    with pytest.raises(ValidationError) as refused:
        report(getattr(users, username), org.unit_b)
    assert "org_unit" in refused.value.error_dict
    assert not Deviation.objects.exists()


def test_identity_number_in_the_report_is_refused_and_takes_no_number(users, org):
    with pytest.raises(ValidationError) as refused:
        report(users.employee, org.unit_a, immediate_action=f"Ringte pårørende, fnr {VALID_NO}")
    assert "immediate_action" in refused.value.error_dict
    assert report(users.employee, org.unit_a).number == 1


def test_time_in_the_future_is_refused(users, org):
    with pytest.raises(ValidationError) as refused:
        report(users.employee, org.unit_a, occurred_at=timezone.now() + timedelta(hours=3))
    assert "occurred_at" in refused.value.error_dict


# --- Emails --------------------------------------------------------------------------------


def test_unit_leader_is_emailed_about_a_new_deviation(reported, users, mailoutbox):
    assert [mail.to for mail in mailoutbox] == [[users.leader_a.email]]
    mail = mailoutbox[0]
    assert reported.reference in mail.subject
    assert f"/deviations/{reported.pk}/" in mail.body
    # What happened stays behind the login.
    assert reported.description not in mail.body


def test_section_deviation_mails_the_section_and_unit_leaders(
    users, org, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report(users.employee, org.section_a)
    assert sorted(mail.to[0] for mail in mailoutbox) == sorted(
        [users.leader_a.email, users.section_leader.email]
    )


def test_leader_reporting_in_own_unit_gets_no_email_about_it(
    users, org, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report(users.leader_a, org.unit_a)
    assert mailoutbox == []


def test_email_is_written_in_the_recipients_language(
    users, org, mailoutbox, django_capture_on_commit_callbacks
):
    UserProfile.objects.create(user=users.leader_a, language="nb")
    with django_capture_on_commit_callbacks(execute=True):
        deviation = report(users.employee, org.unit_a)
    happened = timezone.localtime(deviation.occurred_at)
    assert happened.strftime("%d.%m.%Y %H:%M") in mailoutbox[0].body


def test_reporter_is_emailed_when_closed(
    in_treatment, users, mailoutbox, django_capture_on_commit_callbacks
):
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        close(in_treatment, users.leader_a)
    assert [mail.to for mail in mailoutbox] == [[users.employee.email]]
    assert in_treatment.reference in mailoutbox[0].subject


def test_no_email_is_sent_when_the_report_is_refused(
    users, org, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        report(users.employee, org.unit_a, description=VALID_NO)
    assert mailoutbox == []


# --- Transitions and who may make them -------------------------------------------------


@pytest.mark.parametrize("username", ["leader_a", "quality_office"])
def test_unit_leader_and_quality_office_take_it_into_treatment(reported, users, username):
    user = getattr(users, username)
    deviation = services.deviation_start_treatment(
        deviation=reported, user=user, handler=user, due_date=IN_A_WEEK, note="Ser på det."
    )
    assert deviation.status == Status.IN_TREATMENT
    assert (deviation.handler, deviation.due_date) == (user, IN_A_WEEK)
    event = deviation.events.order_by("-id").first()
    assert (event.action, event.from_status, event.to_status) == (
        "start_treatment",
        Status.REPORTED,
        Status.IN_TREATMENT,
    )
    assert event.note == "Ser på det."


@pytest.mark.parametrize(
    "username", ["employee", "leader_b", "section_leader", "area_leader", "director", "stranger"]
)
def test_others_may_not_handle_a_units_deviation(reported, users, username):
    with pytest.raises(PermissionDenied):
        services.deviation_start_treatment(
            deviation=reported,
            user=getattr(users, username),
            handler=users.leader_a,
            due_date=IN_A_WEEK,
        )
    with pytest.raises(PermissionDenied):
        services.deviation_reject(deviation=reported, user=getattr(users, username), reason="Nei")
    reported.refresh_from_db()
    assert reported.status == Status.REPORTED


@pytest.mark.parametrize("username", ["section_leader", "leader_a"])
def test_section_deviation_is_handled_by_section_or_unit_leader(users, org, username):
    deviation = report(users.employee, org.section_a)
    user = getattr(users, username)
    services.deviation_start_treatment(
        deviation=deviation, user=user, handler=users.employee, due_date=IN_A_WEEK
    )
    assert Deviation.objects.get().status == Status.IN_TREATMENT


def test_handler_must_work_in_the_unit(reported, users):
    with pytest.raises(ValidationError) as refused:
        services.deviation_start_treatment(
            deviation=reported, user=users.leader_a, handler=users.leader_b, due_date=IN_A_WEEK
        )
    assert "handler" in refused.value.error_dict


def test_due_date_in_the_past_is_refused(reported, users):
    with pytest.raises(ValidationError) as refused:
        services.deviation_start_treatment(
            deviation=reported,
            user=users.leader_a,
            handler=users.leader_a,
            due_date=timezone.localdate() - timedelta(days=1),
        )
    assert "due_date" in refused.value.error_dict


def test_handing_over_while_in_treatment_is_recorded(in_treatment, users):
    later = IN_A_WEEK + timedelta(days=7)
    deviation = services.deviation_start_treatment(
        deviation=in_treatment, user=users.leader_a, handler=users.employee, due_date=later
    )
    assert (deviation.handler, deviation.due_date) == (users.employee, later)
    assert deviation.events.count() == 3


def test_close_records_cause_action_and_time(in_treatment, users):
    deviation = close(in_treatment, users.leader_a)
    assert deviation.status == Status.CLOSED
    assert deviation.closed_at is not None
    assert deviation.cause == "Glatt gulv etter vask."
    actions = list(deviation.events.values_list("action", "to_status"))
    assert actions == [
        ("report", Status.REPORTED),
        ("start_treatment", Status.IN_TREATMENT),
        ("close", Status.CLOSED),
    ]


def test_closing_needs_cause_and_corrective_action(in_treatment, users):
    with pytest.raises(ValidationError) as refused:
        services.deviation_close(
            deviation=in_treatment, user=users.leader_a, cause=" ", corrective_action=""
        )
    assert {"cause", "corrective_action"} <= set(refused.value.error_dict)
    in_treatment.refresh_from_db()
    assert in_treatment.status == Status.IN_TREATMENT


def test_identity_number_in_the_cause_is_refused(in_treatment, users):
    with pytest.raises(ValidationError) as refused:
        services.deviation_close(
            deviation=in_treatment,
            user=users.leader_a,
            cause=f"Feil journal ({VALID_NO}) ble åpnet",
            corrective_action="Ny rutine",
        )
    assert "cause" in refused.value.error_dict


def test_a_reported_deviation_cannot_be_closed_directly(reported, users):
    with pytest.raises(ValidationError) as refused:
        close(reported, users.leader_a)
    assert "cannot be closed" in refused.value.messages[0]
    assert reported.events.count() == 1


@pytest.mark.parametrize("start", ["reported", "in_treatment"])
def test_reject_with_a_reason(request, users, start):
    deviation = request.getfixturevalue(start)
    rejected = services.deviation_reject(
        deviation=deviation, user=users.leader_a, reason="Meldt to ganger, se 2026-0001."
    )
    assert rejected.status == Status.REJECTED
    assert rejected.rejection_reason == "Meldt to ganger, se 2026-0001."
    assert rejected.events.order_by("-id").first().note == rejected.rejection_reason


def test_reject_without_a_reason_is_refused(reported, users):
    with pytest.raises(ValidationError) as refused:
        services.deviation_reject(deviation=reported, user=users.leader_a, reason="")
    assert "rejection_reason" in refused.value.error_dict


def test_reopen_a_closed_deviation(in_treatment, users):
    closed = close(in_treatment, users.leader_a)
    later = IN_A_WEEK + timedelta(days=14)
    reopened = services.deviation_reopen(
        deviation=closed, user=users.quality_office, note="Skjedde igjen.", due_date=later
    )
    assert reopened.status == Status.IN_TREATMENT
    assert reopened.closed_at is None
    assert reopened.due_date == later
    event = reopened.events.order_by("-id").first()
    assert (event.action, event.from_status, event.user, event.note) == (
        "reopen",
        Status.CLOSED,
        users.quality_office,
        "Skjedde igjen.",
    )


def test_reopen_a_rejected_deviation_needs_a_handler(reported, users):
    rejected = services.deviation_reject(deviation=reported, user=users.leader_a, reason="Feil")
    with pytest.raises(ValidationError) as refused:
        services.deviation_reopen(
            deviation=rejected, user=users.leader_a, note="Likevel et avvik", due_date=IN_A_WEEK
        )
    assert "handler" in refused.value.error_dict
    reopened = services.deviation_reopen(
        deviation=rejected,
        user=users.leader_a,
        note="Likevel et avvik",
        due_date=IN_A_WEEK,
        handler=users.leader_a,
    )
    assert reopened.status == Status.IN_TREATMENT


def test_reopen_needs_a_reason(in_treatment, users):
    closed = close(in_treatment, users.leader_a)
    with pytest.raises(ValidationError):
        services.deviation_reopen(
            deviation=closed, user=users.leader_a, note="", due_date=IN_A_WEEK
        )


@pytest.mark.parametrize("action", ["reopen", "start_treatment", "reject", "close"])
def test_illegal_transitions_from_closed_and_open_are_refused(in_treatment, users, action):
    legal_from_in_treatment = {"start_treatment", "reject", "close"}
    deviation = in_treatment if action not in legal_from_in_treatment else None
    if deviation is None:
        deviation = close(in_treatment, users.leader_a)
    calls = {
        "reopen": lambda: services.deviation_reopen(
            deviation=deviation, user=users.leader_a, note="x", due_date=IN_A_WEEK
        ),
        "start_treatment": lambda: services.deviation_start_treatment(
            deviation=deviation, user=users.leader_a, handler=users.leader_a, due_date=IN_A_WEEK
        ),
        "reject": lambda: services.deviation_reject(
            deviation=deviation, user=users.leader_a, reason="x"
        ),
        "close": lambda: close(deviation, users.leader_a),
    }
    events_before = deviation.events.count()
    with pytest.raises(ValidationError):
        calls[action]()
    assert deviation.events.count() == events_before


def test_allowed_actions_follow_status_and_role(reported, users):
    assert services.allowed_actions(user=users.employee, deviation=reported) == []
    assert services.allowed_actions(user=users.leader_a, deviation=reported) == [
        "start_treatment",
        "reject",
        "link_measure",
    ]
    started = services.deviation_start_treatment(
        deviation=reported, user=users.leader_a, handler=users.leader_a, due_date=IN_A_WEEK
    )
    assert services.allowed_actions(user=users.leader_a, deviation=started) == [
        "close",
        "start_treatment",
        "reject",
        "link_measure",
    ]
    closed = close(started, users.leader_a)
    assert services.allowed_actions(user=users.quality_office, deviation=closed) == [
        "reopen",
        "link_measure",
    ]


def test_stale_copy_cannot_skip_a_step(reported, users):
    """Two leaders act on the same page: the second sees the status the first left."""
    stale = Deviation.objects.get(pk=reported.pk)
    services.deviation_reject(deviation=reported, user=users.leader_a, reason="Dobbel")
    with pytest.raises(ValidationError):
        services.deviation_start_treatment(
            deviation=stale, user=users.quality_office, handler=users.leader_a, due_date=IN_A_WEEK
        )


# --- Link to a measure -----------------------------------------------------------------


def test_link_to_a_measure_in_the_plan(reported, users, org):
    plan = QualityPlanFactory(owner=org.department, first_year=2025, last_year=2028)
    measure = MeasureFactory(goal=GoalFactory(plan=plan), title="Fallforebygging")
    deviation = services.deviation_link_measure(
        deviation=reported, user=users.leader_a, measure=measure
    )
    assert Deviation.objects.get().measure == measure
    event = deviation.events.order_by("-id").first()
    assert (event.action, event.note) == ("link_measure", "Fallforebygging")


def test_link_to_a_measure_of_another_organisation_is_refused(reported, users):
    foreign = type(reported.org_unit).objects.create(name="Annen kommune", kind="department")
    measure = MeasureFactory(goal=GoalFactory(plan=QualityPlanFactory(owner=foreign)))
    with pytest.raises(ValidationError):
        services.deviation_link_measure(deviation=reported, user=users.leader_a, measure=measure)


def test_employee_may_not_link_a_measure(reported, users):
    with pytest.raises(PermissionDenied):
        services.deviation_link_measure(deviation=reported, user=users.employee, measure=None)


# --- Quality council meetings ------------------------------------------------------------


def test_leader_records_a_meeting_with_reviewed_deviations(reported, users, org):
    meeting = MeetingFactory.build(org_unit=org.unit_a)
    saved = services.meeting_save(meeting=meeting, deviations=[reported], user=users.leader_a)
    assert list(saved.deviations.all()) == [reported]
    assert saved.created_by == users.leader_a


def test_meeting_may_not_review_another_units_deviations(users, org):
    other = DeviationFactory(org_unit=org.unit_b)
    meeting = MeetingFactory.build(org_unit=org.unit_a)
    with pytest.raises(ValidationError) as refused:
        services.meeting_save(meeting=meeting, deviations=[other], user=users.leader_a)
    assert "deviations" in refused.value.error_dict


def test_meeting_may_not_review_deviations_closed_long_ago(users, org):
    old = DeviationFactory(
        org_unit=org.unit_a,
        status=Status.CLOSED,
        cause="x",
        corrective_action="y",
        closed_at=timezone.now() - timedelta(days=400),
    )
    meeting = MeetingFactory.build(org_unit=org.unit_a)
    with pytest.raises(ValidationError):
        services.meeting_save(meeting=meeting, deviations=[old], user=users.leader_a)


@pytest.mark.parametrize("username", ["employee", "leader_b", "area_leader", "director"])
def test_others_may_not_record_a_units_meeting(users, org, username):
    meeting = MeetingFactory.build(org_unit=org.unit_a)
    with pytest.raises(PermissionDenied):
        services.meeting_save(meeting=meeting, deviations=[], user=getattr(users, username))


def test_identity_number_in_the_minutes_is_refused(users, org):
    meeting = MeetingFactory.build(org_unit=org.unit_a, minutes=f"Gjelder {VALID_NO}")
    with pytest.raises(ValidationError) as refused:
        services.meeting_save(meeting=meeting, deviations=[], user=users.leader_a)
    assert "minutes" in refused.value.error_dict


def test_meeting_in_the_future_is_refused(users, org):
    meeting = MeetingFactory.build(org_unit=org.unit_a, held_on=IN_A_WEEK)
    with pytest.raises(ValidationError) as refused:
        services.meeting_save(meeting=meeting, deviations=[], user=users.leader_a)
    assert "held_on" in refused.value.error_dict


def test_deviation_outlives_its_reporter_and_can_still_be_handled(reported, users):
    users.employee.delete()
    reported.refresh_from_db()
    assert reported.reporter is None
    deviation = services.deviation_start_treatment(
        deviation=reported, user=users.leader_a, handler=users.leader_a, due_date=IN_A_WEEK
    )
    assert deviation.status == Status.IN_TREATMENT
