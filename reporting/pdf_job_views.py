"""Pages for the annual quality report as a PDF: request a job, follow it, retry it and
download the file. (The units' own annual reports have theirs in `unit_report_views`.)"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from qualityplan.access import get_access
from qualityplan.models import QualityPlan
from qualityplan.selectors import language_for_user

from . import pdf_jobs, unit_reports
from .forms import (
    ReportRequestForm,
)
from .models import ReportJob, report_storage
from .permissions import get_job_for_user


def _request_form(request: HttpRequest, data=None) -> ReportRequestForm:
    plans = unit_reports.plans_for_annual_reports(user=request.user)
    plan = plans.filter(status=QualityPlan.Status.ACTIVE).first() or plans.first()
    initial = {
        "plan": plan,
        "year": unit_reports.default_year(plan=plan) if plan else None,
        "scope": plan.owner_id if plan else None,
        "language": language_for_user(user=request.user),
    }

    def scopes_for(chosen):
        return pdf_jobs.requestable_scopes(user=request.user, plan=chosen)

    return ReportRequestForm(data, initial=initial, plans=plans, scopes_for=scopes_for)


def _job_list_page(request: HttpRequest, form: ReportRequestForm | None) -> HttpResponse:
    jobs = pdf_jobs.report_jobs_for_user(user=request.user)[:100]
    return render(request, "reporting/jobs/list.html", {"form": form, "jobs": jobs})


@require_GET
def pdf_job_list(request: HttpRequest) -> HttpResponse:
    if not get_access(request.user).reads_follow_up:
        raise PermissionDenied
    may_request = pdf_jobs.may_request_reports(user=request.user)
    return _job_list_page(request, _request_form(request) if may_request else None)


@require_POST
def pdf_job_create(request: HttpRequest) -> HttpResponse:
    if not pdf_jobs.may_request_reports(user=request.user):
        raise PermissionDenied
    form = _request_form(request, request.POST)
    if not form.is_valid():
        return _job_list_page(request, form)
    data = form.cleaned_data
    try:
        job, created = pdf_jobs.report_job_request(
            user=request.user,
            plan=data["plan"],
            year=data["year"],
            scope_unit=data["scope"],
            language=data["language"],
        )
    except pdf_jobs.ReportError as error:
        form.add_error(None, str(error))
        return _job_list_page(request, form)
    if not created:
        messages.info(request, _("The same report is already being made; here it is."))
    return redirect("report_job_detail", pk=job.pk)


@require_GET
def pdf_job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_job_for_user(request, pk)
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
        job.requested_by_id == request.user.pk or pdf_jobs.may_request_reports(user=request.user)
    )


@require_POST
def pdf_job_retry(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_job_for_user(request, pk)
    if not _may_retry(request, job):
        raise PermissionDenied
    job = pdf_jobs.report_job_retry(job=job, user=request.user)
    messages.success(request, _("The report is queued again."))
    return redirect("report_job_detail", pk=job.pk)


@require_GET
def pdf_job_download(request: HttpRequest, pk: int) -> FileResponse:
    job = get_job_for_user(request, pk)
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
