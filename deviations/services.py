"""Writes to deviations and quality council meetings.

Every service checks who may do it, validates the row (`full_clean`, so the
identity-number checks always run), writes inside a transaction, records the
step in the deviation's history and in the admin log, and queues the emails
for after the commit.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib.admin.models import ADDITION, CHANGE
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Max, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from measures.models import Measure
from qualityplan.models import OrgUnit
from qualityplan.selectors import language_for_user
from qualityplan.services import record_action

from . import selectors
from .indicators import refresh_on_commit
from .models import Deviation, DeviationCounter, DeviationEvent, QualityCouncilMeeting
from .permissions import may_handle, may_hold_meeting

Status = Deviation.Status
Action = DeviationEvent.Action

# The legal steps: action → (statuses it may start from, status it leads to).
# Starting treatment again while in treatment hands the deviation to another
# handler or moves the due date. Reopening takes it back into treatment.
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    Action.START_TREATMENT: (
        frozenset({Status.REPORTED, Status.IN_TREATMENT}),
        Status.IN_TREATMENT,
    ),
    Action.CLOSE: (frozenset({Status.IN_TREATMENT}), Status.CLOSED),
    Action.REJECT: (frozenset({Status.REPORTED, Status.IN_TREATMENT}), Status.REJECTED),
    Action.REOPEN: (frozenset({Status.CLOSED, Status.REJECTED}), Status.IN_TREATMENT),
}


def allowed_actions(*, user: User, deviation: Deviation) -> list[str]:
    """The steps `user` may take on `deviation` now, in the order the page shows them."""
    if not may_handle(user=user, deviation=deviation):
        return []
    # The step that moves the deviation on comes first: it is the one the page opens.
    order = [Action.CLOSE, Action.START_TREATMENT, Action.REOPEN, Action.REJECT]
    actions = [action for action in order if deviation.status in TRANSITIONS[action][0]]
    if settings.DEVIATION_LEGAL_CLASSES:
        return [*actions, Action.CLASSIFY, Action.LINK_MEASURE]
    return [*actions, Action.LINK_MEASURE]


def deviation_numbers_take(*, year: int, count: int = 1) -> range:
    """Take the next `count` running numbers for `year`; call inside a transaction, which
    holds the counter row until it commits, so no two reports get the same number.

    A new year's counter starts from the highest number already used that year, so rows
    that came in another way are never numbered twice.
    """
    counter = DeviationCounter.objects.select_for_update().filter(year=year).first()
    if counter is None:
        top = Deviation.objects.filter(year=year).aggregate(top=Max("number"))["top"] or 0
        DeviationCounter.objects.bulk_create(
            [DeviationCounter(year=year, last_number=top)], ignore_conflicts=True
        )
        counter = DeviationCounter.objects.select_for_update().get(year=year)
    first = counter.last_number + 1
    counter.last_number += count
    counter.save(update_fields=["last_number"])
    return range(first, first + count)


def _event(
    *,
    deviation: Deviation,
    action: str,
    from_status: str,
    user: User,
    note: str = "",
    flag: int = CHANGE,
) -> DeviationEvent:
    event = DeviationEvent(
        deviation=deviation,
        action=action,
        from_status=from_status,
        to_status=deviation.status,
        user=user,
        note=note,
    )
    event.full_clean()
    event.save()
    record_action(user=user, obj=deviation, flag=flag, message=f"{action}: {deviation.status}")
    refresh_on_commit(deviation.org_unit_id)
    return event


@transaction.atomic
def deviation_report(*, deviation: Deviation, user: User) -> Deviation:
    """Give a new deviation its running number and save it; its unit's leaders hear of it."""
    if deviation.pk:
        raise ValueError("deviation_report is for new deviations only")
    unit_ids = set(selectors.reportable_unit_ids(user=user))
    if deviation.org_unit_id not in unit_ids:
        raise ValidationError({"org_unit": _("You can report deviations for your own units only.")})
    deviation.reporter = user
    deviation.status = Status.REPORTED
    deviation.created_at = timezone.now()
    # Validate before taking a number, so a refused report never waits for the counter.
    deviation.full_clean(exclude=["year", "number"])
    deviation.year = timezone.localtime(deviation.created_at).year
    deviation.number = deviation_numbers_take(year=deviation.year)[0]
    deviation.save()
    _event(deviation=deviation, action=Action.REPORT, from_status="", user=user, flag=ADDITION)
    _notify_on_commit("deviation_reported_notify", deviation.pk)
    return deviation


