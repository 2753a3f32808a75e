"""Writes of the reporting app: the unit annual report's workflow, and reminders to units
that have not finished reporting. (The quality report as a PDF is written by its job,
`reporting.pdf_jobs`.) Each write validates, saves inside a transaction, records who did
what, and raises ValidationError with a sentence a user can act on.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from measures import tasks as measure_tasks
from measures.models import ReportingPeriod
from qualityplan.models import OrgUnit, QualityPlan

from . import unit_reports
from .models import UnitAnnualReport, UnitAnnualReportEvent, UnitAnnualReportGoal
from .unit_report_notify import notify_on_commit

Status = UnitAnnualReport.Status
Action = UnitAnnualReportEvent.Action


# --- Reminders ---------------------------------------------------------------------------


def units_remind(*, period: ReportingPeriod, unit_ids: list[int]) -> int:
    """Queue the status reminder to each of `unit_ids` for `period`, once the request's
    transaction commits (the task itself sends at most one an hour per unit)."""
    for unit_id in unit_ids:
        transaction.on_commit(
            lambda unit_id=unit_id: measure_tasks.send_status_reminder_to_unit.delay(
                period.pk, unit_id
            )
        )
    return len(unit_ids)


# --- The unit annual report: draft → submitted → approved, or sent back ---------------


def _clean_comment(comment: str) -> str:
    """A comment passes the same checks as the event's field (length, identity numbers)."""
    comment = comment.strip()
    try:
        UnitAnnualReportEvent._meta.get_field("comment").clean(comment, None)
    except ValidationError as error:
        raise ValidationError({"comment": error.messages}) from error
    return comment


def _record(report: UnitAnnualReport, *, action: str, old: str, user: User, comment: str = ""):
    UnitAnnualReportEvent.objects.create(
        report=report,
        action=action,
        from_status=old,
        to_status=report.status,
        user=user,
        comment=comment,
    )


def _check_year(plan: QualityPlan, year: int) -> None:
    if not plan.first_year <= year <= plan.last_year:
        raise ValidationError(
            _("The plan runs %(first)s–%(last)s; %(year)s is outside it.")
            % {"first": plan.first_year, "last": plan.last_year, "year": year}
        )


@transaction.atomic
def unit_report_save(
    *,
    plan: QualityPlan,
    year: int,
    unit: OrgUnit,
    user: User,
    went_well: str,
    to_improve: str,
    goals: dict[int, tuple[str, str]],
) -> UnitAnnualReport:
    """Save the unit's draft, creating it on the first save. `goals` maps a goal's id to
    (assessment, text); goals of other plans are refused."""
    _check_year(plan, year)
    report, created = UnitAnnualReport.objects.select_for_update().get_or_create(
        plan=plan, year=year, org_unit=unit, defaults={"updated_by": user}
    )
    if not report.is_draft:
        raise ValidationError(
            _("The report is %(status)s and can no longer be changed.")
            % {"status": report.get_status_display().lower()}
        )
    plan_goals = set(plan.goals.values_list("pk", flat=True))
    if set(goals) - plan_goals:
        raise ValidationError(_("A goal in the report does not belong to the plan."))
    report.went_well, report.to_improve, report.updated_by = went_well, to_improve, user
    report.full_clean()
    report.save()
    existing = {row.goal_id: row for row in report.goals.all()}
    for goal_id, (assessment, text) in goals.items():
        row = existing.get(goal_id) or UnitAnnualReportGoal(report=report, goal_id=goal_id)
        row.assessment, row.text = assessment, text
        row.full_clean(exclude=["report", "goal"])
        row.save()
    if created:
        _record(report, action=Action.CREATE, old="", user=user)
    return report


def _locked(report: UnitAnnualReport) -> UnitAnnualReport:
    return UnitAnnualReport.objects.select_for_update().get(pk=report.pk)


@transaction.atomic
def unit_report_submit(*, report: UnitAnnualReport, user: User) -> UnitAnnualReport:
    report = _locked(report)
    if report.status != Status.DRAFT:
        raise ValidationError(_("Only a draft can be submitted."))
    missing = unit_reports.missing_for_submit(report=report)
    if missing:
        raise ValidationError(missing)
    old = report.status
    report.status, report.submitted_at, report.updated_by = Status.SUBMITTED, timezone.now(), user
    report.return_comment = ""
    report.save()
    _record(report, action=Action.SUBMIT, old=old, user=user)
    notify_on_commit(report=report, event="submitted")
    return report


@transaction.atomic
def unit_report_approve(
    *, report: UnitAnnualReport, user: User, comment: str = ""
) -> UnitAnnualReport:
    report = _locked(report)
    if report.status != Status.SUBMITTED:
        raise ValidationError(_("Only a submitted report can be approved."))
    comment = _clean_comment(comment)
    old = report.status
    report.status, report.approved_at, report.updated_by = Status.APPROVED, timezone.now(), user
    report.save()
    _record(report, action=Action.APPROVE, old=old, user=user, comment=comment)
    notify_on_commit(report=report, event="approved")
    return report


@transaction.atomic
def unit_report_send_back(
    *, report: UnitAnnualReport, user: User, comment: str
) -> UnitAnnualReport:
    """Back to draft, with a comment saying what to change; also for an approved report."""
    report = _locked(report)
    if report.status == Status.DRAFT:
        raise ValidationError(_("The report is already a draft."))
    if not comment.strip():
        raise ValidationError({"comment": _("Say what the unit should change.")})
    comment = _clean_comment(comment)
    old = report.status
    report.status, report.approved_at, report.updated_by = Status.DRAFT, None, user
    report.return_comment = comment
    report.save()
    _record(report, action=Action.SEND_BACK, old=old, user=user, comment=comment)
    notify_on_commit(report=report, event="sent_back")
    return report
