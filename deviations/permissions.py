"""Who may do what with deviations and quality council meetings: the one place the
views and the services ask.

404 for what the user may not see, 403 (`PermissionDenied`) for what they may see
but not handle. The rules read `qualityplan.access`.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from qualityplan.access import get_access

from . import selectors
from .models import Deviation, QualityCouncilMeeting


def may_handle(*, user: User, deviation: Deviation) -> bool:
    """The unit's leader (a section's leader for the section), or the quality office."""
    access = get_access(user)
    if access.can_lead_unit(deviation.org_unit_id):
        return True
    return access.manages_any_plan and access.can_read_unit(deviation.org_unit_id)


def may_read(*, user: User, deviation: Deviation) -> bool:
    if deviation.reporter_id is not None and deviation.reporter_id == user.pk:
        return True
    return get_access(user).can_read_unit(deviation.org_unit_id)


def may_hold_meeting(*, user: User, org_unit_id: int) -> bool:
    """The unit's leaders and the quality office record its quality council's meetings."""
    access = get_access(user)
    if access.can_lead_unit(org_unit_id):
        return True
    return access.manages_any_plan and access.can_read_unit(org_unit_id)


def get_deviation_for_user(request: HttpRequest, pk: int, write: bool = False) -> Deviation:
    """404 for a deviation the user may not see, 403 for one they may see but not handle."""
    try:
        deviation = selectors.deviation_detail(pk=pk)
    except Deviation.DoesNotExist as missing:
        raise Http404("No such deviation.") from missing
    if not may_read(user=request.user, deviation=deviation):
        raise Http404("The deviation is outside the units the person may read.")
    if write and not may_handle(user=request.user, deviation=deviation):
        raise PermissionDenied("The person may read the deviation but not handle it.")
    return deviation


def get_meeting_for_user(
    request: HttpRequest, pk: int, write: bool = False
) -> QualityCouncilMeeting:
    """404 for a meeting of a unit the user does not read, 403 for one they may not edit."""
    try:
        meeting = selectors.meeting_detail(pk=pk)
    except QualityCouncilMeeting.DoesNotExist as missing:
        raise Http404 from missing
    if not get_access(request.user).can_read_unit(meeting.org_unit_id):
        raise Http404
    if write and not may_hold_meeting(user=request.user, org_unit_id=meeting.org_unit_id):
        raise PermissionDenied
    return meeting
