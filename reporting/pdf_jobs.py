"""Report jobs: the annual quality report as a PDF, made by a Celery worker.

A request creates a `ReportJob` row and queues the job once the transaction commits.
The worker claims the row (queued or running → running), renders, writes the file
under one name per job and marks it done; a failure is recorded in words. Running a
job twice, as the broker does after a worker died, gives one finished file: a done
job is skipped and a second run overwrites the same file.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from functools import partial

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from qualityplan.access import OrgTree, get_access
from qualityplan.models import Membership, OrgUnit, QualityPlan, Role
from qualityplan.selectors import language_for_user

from .models import ReportJob, report_storage

logger = logging.getLogger(__name__)

Status = ReportJob.Status
Stage = ReportJob.Stage
SCOPE_KINDS = (OrgUnit.Kind.DEPARTMENT, OrgUnit.Kind.AREA, OrgUnit.Kind.UNIT)
# A running job this long past the hard time limit has lost its worker for good.
STALE_MARGIN = timedelta(minutes=2)


class ReportError(Exception):
    """A reason a report cannot be made that the requester can act on."""


# --- Who may request and read ---------------------------------------------------------


def may_request_reports(*, user: User) -> bool:
    """The director and the quality office: holders of a role that reads the whole
    organisation, or that manages plans."""
    access = get_access(user)
    if access.is_superuser:
        return True
    role_ids = {role_id for _unit, role_id in access.unit_roles}
    return Role.objects.filter(
        Q(scope=Role.Scope.ORGANISATION) | Q(manages_plan=True), pk__in=role_ids
    ).exists()


def requestable_scopes(*, user: User, plan: QualityPlan) -> QuerySet[OrgUnit]:
    """The department, areas and units of the plan the user may request a report for."""
    access = get_access(user)
    unit_ids = OrgTree.load().subtree(plan.owner_id)
    if not access.is_superuser:
        unit_ids &= set(access.read_unit_ids)
    units = OrgUnit.objects.filter(pk__in=unit_ids, kind__in=SCOPE_KINDS, is_active=True)
    order = {kind: n for n, kind in enumerate(SCOPE_KINDS)}
    return sorted(units.select_related("parent"), key=lambda u: (order[u.kind], u.name))


def may_read_job(*, user: User, job: ReportJob) -> bool:
    """Whoever reads the report's scope and plan may see the job and download its file."""
    access = get_access(user)
    return access.can_view_plan(job.plan) and access.can_read_unit(job.scope_unit_id)


def report_jobs_for_user(*, user: User) -> QuerySet[ReportJob]:
    access = get_access(user)
    jobs = ReportJob.objects.select_related("plan", "scope_unit", "requested_by")
    if not access.is_superuser:
        jobs = jobs.filter(
            scope_unit_id__in=access.read_unit_ids, plan__owner_id__in=access.member_org_unit_ids
        )
    return jobs.order_by("-requested_at", "-id")


# --- Request and retry ----------------------------------------------------------------


def _enqueue(job_id: int) -> None:
    # Imported here: the task module pulls in the worker's side (WeasyPrint).
    from . import tasks

    try:
        tasks.render_report_job.delay(job_id)
    except Exception:
        logger.exception("Report job %s could not be queued", job_id)
        ReportJob.objects.filter(pk=job_id, status=Status.QUEUED).update(
            status=Status.FAILED,
            finished_at=timezone.now(),
            error=_(
                "The report could not be queued: the job queue did not answer. "
                "Try again in a moment."
            ),
        )


def _active_twin(key: str) -> ReportJob | None:
    return ReportJob.objects.filter(dedupe_key=key, status__in=ReportJob.ACTIVE_STATUSES).first()


def report_job_request(
    *,
    user: User,
    plan: QualityPlan,
    year: int,
    scope_unit: OrgUnit,
    language: str | None = None,
) -> tuple[ReportJob, bool]:
    """Queue the report for `plan`, `year` and `scope_unit`, or return the job already
    queued or running for the same request. Returns (job, created)."""
    if not plan.first_year <= year <= plan.last_year:
        raise ReportError(
            _("The plan runs %(first)s–%(last)s; %(year)s is outside it.")
            % {"first": plan.first_year, "last": plan.last_year, "year": year}
        )
    language = language or language_for_user(user=user)
    key = ReportJob.key_for(
        plan_id=plan.pk, year=year, scope_unit_id=scope_unit.pk, language=language
    )
    twin = _active_twin(key)
    if twin is not None:
        return twin, False
    try:
        with transaction.atomic():
            job = ReportJob.objects.create(
                requested_by=user,
                plan=plan,
                year=year,
                scope_unit=scope_unit,
                language=language,
                dedupe_key=key,
            )
    except IntegrityError:
        # Another request for the same report got in between the check and the insert.
        twin = _active_twin(key)
        if twin is None:
            raise
        return twin, False
    transaction.on_commit(partial(_enqueue, job.pk))
    return job, True


