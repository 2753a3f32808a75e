"""Reminder emails to the people who still have status rows to report.

A person answers for a row when they hold, at the row's org unit, one of the
measure's responsible roles: the rule `status_may_edit` uses for a leader in an
open period. Who answers for what is worked out for a whole period in a fixed
number of queries; only the emails themselves cost one insert each.
"""

import logging
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation

from qualityplan.models import Membership, OrgUnit
from qualityplan.selectors import language_for_user

from .models import Measure, MeasureStatus, ReminderSent, ReportingPeriod

logger = logging.getLogger(__name__)

Kind = ReminderSent.Kind
WEEK_BEFORE_DAYS = 7
# A chase from the quality office reaches a person at most this often per period.
MANUAL_INTERVAL = timedelta(hours=1)


@dataclass
class UnitLine:
    unit: OrgUnit
    count: int
    link: str


def unreported_by_person(
    *, period: ReportingPeriod, unit_ids: list[int] | None = None
) -> dict[int, Counter]:
    """{user id: Counter({unit id: unreported rows})} for the active people with an email
    address who answer for the period's unreported rows; three queries whatever the size."""
    rows = MeasureStatus.objects.filter(
        period=period, reported_at__isnull=True, org_unit__is_active=True
    )
    if unit_ids is not None:
        rows = rows.filter(org_unit_id__in=unit_ids)
    pairs = list(rows.values_list("measure_id", "org_unit_id"))
    if not pairs:
        return {}
    roles = _roles_by_measure(plan_id=period.plan_id)
    holders = _holders_by_unit_and_role(unit_ids=rows.values("org_unit_id"))
    counts: dict[int, Counter] = defaultdict(Counter)
    for measure_id, unit_id in pairs:
        people = set()
        for role_id in roles[measure_id]:
            people |= holders.get((unit_id, role_id), set())
        for user_id in people:
            counts[user_id][unit_id] += 1
    return dict(counts)


def _roles_by_measure(*, plan_id: int) -> dict[int, set[int]]:
    roles: dict[int, set[int]] = defaultdict(set)
    through = Measure.responsible_roles.through.objects.filter(measure__goal__plan_id=plan_id)
    for measure_id, role_id in through.values_list("measure_id", "role_id"):
        roles[measure_id].add(role_id)
    return roles


def _holders_by_unit_and_role(*, unit_ids) -> dict[tuple[int, int], set[int]]:
    """Active people with an email address, by the (unit, role) they hold."""
    memberships = Membership.objects.current().filter(
        org_unit_id__in=unit_ids, user__is_active=True
    )
    holders: dict[tuple[int, int], set[int]] = defaultdict(set)
    for user_id, role_id, unit_id in memberships.exclude(user__email="").values_list(
        "user_id", "role_id", "org_unit_id"
    ):
        holders[(unit_id, role_id)].add(user_id)
    return holders


def status_reminders_send(*, today: date) -> int:
    """Remind everyone with unreported rows in an open period whose deadline is a week
    away or today. Each person hears once per period and kind. Returns the emails sent."""
    due = {
        Kind.WEEK_BEFORE: today + timedelta(days=WEEK_BEFORE_DAYS),
        Kind.DEADLINE_DAY: today,
    }
    sent = 0
    for kind, deadline in due.items():
        periods = ReportingPeriod.objects.filter(
            status=ReportingPeriod.Status.OPEN, deadline=deadline
        ).select_related("plan")
        for period in periods:
            sent += _period_remind(period=period, kind=kind)
    return sent


def status_reminder_to_unit_send(*, period_id: int, unit_id: int) -> int:
    """The quality office's chase: remind the people who answer for the unit's unreported
    rows now, but none of them more than once an hour per period. Returns the emails sent."""
    period = ReportingPeriod.objects.select_related("plan").get(pk=period_id)
    if not period.is_open:
        return 0
    return _period_remind(period=period, kind=Kind.MANUAL, unit_ids=[unit_id])


def _period_remind(*, period: ReportingPeriod, kind: str, unit_ids: list[int] | None = None) -> int:
    counts = unreported_by_person(period=period, unit_ids=unit_ids)
    now = timezone.now()
    done = ReminderSent.objects.filter(period=period, kind=kind, user_id__in=counts)
    if kind == Kind.MANUAL:
        done = done.filter(sent_at__gt=now - MANUAL_INTERVAL)
    skip = set(done.values_list("user_id", flat=True))
    wanted = [user_id for user_id in counts if user_id not in skip]
    if not wanted:
        return 0
    people = User.objects.filter(pk__in=wanted).select_related("profile").order_by("pk")
    units = OrgUnit.objects.in_bulk({unit for user_id in wanted for unit in counts[user_id]})
    sent = 0
    with get_connection() as connection:
        for person in people:
            lines = _unit_lines(period=period, counts=counts[person.pk], units=units)
            message = reminder_message(period=period, kind=kind, person=person, lines=lines)
            message.connection = connection
            sent += _claim_and_send(period=period, kind=kind, person=person, message=message)
    return sent


def _unit_lines(*, period: ReportingPeriod, counts: Counter, units: dict) -> list[UnitLine]:
    page = settings.SITE_URL + reverse("status_page", args=[period.pk])
    lines = [
        UnitLine(unit=units[unit_id], count=count, link=f"{page}?unit={unit_id}")
        for unit_id, count in counts.items()
    ]
    return sorted(lines, key=lambda line: line.unit.name)


def _claim_and_send(*, period, kind, person: User, message: EmailMultiAlternatives) -> int:
    """Record the reminder and send it in one transaction: a failed send leaves no record,
    and a record already there (another run got there first) means no send."""
    try:
        with transaction.atomic():
            if not _claim(period=period, kind=kind, person=person):
                return 0
            message.send()
    except IntegrityError:
        return 0
    except Exception:
        # One bad address or a mail server hiccup must not stop the others' reminders.
        logger.exception("Reminder to user %s for period %s not sent", person.pk, period.pk)
        return 0
    return 1


def _claim(*, period, kind, person: User) -> bool:
    now = timezone.now()
    if kind != Kind.MANUAL:
        ReminderSent.objects.create(user=person, period=period, kind=kind, sent_at=now)
        return True
    # A chase moves the one manual record forward, if the last chase is an hour old.
    moved = ReminderSent.objects.filter(
        user=person, period=period, kind=kind, sent_at__lte=now - MANUAL_INTERVAL
    ).update(sent_at=now)
    if moved:
        return True
    _record, created = ReminderSent.objects.get_or_create(
        user=person, period=period, kind=kind, defaults={"sent_at": now}
    )
    return created


def reminder_message(
    *, period: ReportingPeriod, kind: str, person: User, lines: list[UnitLine]
) -> EmailMultiAlternatives:
    """The reminder to one person, in the language they read."""
    with translation.override(language_for_user(user=person)):
        context = {
            "person": person,
            "period": period,
            "period_label": period.label,
            "plan_title": period.plan.title,
            "kind": kind,
            "deadline": formats.date_format(period.deadline, "DATE_FORMAT"),
            "lines": lines,
            "total": sum(line.count for line in lines),
        }
        subject = render_to_string("measures/email/status_reminder_subject.txt", context)
        text = render_to_string("measures/email/status_reminder.txt", context)
        html = render_to_string("measures/email/status_reminder.html", context)
    message = EmailMultiAlternatives(" ".join(subject.split()), text, to=[person.email])
    message.attach_alternative(html, "text/html")
    return message
