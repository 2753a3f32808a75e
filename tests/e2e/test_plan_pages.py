import pytest
from playwright.sync_api import expect

from tests.factories import GoalFactory, IndicatorFactory, MeasureFactory, SubGoalFactory


@pytest.fixture
def filled_plan(plan):
    goal = GoalFactory(plan=plan, position=1, title="Pasientsikkerhetsarbeid er systematisert")
    subgoal = SubGoalFactory(goal=goal, position=1, title="Uønskede hendelser og avvik rapporteres")
    IndicatorFactory(
        measure=MeasureFactory(goal=goal, subgoal=subgoal, title="Rapportere og følge opp avvik"),
        name="Antall meldte avvik",
    )
    MeasureFactory(goal=goal, subgoal=subgoal, title="Etablere kvalitetsråd", years=[2021])
    return plan


@pytest.mark.parametrize("language", ["nb", "en"])
def test_plan_page_in_each_language(open_page, users, filled_plan, screenshot_dir, language):
    page = open_page(users.quality_office, f"/plans/{filled_plan.pk}/", language=language)
    page.evaluate(f"document.cookie = 'django_language={language}; path=/'")
    page.reload()
    expect(page.locator("h1")).to_have_text(filled_plan.title)
    heading = "Mål 1" if language == "nb" else "Goal 1"
    expect(page.get_by_role("heading", name=heading)).to_have_count(1)
    expect(page.locator("html")).to_have_attribute("lang", language)
    page.screenshot(path=screenshot_dir / f"plan-page-{language}.png", full_page=True)


def test_plan_page_on_a_phone(open_page, users, filled_plan, screenshot_dir):
    page = open_page(users.leader_a, f"/plans/{filled_plan.pk}/", phone=True)
    expect(page.get_by_text("Rapportere og følge opp avvik")).to_be_visible()
    page.screenshot(path=screenshot_dir / "plan-page-phone.png", full_page=True)


def test_skip_link_is_the_first_stop_for_the_keyboard(open_page, users, filled_plan):
    page = open_page(users.leader_a, f"/plans/{filled_plan.pk}/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == "#main"


def test_quality_office_adds_a_goal_with_the_keyboard(open_page, users, filled_plan):
    page = open_page(users.quality_office, f"/plans/{filled_plan.pk}/")
    page.get_by_role("link", name="Rediger planen").click()
    page.get_by_role("link", name="Legg til mål").click()
    page.get_by_label("Mål").fill("Tjenestene er i samsvar med brukernes behov")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("heading", name="Mål 2")).to_have_count(1)
