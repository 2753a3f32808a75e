"""Who may do what with a survey.

The office that owns a survey (plan managers of its owning unit) builds, opens,
closes, imports and reads everything. A person who reads plan follow-up for a
unit the survey runs at sees the survey's results for that unit (and the totals
above it). Free text goes only to the office and the unit's own leader.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from qualityplan.access import Access, get_access

from .models import Survey


def can_manage(access: Access, survey: Survey) -> bool:
    return access.can_manage_unit(survey.owner_id)


def can_view(access: Access, survey: Survey, link_unit_ids: set[int]) -> bool:
    return can_manage(access, survey) or any(access.can_read_unit(u) for u in link_unit_ids)


def can_read_free_text(access: Access, survey: Survey, unit_id: int) -> bool:
    return can_manage(access, survey) or access.can_lead_unit(unit_id)


def can_follow_up(access: Access, survey: Survey, unit_id: int) -> bool:
    return can_manage(access, survey) or access.can_report_for_unit(unit_id)


def get_survey_for_user(request, pk: int, *, manage: bool = False) -> tuple[Survey, Access]:
    """The survey if the user may see it (else 404); 403 is for the caller when `manage`
    is asked and the user may only read."""
    survey = get_object_or_404(Survey.objects.select_related("owner", "previous"), pk=pk)
    access = get_access(request.user)
    units = set(survey.links.values_list("org_unit_id", flat=True))
    if not can_view(access, survey, units):
        raise Http404
    survey.link_unit_ids = units
    return survey, access
