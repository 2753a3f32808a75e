import pytest
from django.utils import translation

from qualityplan.models import UserProfile
from reporting.models import UnitAnnualReport
from reporting.services import unit_report_approve, unit_report_send_back, unit_report_submit
from reporting.unit_report_notify import unit_report_notify
from tests.factories import MembershipFactory, UserFactory, role


@pytest.fixture
def report(plan, org, users):
    return UnitAnnualReport.objects.create(plan=plan, year=2022, org_unit=org.unit_a)


def test_submitted_report_reaches_the_area_leader(report, users, mailoutbox):
    unit_report_notify(report_id=report.pk, event="submitted")
    assert [mail.to for mail in mailoutbox] == [[users.area_leader.email]]
    assert "/reporting/annual/" in mailoutbox[0].body


def test_without_an_area_leader_the_office_is_told(report, users, org, mailoutbox):
    users.area_leader.memberships.all().delete()
    unit_report_notify(report_id=report.pk, event="submitted")
    assert [mail.to for mail in mailoutbox] == [[users.quality_office.email]]


def test_sent_back_report_reaches_the_units_leader_in_their_language(report, users, mailoutbox):
    UserProfile.objects.create(user=users.leader_a, language="nb")
    report.return_comment = "Skriv mer om mål 2."
    report.save()
    unit_report_notify(report_id=report.pk, event="sent_back")
    assert [mail.to for mail in mailoutbox] == [[users.leader_a.email]]
    assert "Skriv mer om mål 2." in mailoutbox[0].body
    with translation.override("nb"):
        assert "sendt tilbake" in mailoutbox[0].subject


def test_leaders_without_email_are_skipped(report, users, org, mailoutbox):
    quiet = UserFactory(username="uten_epost", email="")
    MembershipFactory(user=quiet, role=role("VL"), org_unit=org.unit_a)
    assert unit_report_notify(report_id=report.pk, event="approved") == 1


def test_the_workflow_queues_the_emails_after_commit(
    report, users, mailoutbox, settings, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr("reporting.unit_reports.missing_for_submit", lambda report: [])
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from qualityplan.celery import app

    app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            unit_report_submit(report=report, user=users.leader_a)
        with django_capture_on_commit_callbacks(execute=True):
            unit_report_send_back(report=report, user=users.area_leader, comment="Mer om mål 1.")
        with django_capture_on_commit_callbacks(execute=True):
            unit_report_submit(report=report, user=users.leader_a)
        with django_capture_on_commit_callbacks(execute=True):
            unit_report_approve(report=report, user=users.area_leader)
    finally:
        app.conf.task_always_eager = False
    assert [mail.to[0] for mail in mailoutbox] == [
        users.area_leader.email,
        users.leader_a.email,
        users.area_leader.email,
        users.leader_a.email,
    ]
