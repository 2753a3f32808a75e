"""The quality staircase in the browser: a unit leader ticks the criteria met and sees the
step reached with its reason; the office sees it in the heat map."""

from staircase.models import AreaAssessment
from tests.staircase.factories import make_framework, make_round


def test_leader_assesses_and_the_office_sees_the_step(open_page, users, org, screenshot_dir):
    version = make_framework(areas=2, per_step=2)
    round_ = make_round(version=version, owner=org.department, year=2025)
    first = version.areas.get(position=1)
    page = open_page(users.leader_a, f"/staircase/rounds/{round_.pk}/")
    page.get_by_role("button", name="Begynn på egenvurderingen").first.click()
    page.wait_for_load_state("networkidle")
    for criterion in first.criteria.filter(step__lte=2):
        page.check(f"#c-{criterion.pk}")
    for area in version.areas.all():
        page.fill(f"#id_evidence_{area.pk}", "Gjennomgått på personalmøtet i mars.")
    page.get_by_role("button", name="Lagre utkast").click()
    page.wait_for_load_state("networkidle")
    section = page.locator(f"#area-{first.pk}")
    assert "Trinn 2" in section.locator(".stair-reached").inner_text()
    assert "trinn 3 er ikke komplett" in section.inner_text()
    page.screenshot(path=screenshot_dir / "staircase-assessment.png", full_page=True)
    assert AreaAssessment.objects.get(area=first).step_reached == 2

    page = open_page(users.quality_office, "/staircase/overview/")
    row = page.locator("table.stair-heat tr", has_text="Hjemmetjenesten Nord")
    assert row.locator("td").first.inner_text() == "2"
    page.screenshot(path=screenshot_dir / "staircase-overview.png", full_page=True)
