"""Who may see and change improvement work.

A project is read by whoever follows up one of its units (the unit's leaders, its area
leader, the office, the director) and changed by the leaders of its units and the
office. The regulation's duties are the office's to word; a unit's statements on them
are written with its yearly report, by those who write that report.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from qualityplan.access import get_access

from .models import ImprovementProject


def may_use(user: User) -> bool:
    access = get_access(user)
    return access.reads_follow_up or bool(access.lead_unit_ids)


def may_start_project(user: User) -> bool:
    access = get_access(user)
    return access.is_superuser or bool(access.lead_unit_ids or access.manage_unit_ids)


def editable_unit_ids(user: User) -> frozenset[int] | None:
    """The units whose projects `user` may change; None for every unit."""
    access = get_access(user)
    if access.is_superuser:
        return None
    return access.lead_unit_ids | access.manage_unit_ids


def visible_projects(user: User) -> QuerySet[ImprovementProject]:
    access = get_access(user)
    projects = ImprovementProject.objects.all()
    if not access.is_superuser:
        projects = projects.filter(units__in=access.read_unit_ids | access.lead_unit_ids).distinct()
    return projects


def can_edit_project(user: User, project: ImprovementProject) -> bool:
    units = editable_unit_ids(user)
    if units is None:
        return True
    return any(unit.pk in units for unit in project.units.all())


def get_project_for_user(request: HttpRequest, pk: int, write: bool = False) -> ImprovementProject:
    """404 for a project the user may not see, 403 for one they may see but not change."""
    project = get_object_or_404(visible_projects(request.user).prefetch_related("units"), pk=pk)
    if write and not can_edit_project(request.user, project):
        raise PermissionDenied
    return project


def may_word_duties(user: User) -> bool:
    return get_access(user).manages_any_plan


def may_edit_review(user: User, unit_id: int) -> bool:
    access = get_access(user)
    return access.can_lead_unit(unit_id) or access.can_manage_unit(unit_id)


def check_review_access(user: User, unit_id: int, write: bool = False) -> None:
    access = get_access(user)
    if not (access.can_read_unit(unit_id) or access.can_lead_unit(unit_id)):
        raise Http404
    if write and not may_edit_review(user, unit_id):
        raise PermissionDenied
