"""Report files go through Django's storage API only, so that web and workers on
different machines can share an S3-compatible storage: a real report job (WeasyPrint
and all) runs end to end against a storage that has no folder at all, and the file is
downloaded back through the web."""

import pytest
from django.core.files.storage import InMemoryStorage
from django.urls import reverse

from reporting import pdf_jobs, tasks
from reporting.models import ReportJob, report_storage
from tests.reporting.dashboard_data import build_plan, fill_reports


@pytest.fixture
def memory_storage(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "reports": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    return tmp_path / "media"


def test_a_report_job_runs_end_to_end_on_a_storage_without_folders(
    memory_storage, org, users, plan, client, monkeypatch, django_capture_on_commit_callbacks
):
    data = build_plan(org=org, users=users, plan=plan)
    fill_reports(data, org)
    monkeypatch.setattr(tasks.render_report_job, "delay", lambda job_id: None)
    with django_capture_on_commit_callbacks(execute=True):
        job, created = pdf_jobs.report_job_request(
            user=users.director, plan=plan, year=2022, scope_unit=org.department, language="nb"
        )

    pdf_jobs.report_job_run(job_id=job.pk)

    job.refresh_from_db()
    assert created and job.status == ReportJob.Status.DONE, job.error
    storage = report_storage()
    assert isinstance(storage, InMemoryStorage)
    assert storage.exists(job.file.name)
    assert storage.size(job.file.name) == job.size
    assert not memory_storage.exists()  # nothing written to a local folder

    client.force_login(users.director)
    response = client.get(reverse("report_job_download", args=[job.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_one_variable_moves_every_file_to_another_storage():
    import json
    import os
    import subprocess
    import sys

    from django.conf import settings

    code = (
        "import json, django; from django.conf import settings as s; print(json.dumps(s.STORAGES))"
    )
    environment = {k: v for k, v in os.environ.items() if "STORAGE" not in k}
    environment |= {
        "DJANGO_SETTINGS_MODULE": "qualityplan.settings",
        "STORAGE_BACKEND": "django.core.files.storage.InMemoryStorage",
    }
    output = subprocess.run(  # noqa: S603 (our own interpreter and code)
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
    )

    storages = json.loads(output.stdout)
    assert storages["default"] == {"BACKEND": "django.core.files.storage.InMemoryStorage"}
    assert storages["reports"] == {"BACKEND": "django.core.files.storage.InMemoryStorage"}
