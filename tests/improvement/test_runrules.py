"""The run-chart rules against answers known from the literature.

- Critical numbers of runs: Swed and Eisenhart (1943), "Tables for testing randomness of
  grouping in a sequence of alternatives", Ann. Math. Statist. 14(1), Table II, at 0.025
  in each tail: n1 = n2 = 5 → 2 and 10, 6 → 3 and 11, 10 → 6 and 16, 15 → 10 and 22,
  20 → 14 and 28.
- Shift (6 points), trend (5 points), runs and astronomical points as defined by Perla,
  Provost and Murray (2011), "The run chart: a simple analytical tool for learning from
  variation in healthcare processes", BMJ Qual Saf 20:46–51: points on the median neither
  make nor break a shift; like values neither make nor break a trend.
- Astronomical points: Tukey's "far out" values (Exploratory Data Analysis, 1977): beyond
  three interquartile ranges from the quartiles.
- p and u chart limits: three sigma, varying with the subgroup size (Provost and Murray,
  "The Health Care Data Guide", 2011, ch. 5), checked by hand below.
"""

import math

import pytest

from improvement.runrules import analyse, control_chart, count_runs, runs_limits


@pytest.mark.parametrize(
    ("n", "low", "high"), [(5, 2, 10), (6, 3, 11), (10, 6, 16), (15, 10, 22), (20, 14, 28)]
)
def test_runs_limits_match_swed_and_eisenhart(n, low, high):
    assert runs_limits(n, n) == (low, high)


def test_runs_limits_are_symmetric_in_above_and_below():
    assert runs_limits(8, 12) == runs_limits(12, 8)


def test_count_runs_counts_changes_of_side():
    assert count_runs([1, 1, -1, -1, -1, 1]) == 3
    assert count_runs([]) == 0


def test_stable_series_has_no_signal():
    values = [5, 6, 7, 5, 4, 6, 5, 7, 6, 4, 5, 7]
    result = analyse(values)
    assert result.median == 5.5
    assert not result.too_few_points
    assert result.signals == []


def test_six_points_below_the_median_are_a_shift():
    values = [10, 12, 11, 13, 12, 11, 6, 5, 6, 4, 5, 6, 12, 11]
    result = analyse(values)
    shifts = [s for s in result.signals if s.rule == "shift"]
    assert len(shifts) == 1
    assert shifts[0].direction == "below"
    assert shifts[0].points == (6, 7, 8, 9, 10, 11)


def test_points_on_the_median_neither_make_nor_break_a_shift():
    # Median 10: three points above, one on it, then three more above: six, a shift.
    values = [8, 7, 9, 8, 12, 13, 12, 10, 14, 12, 11, 8, 9, 10, 10]
    result = analyse(values)
    assert result.median == 10
    assert result.flagged("shift") == {4, 5, 6, 8, 9, 10}
    five_above = [3, 12, 13, 12, 14, 12, 3, 2, 3, 1, 2, 3]
    assert analyse(five_above).flagged("shift") == set()


def test_five_points_going_up_are_a_trend_and_repeats_do_not_break_it():
    values = [5, 6, 5, 4, 5, 6, 6, 7, 8, 5, 6, 5]
    trends = [s for s in analyse(values).signals if s.rule == "trend"]
    assert [(s.direction, s.points) for s in trends] == [("up", (3, 4, 5, 6, 7, 8))]
    assert analyse([5, 6, 5, 4, 5, 6, 7, 5, 6, 5, 6, 5]).flagged("trend") == set()


def test_five_points_going_down_are_a_trend():
    values = [9, 8, 7, 6, 5, 6, 7, 6, 7, 6, 7, 6]
    trends = [s for s in analyse(values).signals if s.rule == "trend"]
    assert trends[0].direction == "down"
    assert trends[0].points == (0, 1, 2, 3, 4)


def test_too_few_runs():
    # 10 above and 10 below in two long runs... and one change: 3 runs of 20 points.
    values = [1] * 7 + [9] * 10 + [1] * 3
    result = analyse(values)
    assert result.runs == 3
    assert result.runs_limits == (6, 16)
    assert "few_runs" in {s.rule for s in result.signals}


def test_too_many_runs_when_the_series_alternates():
    values = [1, 9] * 10
    result = analyse(values)
    assert result.runs == 20
    assert "many_runs" in {s.rule for s in result.signals}


def test_astronomical_point_outside_the_natural_limits():
    values = [5, 6, 5, 6, 5, 6, 5, 30, 6, 5, 6, 5]
    found = [s for s in analyse(values).signals if s.rule == "astronomical"]
    assert [(s.points, s.direction) for s in found] == [((7,), "above")]


def test_a_step_change_is_a_shift_not_a_row_of_astronomical_points():
    values = [9, 8, 10, 9, 8, 9, 10, 8, 9, 9, 8, 9, 5, 4, 5, 4, 3, 4, 5, 4, 3, 4, 4, 3]
    rules = [s.rule for s in analyse(values).signals]
    assert rules == ["shift", "shift", "few_runs"]


def test_fewer_than_ten_points_are_not_judged():
    result = analyse([1, 2, 3, 4, 5, 6, 7, 8, 9])
    assert result.too_few_points
    assert result.signals == []


def test_missing_points_are_skipped_not_zero():
    values = [5, None, 6, 7, 5, 4, None, 6, 5, 7, 6, 4, 5, 7]
    result = analyse(values)
    assert result.median == 5.5
    assert result.signals == []
    assert analyse([None, None]).median is None


def test_p_chart_limits_follow_the_subgroup_size():
    chart = control_chart("p", [10, 12, 30, 11], [100, 100, 100, 50])
    centre = 63 / 350
    assert chart.centre == pytest.approx(centre)
    sigma_100 = math.sqrt(centre * (1 - centre) / 100)
    assert chart.upper[0] == pytest.approx(centre + 3 * sigma_100)
    assert chart.upper[3] > chart.upper[0]
    assert [s.points for s in chart.signals] == [(2,)]


def test_u_chart_keeps_the_lower_limit_at_zero():
    chart = control_chart("u", [2, 3, 1, 14], [10, 12, 9, 11])
    assert all(low == 0 for low in chart.lower)
    assert [s.points for s in chart.signals] == [(3,)]
