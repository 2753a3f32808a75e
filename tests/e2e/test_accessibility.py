"""What axe could not decide on the status page and the matrix (colour contrast behind
gradient-drawn select arrows and symbol-only cell text; link names that did not contain
the visible sign) is now decidable and passes. axe-core runs from node_modules."""

from playwright.sync_api import expect

from measures.periods import period_open
from tests.e2e.axe import axe_results
from tests.e2e.test_dashboards import _celery_runs_tasks_at_once, municipality  # noqa: F401
from tests.factories import GoalFactory, IndicatorFactory, MeasureFactory

UNDECIDED = {"color-contrast", "label-content-name-mismatch"}


def _undecided(results: dict) -> list:
    return [(rule, nodes) for rule, nodes in results["incomplete"] if rule in UNDECIDED]


def test_the_matrix_leaves_axe_nothing_undecided(open_page, users, municipality):  # noqa: F811
    plan = municipality.plan
    page = open_page(users.quality_office, f"/reporting/plans/{plan.pk}/matrix/?year=2022")
    cell = page.locator("td.mx a").first
    expect(cell).to_be_visible()
    # The link's name is the status it shows.
    expect(cell).to_have_accessible_name(cell.get_attribute("title"))
    results = axe_results(page)
    assert results["violations"] == []
    assert _undecided(results) == []


def test_the_status_page_leaves_axe_nothing_undecided(open_page, users, plan):
    goal = GoalFactory(plan=plan, position=1, title="Pasientsikkerhetsarbeid er systematisert")
    measure = MeasureFactory(goal=goal, title="Rapportere og følge opp avvik")
    IndicatorFactory(measure=measure, name="Antall meldte avvik", kind="count")
    MeasureFactory(goal=goal, title="Etablere kvalitetsråd")
    period_open(plan=plan, year=2022, number=1, deadline=None, user=None)
    page = open_page(users.leader_a, "/status/")
    expect(page.locator("#status-count")).to_contain_text("0 av 2")
    # The sticky "save all" bar covers whatever lies under it at the window's foot; at
    # the end of the page it sits below the table and covers nothing.
    page.keyboard.press("End")
    expect(page.locator(".sticky-actions")).to_be_in_viewport()
    # Until the scroll has reached the foot, the bar still lies over a row, which axe
    # reports as a contrast it cannot decide.
    # (Polled with evaluate: the page's CSP refuses wait_for_function's string eval.)
    at_foot = "innerHeight + scrollY >= document.documentElement.scrollHeight - 1"
    for _ in range(50):
        if page.evaluate(at_foot):
            break
        page.wait_for_timeout(100)
    results = axe_results(page)
    assert results["violations"] == []
    assert _undecided(results) == []
