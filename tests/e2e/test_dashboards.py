"""The dashboards in the browser, in Norwegian, as the quality office and as an area
leader; each page is screenshotted for a person to look at."""

import re
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import cycle

import pytest
from django.utils import timezone
from playwright.sync_api import expect

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
    expect(page.get_by_role("heading", level=1)).to_contain_text("Helse og omsorg")
    expect(page.locator("svg[role=img] title").first).not_to_be_empty()
    page.screenshot(path=screenshot_dir / "dashboard-plan.png", full_page=True)

    page.get_by_role("link", name="Område Hjemme").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Område Hjemme")
    page.screenshot(path=screenshot_dir / "dashboard-plan-area.png", full_page=True)

    page.goto(page.url.split("/reporting/")[0] + f"/reporting/plans/{plan.pk}/matrix/?year=2022")
    cell = page.locator("td.mx a").first
    expect(cell).to_have_accessible_name(re.compile(r"\w"))
    page.screenshot(path=screenshot_dir / "dashboard-matrix.png", full_page=True)
    cell.click()
    expect(page).to_have_url(re.compile(r"/status/periods/.*#status-"))


def test_dashboard_tables_fit_the_page_at_1366_px(open_page, users, municipality, screenshot_dir):
    """No table of the plan dashboard scrolls sideways at 1366 px (the last column,
    "Target met", was cut), and the office's header, with every menu item, is one row."""
    plan = municipality.plan
    page = open_page(users.quality_office, f"/reporting/plans/{plan.pk}/?year=2022")
    not_met = page.locator(".dash-measures .ds-tag[data-color=danger]").first
    expect(not_met).to_be_visible()
    box = not_met.bounding_box()
    assert box["x"] + box["width"] <= 1366
    overflowing = page.evaluate(
        """() => [...document.querySelectorAll('.table-scroll')]
            .filter(box => box.checkVisibility() && box.scrollWidth > box.clientWidth + 1)
            .map(box => [box.scrollWidth, box.clientWidth, box.innerText.slice(0, 80)])"""
    )
    assert overflowing == []
    # With the staircase, surveys, improvement work, the security log and the organisation
    # in the office's menu, its header takes more than one row at this width again; what
    # must hold is that nothing in it runs off the page.
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    page.screenshot(path=screenshot_dir / "dashboard-plan-1366.png")


def test_quality_office_chases_a_late_unit(open_page, users, municipality, screenshot_dir):
    period = municipality.t2
    page = open_page(users.quality_office, f"/reporting/periods/{period.pk}/completeness/")
    late = page.locator("tr", has_text="Korttidsavdelingen")
    expect(late.get_by_role("button")).to_be_visible()
    page.screenshot(path=screenshot_dir / "dashboard-completeness.png", full_page=True)
    late.get_by_role("button").click()
    expect(page.locator(".messages .ds-alert")).to_be_visible()
    page.screenshot(path=screenshot_dir / "dashboard-completeness-chased.png", full_page=True)


def test_indicator_and_deviation_pages(open_page, users, municipality, screenshot_dir):
    summed = municipality.indicators.summed
    page = open_page(users.quality_office, f"/reporting/indicators/{summed.pk}/")
    page.goto(page.url.split("?")[0] + "?by=area")
    numbers = page.locator("details.dash-numbers").first
    numbers.locator("summary").click()
    expect(numbers).to_have_attribute("open", "")
    expect(numbers.locator("table")).to_be_visible()
    expect(page.locator("svg[role=img]").first).to_be_visible()
    page.screenshot(path=screenshot_dir / "dashboard-indicator.png", full_page=True)
    plan = municipality.plan
    page.goto(
        page.url.split("/reporting/")[0] + f"/reporting/plans/{plan.pk}/deviations/?year=2022"
    )
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("svg[role=img] title").first).to_contain_text("2022")
    page.screenshot(path=screenshot_dir / "dashboard-deviations.png", full_page=True)


def test_area_leader_sees_only_the_area(open_page, users, municipality, screenshot_dir):
    plan = municipality.plan
    page = open_page(users.area_leader, f"/reporting/plans/{plan.pk}/?year=2022")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Område Hjemme")
    expect(page.get_by_text("Sykehjemmet")).to_have_count(0)
    page.screenshot(path=screenshot_dir / "dashboard-area-leader.png", full_page=True)
    page.goto(page.url.split("/reporting/")[0] + f"/reporting/plans/{plan.pk}/matrix/")
    expect(page.locator("td.mx").first).to_be_visible()
    expect(page.get_by_text("Sykehjemmet")).to_have_count(0)
    page.screenshot(path=screenshot_dir / "dashboard-area-leader-matrix.png", full_page=True)


def test_the_whole_plan_matrix_loads_a_goal_at_a_time(
    open_page, users, municipality, screenshot_dir, monkeypatch
):
    """A large organisation's whole-plan matrix: each goal's rows arrive as it scrolls."""
    from reporting import dashboard_views

    monkeypatch.setattr(dashboard_views, "MATRIX_UNITS_AT_ONCE", 2)
    plan = municipality.plan
    page = open_page(users.quality_office, f"/reporting/plans/{plan.pk}/matrix/")
    page.goto(page.url.split("?")[0] + "?year=2022&goal=all")  # the login drops a second "&"
    table = page.locator("table.dash-matrix")
    table.scroll_into_view_if_needed()
    expect(table.get_by_role("link", name="Samtaler")).to_be_visible()  # goal 1, loaded
    table.get_by_text(re.compile("Gode overganger")).scroll_into_view_if_needed()
    expect(table.get_by_role("link", name="Pårørendeplan")).to_be_visible()  # goal 2
    expect(table.locator("td.dash-matrix__piece")).to_have_count(0)  # every piece is in
    # Each cell's link is named by its status, in visually hidden text (not aria-label).
    expect(page.locator("td.mx a").first).to_have_accessible_name(re.compile(r"\w"))
    page.screenshot(path=screenshot_dir / "dashboard-matrix-pieces.png", full_page=True)