def report_job_retry(*, job: ReportJob, user: User) -> ReportJob:
    """Queue a failed job again; if the same report is already under way, that job."""
    twin = _active_twin(job.dedupe_key)
    if twin is not None:
        return twin
    try:
        with transaction.atomic():
            changed = ReportJob.objects.filter(pk=job.pk, status=Status.FAILED).update(
                status=Status.QUEUED,
                stage=Stage.WAITING,
                error="",
                attempts=0,
                started_at=None,
                finished_at=None,
                duration=None,
                notified_at=None,
            )
    except IntegrityError:
        return _active_twin(job.dedupe_key) or job
    if changed:
        logger.info("Report job %s queued again by user %s", job.pk, user.pk)
        transaction.on_commit(partial(_enqueue, job.pk))
    job.refresh_from_db()
    return job


# --- The worker's side ----------------------------------------------------------------


def _claim(job_id: int, task_id: str) -> ReportJob | None:
    """Mark the job running, unless it is finished (or gone): then None."""
    with transaction.atomic():
        job = (
            ReportJob.objects.select_for_update(of=("self",))
            .select_related("plan__owner", "scope_unit", "requested_by__profile")
            .filter(pk=job_id)
            .first()
        )
        if job is None or not job.is_active:
            return None
        job.status, job.stage, job.error = Status.RUNNING, Stage.FIGURES, ""
        job.started_at, job.attempts, job.task_id = timezone.now(), F("attempts") + 1, task_id
        job.save(update_fields=["status", "stage", "error", "started_at", "attempts", "task_id"])
    job.refresh_from_db(fields=["attempts"])
    return job


def _stage(job: ReportJob, stage: str) -> None:
    ReportJob.objects.filter(pk=job.pk, status=Status.RUNNING).update(stage=stage)


def _fail(job: ReportJob, message: str) -> None:
    now = timezone.now()
    ReportJob.objects.filter(pk=job.pk).update(
        status=Status.FAILED,
        error=message,
        finished_at=now,
        duration=now - job.started_at if job.started_at else None,
    )


def report_file_name(job: ReportJob) -> str:
    """One name per job, whatever the number of runs: a second run overwrites the first."""
    return f"reports/{job.year}/kvalitetsrapport-{job.pk}-{job.token}.pdf"


def _store(job: ReportJob, pdf: bytes) -> str:
    storage = report_storage()
    name = report_file_name(job)
    if storage.exists(name):
        storage.delete(name)
    saved = storage.save(name, ContentFile(pdf))
    if saved != name:
        logger.warning("Report job %s was stored as %s, not %s", job.pk, saved, name)
    return saved


def report_job_run(*, job_id: int, task_id: str = "") -> ReportJob | None:
    """Render the job's report and keep the file; a failure is recorded in words.

    Returns the job, or None when there was nothing to do (already finished)."""
    job = _claim(job_id, task_id)
    if job is None:
        logger.info("Report job %s is finished or gone; nothing to do", job_id)
        return None
    with translation.override(job.language):
        if job.attempts > settings.REPORT_MAX_ATTEMPTS:
            _fail(job, _too_many_attempts_message(job))
        else:
            _render_and_store(job)
    job.refresh_from_db()
    report_job_notify(job=job)
    return job


def _too_many_attempts_message(job: ReportJob) -> str:
    return _(
        "The worker making the report stopped %(count)s times without finishing, which "
        "usually means the report needed more memory than the server has. Try a smaller "
        "scope, such as one area, or ask the administrator to look at the worker."
    ) % {"count": job.attempts - 1}