def _transition(*, deviation: Deviation, user: User, action: str, note: str = "", **changes):
    """Check who and from where, apply `changes`, validate, save, and write the history."""
    if not may_handle(user=user, deviation=deviation):
        raise PermissionDenied
    locked = Deviation.objects.select_for_update().get(pk=deviation.pk)
    sources, target = TRANSITIONS[action]
    if locked.status not in sources:
        raise ValidationError(
            _("A deviation that is “%(status)s” cannot be %(action)s.")
            % {"status": locked.get_status_display(), "action": _action_verb(action)}
        )
    from_status = locked.status
    for name, value in {**changes, "status": target}.items():
        setattr(locked, name, value)
    locked.full_clean()
    locked.save()
    _event(deviation=locked, action=action, from_status=from_status, user=user, note=note)
    return locked


def _action_verb(action: str) -> str:
    return {
        Action.START_TREATMENT: _("taken into treatment"),
        Action.CLOSE: _("closed"),
        Action.REJECT: _("rejected"),
        Action.REOPEN: _("reopened"),
    }[action]


def _check_handler(*, deviation: Deviation, handler: User, user: User) -> None:
    candidates = selectors.handler_candidates(deviation=deviation, user=user)
    if not candidates.filter(pk=handler.pk).exists():
        raise ValidationError({"handler": _("The handler must work in the deviation's unit.")})


def _check_due_date(due_date: date) -> None:
    if due_date < timezone.localdate():
        raise ValidationError({"due_date": _("The due date cannot be in the past.")})


@transaction.atomic
def deviation_start_treatment(
    *, deviation: Deviation, user: User, handler: User, due_date: date, note: str = ""
) -> Deviation:
    """Give the deviation a handler and a due date (again, to hand it over or move the date)."""
    _check_handler(deviation=deviation, handler=handler, user=user)
    _check_due_date(due_date)
    return _transition(
        deviation=deviation,
        user=user,
        action=Action.START_TREATMENT,
        note=note,
        handler=handler,
        due_date=due_date,
    )


@transaction.atomic
def deviation_close(
    *, deviation: Deviation, user: User, cause: str, corrective_action: str, closing_note: str = ""
) -> Deviation:
    """Close with what caused it and what was done; the reporter hears of it."""
    closed = _transition(
        deviation=deviation,
        user=user,
        action=Action.CLOSE,
        note=closing_note,
        cause=cause,
        corrective_action=corrective_action,
        closing_note=closing_note,
        closed_at=timezone.now(),
    )
    _notify_on_commit("deviation_closed_notify", closed.pk)
    return closed


@transaction.atomic
def deviation_reject(*, deviation: Deviation, user: User, reason: str) -> Deviation:
    """Reject, for example a report that is not a deviation or one reported twice."""
    return _transition(
        deviation=deviation,
        user=user,
        action=Action.REJECT,
        note=reason,
        rejection_reason=reason,
        closed_at=timezone.now(),
    )


@transaction.atomic
def deviation_reopen(
    *,
    deviation: Deviation,
    user: User,
    note: str,
    due_date: date,
    handler: User | None = None,
) -> Deviation:
    """Take a closed or rejected deviation back into treatment, with a new due date.

    The handler stays unless another is given; why it was reopened is kept in the history.
    """
    if not note.strip():
        raise ValidationError({"note": _("Say why the deviation is reopened.")})
    changes = {"due_date": due_date, "closed_at": None}
    if handler is not None:
        _check_handler(deviation=deviation, handler=handler, user=user)
        changes["handler"] = handler
    _check_due_date(due_date)
    return _transition(deviation=deviation, user=user, action=Action.REOPEN, note=note, **changes)


@transaction.atomic
def deviation_classify(*, deviation: Deviation, user: User, legal_class: str) -> Deviation:
    """Set whether the deviation falls under lex Sarah or lex Maria (or neither)."""
    if not may_handle(user=user, deviation=deviation):
        raise PermissionDenied
    if legal_class not in Deviation.LegalClass.values:
        raise ValidationError({"legal_class": _("Choose one of the reporting regimes.")})
    if deviation.legal_class == legal_class:
        return deviation  # the same choice again: a double submit
    deviation.legal_class = legal_class
    deviation.save(update_fields=["legal_class"])
    _event(
        deviation=deviation,
        action=Action.CLASSIFY,
        from_status=deviation.status,
        user=user,
        note=str(Deviation.LegalClass(legal_class).label),
    )
    return deviation


