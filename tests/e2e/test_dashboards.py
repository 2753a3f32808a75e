"""The dashboards in the browser, in Norwegian, as the quality office and as an area
leader; each page is screenshotted for a person to look at."""

from datetime import datetime, timedelta
from decimal import Decimal
from itertools import cycle

import pytest
from django.utils import timezone

from measures.models import MeasureStatus
from measures.periods import obligations_refresh, period_open
from qualityplan.celery import app as celery_app
from tests.deviations.factories import DeviationFactory, category
from tests.factories import (
    GoalFactory,
    MeasureFactory,
    MembershipFactory,
    OrgUnitFactory,
    UserFactory,
    role,
)
from tests.reporting.dashboard_data import build_plan, indicator


@pytest.fixture(autouse=True)
def _celery_runs_tasks_at_once():
    """The chase queues a Celery job; here it runs in place, never on a real broker."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


STATUSES = ["on_track"] * 5 + ["done"] * 2 + ["at_risk", "delayed", "continuous", "not_started"]


@pytest.fixture
def municipality(org, users, plan):
    """The standing plan grown to a few more units, goals and periods, with reports."""
    for area, names in (
        (org.area, ["Tildelingskontoret", "Fysio- og ergoterapi"]),
        (org.other_area, ["Korttidsavdelingen", "Rehabiliteringsenheten"]),
    ):
        for name in names:
            unit = OrgUnitFactory(name=name, parent=area)
            MembershipFactory(user=UserFactory(), role=role("VL"), org_unit=unit)
    data = build_plan(org=org, users=users, plan=plan)
    data.safety.title = "Pasientsikkerhetsarbeidet er systematisert og godt forankret"
    data.safety.save()
    third = GoalFactory(plan=plan, position=3, title="Brukerne medvirker i egne tjenester")
    for position, title in enumerate(
        ["Etablere brukerråd i alle virksomheter", "Gjennomføre brukerundersøkelse"], start=1
    ):
        measure = MeasureFactory(goal=third, position=position, title=title, roles=["VL"])
        indicator(measure, kind="count", targets={2021: 6, 2022: 8, 2023: 10, 2024: 12})
    periods = [
        period_open(plan=plan, year=2021, number=n, deadline=None, user=None)[0] for n in (1, 2, 3)
    ]
    for period in (data.t1, data.t2):
        obligations_refresh(period=period)
    periods += [data.t1, data.t2]
    _fill(periods)
    _deviations(org)
    return data


def _fill(periods) -> None:
    """Reports for most rows: the last period about two thirds done."""
    statuses, values = cycle(STATUSES), cycle([3, 5, 2, 8, 4, 6, 1, 7])
    answers = cycle([True, True, False])
    for index, period in enumerate(periods):
        rows = list(period.statuses.select_related("measure").order_by("org_unit_id", "pk"))
        done = rows if index < len(periods) - 1 else rows[: len(rows) * 2 // 3]
        for row in done:
            row.status = next(statuses)
            row.progress = min(100, 15 * index + (row.pk * 7) % 40)
            kind = next(iter(row.measure.indicators.all()), None)
            if kind and kind.kind == "yes_no":
                row.value_bool = next(answers)
            elif kind and kind.kind == "percentage":
                row.value_number = Decimal(60 + row.pk % 35)
            elif kind:
                row.value_number = Decimal(next(values))
            row.reported_at = row.updated_at = timezone.now() - timedelta(days=row.pk % 9)
        MeasureStatus.objects.bulk_update(
            done, ["status", "progress", "value_number", "value_bool", "reported_at", "updated_at"]
        )


def _deviations(org) -> None:
    zone = timezone.get_current_timezone()
    categories = cycle([category("Fall"), category("Legemidler"), category("Vold og trusler")])
    units = cycle([org.unit_a, org.unit_b, org.unit_c, org.section_a])
    for n in range(30):
        created = datetime(2022, 1 + n % 11, 1 + n % 27, 10, tzinfo=zone)
        closed = n % 3 == 0
        DeviationFactory(
            year=2022,
            org_unit=next(units),
            category=next(categories),
            consequence=1 + n % 5,
            probability=1 + (n * 2) % 5,
            created_at=created,
            occurred_at=created - timedelta(hours=3),
            status="closed" if closed else "reported",
            closed_at=created + timedelta(days=5 + n) if closed else None,
            due_date=(created + timedelta(days=30)).date(),
        )


def test_quality_office_sees_the_whole_department(open_page, users, municipality, screenshot_dir):
    plan = municipality.plan
    page = open_page(users.quality_office, f"/reporting/plans/{plan.pk}/")
    page.goto(page.url.split("?")[0] + "?year=2022&since=2021")
    assert "Helse og omsorg" in page.get_by_role("heading", level=1).inner_text()
    assert page.locator("svg[role=img] title").first.text_content()
    page.screenshot(path=screenshot_dir / "dashboard-plan.png", full_page=True)

    page.get_by_role("link", name="Område Hjemme").first.click()
    page.wait_for_load_state("networkidle")
    assert "Område Hjemme" in page.get_by_role("heading", level=1).inner_text()
    page.screenshot(path=screenshot_dir / "dashboard-plan-area.png", full_page=True)

    page.goto(page.url.split("/reporting/")[0] + f"/reporting/plans/{plan.pk}/matrix/?year=2022")
    cell = page.locator("td.mx a").first
    assert cell.get_attribute("aria-label")
    page.screenshot(path=screenshot_dir / "dashboard-matrix.png", full_page=True)
    cell.click()
    page.wait_for_load_state("networkidle")
    assert "/status/periods/" in page.url and "#status-" in page.url


def test_quality_office_chases_a_late_unit(open_page, users, municipality, screenshot_dir):
    period = municipality.t2
    page = open_page(users.quality_office, f"/reporting/periods/{period.pk}/completeness/")
    page.screenshot(path=screenshot_dir / "dashboard-completeness.png", full_page=True)
    page.locator("tr", has_text="Korttidsavdelingen").get_by_role("button").click()
    page.wait_for_load_state("networkidle")
    assert page.locator(".messages .ds-alert").is_visible()
    page.screenshot(path=screenshot_dir / "dashboard-completeness-chased.png", full_page=True)


def test_indicator_and_deviation_pages(open_page, users, municipality, screenshot_dir):
    summed = municipality.indicators.summed
    page = open_page(users.quality_office, f"/reporting/indicators/{summed.pk}/")
    page.goto(page.url.split("?")[0] + "?by=area")
    page.locator("details.dash-numbers summary").first.click()
    page.wait_for_timeout(400)
    page.screenshot(path=screenshot_dir / "dashboard-indicator.png", full_page=True)
    plan = municipality.plan
    page.goto(
        page.url.split("/reporting/")[0] + f"/reporting/plans/{plan.pk}/deviations/?year=2022"
    )
    page.screenshot(path=screenshot_dir / "dashboard-deviations.png", full_page=True)


def test_area_leader_sees_only_the_area(open_page, users, municipality, screenshot_dir):
    plan = municipality.plan
    page = open_page(users.area_leader, f"/reporting/plans/{plan.pk}/?year=2022")
    heading = page.get_by_role("heading", level=1).inner_text()
    assert "Område Hjemme" in heading
    assert page.get_by_text("Sykehjemmet").count() == 0
    page.screenshot(path=screenshot_dir / "dashboard-area-leader.png", full_page=True)
    page.goto(page.url.split("/reporting/")[0] + f"/reporting/plans/{plan.pk}/matrix/")
    page.screenshot(path=screenshot_dir / "dashboard-area-leader-matrix.png", full_page=True)
