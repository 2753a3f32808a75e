"""A year's report shows that year and the years before it, never a later year's partial
figures; its deviation count and the counted indicator agree with the dashboards."""

import re
from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from deviations.indicators import counted_values_refresh
from measures.models import Indicator
from measures.periods import obligations_refresh, period_open
from reporting import charts, pdf
from tests.deviations.factories import DeviationFactory
from tests.factories import MeasureFactory
from tests.reporting.dashboard_data import build_plan, fill_reports, indicator

YEAR = 2022


def reported_on(unit, year: int, month: int, day: int = 10):
    when = timezone.make_aware(datetime(year, month, day, 12))
    deviation = DeviationFactory(org_unit=unit, year=year, occurred_at=when)
    type(deviation).objects.filter(pk=deviation.pk).update(created_at=when)
    return deviation


@pytest.fixture
def counted(org, users, plan):
    """The dashboard plan with a measure whose indicator counts the deviations reported:
    three tertials of 2022 with 2, 3 and 1 deviations, and 2023's first tertial with 4."""
    data = build_plan(org=org, users=users, plan=plan)
    fill_reports(data, org)
    measure = MeasureFactory(goal=data.safety, position=9, title="Melde avvik", roles=["VL"])
    data.counted = indicator(measure, kind=Indicator.Kind.COUNT, targets={YEAR: 5, YEAR + 1: 5})
    Indicator.objects.filter(pk=data.counted.pk).update(
        source=Indicator.Source.DEVIATIONS_REPORTED, name="Antall meldte avvik"
    )
    t3, _created = period_open(plan=plan, year=YEAR, number=3, deadline=None, user=None)
    later, _created = period_open(plan=plan, year=YEAR + 1, number=1, deadline=None, user=None)
    for unit, month in [
        (org.unit_a, 2),
        (org.unit_b, 3),
        (org.unit_a, 6),
        (org.unit_c, 7),
        (org.unit_b, 8),
        (org.unit_a, 10),
    ]:
        reported_on(unit, YEAR, month)
    for month in (1, 2, 3, 3):
        reported_on(org.unit_a, YEAR + 1, month)
    for period in (data.t1, data.t2, t3, later):
        obligations_refresh(period=period)  # the new measure's rows in the open periods
        counted_values_refresh(period=period)
    return data


def _context(client, user, name, plan, year):
    client.force_login(user)
    response = client.get(reverse(name, args=[plan.pk]) + f"?year={year}")
    assert response.status_code == 200
    return response.context


def _text(report) -> str:
    with translation.override("en"):
        return re.sub(r"\s+", " ", pdf.report_html(data=report))


def test_the_report_of_a_year_leaves_out_later_years(counted, org, users):
    report = pdf.report_data(
        plan=counted.plan, year=YEAR, scope_unit=org.department, user=users.director
    )
    assert report.years == [YEAR - 1, YEAR]
    text = _text(report)
    indicators = text[text.index('id="indicators"') : text.index('id="completeness"')]
    assert f">{YEAR}</th>" in indicators
    assert str(YEAR + 1) not in indicators
    assert "4 " not in indicators.split("Antall meldte avvik")[1].split("</tr>")[0]


def test_the_deviation_counts_agree_with_the_dashboards(counted, org, users, client):
    director = users.director
    report = pdf.report_data(plan=counted.plan, year=YEAR, scope_unit=org.department, user=director)
    overview = _context(client, director, "dashboard_plan", counted.plan, YEAR)
    deviations = _context(client, director, "dashboard_deviations", counted.plan, YEAR)

    def counted_rollup(rollup):
        return next(
            m for g in rollup.goals for m in g.measures if m.indicator.pk == counted.counted.pk
        )

    in_report, on_dashboard = counted_rollup(report.rollup), counted_rollup(overview["rollup"])
    # The indicator adds up the three tertials, as the deviation statistics count the year.
    assert in_report.value == on_dashboard.value == 6
    assert in_report.adds_up_year and on_dashboard.adds_up_year
    assert report.deviations.total.reported == deviations["stats"].total.reported == 6
    assert report.deviations.total.closed == deviations["stats"].total.closed
    assert in_report.target_met is True  # 6 reported against a target of 5 (higher is better)

    text = _text(report)
    summary = text[text.index('id="summary"') : text.index('id="goal-')]
    assert "<dd>6</dd>" in summary
    assert f"every deviation reported in {YEAR}" in summary
    indicators = text[text.index('id="indicators"') : text.index('id="completeness"')]
    row = indicators.split("Antall meldte avvik")[1].split("</tr>")[0]
    assert "Counted: deviations reported, every period of the year added up" in row
    assert f"{charts.format_number(6)}<span" in row
