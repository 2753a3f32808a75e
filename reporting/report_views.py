"""Pages for the unit annual reports and the PDF report jobs."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from qualityplan.access import get_access
from qualityplan.models import OrgUnit, QualityPlan
from qualityplan.selectors import language_for_user

from . import annual, report_jobs, sections
from .models import ReportJob, UnitAnnualReport, report_storage
from .report_forms import (
    AnnualChoiceForm,
    ApproveForm,
    ReportRequestForm,
    SendBackForm,
    UnitReportForm,
)

# --- Unit annual reports --------------------------------------------------------------


def _get_unit_report_for_user(
    request: HttpRequest, plan_pk: int, year: int, unit_pk: int, write: bool = False
) -> tuple[QualityPlan, OrgUnit, UnitAnnualReport | None]:
    """404 for a plan, year or unit the user may not see; 403 for a report they may read
    but not write."""
    plan = get_object_or_404(annual.plans_for_annual_reports(user=request.user), pk=plan_pk)
    unit = annual.reporting_units(plan=plan).filter(pk=unit_pk).first()
    rights = annual.report_rights(user=request.user)
    if unit is None or not plan.first_year <= year <= plan.last_year:
        raise Http404
    if not (rights.can_read(unit.pk) or rights.can_edit(unit.pk)):
        raise Http404
    if write and not rights.can_edit(unit.pk):
        raise PermissionDenied
    return plan, unit, annual.unit_report_detail(plan=plan, year=year, unit=unit)


@require_GET
def annual_overview(request: HttpRequest) -> HttpResponse:
    rights = annual.report_rights(user=request.user)
    if not rights.uses_annual_reports:
        raise PermissionDenied
    plans = annual.plans_for_annual_reports(user=request.user)
    plan = plans.filter(status=QualityPlan.Status.ACTIVE).first() or plans.first()
    initial = {"plan": plan, "year": annual.default_year(plan=plan) if plan else None}
    form = AnnualChoiceForm(request.GET or initial, plans=plans)
    year = initial["year"]
    if request.GET and form.is_valid():
        plan = form.cleaned_data["plan"]
        year = form.cleaned_data["year"] or annual.default_year(plan=plan)
    overview = (
        annual.unit_report_overview(user=request.user, plan=plan, year=year) if plan else None
    )
    context = {
        "form": form,
        "plan": plan,
        "year": year,
        "overview": overview,
        "may_request": report_jobs.may_request_reports(user=request.user),
    }
    return render(request, "reporting/annual/overview.html", context)


def _edit_page(request, plan, unit, year, report, form, decide_forms=None) -> HttpResponse:
    rights = annual.report_rights(user=request.user)
    figures = annual.unit_report_figures(user=request.user, plan=plan, year=year, unit=unit)
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
        "missing": annual.missing_for_submit(report=report) if report and editable else [],
        "extra_sections": sections.annual_page_sections(
            request=request, report=report, plan=plan, unit=unit, year=year
        ),
    }
    return render(request, "reporting/annual/edit.html", context)


def annual_report(request: HttpRequest, plan_pk: int, year: int, unit_pk: int) -> HttpResponse:
    """The unit's report: the form for its leader while a draft, read-only for the rest."""
    write = request.method == "POST"
    plan, unit, report = _get_unit_report_for_user(request, plan_pk, year, unit_pk, write=write)
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
    report = annual.unit_report_save(
        plan=plan,
        year=year,
        unit=unit,
        user=request.user,
        went_well=form.cleaned_data["went_well"].strip(),
        to_improve=form.cleaned_data["to_improve"].strip(),
        goals=form.goal_values(),
    )
    if request.POST.get("action") == "submit":
        annual.unit_report_submit(report=report, user=request.user)
        messages.success(request, _("The report is submitted for approval."))
    else:
        messages.success(request, _("The draft is saved."))
    return report


