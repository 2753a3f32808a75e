"""Writes to the quality staircase: rounds, self-assessments and their workflow.

A self-assessment goes draft → submitted → approved, or is sent back to draft, as
the unit annual report does. Saving names the revision the person loaded: a stale
revision is a conflict that carries the assessment as it is now, unless it already
holds exactly what was sent (a double submit), which is then harmless.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from qualityplan.models import OrgUnit

from .models import (
    AreaAssessment,
    AssessmentRound,
    Criterion,
    Evidence,
    FrameworkVersion,
    Perspective,
    SelfAssessment,
    SelfAssessmentEvent,
)
from .steps import step_reached

Status = SelfAssessment.Status
Action = SelfAssessmentEvent.Action


class AssessmentConflict(ValidationError):
    """Someone saved the assessment after the person loaded it."""

    def __init__(self, current: SelfAssessment) -> None:
        self.current = current
        super().__init__(
            _(
                "Someone else saved this self-assessment while you were editing it. "
                "Their version is shown below; make your changes again."
            ),
            code="conflict",
        )


@dataclass(frozen=True)
class AreaInput:
    met: frozenset[int]
    perspectives: frozenset[int]
    evidence: str


# --- Rounds -----------------------------------------------------------------------


def round_create(
    *, version: FrameworkVersion, owner: OrgUnit, year: int, deadline: date, user: User
) -> AssessmentRound:
    round_ = AssessmentRound(
        framework_version=version, owner=owner, year=year, deadline=deadline, created_by=user
    )
    round_.full_clean(validate_unique=False)
    if AssessmentRound.objects.filter(framework_version=version, owner=owner, year=year).exists():
        raise ValidationError(
            _("%(owner)s already has a self-assessment round in %(year)s with this framework.")
            % {"owner": owner.name, "year": year}
        )
    try:
        with transaction.atomic():
            round_.save()
    except IntegrityError:
        return AssessmentRound.objects.get(framework_version=version, owner=owner, year=year)
    return round_


# --- Self-assessments ------------------------------------------------------------------------


def _record(assessment: SelfAssessment, *, action: str, old: str, user: User, comment: str = ""):
    SelfAssessmentEvent.objects.create(
        assessment=assessment,
        action=action,
        from_status=old,
        to_status=assessment.status,
        user=user,
        comment=comment,
    )


def assessment_start(
    *, round: AssessmentRound, unit: OrgUnit, user: User, kind: str = "unit", team_name: str = ""
) -> SelfAssessment:
    """The unit's (team's) self-assessment in the round, begun with one row per area.
    Starting twice gives the one assessment."""
    team_name = " ".join(team_name.split()) if kind == SelfAssessment.Kind.TEAM else ""
    existing = SelfAssessment.objects.filter(
        round=round, org_unit=unit, kind=kind, team_name=team_name
    ).first()
    if existing is not None:
        return existing
    assessment = SelfAssessment(
        round=round,
        framework_version_id=round.framework_version_id,
        org_unit=unit,
        year=round.year,
        kind=kind,
        team_name=team_name,
        updated_by=user,
    )
    assessment.full_clean(exclude=["round", "framework_version", "org_unit"])
    try:
        with transaction.atomic():
            assessment.save()
            areas = round.framework_version.areas.all()
            AreaAssessment.objects.bulk_create(
                AreaAssessment(assessment=assessment, area=area) for area in areas
            )
            _record(assessment, action=Action.CREATE, old="", user=user)
    except IntegrityError:
        return SelfAssessment.objects.get(
            round=round, org_unit=unit, kind=kind, team_name=team_name
        )
    return assessment


def _area_rows(assessment: SelfAssessment) -> dict[int, AreaAssessment]:
    rows = AreaAssessment.objects.filter(assessment=assessment).prefetch_related(
        "met_criteria", "perspectives"
    )
    return {row.area_id: row for row in rows}


def _holds(assessment: SelfAssessment, rows, summary: str, areas: dict[int, AreaInput]) -> bool:
    if assessment.summary != summary:
        return False
    for area_id, given in areas.items():
        row = rows.get(area_id)
        if row is None or row.evidence != given.evidence:
            return False
        if {c.pk for c in row.met_criteria.all()} != set(given.met):
            return False
        if {p.pk for p in row.perspectives.all()} != set(given.perspectives):
            return False
    return True


def _check_inputs(assessment: SelfAssessment, areas: dict[int, AreaInput]) -> dict:
    """(criterion id → (area id, step)) of the version, after refusing foreign ids."""
    version_id = assessment.framework_version_id
    criteria = {
        pk: (area_id, step)
        for pk, area_id, step in Criterion.objects.filter(area__version_id=version_id).values_list(
            "pk", "area_id", "step"
        )
    }
    perspectives = set(
        Perspective.objects.filter(version_id=version_id).values_list("pk", flat=True)
    )
    for area_id, given in areas.items():
        if any(criteria.get(pk, (None,))[0] != area_id for pk in given.met):
            raise ValidationError(_("A criterion does not belong to the area it was ticked in."))
        if not given.perspectives <= perspectives:
            raise ValidationError(_("A perspective does not belong to the framework."))
    return criteria


@transaction.atomic
def assessment_save(
    *,
    assessment: SelfAssessment,
    user: User,
    revision: int,
    summary: str,
    areas: dict[int, AreaInput],
) -> SelfAssessment:
    """Save the areas' criteria met, perspectives and evidence, and the steps reached."""
    current = SelfAssessment.objects.select_for_update().get(pk=assessment.pk)
    rows = _area_rows(current)
    if current.revision != revision:
        if _holds(current, rows, summary, areas):
            return current
        raise AssessmentConflict(current)
    if not current.is_draft:
        raise ValidationError(
            _("The self-assessment is %(status)s and can no longer be changed.")
            % {"status": current.get_status_display().lower()}
        )
    if set(areas) - set(rows):
        raise ValidationError(_("An area does not belong to this self-assessment."))
    criteria = _check_inputs(current, areas)
    current.summary = summary
    current.full_clean(exclude=["round", "framework_version", "org_unit", "copied_from"])
    for area_id, given in areas.items():
        _area_save(rows[area_id], given, criteria)
    current.revision += 1
    current.updated_by = user
    current.save()
    return current


