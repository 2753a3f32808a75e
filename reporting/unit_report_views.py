"""Pages for the unit annual reports: the overview, a unit's report, approving or sending
back. (The quality report as a PDF has its pages in `pdf_job_views`.)"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from qualityplan.models import QualityPlan

from . import pdf_jobs, services, unit_reports
from .forms import (
    AnnualChoiceForm,
    ApproveForm,
    SendBackForm,
    UnitReportForm,
)
from .hooks import hook_parts
from .models import UnitAnnualReport
from .permissions import get_unit_report_for_user

# --- Unit annual reports --------------------------------------------------------------


@require_GET
def unit_report_overview_page(request: HttpRequest) -> HttpResponse:
    rights = unit_reports.report_rights(user=request.user)
    if not rights.uses_annual_reports:
        raise PermissionDenied
    plans = unit_reports.plans_for_annual_reports(user=request.user)
    plan = plans.filter(status=QualityPlan.Status.ACTIVE).first() or plans.first()
    initial = {"plan": plan, "year": unit_reports.default_year(plan=plan) if plan else None}
    form = AnnualChoiceForm(request.GET or initial, plans=plans)
    year = initial["year"]
    if request.GET and form.is_valid():
        plan = form.cleaned_data["plan"]
        year = form.cleaned_data["year"] or unit_reports.default_year(plan=plan)
    overview = (
        unit_reports.unit_report_overview(user=request.user, plan=plan, year=year) if plan else None
    )
    context = {
        "form": form,
        "plan": plan,
        "year": year,
        "overview": overview,
        "may_request": pdf_jobs.may_request_reports(user=request.user),
    }
    return render(request, "reporting/annual/overview.html", context)


def _edit_page(request, plan, unit, year, report, form, decide_forms=None) -> HttpResponse:
    rights = unit_reports.report_rights(user=request.user)
    figures = unit_reports.unit_report_figures(user=request.user, plan=plan, year=year, unit=unit)
    editable = rights.can_edit(unit.pk) and (report is None or report.is_draft)
    can_decide = rights.can_approve(unit.pk) and report is not None and not report.is_draft
    decide_forms = decide_forms or {}
    context = {
        "plan": plan,
        "unit": unit,
        "year": year,
        "report": report,
        "form": form,
        "goals": [
            (goal, assessment, text, figures.goal(goal.pk))
            for goal, assessment, text in form.goal_fields()
        ],
        "figures": figures,
        "editable": editable,
        "can_decide": can_decide,
        "approve_form": decide_forms.get("approve") or ApproveForm(),
        "send_back_form": decide_forms.get("send_back") or SendBackForm(),
        "missing": unit_reports.missing_for_submit(report=report) if report and editable else [],
        "extra_sections": hook_parts(
            "ANNUAL_REPORT_PAGE_HOOKS",
            request=request,
            report=report,
            plan=plan,
            unit=unit,
            year=year,
        ),
    }
    return render(request, "reporting/annual/edit.html", context)


def unit_report_page(request: HttpRequest, plan_pk: int, year: int, unit_pk: int) -> HttpResponse:
    """The unit's report: the form for its leader while a draft, read-only for the rest."""
    write = request.method == "POST"
    plan, unit, report = get_unit_report_for_user(request, plan_pk, year, unit_pk, write=write)
    goals = list(plan.goals.order_by("position"))
    form = UnitReportForm(request.POST or None, goals=goals, report=report)
    if write and form.is_valid():
        try:
            report = _save_report(request, plan, unit, year, form)
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            return redirect("annual_report", plan_pk=plan.pk, year=year, unit_pk=unit.pk)
    return _edit_page(request, plan, unit, year, report, form)


def _save_report(request, plan, unit, year, form) -> UnitAnnualReport:
    report = services.unit_report_save(
        plan=plan,
        year=year,
        unit=unit,
        user=request.user,
        went_well=form.cleaned_data["went_well"].strip(),
        to_improve=form.cleaned_data["to_improve"].strip(),
        goals=form.goal_values(),
    )
    if request.POST.get("action") == "submit":
        services.unit_report_submit(report=report, user=request.user)
        messages.success(request, _("The report is submitted for approval."))
    else:
        messages.success(request, _("The draft is saved."))
    return report


@require_POST
def unit_report_decide(
    request: HttpRequest, plan_pk: int, year: int, unit_pk: int, action: str
) -> HttpResponse:
    """Approve a submitted report, or send it back to the unit with a comment."""
    if action not in ("approve", "send_back"):
        raise Http404
    plan, unit, report = get_unit_report_for_user(request, plan_pk, year, unit_pk)
    if not unit_reports.report_rights(user=request.user).can_approve(unit.pk):
        raise PermissionDenied
    if report is None:
        raise Http404
    form_class = ApproveForm if action == "approve" else SendBackForm
    form = form_class(request.POST)
    if form.is_valid():
        comment = form.cleaned_data["comment"]
        try:
            if action == "approve":
                services.unit_report_approve(report=report, user=request.user, comment=comment)
                messages.success(request, _("The report is approved."))
            else:
                services.unit_report_send_back(report=report, user=request.user, comment=comment)
                messages.success(request, _("The report is sent back to the unit."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("annual_report", plan_pk=plan.pk, year=year, unit_pk=unit.pk)
    editing = UnitReportForm(goals=list(plan.goals.order_by("position")), report=report)
    return _edit_page(request, plan, unit, year, report, editing, {action: form})
