import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from qualityplan.formatting import format_measured, format_percent
from reporting import charts, display, selectors
from reporting.charts import bar_chart, line_chart, stacked_bar_chart
from reporting.figure_tables import Column, format_value
from tests.reporting.dashboard_data import build_plan, fill_reports

SVG = "{http://www.w3.org/2000/svg}"
SEGMENTS = [("on_track", "On track"), ("delayed", "Delayed"), ("unreported", "Not reported")]


def _parse(chart) -> ET.Element:
    return ET.fromstring(str(chart.svg))  # noqa: S314 -- our own markup


def test_stacked_bars_carry_a_title_a_text_alternative_and_their_numbers():
    chart = stacked_bar_chart(
        chart_id="goals",
        title="Status per goal",
        bars=[("1. Safe services", {"on_track": 6, "delayed": 2, "unreported": 2})],
        segments=SEGMENTS,
        category_label="Goal",
    )
    svg = _parse(chart)
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "goals-title goals-desc"
    assert svg.find(f"{SVG}title").text == "Status per goal"
    assert "6 on track, 2 delayed, 2 not reported" in svg.find(f"{SVG}desc").text
    assert svg.get("font-family") == "Inter, sans-serif"
    # Each status has its own pattern, so the bars read in greyscale too.
    patterns = {p.get("id") for p in svg.iter(f"{SVG}pattern")}
    assert patterns == {"goals-p-on_track", "goals-p-delayed", "goals-p-unreported"}
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert {"6", "2", "n = 10"} <= set(texts)
    assert [str(c) for c in chart.table.columns] == [
        "Goal",
        "On track",
        "Delayed",
        "Not reported",
        "Total",
    ]
    assert chart.table.rows == [["1. Safe services", 6, 2, 2, 10]]


def test_chart_text_is_escaped():
    chart = stacked_bar_chart(
        chart_id="x",
        title='<script>alert("x")</script>',
        bars=[("<b>Goal</b> & more", {"on_track": 1})],
        segments=SEGMENTS,
        category_label="Goal",
    )
    assert "<script>" not in chart.svg
    assert "&lt;b&gt;Goal&lt;/b&gt; &amp; more" in chart.svg
    _parse(chart)


def test_two_charts_on_a_page_do_not_share_ids():
    first = stacked_bar_chart(
        chart_id="a", title="A", bars=[], segments=SEGMENTS, category_label=""
    )
    second = stacked_bar_chart(
        chart_id="b", title="B", bars=[], segments=SEGMENTS, category_label=""
    )
    ids = lambda chart: {e.get("id") for e in _parse(chart).iter() if e.get("id")}  # noqa: E731
    assert not ids(first) & ids(second)


def test_line_chart_marks_each_series_and_the_target():
    chart = line_chart(
        chart_id="ind",
        title="Talks per year",
        x_labels=["2021", "2022", "2023"],
        series=[
            ("Whole", [Decimal(8), None, Decimal(12)]),
            ("Area", [Decimal(3), Decimal(4), None]),
        ],
        target=[Decimal(10), Decimal(10), Decimal(12)],
    )
    svg = _parse(chart)
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert "Target" in texts and "Whole" in texts and "Area" in texts
    # The gap breaks the line: no line is drawn through 2022 for "Whole".
    polylines = list(svg.iter(f"{SVG}polyline"))
    dashed = [p for p in polylines if p.get("stroke-dasharray")]
    assert dashed  # the target, and the second series, are dashed
    description = svg.find(f"{SVG}desc").text
    assert "Whole: 2021 8, 2022 no value, 2023 12" in description
    assert "Target: 2021 10, 2022 10, 2023 12" in description
    assert chart.table.rows[-1] == ["Target", Decimal(10), Decimal(10), Decimal(12)]


def test_line_chart_without_values_says_so():
    chart = line_chart(chart_id="e", title="Nothing", x_labels=["2021"], series=[], target=None)
    assert "No values yet" in chart.svg
    _parse(chart)


def test_bar_chart_writes_each_count_at_its_bar():
    chart = bar_chart(
        chart_id="dev",
        title="Deviations by category",
        categories=["Falls", "Medication"],
        series=[("Reported", [10, 4]), ("Closed", [7, 0])],
        category_label="Category",
    )
    svg = _parse(chart)
    texts = ["".join(t.itertext()) for t in svg.iter(f"{SVG}text")]
    assert {"10", "4", "7", "0", "Falls", "Medication", "Reported", "Closed"} <= set(texts)
    assert chart.table.rows == [["Falls", 10, 7], ["Medication", 4, 0]]
    assert "falls: reported 10, closed 7" in svg.find(f"{SVG}desc").text.lower()