@transaction.atomic
def deviation_link_measure(
    *, deviation: Deviation, user: User, measure: Measure | None
) -> Deviation:
    """Link the deviation to the measure in the plan it led to (None removes the link)."""
    if not may_handle(user=user, deviation=deviation):
        raise PermissionDenied
    linkable = selectors.linkable_measures(user=user)
    if measure is not None and not linkable.filter(pk=measure.pk).exists():
        raise ValidationError({"measure": _("Choose a measure from a plan you can read.")})
    deviation.measure = measure
    deviation.save(update_fields=["measure"])
    note = measure.title if measure is not None else _("Link removed.")
    _event(
        deviation=deviation,
        action=Action.LINK_MEASURE,
        from_status=deviation.status,
        user=user,
        note=note,
    )
    return deviation


@transaction.atomic
def meeting_save(
    *, meeting: QualityCouncilMeeting, deviations: list[Deviation], user: User
) -> QualityCouncilMeeting:
    """Create or update a meeting with the deviations it reviewed."""
    if not may_hold_meeting(user=user, org_unit_id=meeting.org_unit_id):
        raise PermissionDenied
    allowed = selectors.reviewable_deviations(org_unit_id=meeting.org_unit_id, meeting=meeting)
    allowed_ids = set(allowed.values_list("pk", flat=True))
    if any(deviation.pk not in allowed_ids for deviation in deviations):
        raise ValidationError(
            {"deviations": _("Choose among the unit's open or recently closed deviations.")}
        )
    created = meeting.pk is None
    if created:
        meeting.created_by = user
    meeting.full_clean()
    meeting.save()
    meeting.deviations.set(deviations)
    record_action(user=user, obj=meeting, flag=ADDITION if created else CHANGE)
    refresh_on_commit(meeting.org_unit_id)
    return meeting


def _notify_on_commit(task_name: str, deviation_id: int) -> None:
    """Queue the email job once the row is committed; a broker outage must not undo a report."""
    from . import tasks

    task = getattr(tasks, task_name)
    transaction.on_commit(lambda: task.delay(deviation_id), robust=True)


# --- Emails --------------------------------------------------------------------------
# They carry the number, unit, category and risk and a link, never the free text:
# what happened stays behind the login.


def unit_leaders(*, deviation: Deviation) -> QuerySet[User]:
    """Who hears of a new deviation: status-reporting roles at its unit (and, for a
    section, at the unit above), with an email address."""
    units = [deviation.org_unit_id]
    if deviation.org_unit.kind == OrgUnit.Kind.SECTION and deviation.org_unit.parent_id:
        units.append(deviation.org_unit.parent_id)
    leaders = get_user_model().objects.filter(
        memberships__org_unit_id__in=units, memberships__role__reports_status=True, is_active=True
    )
    return leaders.exclude(email="").distinct().order_by("pk")


def _send(*, template: str, deviation: Deviation, recipients) -> int:
    """One email per recipient, each in the language the recipient reads."""
    link = settings.SITE_URL + reverse("deviation_detail", args=[deviation.pk])
    messages = []
    for recipient in recipients:
        with translation.override(language_for_user(user=recipient)):
            context = {"deviation": deviation, "recipient": recipient, "link": link}
            subject = render_to_string(f"deviations/email/{template}_subject.txt", context)
            body = render_to_string(f"deviations/email/{template}.txt", context)
        messages.append(EmailMessage(" ".join(subject.split()), body, to=[recipient.email]))
    if not messages:
        return 0
    return get_connection().send_messages(messages) or 0


def deviation_reported_notify(*, deviation_id: int) -> int:
    """Tell the unit's leaders that a deviation was reported. Returns the emails sent."""
    deviation = Deviation.objects.select_related("org_unit", "category").get(pk=deviation_id)
    recipients = unit_leaders(deviation=deviation).exclude(pk=deviation.reporter_id)
    return _send(template="reported", deviation=deviation, recipients=recipients)


def deviation_closed_notify(*, deviation_id: int) -> int:
    """Tell the reporter that their deviation is closed. Returns the emails sent."""
    deviation = Deviation.objects.select_related("org_unit", "category", "reporter").get(
        pk=deviation_id
    )
    reporter = deviation.reporter
    if deviation.status != Status.CLOSED or reporter is None or not reporter.email:
        return 0
    return _send(template="closed", deviation=deviation, recipients=[reporter])
