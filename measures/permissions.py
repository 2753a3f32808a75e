"""Who may do what in measures: the one place its views ask.

Every helper answers for one thing a page needs: 404 for what the user may not
see, 403 (`PermissionDenied`) for what they may see but not change. The rules
themselves read `qualityplan.access`.
"""

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from qualityplan.access import Access, get_access
from qualityplan.models import OrgUnit, QualityPlan
from qualityplan.permissions import require_plan_manager

from . import selectors
from .models import Measure, MeasureStatus, ReportingPeriod


def status_may_edit(*, user: User, status: MeasureStatus) -> bool:
    """The office edits any row of its plans, even in a closed period; a leader edits the
    rows of their own org unit for measures their role answers for, while the period is open.

    Needs `status.period` and `status.measure.responsible_roles` loaded (the selectors do).
    """
    access = get_access(user)
    if access.can_manage_unit(status.period.plan.owner_id):
        return True
    if not status.period.is_open:
        return False
    role_ids = [role.pk for role in status.measure.responsible_roles.all()]
    return access.holds_role_at(status.org_unit_id, role_ids)


def check_plan(request: HttpRequest, plan: QualityPlan, write: bool) -> None:
    """404 when the user may not see the plan; 403 when `write` and they may not change it."""
    access = get_access(request.user)
    if not access.can_view_plan(plan):
        raise Http404
    if write and not access.can_manage_plan(plan):
        raise PermissionDenied


def get_measure_for_user(request: HttpRequest, pk: int, write: bool = False) -> Measure:
    """404 for a measure the user may not see, 403 for one they may see but not change."""
    try:
        measure = selectors.measure_with_details(pk=pk)
    except Measure.DoesNotExist as missing:
        raise Http404 from missing
    check_plan(request, measure.goal.plan, write)
    return measure


def get_managed_plan_for_user(request: HttpRequest, pk: int) -> QualityPlan:
    """A plan whose periods the user runs: 404 when they may not see it, 403 when they
    may see it but not manage it."""
    plan = get_object_or_404(QualityPlan.objects.select_related("owner"), pk=pk)
    access = get_access(request.user)
    if not access.can_view_plan(plan):
        raise Http404
    if not access.can_manage_plan(plan):
        raise PermissionDenied
    return plan


def get_status_for_user(request: HttpRequest, pk: int, write: bool = False) -> MeasureStatus:
    """404 for a row the user may not read, 403 for one they may read but not change."""
    try:
        row = selectors.status_with_details(pk=pk)
    except MeasureStatus.DoesNotExist as missing:
        raise Http404 from missing
    if not get_access(request.user).can_read_unit(row.org_unit_id):
        raise Http404
    if write and not status_may_edit(user=request.user, status=row):
        raise PermissionDenied
    return row


def get_period_for_user(request: HttpRequest, pk: int) -> ReportingPeriod:
    """A reporting period of a plan the user sees and follows up; 404 otherwise."""
    period = get_object_or_404(ReportingPeriod.objects.select_related("plan"), pk=pk)
    access = get_access(request.user)
    if not (access.can_view_plan(period.plan) and access.reads_follow_up):
        raise Http404
    return period


def get_status_unit_for_user(request: HttpRequest, period: ReportingPeriod, wanted: str) -> OrgUnit:
    """The unit asked for, else the user's first, as on the status page; 404 for a unit
    the user may not read."""
    units = selectors.status_units_for_user(user=request.user, period=period)
    if wanted:
        unit = next((unit for unit in units if str(unit.pk) == wanted), None)
    else:
        unit = units[0] if units else None
    if unit is None:
        raise Http404
    return unit


def require_plan_importer(request: HttpRequest) -> Access:
    """Importing a plan table creates a plan: the same people as creating one (403 for
    others)."""
    return require_plan_manager(request)