def test_long_labels_wrap_onto_lines_instead_of_being_cut():
    goal = (
        "Pasientsikkerhetsarbeid er systematisert og i tråd med nasjonale føringer "
        "for hele tjenesten"
    )
    chart = stacked_bar_chart(
        chart_id="wrap",
        title="Status",
        bars=[(goal, {"done": 3}), ("Kort", {"done": 1})],
        segments=[("done", "Done")],
        category_label="Goal",
    )
    svg = _parse(chart)
    label = next(
        t for t in svg.iter(f"{SVG}text") if "Pasientsikkerhetsarbeid" in "".join(t.itertext())
    )
    lines = [span.text for span in label.iter(f"{SVG}tspan")]
    assert len(lines) >= 2
    assert " ".join(lines) == goal
    assert "…" not in str(chart.svg)


@pytest.mark.parametrize(
    "value, shown",
    [
        (Decimal("66.70"), "66,7\xa0%"),
        (Decimal("100.0"), "100\xa0%"),
        (Decimal("34.95"), "35\xa0%"),
        (Decimal("0.04"), "0\xa0%"),
        (Decimal("12.345"), "12,3\xa0%"),
        (None, "–"),
    ],
)
def test_one_rule_for_percentages_at_most_one_decimal(value, shown):
    with translation.override("nb"):
        assert format_percent(value) == shown
        assert format_value(value, Column("x", "percent")) == shown
        assert format_measured(value, "%") == shown
        rendered = Template("{% load figure_format %}{{ v|percent }}").render(Context({"v": value}))
        assert rendered == shown


def test_an_indicator_value_keeps_up_to_two_decimals_and_its_unit():
    with translation.override("nb"):
        assert format_measured(Decimal("12.50")) == "12,5"
        assert format_measured(Decimal("1234.00")) == "1\xa0234"
        assert format_measured(Decimal("87.50"), "%") == "87,5\xa0%"


def test_numbers_are_shown_the_norwegian_way():
    with translation.override("nb"):
        assert format_value(Decimal("1234.5"), Column("x", "decimal", 1)) == "1\xa0234,5"
        assert format_value(Decimal("12.5"), Column("x", "percent")) == "12,5\xa0%"
        assert format_value(1234, Column("x", "int")) == "1\xa0234"
        assert format_value(Decimal("80.00"), Column("x", "decimal")) == "80"
        assert format_value(None, Column("x", "int")) == "–"


@pytest.fixture
def rollup(org, users, plan):
    data = build_plan(org=org, users=users, plan=plan)
    fill_reports(data, org)
    scope = selectors.dashboard_scope(user=users.quality_office, plan=plan)
    return selectors.plan_rollup(plan=plan, year=2022, unit_ids=scope.unit_ids)


def test_goal_chart_shows_the_rollups_counts(rollup):
    chart = charts.goal_status_chart(rollup)
    assert chart.title == "Status of the measures per goal, 2022"
    first = chart.table.rows[0]
    assert first[0] == "1. Trygge tjenester"
    assert first[1:-1] == list(rollup.goals[0].status_counts.values())
    assert first[-1] == rollup.goals[0].total
    _parse(chart)


def test_measure_chart_of_a_goal(rollup):
    chart = charts.measure_status_chart(rollup.goals[0], when="2022", chart_id="goal-1")
    assert [row[0] for row in chart.table.rows] == [
        "Samtaler",
        "Oppdaterte planer",
        "Rutine for fall",
        "Fall",
    ]
    _parse(chart)


def test_status_strip_is_hidden_from_screen_readers_but_says_it_in_words(rollup):
    summed = rollup.goals[0].measures[0]
    html = str(display.status_strip(summed.status_items))
    assert 'aria-hidden="true"' in html
    assert "1 on track, 1 delayed, 1 not reported" in html


@pytest.mark.parametrize(
    "counts,shares",
    [([1, 1, 1], [34, 33, 33]), ([1, 999], [1, 99]), ([0, 5], [0, 100]), ([0, 0], [0, 0])],
)
def test_strip_shares_are_whole_percentages_adding_up(counts, shares):
    assert display.whole_percentages(counts) == shares


def test_status_strip_needs_no_style_attribute(rollup):
    html = str(display.status_strip(rollup.goals[0].measures[0].status_items))

    assert "style=" not in html
    assert 'data-grow="' in html