def _area_save(row: AreaAssessment, given: AreaInput, criteria: dict) -> None:
    row.evidence = given.evidence
    row.full_clean(exclude=["assessment", "area"])
    own = [(pk, step) for pk, (area_id, step) in criteria.items() if area_id == row.area_id]
    row.step_reached = step_reached(criteria=own, met=given.met)
    row.save(update_fields=["evidence", "step_reached"])
    row.met_criteria.set(given.met)
    row.perspectives.set(given.perspectives)


def previous_assessment(*, assessment: SelfAssessment) -> SelfAssessment | None:
    """The same unit's (team's) latest earlier self-assessment in the same framework."""
    return (
        SelfAssessment.objects.filter(
            org_unit_id=assessment.org_unit_id,
            kind=assessment.kind,
            team_name=assessment.team_name,
            framework_version__framework_id=assessment.framework_version.framework_id,
            year__lt=assessment.year,
        )
        .order_by("-year")
        .first()
    )


def _criterion_keys(version_id: int) -> dict[tuple, int]:
    """Criteria by (area name, step, text): how a criterion is found again in another version."""
    rows = Criterion.objects.filter(area__version_id=version_id).values_list(
        "pk", "area__name", "step", "text"
    )
    return {(area.lower(), step, text.strip().lower()): pk for pk, area, step, text in rows}


@transaction.atomic
def assessment_copy_previous(
    *, assessment: SelfAssessment, user: User, revision: int
) -> SelfAssessment:
    """Fill the draft from last year's: criteria met, perspectives and evidence texts.
    Across framework versions, criteria and perspectives are matched by their words."""
    previous = previous_assessment(assessment=assessment)
    if previous is None:
        raise ValidationError(_("There is no earlier self-assessment of this unit to copy from."))
    old_rows = AreaAssessment.objects.filter(assessment=previous).select_related("area")
    old_rows = old_rows.prefetch_related("met_criteria", "perspectives")
    old_keys = {pk: key for key, pk in _criterion_keys(previous.framework_version_id).items()}
    new_keys = _criterion_keys(assessment.framework_version_id)
    new_areas = {
        a.name.lower(): a.pk for a in assessment.framework_version.areas.only("pk", "name")
    }
    new_perspectives = {
        p.name.lower(): p.pk for p in assessment.framework_version.perspectives.only("pk", "name")
    }
    areas = {}
    for row in old_rows:
        area_id = new_areas.get(row.area.name.lower())
        if area_id is None:
            continue
        met = {new_keys.get(old_keys[c.pk]) for c in row.met_criteria.all()} - {None}
        seen = {new_perspectives.get(p.name.lower()) for p in row.perspectives.all()} - {None}
        areas[area_id] = AreaInput(frozenset(met), frozenset(seen), row.evidence)
    saved = assessment_save(
        assessment=assessment,
        user=user,
        revision=revision,
        summary=assessment.summary or previous.summary,
        areas=areas,
    )
    if saved.copied_from_id != previous.pk:
        saved.copied_from = previous
        saved.save(update_fields=["copied_from"])
        _record(saved, action=Action.COPY, old=saved.status, user=user)
    return saved


