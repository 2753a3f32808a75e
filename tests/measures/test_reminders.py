from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone

from measures import tasks
from measures.models import ReminderSent
from measures.periods import period_close, period_open
from measures.reminders import status_reminder_to_unit_send, status_reminders_send
from measures.statuses import measure_status_update
from qualityplan.models import UserProfile
from tests.factories import MeasureFactory, MembershipFactory, role


def _report(row, user):
    return measure_status_update(row=row, user=user, version=row.version, status="on_track")


def _report_unit(period, unit, user):
    for row in period.statuses.filter(org_unit=unit):
        _report(row, user)


def _recipients(mailoutbox) -> list[str]:
    return sorted(address for message in mailoutbox for address in message.to)


def test_reminders_go_out_a_week_before_and_on_the_deadline(reporting, users, mailoutbox):
    deadline = reporting.period.deadline
    assert status_reminders_send(today=deadline - timedelta(days=7)) == 2
    assert status_reminders_send(today=deadline) == 2
    assert _recipients(mailoutbox) == sorted(["leader_a@example.org", "leader_b@example.org"] * 2)
    kinds = ReminderSent.objects.filter(user=users.leader_a).values_list("kind", flat=True)
    assert sorted(kinds) == ["deadline_day", "week_before"]


@pytest.mark.parametrize("days_before", [8, 6, 1, -1])
def test_no_reminders_on_other_days(reporting, mailoutbox, days_before):
    today = reporting.period.deadline - timedelta(days=days_before)
    assert status_reminders_send(today=today) == 0
    assert mailoutbox == []


def test_a_second_run_sends_nothing_new(reporting, mailoutbox):
    today = reporting.period.deadline
    assert status_reminders_send(today=today) == 2
    assert status_reminders_send(today=today) == 0
    assert len(mailoutbox) == 2


def test_only_people_with_unreported_rows_are_reminded(reporting, org, users, mailoutbox):
    _report_unit(reporting.period, org.unit_b, users.leader_b)
    assert status_reminders_send(today=reporting.period.deadline) == 1
    assert _recipients(mailoutbox) == ["leader_a@example.org"]
    assert "Hjemmetjenesten Nord: 2 measures" in mailoutbox[0].body


def test_the_email_counts_rows_per_unit_and_links_to_the_units_page(
    reporting, org, users, mailoutbox
):
    _report(reporting.plain_a, users.leader_a)
    status_reminders_send(today=reporting.period.deadline - timedelta(days=7))
    message = next(m for m in mailoutbox if m.to == ["leader_a@example.org"])
    link = f"{settings.SITE_URL}/status/periods/{reporting.period.pk}/?unit={org.unit_a.pk}"
    assert "Hjemmetjenesten Nord: 1 measure\n" in message.body
    assert link in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="{link}"' in html


def test_the_email_is_in_the_persons_language(reporting, users, mailoutbox):
    UserProfile.objects.create(user=users.leader_a, language="nb")
    UserProfile.objects.create(user=users.leader_b, language="sv")
    status_reminders_send(today=reporting.period.deadline)
    by_person = {message.to[0]: message for message in mailoutbox}
    # The deadline is 14 May 2022: Norwegian "mai", Swedish "maj".
    norwegian = by_person["leader_a@example.org"]
    swedish = by_person["leader_b@example.org"]
    assert "14. mai 2022" in norwegian.body
    assert "14 maj 2022" in swedish.body
    assert "maj" not in norwegian.body
    assert 'lang="nb"' in norwegian.alternatives[0][0]
    assert 'lang="sv"' in swedish.alternatives[0][0]


def test_people_without_email_and_inactive_people_are_skipped(reporting, users, mailoutbox):
    users.leader_a.email = ""
    users.leader_a.save()
    users.leader_b.is_active = False
    users.leader_b.save()
    assert status_reminders_send(today=reporting.period.deadline) == 0
    assert mailoutbox == []


def test_a_closed_period_sends_no_reminders(reporting, mailoutbox):
    period_close(period=reporting.period, user=None)
    assert status_reminders_send(today=reporting.period.deadline) == 0


def test_roles_that_do_not_answer_for_the_measure_are_not_reminded(
    reporting, org, users, mailoutbox
):
    """The employee and an area leader are members of unit A, but the measures are the unit
    leader's: only the person holding VL at the unit hears."""
    MembershipFactory(user=users.area_leader, role=role("OL"), org_unit=org.unit_a)
    status_reminders_send(today=reporting.period.deadline)
    assert "employee@example.org" not in _recipients(mailoutbox)
    assert "section_leader@example.org" not in _recipients(mailoutbox)
    assert "area_leader@example.org" not in _recipients(mailoutbox)


