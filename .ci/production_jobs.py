"""Queues a real report job and a real notification email, then waits for the worker.

Run by .ci/production_install.sh with the virtual environment built from
requirements.txt alone, after `load_demo`, while a Celery worker from that same
environment listens on Redis. The jobs are queued the way the web does it (the
services, `.delay()` on commit), and the result is checked where production keeps
it: the PDF in the report storage, the email in the file-based email backend's folder.

    python .ci/production_jobs.py SECONDS
"""

import os
import sys
import time
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qualityplan.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.utils import timezone  # noqa: E402

from deviations.models import Deviation  # noqa: E402
from deviations.services import deviation_report, unit_leaders  # noqa: E402
from qualityplan.models import QualityPlan  # noqa: E402
from reporting.models import ReportJob, report_storage  # noqa: E402
from reporting.pdf_jobs import report_job_request  # noqa: E402


def queue_deviation() -> Deviation:
    """A new deviation at a demo unit that has leaders to tell, by one of its reporters."""
    for earlier in Deviation.objects.filter(reporter__isnull=False).select_related(
        "org_unit", "category", "reporter"
    ):
        if unit_leaders(deviation=earlier).exclude(pk=earlier.reporter_id).exists():
            break
    else:
        sys.exit("No demo deviation with a unit leader to notify.")
    deviation = Deviation(
        org_unit=earlier.org_unit,
        category=earlier.category,
        occurred_at=timezone.now(),
        description="Production install check: a deviation queued through the worker.",
        consequence=2,
        probability=2,
    )
    return deviation_report(deviation=deviation, user=earlier.reporter)


def queue_report() -> ReportJob:
    plan = QualityPlan.objects.select_related("owner").order_by("-last_year").first()
    director = get_user_model().objects.get(username="kd")
    year = min(plan.last_year, timezone.localdate().year - 1)
    # English: a different dedupe key from the demo's own (Norwegian) report.
    job, _created = report_job_request(
        user=director, plan=plan, year=year, scope_unit=plan.owner, language="en"
    )
    return job


def wait(*, deadline: float, done) -> bool:
    while time.monotonic() < deadline:
        if done():
            return True
        time.sleep(1)
    return done()


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 300
    deadline = time.monotonic() + seconds
    mail_dir = Path(settings.EMAIL_FILE_PATH)
    mails_before = set(mail_dir.glob("*")) if mail_dir.exists() else set()

    deviation = queue_deviation()
    job = queue_report()
    print(f"Queued: deviation {deviation.reference}, report job {job.pk}", flush=True)

    def mail_arrived():
        new = set(mail_dir.glob("*")) - mails_before if mail_dir.exists() else set()
        return any(deviation.reference in path.read_text(errors="replace") for path in new)

    if not wait(deadline=deadline, done=mail_arrived):
        sys.exit(f"No email about {deviation.reference} in {mail_dir} within {seconds:.0f} s.")
    print(f"Email about {deviation.reference} written to {mail_dir}", flush=True)

    def job_finished():
        job.refresh_from_db()
        return job.status in (ReportJob.Status.DONE, ReportJob.Status.FAILED)

    if not wait(deadline=deadline, done=job_finished):
        sys.exit(f"Report job {job.pk} still {job.status} ({job.stage}) after {seconds:.0f} s.")
    if job.status != ReportJob.Status.DONE:
        sys.exit(f"Report job {job.pk} failed: {job.error}")
    with report_storage().open(job.file.name) as handle:
        head = handle.read(5)
    if head != b"%PDF-":
        sys.exit(f"Report job {job.pk} stored {job.file.name}, which is not a PDF.")
    print(f"Report job {job.pk}: {job.pages} pages stored as {job.file.name}", flush=True)


if __name__ == "__main__":
    main()
