"""The annual report in the browser: the unit leader writes and submits, the area leader
approves, and the director orders the PDF and sees the page turn to "ready" by itself."""

import re

import pytest
from playwright.sync_api import expect

from reporting import pdf_jobs, tasks
from reporting.models import ReportJob, UnitAnnualReport
from tests.factories import GoalFactory
from tests.reporting.dashboard_data import build_plan, fill_reports

YEAR = 2022


@pytest.fixture
def storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "reports": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "reports")},
        },
    }


def test_leader_submits_and_area_leader_approves(open_page, users, org, plan, screenshot_dir):
    goals = [
        GoalFactory(plan=plan, position=1, title="Trygge tjenester"),
        GoalFactory(plan=plan, position=2, title="Gode overganger"),
    ]
    page = open_page(users.leader_a, "/reporting/annual/")
    page.select_option("#id_year", str(YEAR))
    page.click("form.annual-choice button[type=submit]")
    page.wait_for_load_state("networkidle")
    page.locator(f'a[href="/reporting/annual/{plan.pk}/{YEAR}/{org.unit_a.pk}/"]').click()
    page.wait_for_load_state("networkidle")
    for goal in goals:
        page.check(f"#id_goal_{goal.pk}_assessment_1")
        page.fill(
            f"#id_goal_{goal.pk}_text", f"Vi kom et godt stykke på vei med mål {goal.number}."
        )
    page.fill("#id_went_well", "Brukerrådet møttes hver måned.")
    page.fill("#id_to_improve", "Opplæring av nyansatte.")
    page.screenshot(path=screenshot_dir / "annual-report-form.png", full_page=True)
    page.click('button[name="action"][value="submit"]')
    page.wait_for_load_state("networkidle")

    report = UnitAnnualReport.objects.get()
    assert report.status == "submitted"
    expect(page.locator("#id_went_well")).to_have_count(0)  # no longer a form

    page = open_page(users.area_leader, f"/reporting/annual/{plan.pk}/{YEAR}/{org.unit_a.pk}/")
    approve = page.locator(f'form[action$="/{org.unit_a.pk}/approve/"]')
    approve.locator("textarea").fill("Godt skrevet.")
    approve.locator("button").click()
    page.wait_for_load_state("networkidle")
    report.refresh_from_db()
    assert report.status == "approved"
    page.screenshot(path=screenshot_dir / "annual-report-approved.png", full_page=True)


def test_director_orders_the_pdf_and_the_page_updates_by_itself(
    open_page, users, org, plan, storage, monkeypatch, screenshot_dir
):
    fill_reports(build_plan(org=org, users=users, plan=plan), org)
    queued = []
    monkeypatch.setattr(tasks.render_report_job, "delay", queued.append)

    page = open_page(users.director, "/reporting/reports/")
    page.select_option("#id_plan", str(plan.pk))
    page.select_option("#id_year", str(YEAR))
    page.select_option("#id_scope", str(org.department.pk))
    page.click('form[action="/reporting/reports/new/"] button[type="submit"]')
    page.wait_for_url(re.compile(r"/reporting/reports/\d+/$"))

    job = ReportJob.objects.get()
    assert queued == [job.pk]
    expect(page.locator("#job-panel[hx-trigger]")).to_have_count(1)  # polling while queued
    page.screenshot(path=screenshot_dir / "report-job-queued.png", full_page=True)

    # The worker's part, done here: the page must notice without a reload.
    pdf_jobs.report_job_run(job_id=job.pk)
    download = page.locator(f'a[href="/reporting/reports/{job.pk}/download/"]')
    download.wait_for(timeout=10_000)
    expect(page.locator("#job-panel[hx-trigger]")).to_have_count(0)  # polling stopped
    live = page.locator("#job-live").inner_text()
    assert live.strip() and "…" not in live
    page.screenshot(path=screenshot_dir / "report-job-done.png", full_page=True)

    response = page.request.get(f"{page.url}download/")
    assert response.ok
    assert response.body().startswith(b"%PDF")
