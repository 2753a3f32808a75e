"""Reads for the survey pages: which surveys a person sees, and the builder's data."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from qualityplan.access import Access, OrgTree
from qualityplan.models import OrgUnit

from .models import Question, Survey


def surveys_for_user(*, access: Access) -> QuerySet[Survey]:
    """Surveys the person builds (owner they manage) or reads (a unit they read)."""
    surveys = Survey.objects.select_related("owner").annotate(
        answers=Count("responses", distinct=True), units=Count("links", distinct=True)
    )
    if access.is_superuser:
        return surveys
    return surveys.filter(
        Q(owner_id__in=access.manage_unit_ids) | Q(links__org_unit_id__in=access.read_unit_ids)
    ).distinct()


def owners_for_user(*, access: Access) -> QuerySet[OrgUnit]:
    units = OrgUnit.objects.filter(kind=OrgUnit.Kind.DEPARTMENT)
    if access.is_superuser:
        return units
    return units.filter(pk__in=access.manage_unit_ids)


def survey_units(*, owner: OrgUnit | None) -> QuerySet[OrgUnit]:
    """The units a survey can run at: the active units and sections under its owner."""
    units = OrgUnit.objects.filter(
        is_active=True, kind__in=[OrgUnit.Kind.UNIT, OrgUnit.Kind.SECTION]
    ).select_related("parent")
    if owner is None:
        return units.none()
    return units.filter(pk__in=OrgTree.load().subtree(owner.pk)).order_by("parent__name", "name")


def builder_questions(*, survey: Survey) -> list:
    """Sections with their questions and choices, in order (3 queries)."""
    sections = list(survey.sections.all())
    questions = list(
        Question.objects.filter(survey=survey)
        .select_related("indicator", "perspective")
        .prefetch_related("options", "criteria")
        .order_by("position")
    )
    for section in sections:
        section.question_list = [q for q in questions if q.section_id == section.pk]
    return sections


def answering_questions(*, survey: Survey) -> list[Question]:
    return list(
        Question.objects.filter(survey=survey)
        .select_related("section")
        .prefetch_related("options")
        .order_by("section__position", "position")
    )
