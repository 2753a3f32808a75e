"""Report jobs: requesting (once per request), running (idempotent, failures in words),
retrying, telling people, and who may see and download the file.

Rendering is replaced by a stand-in here: test_pdf.py renders for real."""

from datetime import timedelta

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from qualityplan.celery import app as celery_app
from reporting import pdf, pdf_jobs, tasks
from reporting.models import ReportJob, report_storage
from tests.factories import MembershipFactory, UserFactory, role

Status = ReportJob.Status
YEAR = 2022
FAKE_PDF = b"%PDF-1.7 stand-in"


@pytest.fixture(autouse=True)
def storage(settings, tmp_path):
    """Report files go to a folder of the test's own."""
    settings.STORAGES = {
        **settings.STORAGES,
        "reports": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "reports")},
        },
    }
    return tmp_path / "reports"


@pytest.fixture
def renders(monkeypatch):
    """Stand in for WeasyPrint; records each render."""
    calls = []

    def fake_render(*, plan, year, scope_unit, user, progress=None):
        calls.append((plan.pk, year, scope_unit.pk, user.pk))
        if progress:
            progress(ReportJob.Stage.FIGURES)
        return pdf.RenderedReport(pdf=FAKE_PDF, pages=7, title="Kvalitetsrapport")

    monkeypatch.setattr(pdf, "report_render", fake_render)
    return calls


@pytest.fixture
def queued(monkeypatch):
    """Job ids handed to the queue (nothing runs)."""
    ids = []
    monkeypatch.setattr(tasks.render_report_job, "delay", lambda job_id: ids.append(job_id))
    return ids


def _request(plan, user, scope, **kwargs):
    return pdf_jobs.report_job_request(
        user=user, plan=plan, year=YEAR, scope_unit=scope, language="en", **kwargs
    )


@pytest.fixture
def job(plan, org, users, queued):
    return _request(plan, users.director, org.department)[0]


def _run(job) -> ReportJob | None:
    return pdf_jobs.report_job_run(job_id=job.pk, task_id="t-1")


# --- Requests ---------------------------------------------------------------------------


