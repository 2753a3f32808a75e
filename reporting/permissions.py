"""Who may see and change what in reporting: the one place the views ask.

Dashboards are for people who read plan follow-up (403 for others), limited to plans
of their own organisation (404 for others). A unit's annual report is written by those
who report for the unit and approved by those who approve reports above it
(`unit_reports.report_rights`); a PDF job is read by those who may read its scope
(`pdf_jobs.may_read_job`).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from measures.models import Indicator, ReportingPeriod
from qualityplan.access import get_access
from qualityplan.models import OrgUnit, QualityPlan

from . import pdf_jobs, unit_reports
from .models import ReportJob, UnitAnnualReport


def get_plan_for_user(request: HttpRequest, plan_id: int) -> QualityPlan:
    """403 for a person who reads no plan follow-up; 404 for a plan they may not see."""
    access = get_access(request.user)
    if not access.reads_follow_up:
        raise PermissionDenied
    plan = get_object_or_404(QualityPlan.objects.select_related("owner"), pk=plan_id)
    if not access.can_view_plan(plan):
        raise Http404
    return plan


def get_period_for_user(request: HttpRequest, period_id: int) -> ReportingPeriod:
    access = get_access(request.user)
    if not access.reads_follow_up:
        raise PermissionDenied
    period = get_object_or_404(ReportingPeriod.objects.select_related("plan__owner"), pk=period_id)
    if not access.can_view_plan(period.plan):
        raise Http404
    return period


def get_indicator_for_user(request: HttpRequest, indicator_id: int) -> Indicator:
    access = get_access(request.user)
    if not access.reads_follow_up:
        raise PermissionDenied
    indicator = get_object_or_404(
        Indicator.objects.select_related("measure__goal__plan__owner"), pk=indicator_id
    )
    if not access.can_view_plan(indicator.measure.goal.plan):
        raise Http404
    return indicator


def get_job_for_user(request: HttpRequest, pk: int) -> ReportJob:
    """404 for a job whose scope or plan the user may not read."""
    job = get_object_or_404(
        ReportJob.objects.select_related("plan", "scope_unit", "requested_by"), pk=pk
    )
    if not pdf_jobs.may_read_job(user=request.user, job=job):
        raise Http404
    return job


def get_unit_report_for_user(
    request: HttpRequest, plan_pk: int, year: int, unit_pk: int, write: bool = False
) -> tuple[QualityPlan, OrgUnit, UnitAnnualReport | None]:
    """404 for a plan, year or unit the user may not see; 403 for a report they may read
    but not write."""
    plan = get_object_or_404(unit_reports.plans_for_annual_reports(user=request.user), pk=plan_pk)
    unit = unit_reports.reporting_units(plan=plan).filter(pk=unit_pk).first()
    rights = unit_reports.report_rights(user=request.user)
    if unit is None or not plan.first_year <= year <= plan.last_year:
        raise Http404
    if not (rights.can_read(unit.pk) or rights.can_edit(unit.pk)):
        raise Http404
    if write and not rights.can_edit(unit.pk):
        raise PermissionDenied
    return plan, unit, unit_reports.unit_report_detail(plan=plan, year=year, unit=unit)
