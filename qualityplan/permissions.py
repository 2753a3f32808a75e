"""Who may do what with plans, goals and sub-goals: the one place the core views ask.

404 for what the user may not see, 403 (`PermissionDenied`) for what they may see
but not change. The rules themselves are the `can_*` methods of `access.Access`.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from .access import Access, get_access
from .models import Goal, QualityPlan, SubGoal


def get_plan_for_user(request: HttpRequest, pk: int, write: bool = False) -> QualityPlan:
    """404 for a plan the user may not see, 403 for one they may see but not change."""
    plan = get_object_or_404(QualityPlan.objects.select_related("owner"), pk=pk)
    access = get_access(request.user)
    if not access.can_view_plan(plan):
        raise Http404
    if write and not access.can_manage_plan(plan):
        raise PermissionDenied
    return plan


def get_part_for_user(request: HttpRequest, model, pk: int) -> Goal | SubGoal:
    """A goal or sub-goal of a plan the user manages (404/403 as for the plan)."""
    plan_path = "plan" if model is Goal else "goal__plan"
    part = get_object_or_404(model.objects.select_related(plan_path), pk=pk)
    plan = part.plan if model is Goal else part.goal.plan
    get_plan_for_user(request, plan.pk, write=True)
    return part


def require_plan_manager(request: HttpRequest) -> Access:
    """Creating and importing plans is for those who manage a plan; 403 for others."""
    access = get_access(request.user)
    if not access.manages_any_plan:
        raise PermissionDenied
    return access