def _render_and_store(job: ReportJob) -> None:
    from . import pdf  # The web process never needs WeasyPrint.

    started = time.perf_counter()
    try:
        if job.requested_by is None or not job.requested_by.is_active:
            raise ReportError(_("The person who asked for the report no longer has access."))
        # Whole or in parts, as REPORT_RENDER_MODE says.
        rendered = pdf.report_render(
            plan=job.plan,
            year=job.year,
            scope_unit=job.scope_unit,
            user=job.requested_by,
            progress=partial(_stage, job),
        )
        _stage(job, Stage.WRITING)
        name = _store(job, rendered.pdf)
    except SoftTimeLimitExceeded:
        minutes = max(1, round(settings.REPORT_SOFT_TIME_LIMIT / 60))
        _fail(
            job,
            _(
                "The report took too long to make (more than %(minutes)s minutes) and was "
                "stopped. Try a smaller scope, such as one area, or ask the administrator "
                "to allow more time."
            )
            % {"minutes": minutes},
        )
        return
    except ReportError as error:
        _fail(job, str(error))
        return
    except Exception:
        logger.exception("Report job %s failed", job.pk)
        _fail(
            job,
            _(
                "The report could not be made because of an error in the program. The error "
                "has been logged for the administrator. Try again; if it fails again, tell "
                "the administrator."
            ),
        )
        return
    now = timezone.now()
    ReportJob.objects.filter(pk=job.pk).update(
        status=Status.DONE,
        stage=Stage.FINISHED,
        file=name,
        pages=rendered.pages,
        size=len(rendered.pdf),
        finished_at=now,
        duration=timedelta(seconds=time.perf_counter() - started),
        error="",
    )


def report_jobs_expire(*, now=None) -> int:
    """Fail the jobs whose worker was stopped at the hard time limit: the broker does not
    deliver those again, so they would show "running" for ever. Returns how many."""
    now = now or timezone.now()
    limit = now - timedelta(seconds=settings.REPORT_HARD_TIME_LIMIT) - STALE_MARGIN
    stale = list(
        ReportJob.objects.filter(status=Status.RUNNING, started_at__lt=limit).select_related(
            "requested_by__profile"
        )
    )
    for job in stale:
        with translation.override(job.language):
            message = _(
                "The report took too long to make and its worker was stopped. Try a smaller "
                "scope, such as one area, or ask the administrator to allow more time."
            )
        changed = ReportJob.objects.filter(pk=job.pk, status=Status.RUNNING).update(
            status=Status.FAILED, error=message, finished_at=now
        )
        if changed:
            job.refresh_from_db()
            report_job_notify(job=job)
    return len(stale)


# --- Telling people -------------------------------------------------------------------


def report_job_recipients(*, job: ReportJob) -> list[User]:
    """The requester; when the report is ready and the requester is not the director,
    also the director: holders of REPORT_NOTIFY_ROLE_CODES in the scope's organisation."""
    people = []
    if job.requested_by and job.requested_by.is_active and job.requested_by.email:
        people.append(job.requested_by)
    codes = settings.REPORT_NOTIFY_ROLE_CODES
    if job.status != Status.DONE or not codes:
        return people
    tree = OrgTree.load()
    organisation = tree.subtree(tree.root(job.scope_unit_id))
    holders = (
        Membership.objects.current()
        .filter(role__code__in=codes, org_unit_id__in=organisation)
        .filter(user__is_active=True)
        .exclude(user__email="")
        .select_related("user__profile")
    )
    directors = {m.user_id: m.user for m in holders}
    if job.requested_by_id in directors:
        return people
    return people + sorted(directors.values(), key=lambda user: user.pk)


def report_job_notify(*, job: ReportJob) -> int:
    """Email the people who want to know that the job finished; once per finish."""
    if job.is_active:
        return 0
    claimed = ReportJob.objects.filter(pk=job.pk, notified_at__isnull=True).update(
        notified_at=timezone.now()
    )
    if not claimed:
        return 0
    sent = 0
    for person in report_job_recipients(job=job):
        try:
            report_job_message(job=job, person=person).send()
            sent += 1
        except Exception:
            # A mail server hiccup must not undo a finished report.
            logger.exception("Report job %s: email to user %s not sent", job.pk, person.pk)
    return sent


def report_job_message(*, job: ReportJob, person: User) -> EmailMultiAlternatives:
    with translation.override(language_for_user(user=person)):
        context = {
            "job": job,
            "person": person,
            "requested_by": job.requested_by,
            "scope": job.scope_unit.name,
            "link": settings.SITE_URL + reverse("report_job_detail", args=[job.pk]),
            "for_requester": person.pk == job.requested_by_id,
        }
        kind = "done" if job.is_done else "failed"
        subject = render_to_string(f"reporting/jobs/email_{kind}_subject.txt", context)
        text = render_to_string(f"reporting/jobs/email_{kind}.txt", context)
    return EmailMultiAlternatives(" ".join(subject.split()), text, to=[person.email])
