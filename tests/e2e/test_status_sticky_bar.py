"""Defect 6: the sticky "Save all" bar covered a row's error box and the conflict
box's "Keep theirs" button."""

from playwright.sync_api import expect

from measures.periods import period_open
from measures.statuses import measure_status_update
from tests.factories import GoalFactory, MeasureFactory

UNCOVERED = """(element) => {
    const box = element.getBoundingClientRect();
    const x = box.left + box.width / 2, y = box.top + box.height / 2;
    const hit = document.elementFromPoint(x, y);
    return y > 0 && y < window.innerHeight && (hit === element || element.contains(hit));
}"""

JUST_ABOVE_THE_BAR = """(row) => {
    const bar = document.querySelector('.sticky-actions').getBoundingClientRect();
    window.scrollBy(0, row.getBoundingClientRect().bottom - bar.top + 2);
}"""


def _rows(plan, users, count=12):
    goal = GoalFactory(plan=plan, position=1, title="Tjenestene er trygge")
    measures = [MeasureFactory(goal=goal, title=f"Tiltak nummer {n}") for n in range(count)]
    period, _ = period_open(plan=plan, year=2022, number=1, deadline=None, user=None)
    statuses = period.statuses.filter(org_unit__memberships__user=users.leader_a)
    return period, [statuses.get(measure=measure) for measure in measures]


def test_the_conflict_box_of_a_row_at_the_bottom_is_not_under_the_bar(
    open_page, users, plan, screenshot_dir
):
    period, rows = _rows(plan, users)
    row = rows[6]
    page = open_page(users.leader_a, f"/status/periods/{period.pk}/")
    page.locator(f"#status-{row.pk}").evaluate(JUST_ABOVE_THE_BAR)
    measure_status_update(
        row=row, user=users.quality_office, version=row.version, comment="Kontoret"
    )
    page.fill(f"#id_s{row.pk}-comment", "Min vurdering")
    page.press(f"#id_s{row.pk}-progress", "Enter")
    keep = page.locator(f"#status-{row.pk}").get_by_role("link", name="Behold den andres verdier")
    expect(keep).to_be_visible()
    assert keep.evaluate(UNCOVERED)
    page.screenshot(path=screenshot_dir / "status-conflict-above-bar.png")
    keep.focus()
    assert keep.evaluate(UNCOVERED)


def test_after_save_all_the_first_error_box_is_in_view_above_the_bar(open_page, users, plan):
    period, rows = _rows(plan, users)
    row = rows[-1]
    page = open_page(users.leader_a, f"/status/periods/{period.pk}/")
    page.fill(f"#id_s{row.pk}-progress", "250")
    page.get_by_role("button", name="Lagre alle endringer").click()
    message = page.locator(f"#status-{row.pk} [data-row-message]")
    expect(message).to_be_visible()
    assert "/save/" not in page.url  # redirected after the POST
    assert message.evaluate(UNCOVERED)
    expect(page.locator(f"#id_s{row.pk}-progress")).to_be_focused()
