"""A real Celery worker on Redis runs report jobs against the test database.

The worker is a subprocess on the `reports` queue, in the production shape (prefork,
one child, a new child after each report, acks late, reject on worker lost). It needs
Redis and PostgreSQL (a second process cannot share SQLite's test database), so the
tests are skipped without REDIS_URL and a PostgreSQL DATABASE_URL; CI sets both.

The worker starts through a few lines that slow the rendering down, so that a test
can kill the pool child in the middle of a report and see the job run again.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from reporting import pdf_jobs
from reporting.models import ReportJob, report_storage
from tests.reporting.dashboard_data import build_plan, fill_reports

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis: set REDIS_URL"),
]

WAIT_SECONDS = 60
# Started as `python -c LAUNCHER`: render slowly (and say which process renders), then
# hand over to Celery's own command line.
LAUNCHER = """
import os, sys, time
import django
django.setup()
from reporting import pdf
real_render = pdf.report_render
def slow_render(**kwargs):
    with open(os.environ["RENDER_PID_FILE"], "a") as handle:
        handle.write(f"{os.getpid()}\\n")
    time.sleep(float(os.environ["RENDER_DELAY"]))
    return real_render(**kwargs)
pdf.report_render = slow_render
from qualityplan.celery import app
app.worker_main(sys.argv[1:])
"""


@pytest.fixture
def postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the worker process must share the test database")


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        f"/{db['NAME']}"
    )


@pytest.fixture
def report_root(settings, tmp_path):
    root = tmp_path / "reports"
    settings.STORAGES = {
        **settings.STORAGES,
        "reports": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
    }
    return root


@pytest.fixture
def worker(postgresql, report_root, tmp_path):
    """Start the worker; yields the file the rendering processes write their pids to."""
    pid_file = tmp_path / "render-pids"
    log = (tmp_path / "worker.log").open("w")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "qualityplan.settings",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "REPORT_ROOT": str(report_root),
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "RENDER_PID_FILE": str(pid_file),
        "RENDER_DELAY": "3",
    }
    argv = [
        "worker", "--queues", "reports", "--pool", "prefork", "--concurrency", "1",
        "--max-tasks-per-child", "1", "--loglevel", "info", "--without-gossip",
        "--without-mingle", "--without-heartbeat",
    ]  # fmt: skip
    process = subprocess.Popen(  # noqa: S603 -- this interpreter and the lines above
        [sys.executable, "-c", LAUNCHER, *argv],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    process.pid_file = pid_file
    process.log_path = tmp_path / "worker.log"
    yield process
    process.terminate()  # a warm shutdown: the worker stops its own pool child
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    log.close()


def _wait_for(job: ReportJob, condition, worker) -> ReportJob:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if condition(job):
            return job
        if worker.poll() is not None:
            break
        time.sleep(0.25)
    pytest.fail(
        f"Job {job.pk} is {job.status} ({job.error or 'no error'}) after waiting.\n"
        f"Worker log:\n{Path(worker.log_path).read_text()[-4000:]}"
    )


@pytest.fixture
def job_request(org, users, plan):
    data = build_plan(org=org, users=users, plan=plan)
    fill_reports(data, org)

    def request():
        job, created = pdf_jobs.report_job_request(
            user=users.director, plan=plan, year=2022, scope_unit=org.department, language="nb"
        )
        assert created
        return job

    return request


def test_a_worker_on_redis_runs_a_report_job(worker, job_request):
    job = job_request()  # autocommit: queued on Redis at once

    job = _wait_for(job, lambda j: j.status == ReportJob.Status.DONE, worker)

    assert job.attempts == 1
    assert job.pages >= 5
    with report_storage().open(job.file.name) as handle:
        assert handle.read(5) == b"%PDF-"


def test_a_job_whose_pool_child_is_killed_runs_again(worker, job_request):
    job = job_request()
    job = _wait_for(job, lambda j: j.status == ReportJob.Status.RUNNING, worker)
    deadline = time.monotonic() + 10
    while not worker.pid_file.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    child = int(worker.pid_file.read_text().split()[0])
    assert child != worker.pid

    os.kill(child, signal.SIGKILL)  # the pool child dies in the middle of the report

    job = _wait_for(job, lambda j: j.status == ReportJob.Status.DONE, worker)
    assert job.attempts == 2
    assert len(worker.pid_file.read_text().split()) == 2  # rendered twice, by two children
    files = [path for path in Path(report_storage().location).rglob("*.pdf")]
    assert len(files) == 1
