"""Background jobs: thin wrappers that take ids and call a service."""

from celery import shared_task
from django.conf import settings

from . import pdf_jobs


# Acks late and reject on worker lost: a worker that dies mid-report gives the job
# back to the broker, which runs it again; the service makes a second run harmless.
@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.REPORT_SOFT_TIME_LIMIT,
    time_limit=settings.REPORT_HARD_TIME_LIMIT,
)
def render_report_job(self, job_id: int) -> str:
    job = pdf_jobs.report_job_run(job_id=job_id, task_id=self.request.id or "")
    return job.status if job is not None else "skipped"


@shared_task
def expire_report_jobs() -> int:
    """Beat, every few minutes: fail the jobs whose worker was stopped at the hard limit."""
    return pdf_jobs.report_jobs_expire()


@shared_task
def unit_report_notify(report_id: int, event: str) -> int:
    from .unit_report_notify import unit_report_notify as notify

    return notify(report_id=report_id, event=event)