def test_a_request_creates_a_queued_job_and_queues_it_after_commit(
    plan, org, users, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job, created = _request(plan, users.director, org.department)
        assert queued == []  # not before the transaction commits

    assert created
    assert len(callbacks) == 1
    assert queued == [job.pk]
    assert (job.status, job.requested_by, job.language) == (Status.QUEUED, users.director, "en")


def test_the_same_request_twice_returns_the_queued_job(
    plan, org, users, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first, _created = _request(plan, users.director, org.department)
        second, created = _request(plan, users.quality_office, org.department)

    assert not created
    assert second.pk == first.pk
    assert queued == [first.pk]
    assert ReportJob.objects.count() == 1


def test_the_database_refuses_a_second_active_job_for_the_same_request(job):
    with pytest.raises(IntegrityError):
        ReportJob.objects.create(
            requested_by=job.requested_by,
            plan=job.plan,
            year=job.year,
            scope_unit=job.scope_unit,
            language=job.language,
            dedupe_key=job.dedupe_key,
        )


def test_another_language_or_scope_is_another_job(plan, org, users, queued):
    first, _created = _request(plan, users.director, org.department)
    _norwegian, created_nb = pdf_jobs.report_job_request(
        user=users.director, plan=plan, year=YEAR, scope_unit=org.department, language="nb"
    )
    _area, created_area = _request(plan, users.director, org.area)
    assert created_nb and created_area


def test_a_finished_report_can_be_requested_anew(job, plan, org, users, renders):
    _run(job)
    again, created = _request(plan, users.director, org.department)
    assert created and again.pk != job.pk


def test_a_request_outside_the_plan_years_is_refused(plan, org, users, queued):
    with pytest.raises(pdf_jobs.ReportError, match="outside"):
        pdf_jobs.report_job_request(
            user=users.director, plan=plan, year=2030, scope_unit=org.department
        )


def test_the_language_defaults_to_the_requesters(plan, org, users, queued):
    from qualityplan.models import UserProfile

    UserProfile.objects.create(user=users.director, language="sv")
    job, _created = pdf_jobs.report_job_request(
        user=users.director, plan=plan, year=YEAR, scope_unit=org.department
    )
    assert job.language == "sv"


def test_a_queue_that_does_not_answer_fails_the_job_in_words(
    plan, org, users, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(job_id):
        raise ConnectionError("redis down")

    monkeypatch.setattr(tasks.render_report_job, "delay", broken)
    with django_capture_on_commit_callbacks(execute=True):
        job, _created = _request(plan, users.director, org.department)

    job.refresh_from_db()
    assert job.status == Status.FAILED
    assert "job queue did not answer" in job.error


# --- Running ----------------------------------------------------------------------------


def test_a_run_makes_the_file_and_records_it(job, renders, storage):
    done = _run(job)

    assert done.status == Status.DONE
    assert (done.pages, done.size, done.attempts, done.task_id) == (7, len(FAKE_PDF), 1, "t-1")
    assert done.started_at <= done.finished_at
    assert done.duration is not None
    assert done.stage == ReportJob.Stage.FINISHED
    assert report_storage().open(done.file.name).read() == FAKE_PDF
    assert renders == [(job.plan_id, YEAR, job.scope_unit_id, job.requested_by_id)]


def test_running_a_finished_job_again_does_nothing(job, renders):
    _run(job)
    assert _run(job) is None
    assert len(renders) == 1


def test_a_job_run_twice_gives_one_file(job, renders, storage):
    first = _run(job)
    # As after a worker that died after writing: the broker delivers the job again.
    ReportJob.objects.filter(pk=job.pk).update(status=Status.RUNNING)
    second = _run(job)

    assert second.status == Status.DONE
    assert second.file.name == first.file.name
    assert second.attempts == 2
    files = [path for path in storage.rglob("*") if path.is_file()]
    assert len(files) == 1


def test_a_job_whose_worker_died_runs_again(job, renders):
    ReportJob.objects.filter(pk=job.pk).update(
        status=Status.RUNNING, attempts=1, started_at=timezone.now()
    )
    done = _run(job)
    assert (done.status, done.attempts) == (Status.DONE, 2)


def test_a_job_that_keeps_killing_its_worker_is_failed(job, renders, settings):
    settings.REPORT_MAX_ATTEMPTS = 2
    ReportJob.objects.filter(pk=job.pk).update(status=Status.RUNNING, attempts=2)

    failed = _run(job)

    assert failed.status == Status.FAILED
    assert "stopped 2 times" in failed.error
    assert renders == []


def test_a_failure_is_recorded_in_words(job, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("division by zero deep inside")

    monkeypatch.setattr(pdf, "report_render", broken)
    failed = _run(job)

    assert failed.status == Status.FAILED
    assert "error in the program" in failed.error
    assert "division" not in failed.error  # no traceback for the reader
    assert failed.finished_at is not None
    assert not failed.file


def test_a_report_that_takes_too_long_says_so(job, monkeypatch, settings):
    settings.REPORT_SOFT_TIME_LIMIT = 600

    def slow(**kwargs):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(pdf, "report_render", slow)
    failed = _run(job)

    assert failed.status == Status.FAILED
    assert "took too long to make (more than 10 minutes)" in failed.error


def test_a_requester_who_left_fails_the_job(job, renders):
    job.requested_by.is_active = False
    job.requested_by.save()
    failed = _run(job)
    assert failed.status == Status.FAILED
    assert "no longer has access" in failed.error


def test_the_failure_is_in_the_jobs_language(job, monkeypatch):
    monkeypatch.setattr(pdf, "report_render", lambda **kw: 1 / 0)
    ReportJob.objects.filter(pk=job.pk).update(language="nb")
    error = _run(job).error
    assert error and not error.startswith("The report could not be made")


def test_the_task_calls_the_service(job, renders):
    result = tasks.render_report_job.apply(args=[job.pk]).get()
    assert result == Status.DONE
    assert tasks.render_report_job.apply(args=[job.pk]).get() == "skipped"


def test_the_task_is_routed_to_the_reports_queue_and_survives_a_lost_worker():
    task = celery_app.tasks["reporting.tasks.render_report_job"]
    assert task.acks_late and task.reject_on_worker_lost
    assert celery_app.conf.task_routes["reporting.tasks.render_report_job"] == {"queue": "reports"}
    assert task.soft_time_limit < task.time_limit


def test_eager_celery_runs_a_request_to_the_end(
    plan, org, users, renders, django_capture_on_commit_callbacks
):
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            job, _created = _request(plan, users.director, org.department)
    finally:
        celery_app.conf.task_always_eager = previous
    job.refresh_from_db()
    assert job.status == Status.DONE


# --- Retry and expiry -------------------------------------------------------------------


def test_a_failed_job_can_be_retried(job, monkeypatch, queued, users, renders):
    monkeypatch.setattr(pdf, "report_render", lambda **kw: 1 / 0)
    _run(job)

    again = pdf_jobs.report_job_retry(job=job, user=users.director)

    assert again.pk == job.pk
    assert (again.status, again.error, again.attempts) == (Status.QUEUED, "", 0)


def test_a_retry_while_the_same_report_is_under_way_returns_that_job(
    job, monkeypatch, plan, org, users, queued
):
    monkeypatch.setattr(pdf, "report_render", lambda **kw: 1 / 0)
    _run(job)
    newer, _created = _request(plan, users.director, org.department)

    assert pdf_jobs.report_job_retry(job=job, user=users.director).pk == newer.pk
    job.refresh_from_db()
    assert job.status == Status.FAILED


def test_jobs_stopped_at_the_hard_limit_are_failed(job, settings, mailoutbox):
    settings.REPORT_HARD_TIME_LIMIT = 60
    long_ago = timezone.now() - timedelta(minutes=10)
    ReportJob.objects.filter(pk=job.pk).update(status=Status.RUNNING, started_at=long_ago)

    assert pdf_jobs.report_jobs_expire() == 1

    job.refresh_from_db()
    assert job.status == Status.FAILED
    assert "took too long" in job.error
    assert len(mailoutbox) == 1


def test_a_running_job_within_the_limit_is_left_alone(job):
    ReportJob.objects.filter(pk=job.pk).update(status=Status.RUNNING, started_at=timezone.now())
    assert pdf_jobs.report_jobs_expire() == 0


# --- Emails -----------------------------------------------------------------------------


def test_the_requester_is_told_when_the_report_is_ready(job, renders, mailoutbox):
    _run(job)

    assert [message.to for message in mailoutbox] == [[job.requested_by.email]]
    assert f"/reporting/reports/{job.pk}/" in mailoutbox[0].body


def test_the_director_is_told_when_the_office_asked(plan, org, users, queued, renders, mailoutbox):
    job, _created = _request(plan, users.quality_office, org.department)
    _run(job)

    assert sorted(message.to[0] for message in mailoutbox) == [
        users.director.email,
        users.quality_office.email,
    ]


def test_people_are_told_once(job, renders, mailoutbox):
    _run(job)
    ReportJob.objects.filter(pk=job.pk).update(status=Status.RUNNING)
    _run(job)
    assert len(mailoutbox) == 1


def test_a_failure_is_told_to_the_requester_only(plan, org, users, queued, monkeypatch, mailoutbox):
    job, _created = _request(plan, users.quality_office, org.department)
    monkeypatch.setattr(pdf, "report_render", lambda **kw: 1 / 0)
    _run(job)

    assert [message.to for message in mailoutbox] == [[users.quality_office.email]]
    assert "could not be made" in mailoutbox[0].subject


def test_an_email_is_in_the_readers_language(job, renders, mailoutbox):
    from qualityplan.models import UserProfile

    UserProfile.objects.create(user=job.requested_by, language="en")
    _run(job)
    assert mailoutbox[0].subject.startswith("The quality report 2022")


# --- Who may request and read -----------------------------------------------------------


def test_the_director_and_the_office_may_request(users):
    assert pdf_jobs.may_request_reports(user=users.director)
    assert pdf_jobs.may_request_reports(user=users.quality_office)
    assert not pdf_jobs.may_request_reports(user=users.area_leader)
    assert not pdf_jobs.may_request_reports(user=users.leader_a)


def test_scopes_are_the_department_areas_and_units(plan, users):
    names = [unit.name for unit in pdf_jobs.requestable_scopes(user=users.director, plan=plan)]
    assert names == [
        "Helse og omsorg",
        "Område Hjemme",
        "Område Institusjon",
        "Hjemmetjenesten Nord",
        "Hjemmetjenesten Sør",
        "Sykehjemmet",
    ]


def test_list_page(client, users, job):
    client.force_login(users.director)
    page = client.get(reverse("report_job_list"))
    assert page.status_code == 200
    assert page.context["form"] is not None
    assert list(page.context["jobs"]) == [job]


def test_area_leader_sees_the_list_without_the_form(client, users, job):
    client.force_login(users.area_leader)
    page = client.get(reverse("report_job_list"))
    assert page.status_code == 200
    assert page.context["form"] is None
    assert list(page.context["jobs"]) == []  # the department's report is not theirs to read


@pytest.mark.parametrize("who", ["employee", "stranger"])
def test_list_page_is_403_for_those_who_read_no_follow_up(client, users, who):
    client.force_login(getattr(users, who))
    assert client.get(reverse("report_job_list")).status_code == 403


def test_the_director_requests_from_the_page(client, plan, org, users, queued):
    client.force_login(users.director)
    data = {"plan": plan.pk, "year": YEAR, "scope": org.area.pk, "language": "en"}
    response = client.post(reverse("report_job_create"), data)

    job = ReportJob.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("report_job_detail", args=[job.pk])
    assert (job.scope_unit, job.language) == (org.area, "en")


def test_a_second_request_from_the_page_lands_on_the_first_job(client, plan, org, users, job):
    client.force_login(users.quality_office)
    data = {"plan": plan.pk, "year": YEAR, "scope": org.department.pk, "language": "en"}
    response = client.post(reverse("report_job_create"), data)
    assert response.url == reverse("report_job_detail", args=[job.pk])


def test_request_form_refuses_a_year_outside_the_plan(client, plan, org, users, queued):
    client.force_login(users.director)
    data = {"plan": plan.pk, "year": 2030, "scope": org.department.pk, "language": "nb"}
    page = client.post(reverse("report_job_create"), data)
    assert page.status_code == 200
    assert "year" in page.context["form"].errors
    assert not ReportJob.objects.exists()


def test_the_request_is_post_only_and_for_requesters(client, plan, org, users, queued):
    client.force_login(users.director)
    assert client.get(reverse("report_job_create")).status_code == 405
    client.force_login(users.area_leader)
    data = {"plan": plan.pk, "year": YEAR, "scope": org.area.pk, "language": "nb"}
    assert client.post(reverse("report_job_create"), data).status_code == 403


def test_the_job_page_polls_while_queued_and_stops_when_done(client, users, job, renders):
    client.force_login(users.director)
    url = reverse("report_job_detail", args=[job.pk])
    waiting = client.get(url).content.decode()
    assert 'hx-trigger="every 2s"' in waiting
    assert 'role="status"' in waiting

    _run(job)
    fragment = client.get(url + "?seen=queued-waiting", HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 2s"' not in fragment
    assert 'hx-swap-oob="innerHTML"' in fragment  # the live region hears "ready"
    assert reverse("report_job_download", args=[job.pk]) in fragment
    unchanged = client.get(url + "?seen=done-finished", HTTP_HX_REQUEST="true").content.decode()
    assert "hx-swap-oob" not in unchanged


def test_a_failed_job_shows_why_and_offers_a_retry(client, users, job, monkeypatch, queued):
    monkeypatch.setattr(pdf, "report_render", lambda **kw: 1 / 0)
    _run(job)
    client.force_login(users.director)
    page = client.get(reverse("report_job_detail", args=[job.pk])).content.decode()
    assert "error in the program" in page
    assert reverse("report_job_retry", args=[job.pk]) in page

    response = client.post(reverse("report_job_retry", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == Status.QUEUED


def test_retry_is_for_the_requester_and_the_requesters(client, plan, org, users, monkeypatch):
    monkeypatch.setattr(tasks.render_report_job, "delay", lambda job_id: None)
    monkeypatch.setattr(pdf, "report_render", lambda **kw: 1 / 0)
    job, _created = _request(plan, users.director, org.area)
    _run(job)
    client.force_login(users.area_leader)
    assert client.get(reverse("report_job_detail", args=[job.pk])).status_code == 200
    assert client.post(reverse("report_job_retry", args=[job.pk])).status_code == 403
    assert client.get(reverse("report_job_retry", args=[job.pk])).status_code == 405


# --- The file's access rules ------------------------------------------------------------


def test_the_director_downloads_the_pdf(client, users, job, renders):
    _run(job)
    client.force_login(users.director)
    response = client.get(reverse("report_job_download", args=[job.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == FAKE_PDF


@pytest.mark.parametrize("who", ["area_leader", "leader_a", "employee", "stranger"])
def test_those_who_do_not_read_the_scope_get_404(client, users, job, renders, who):
    _run(job)
    client.force_login(getattr(users, who))
    assert client.get(reverse("report_job_download", args=[job.pk])).status_code == 404
    assert client.get(reverse("report_job_detail", args=[job.pk])).status_code == 404


def test_an_area_report_is_for_those_who_read_the_area(client, plan, org, users, queued, renders):
    job, _created = _request(plan, users.quality_office, org.area)
    _run(job)
    client.force_login(users.area_leader)
    assert client.get(reverse("report_job_download", args=[job.pk])).status_code == 200
    client.force_login(users.leader_a)
    assert client.get(reverse("report_job_download", args=[job.pk])).status_code == 404


def test_a_unit_leader_of_another_organisation_gets_404(client, job, renders):
    from tests.factories import OrgUnitFactory

    elsewhere = OrgUnitFactory(name="Annen kommune", kind="department")
    outsider = UserFactory(username="outsider")
    MembershipFactory(user=outsider, role=role("KD"), org_unit=elsewhere)
    _run(job)
    client.force_login(outsider)
    assert client.get(reverse("report_job_download", args=[job.pk])).status_code == 404


def test_a_report_not_finished_has_nothing_to_download(client, users, job):
    client.force_login(users.director)
    assert client.get(reverse("report_job_download", args=[job.pk])).status_code == 404


def test_older_reports_stay_listed(client, plan, org, users, queued, renders):
    first, _created = _request(plan, users.director, org.department)
    _run(first)
    second, _created = _request(plan, users.director, org.department)
    _run(second)
    client.force_login(users.director)
    jobs = list(client.get(reverse("report_job_list")).context["jobs"])
    assert jobs == [second, first]
    assert client.get(reverse("report_job_download", args=[first.pk])).status_code == 200
