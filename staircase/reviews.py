"""External review and certification.

The office appoints reviewers for a unit's year; a reviewer from outside gets an
account of their own, with no membership, that sees the unit's self-assessment
only through the appointment, until its end date. The reviewers set a step per
area with a justification and write a report. Once the review is completed, the
office certifies the unit if the framework's rule holds: every area at the
required step or higher.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qualityplan.models import OrgUnit

from .models import (
    AreaReview,
    AssessmentRound,
    Certification,
    ExternalReview,
    ReviewerAssignment,
)

Status = ExternalReview.Status


class ReviewConflict(ValidationError):
    def __init__(self, current: ExternalReview) -> None:
        self.current = current
        super().__init__(
            _(
                "Another reviewer saved this review while you were editing it. "
                "Make your changes again."
            ),
            code="conflict",
        )


@dataclass(frozen=True)
class AreaVerdict:
    step: int | None
    justification: str


def _review_for(round: AssessmentRound, unit: OrgUnit) -> ExternalReview:
    review = ExternalReview.objects.filter(round=round, org_unit=unit).first()
    if review is not None:
        return review
    try:
        with transaction.atomic():
            review = ExternalReview.objects.create(round=round, org_unit=unit)
            AreaReview.objects.bulk_create(
                AreaReview(review=review, area=area) for area in round.framework_version.areas.all()
            )
    except IntegrityError:
        review = ExternalReview.objects.get(round=round, org_unit=unit)
    return review


def _reviewer_account(*, username: str, full_name: str, email: str) -> tuple[User, bool]:
    user = User.objects.filter(username=username).first()
    if user is not None:
        return user, False
    first, _space, last = full_name.strip().partition(" ")
    user = User(username=username, first_name=first[:150], last_name=last[:150], email=email)
    user.set_unusable_password()
    user.full_clean()
    user.save()
    return user, True


@transaction.atomic
def reviewer_appoint(
    *,
    round: AssessmentRound,
    unit: OrgUnit,
    username: str,
    full_name: str = "",
    email: str = "",
    access_until: date,
    user: User,
) -> tuple[ReviewerAssignment, bool]:
    """Appoint a reviewer (creating their account if there is none). Returns the
    assignment and whether the account is new. Appointing again moves the end date."""
    if access_until < timezone.localdate():
        raise ValidationError(_("The access must last until today or later."))
    reviewer, created = _reviewer_account(
        username=username.strip(), full_name=full_name, email=email.strip()
    )
    review = _review_for(round, unit)
    assignment, _new = ReviewerAssignment.objects.update_or_create(
        review=review,
        user=reviewer,
        defaults={"access_until": access_until, "appointed_by": user},
    )
    if created:
        from .tasks import queue_reviewer_welcome

        queue_reviewer_welcome(assignment_id=assignment.pk)
    return assignment, created


def may_review(*, review: ExternalReview, user: User) -> bool:
    """An appointed reviewer whose access has not ended, while the review is open."""
    return (
        review.status != Status.COMPLETED
        and ReviewerAssignment.objects.filter(
            review=review, user=user, access_until__gte=timezone.localdate()
        ).exists()
    )


@transaction.atomic
def review_save(
    *,
    review: ExternalReview,
    user: User,
    revision: int,
    report: str,
    areas: dict[int, AreaVerdict],
) -> ExternalReview:
    current = ExternalReview.objects.select_for_update().get(pk=review.pk)
    rows = {row.area_id: row for row in AreaReview.objects.filter(review=current)}
    if current.revision != revision:
        if current.report == report and all(
            area_id in rows
            and (rows[area_id].step, rows[area_id].justification)
            == (given.step, given.justification)
            for area_id, given in areas.items()
        ):
            return current
        raise ReviewConflict(current)
    if current.status == Status.COMPLETED:
        raise ValidationError(_("The review is completed and can no longer be changed."))
    if set(areas) - set(rows):
        raise ValidationError(_("An area does not belong to this review."))
    current.report = report
    current.full_clean(exclude=["round", "org_unit"])
    for area_id, given in areas.items():
        row = rows[area_id]
        row.step, row.justification = given.step, given.justification
        row.full_clean(exclude=["review", "area"])
        row.save(update_fields=["step", "justification"])
    current.revision += 1
    current.save()
    return current


def missing_for_completion(*, review: ExternalReview) -> list[str]:
    missing = [
        _("%(area)s: set the step and write the justification.") % {"area": row.area.name}
        for row in AreaReview.objects.filter(review=review)
        .select_related("area")
        .order_by("area__position")
        if row.step is None or not row.justification.strip()
    ]
    if not review.report.strip():
        missing.append(_("Write the review report."))
    return missing


@transaction.atomic
def review_complete(*, review: ExternalReview, user: User) -> ExternalReview:
    current = ExternalReview.objects.select_for_update().get(pk=review.pk)
    if current.status == Status.COMPLETED:
        return current
    missing = missing_for_completion(review=current)
    if missing:
        raise ValidationError(missing)
    current.status = Status.COMPLETED
    current.completed_at, current.completed_by = timezone.now(), user
    current.revision += 1
    current.save()
    return current


# --- Certification ------------------------------------------------------------------------


def certification_shortfalls(*, review: ExternalReview) -> list[str]:
    """Why the review does not certify the unit under its framework's rule (empty: it does)."""
    if review.status != Status.COMPLETED:
        return [_("The external review is not completed.")]
    required = review.round.framework_version.framework.required_step
    rows = AreaReview.objects.filter(review=review).select_related("area")
    return [
        _("%(area)s is at step %(step)s; step %(required)d is required.")
        % {
            "area": row.area.name,
            "step": row.step if row.step is not None else "–",
            "required": required,
        }
        for row in rows.order_by("area__position")
        if row.step is None or row.step < required
    ]


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@transaction.atomic
def certificate_issue(
    *, review: ExternalReview, user: User, issued_on: date | None = None
) -> Certification:
    """Certify the unit on the strength of the review; issuing twice gives one certificate."""
    review = (
        ExternalReview.objects.select_for_update()
        .select_related("round__framework_version__framework")
        .get(pk=review.pk)
    )
    existing = Certification.objects.filter(review=review).first()
    if existing is not None:
        return existing
    shortfalls = certification_shortfalls(review=review)
    if shortfalls:
        raise ValidationError(shortfalls)
    framework = review.round.framework_version.framework
    issued_on = issued_on or timezone.localdate()
    earlier = Certification.objects.filter(framework=framework, org_unit_id=review.org_unit_id)
    certificate = Certification(
        framework=framework,
        org_unit_id=review.org_unit_id,
        review=review,
        issued_on=issued_on,
        valid_until=add_years(issued_on, framework.certificate_years),
        sequence=earlier.count() + 1,
        issued_by=user,
    )
    certificate.full_clean(exclude=["framework", "org_unit", "review"], validate_unique=False)
    certificate.save()
    return certificate