def test_a_failed_send_leaves_no_record_so_the_next_run_tries_again(
    reporting, users, mailoutbox, monkeypatch
):
    from django.core.mail import EmailMultiAlternatives

    real_send = EmailMultiAlternatives.send

    def flaky(message, *args, **kwargs):
        if message.to == ["leader_a@example.org"]:
            raise OSError("mail server down")
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(EmailMultiAlternatives, "send", flaky)
    assert status_reminders_send(today=reporting.period.deadline) == 1
    assert not ReminderSent.objects.filter(user=users.leader_a).exists()
    monkeypatch.setattr(EmailMultiAlternatives, "send", real_send)
    assert status_reminders_send(today=reporting.period.deadline) == 1
    assert _recipients(mailoutbox) == ["leader_a@example.org", "leader_b@example.org"]


# Two periods, rows, roles, holders, earlier reminders, units, people; then per email a
# savepoint, the record and the release.
REMINDER_QUERIES = 8
QUERIES_PER_EMAIL = 3


def test_the_query_count_does_not_grow_with_the_rows(
    reporting, plan, mailoutbox, django_assert_num_queries
):
    with django_assert_num_queries(REMINDER_QUERIES + 2 * QUERIES_PER_EMAIL):
        assert status_reminders_send(today=reporting.period.deadline) == 2
    for number in range(20):
        MeasureFactory(goal=reporting.counted.goal, title=f"Tiltak {number}", roles=["VL"])
    period, _created = period_open(plan=plan, year=2022, number=2, deadline=None, user=None)
    assert period.statuses.count() == 44
    with django_assert_num_queries(REMINDER_QUERIES + 2 * QUERIES_PER_EMAIL):
        assert status_reminders_send(today=period.deadline) == 2


def test_a_chase_reminds_the_units_people_at_most_once_an_hour(reporting, org, users, mailoutbox):
    args = {"period_id": reporting.period.pk, "unit_id": org.unit_a.pk}
    assert status_reminder_to_unit_send(**args) == 1
    assert _recipients(mailoutbox) == ["leader_a@example.org"]
    assert "quality and development office asks you" in mailoutbox[0].body
    assert status_reminder_to_unit_send(**args) == 0
    ReminderSent.objects.filter(kind="manual").update(
        sent_at=timezone.now() - timedelta(minutes=61)
    )
    assert status_reminder_to_unit_send(**args) == 1
    assert len(mailoutbox) == 2
    assert ReminderSent.objects.filter(kind="manual").count() == 1


def test_a_chase_does_not_block_the_scheduled_reminders(reporting, org, mailoutbox):
    status_reminder_to_unit_send(period_id=reporting.period.pk, unit_id=org.unit_a.pk)
    assert status_reminders_send(today=reporting.period.deadline) == 2


def test_a_chase_of_a_unit_with_everything_reported_sends_nothing(
    reporting, org, users, mailoutbox
):
    _report_unit(reporting.period, org.unit_b, users.leader_b)
    assert status_reminder_to_unit_send(period_id=reporting.period.pk, unit_id=org.unit_b.pk) == 0
    assert mailoutbox == []


def test_a_chase_in_a_closed_period_sends_nothing(reporting, org, mailoutbox):
    period_close(period=reporting.period, user=None)
    assert status_reminder_to_unit_send(period_id=reporting.period.pk, unit_id=org.unit_a.pk) == 0


def test_a_person_with_two_units_gets_one_email_listing_both(reporting, org, users, mailoutbox):
    MembershipFactory(user=users.leader_a, role=role("VL"), org_unit=org.unit_b)
    _report(reporting.row_b, users.leader_b)
    status_reminders_send(today=reporting.period.deadline)
    message = next(m for m in mailoutbox if m.to == ["leader_a@example.org"])
    assert "Hjemmetjenesten Nord: 2 measures" in message.body
    assert "Hjemmetjenesten Sør: 1 measure\n" in message.body
    assert message.subject == (f"Deadline today: 3 measures to report for {reporting.period.label}")


def test_the_command_prints_how_many_were_sent(reporting, mailoutbox, capsys):
    call_command("send_status_reminders", "--date", reporting.period.deadline.isoformat())
    call_command("send_status_reminders", "--date", reporting.period.deadline.isoformat())
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"Sent 2 reminders for {reporting.period.deadline}.",
        f"Sent 0 reminders for {reporting.period.deadline}.",
    ]


def test_the_command_refuses_a_date_it_cannot_read(db):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_status_reminders", "--date", "14.05.2022")


def test_the_daily_task_uses_todays_local_date(reporting, mailoutbox, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda: reporting.period.deadline)
    assert tasks.send_status_reminders() == 2


def test_the_chase_task_takes_ids(reporting, org, mailoutbox):
    assert tasks.send_status_reminder_to_unit(reporting.period.pk, org.unit_a.pk) == 1


def test_beat_runs_the_reminders_every_morning_at_seven():
    entry = settings.CELERY_BEAT_SCHEDULE["send-status-reminders"]
    assert entry["task"] == tasks.send_status_reminders.name
    assert entry["schedule"].hour == {7}
    assert entry["schedule"].minute == {0}
    assert settings.CELERY_TIMEZONE == settings.TIME_ZONE
