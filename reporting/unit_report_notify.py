"""Emails about unit annual reports: the approver hears of a submitted report, the unit's
leader of one approved or sent back. Each in the language its reader reads."""

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from qualityplan.access import OrgTree
from qualityplan.models import Membership, Role
from qualityplan.selectors import language_for_user

from .models import UnitAnnualReport

EVENTS = ("submitted", "approved", "sent_back")


def notify_on_commit(*, report: UnitAnnualReport, event: str) -> None:
    """Queue the email once the change is committed; a broker outage must not undo it."""
    from .tasks import unit_report_notify

    transaction.on_commit(lambda: unit_report_notify.delay(report.pk, event), robust=True)


def _leaders(report: UnitAnnualReport) -> list[User]:
    """Who writes the unit's report: status-reporting roles at the unit."""
    memberships = (
        Membership.objects.current()
        .filter(org_unit_id=report.org_unit_id, role__reports_status=True, user__is_active=True)
        .select_related("user")
    )
    return [membership.user for membership in memberships]


def _approvers(report: UnitAnnualReport) -> list[User]:
    """The nearest approvers above the unit (its area leader); if there are none, the
    approvers who manage the plan (the quality office)."""
    tree = OrgTree.load()
    chain, current = [], report.org_unit_id
    while current is not None:
        chain.append(current)
        current = tree.parent.get(current)
    memberships = list(
        Membership.objects.current()
        .filter(role__approves_reports=True, user__is_active=True)
        .filter(org_unit_id__in=tree.subtree(chain[-1]))
        .select_related("user", "role")
    )
    for unit_id in chain:
        near = [
            m.user
            for m in memberships
            if m.org_unit_id == unit_id and m.role.scope == Role.Scope.SUBTREE
        ]
        if near:
            return near
    return [m.user for m in memberships if m.role.manages_plan]


def unit_report_notify(*, report_id: int, event: str) -> int:
    """Send the emails for `event` on a report. Returns how many were sent."""
    if event not in EVENTS:
        raise ValueError(f"Unknown unit report event: {event!r}")
    report = UnitAnnualReport.objects.select_related("org_unit", "plan", "updated_by").get(
        pk=report_id
    )
    recipients = _approvers(report) if event == "submitted" else _leaders(report)
    link = settings.SITE_URL + reverse(
        "annual_report",
        kwargs={"plan_pk": report.plan_id, "year": report.year, "unit_pk": report.org_unit_id},
    )
    by = ""
    if report.updated_by is not None:
        by = report.updated_by.get_full_name() or report.updated_by.username
    messages = []
    for recipient in {user.pk: user for user in recipients if user.email}.values():
        with translation.override(language_for_user(user=recipient)):
            context = {"report": report, "link": link, "by": by}
            subject = render_to_string(f"reporting/email/annual_{event}_subject.txt", context)
            body = render_to_string(f"reporting/email/annual_{event}.txt", context)
        messages.append(EmailMessage(" ".join(subject.split()), body, to=[recipient.email]))
    return get_connection().send_messages(messages) or 0 if messages else 0
