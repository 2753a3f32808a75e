"""Emails of the staircase: a new reviewer's welcome, deadline reminders, chases from the
office, and certificates about to expire. Each in its reader's language; each reminder
is recorded (`StaircaseReminder`) so that a job run twice sends it once."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from qualityplan.access import OrgTree
from qualityplan.models import Membership
from qualityplan.selectors import language_for_user

from .models import (
    AssessmentRound,
    Certification,
    ReviewerAssignment,
    SelfAssessment,
    StaircaseReminder,
)

logger = logging.getLogger(__name__)
DEADLINE_DAYS = 7
EXPIRY_DAYS = 90
Kind = StaircaseReminder.Kind


def _send(user: User, template: str, context: dict) -> None:
    with translation.override(language_for_user(user=user)):
        subject = render_to_string(f"staircase/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"staircase/email/{template}.txt", context)
    EmailMessage(subject, body, to=[user.email]).send()


def reviewer_welcome_send(*, assignment_id: int) -> int:
    """Tell a new reviewer what they review and give them a link to set their password."""
    assignment = (
        ReviewerAssignment.objects.select_related(
            "user", "review__org_unit", "review__round__framework_version__framework"
        )
        .filter(pk=assignment_id)
        .first()
    )
    if assignment is None or not assignment.user.email:
        return 0
    user = assignment.user
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    context = {
        "assignment": assignment,
        "user": user,
        "link": settings.SITE_URL + reverse("staircase:reviewer_welcome", args=[uid, token]),
        "start": settings.SITE_URL + reverse("staircase:home"),
    }
    _send(user, "reviewer_welcome", context)
    return 1


def _leaders_by_unit(unit_ids) -> dict[int, list[User]]:
    leaders: dict[int, list[User]] = {}
    memberships = (
        Membership.objects.filter(
            org_unit_id__in=unit_ids, role__reports_status=True, user__is_active=True
        )
        .exclude(user__email="")
        .select_related("user")
    )
    for membership in memberships:
        leaders.setdefault(membership.org_unit_id, []).append(membership.user)
    return leaders


def _once(kind: str, subject: str, user: User, *, daily: bool = False) -> bool:
    """Record a reminder; False if it was already sent (today, for a daily one)."""
    today = timezone.localdate()
    sent = StaircaseReminder.objects.filter(kind=kind, subject=subject, user=user)
    if (sent.filter(sent_on=today) if daily else sent).exists():
        return False
    try:
        with transaction.atomic():
            StaircaseReminder.objects.create(kind=kind, subject=subject, user=user, sent_on=today)
    except IntegrityError:
        return False
    return True


def units_not_started(*, round: AssessmentRound, tree: OrgTree | None = None) -> list[int]:
    from .selectors import round_units

    started = set(
        SelfAssessment.objects.filter(round=round, kind=SelfAssessment.Kind.UNIT).values_list(
            "org_unit_id", flat=True
        )
    )
    return [u.pk for u in round_units(round=round, tree=tree) if u.pk not in started]


def units_not_submitted(*, round: AssessmentRound, tree: OrgTree | None = None) -> list[int]:
    from .selectors import round_units

    done = set(
        SelfAssessment.objects.filter(round=round, kind=SelfAssessment.Kind.UNIT)
        .exclude(status=SelfAssessment.Status.DRAFT)
        .values_list("org_unit_id", flat=True)
    )
    return [u.pk for u in round_units(round=round, tree=tree) if u.pk not in done]


def _remind_round(round: AssessmentRound, unit_ids: list[int], kind: str, daily: bool) -> int:
    link = settings.SITE_URL + reverse("staircase:round_detail", args=[round.pk])
    sent = 0
    for unit_id, people in _leaders_by_unit(unit_ids).items():
        for user in people:
            if _once(kind, f"round:{round.pk}:unit:{unit_id}", user, daily=daily):
                _send(user, "deadline", {"round": round, "link": link, "user": user})
                sent += 1
    return sent


def round_chase(*, round: AssessmentRound) -> int:
    """The office's chase: the leaders of units that have not submitted, at most once a day."""
    return _remind_round(round, units_not_submitted(round=round), Kind.CHASE, daily=True)


def deadline_reminders_send() -> int:
    today = timezone.localdate()
    rounds = AssessmentRound.objects.filter(
        deadline__gte=today, deadline__lte=today + timedelta(days=DEADLINE_DAYS)
    ).select_related("framework_version__framework", "owner")
    tree = OrgTree.load()
    sent = 0
    for round_ in rounds:
        sent += _remind_round(
            round_, units_not_submitted(round=round_, tree=tree), Kind.DEADLINE, daily=False
        )
    return sent


def expiry_reminders_send() -> int:
    """The unit's leaders hear once that its certificate expires within three months."""
    today = timezone.localdate()
    certificates = list(
        Certification.objects.filter(
            valid_until__gte=today, valid_until__lte=today + timedelta(days=EXPIRY_DAYS)
        ).select_related("framework", "org_unit")
    )
    renewed = set(
        Certification.objects.filter(
            valid_until__gt=today + timedelta(days=EXPIRY_DAYS)
        ).values_list("framework_id", "org_unit_id")
    )
    leaders = _leaders_by_unit([c.org_unit_id for c in certificates])
    sent = 0
    for certificate in certificates:
        if (certificate.framework_id, certificate.org_unit_id) in renewed:
            continue
        for user in leaders.get(certificate.org_unit_id, []):
            if _once(Kind.EXPIRY, f"certificate:{certificate.pk}", user):
                _send(user, "expiry", {"certificate": certificate, "user": user})
                sent += 1
    return sent