def _locked(assessment: SelfAssessment) -> SelfAssessment:
    return SelfAssessment.objects.select_for_update().get(pk=assessment.pk)


def missing_for_submit(*, assessment: SelfAssessment) -> list[str]:
    """What the unit still has to do before submitting: every area needs evidence."""
    rows = AreaAssessment.objects.filter(assessment=assessment).select_related("area")
    return [
        _("%(area)s: describe the evidence for the criteria you met.") % {"area": row.area.name}
        for row in rows.order_by("area__position")
        if not row.evidence.strip()
    ]


@transaction.atomic
def assessment_submit(*, assessment: SelfAssessment, user: User) -> SelfAssessment:
    current = _locked(assessment)
    if current.status == Status.SUBMITTED:
        return current  # a double submit
    if current.status != Status.DRAFT:
        raise ValidationError(_("Only a draft can be submitted."))
    missing = missing_for_submit(assessment=current)
    if missing:
        raise ValidationError(missing)
    old = current.status
    current.status, current.submitted_at, current.updated_by = (
        Status.SUBMITTED,
        timezone.now(),
        user,
    )
    current.return_comment = ""
    current.revision += 1
    current.save()
    _record(current, action=Action.SUBMIT, old=old, user=user)
    return current


@transaction.atomic
def assessment_approve(
    *, assessment: SelfAssessment, user: User, comment: str = ""
) -> SelfAssessment:
    current = _locked(assessment)
    if current.status == Status.APPROVED:
        return current
    if current.status != Status.SUBMITTED:
        raise ValidationError(_("Only a submitted self-assessment can be approved."))
    old = current.status
    current.status, current.approved_at, current.updated_by = Status.APPROVED, timezone.now(), user
    current.revision += 1
    current.save()
    _record(current, action=Action.APPROVE, old=old, user=user, comment=comment.strip())
    return current


@transaction.atomic
def assessment_send_back(*, assessment: SelfAssessment, user: User, comment: str) -> SelfAssessment:
    current = _locked(assessment)
    if current.status == Status.DRAFT:
        raise ValidationError(_("The self-assessment is already a draft."))
    if not comment.strip():
        raise ValidationError({"comment": _("Say what the unit should change.")})
    old = current.status
    current.status, current.approved_at, current.updated_by = Status.DRAFT, None, user
    current.return_comment = comment.strip()
    current.full_clean(exclude=["round", "framework_version", "org_unit", "copied_from"])
    current.revision += 1
    current.save()
    _record(current, action=Action.SEND_BACK, old=old, user=user, comment=comment.strip())
    return current


# --- Evidence attachments -----------------------------------------------------------------------

EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
EVIDENCE_SUFFIXES = {
    ".pdf",
    ".docx",
    ".xlsx",
    ".pptx",
    ".odt",
    ".ods",
    ".odp",
    ".txt",
    ".png",
    ".jpg",
    ".jpeg",
}


def evidence_add(*, row: AreaAssessment, upload, user: User) -> Evidence:
    """Attach an uploaded file to an area of a draft self-assessment."""
    if not row.assessment.is_draft:
        raise ValidationError(_("Attachments can be added to a draft only."))
    name = get_valid_filename(Path(upload.name or "").name)[:150]
    if Path(name).suffix.lower() not in EVIDENCE_SUFFIXES:
        raise ValidationError(
            _("Attach a PDF, an office document, a text file or a picture (PNG or JPEG).")
        )
    if upload.size > EVIDENCE_MAX_BYTES:
        raise ValidationError(
            _("The file is %(size)s; the largest attachment we accept is %(max)s.")
            % {"size": filesizeformat(upload.size), "max": filesizeformat(EVIDENCE_MAX_BYTES)}
        )
    evidence = Evidence(area_assessment=row, name=name, size=upload.size, uploaded_by=user)
    evidence.full_clean(exclude=["area_assessment", "file"])
    evidence.file.save(name, upload, save=False)
    evidence.save()
    return evidence


def evidence_delete(*, evidence: Evidence) -> None:
    if not evidence.area_assessment.assessment.is_draft:
        raise ValidationError(_("Attachments can be removed from a draft only."))
    storage, path = evidence.file.storage, evidence.file.name
    evidence.delete()
    transaction.on_commit(lambda: storage.delete(path))