@require_POST
def annual_decide(
    request: HttpRequest, plan_pk: int, year: int, unit_pk: int, action: str
) -> HttpResponse:
    """Approve a submitted report, or send it back to the unit with a comment."""
    if action not in ("approve", "send_back"):
        raise Http404
    plan, unit, report = _get_unit_report_for_user(request, plan_pk, year, unit_pk)
    if not annual.report_rights(user=request.user).can_approve(unit.pk):
        raise PermissionDenied
    if report is None:
        raise Http404
    form_class = ApproveForm if action == "approve" else SendBackForm
    form = form_class(request.POST)
    if form.is_valid():
        comment = form.cleaned_data["comment"]
        try:
            if action == "approve":
                annual.unit_report_approve(report=report, user=request.user, comment=comment)
                messages.success(request, _("The report is approved."))
            else:
                annual.unit_report_send_back(report=report, user=request.user, comment=comment)
                messages.success(request, _("The report is sent back to the unit."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("annual_report", plan_pk=plan.pk, year=year, unit_pk=unit.pk)
    editing = UnitReportForm(goals=list(plan.goals.order_by("position")), report=report)
    return _edit_page(request, plan, unit, year, report, editing, {action: form})


# --- Report jobs: the PDF -----------------------------------------------------------------


def _get_job_for_user(request: HttpRequest, pk: int) -> ReportJob:
    """404 for a job whose scope or plan the user may not read."""
    job = get_object_or_404(
        ReportJob.objects.select_related("plan", "scope_unit", "requested_by"), pk=pk
    )
    if not report_jobs.may_read_job(user=request.user, job=job):
        raise Http404
    return job


def _request_form(request: HttpRequest, data=None) -> ReportRequestForm:
    plans = annual.plans_for_annual_reports(user=request.user)
    plan = plans.filter(status=QualityPlan.Status.ACTIVE).first() or plans.first()
    initial = {
        "plan": plan,
        "year": annual.default_year(plan=plan) if plan else None,
        "scope": plan.owner_id if plan else None,
        "language": language_for_user(user=request.user),
    }

    def scopes_for(chosen):
        return report_jobs.requestable_scopes(user=request.user, plan=chosen)

    return ReportRequestForm(data, initial=initial, plans=plans, scopes_for=scopes_for)


def _job_list_page(request: HttpRequest, form: ReportRequestForm | None) -> HttpResponse:
    jobs = report_jobs.report_jobs_for_user(user=request.user)[:100]
    return render(request, "reporting/jobs/list.html", {"form": form, "jobs": jobs})


@require_GET
def report_job_list(request: HttpRequest) -> HttpResponse:
    if not get_access(request.user).reads_follow_up:
        raise PermissionDenied
    may_request = report_jobs.may_request_reports(user=request.user)
    return _job_list_page(request, _request_form(request) if may_request else None)


@require_POST
def report_job_create(request: HttpRequest) -> HttpResponse:
    if not report_jobs.may_request_reports(user=request.user):
        raise PermissionDenied
    form = _request_form(request, request.POST)
    if not form.is_valid():
        return _job_list_page(request, form)
    data = form.cleaned_data
    try:
        job, created = report_jobs.report_job_request(
            user=request.user,
            plan=data["plan"],
            year=data["year"],
            scope_unit=data["scope"],
            language=data["language"],
        )
    except report_jobs.ReportError as error:
        form.add_error(None, str(error))
        return _job_list_page(request, form)
    if not created:
        messages.info(request, _("The same report is already being made; here it is."))
    return redirect("report_job_detail", pk=job.pk)


@require_GET
def report_job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _get_job_for_user(request, pk)
    context = {
        "job": job,
        "seen": request.GET.get("seen", ""),
        "may_retry": _may_retry(request, job),
    }
    if request.htmx:
        return render(request, "reporting/jobs/_status.html", context)
    return render(request, "reporting/jobs/detail.html", context)


def _may_retry(request: HttpRequest, job: ReportJob) -> bool:
    return job.is_failed and (
        job.requested_by_id == request.user.pk or report_jobs.may_request_reports(user=request.user)
    )


@require_POST
def report_job_retry(request: HttpRequest, pk: int) -> HttpResponse:
    job = _get_job_for_user(request, pk)
    if not _may_retry(request, job):
        raise PermissionDenied
    job = report_jobs.report_job_retry(job=job, user=request.user)
    messages.success(request, _("The report is queued again."))
    return redirect("report_job_detail", pk=job.pk)


@require_GET
def report_job_download(request: HttpRequest, pk: int) -> FileResponse:
    job = _get_job_for_user(request, pk)
    if not job.is_done or not job.file:
        raise Http404
    try:
        handle = report_storage().open(job.file.name, "rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    name = slugify(f"{_('quality report')} {job.year} {job.scope_unit.name}", allow_unicode=True)
    name = name or "report"
    return FileResponse(
        handle, as_attachment=True, filename=f"{name}.pdf", content_type="application/pdf"
    )
