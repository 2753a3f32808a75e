"""The run-chart rules: does a series show a signal of non-random variation?

A run chart plots a measure over time with its median. Four rules tell a real change
from noise; each is written out here in plain code, since no kept library does it:

- **Shift:** six or more consecutive points all above or all below the median. Points
  on the median neither count nor break the shift.
- **Trend:** five or more consecutive points all going up or all going down. A point
  equal to the one before neither counts nor breaks the trend.
- **Runs:** a run is a series of consecutive points on one side of the median (points
  on the median are left out). Too few or too many runs for the number of points is a
  signal. The critical values come from the exact distribution of the number of runs
  in a random order of the points above and below (Swed and Eisenhart, 1943), two-sided
  at 5 %: computed, not tabulated, so any number of points has its limits.
- **Astronomical point:** a point blatantly different from the rest. Judged here as a
  "far out" value in Tukey's sense (more than three interquartile ranges beyond the
  first or third quartile), which a shift in the series does not set off, so the rule is
  the same for everybody and not a matter of taste.

The rules need at least ten points (not on the median, for runs); with fewer, the
analysis says so instead of guessing. Control charts for proportions (p chart) and
rates (u chart) mark points outside three-sigma limits that follow each subgroup's size.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal
from statistics import median, quantiles

MIN_POINTS = 10
SHIFT_LENGTH = 6
TREND_LENGTH = 5
RUNS_ALPHA = 0.05


@dataclass(frozen=True)
class Signal:
    """A rule that fired, and the points (by position) that show it."""

    rule: str  # "shift", "trend", "few_runs", "many_runs", "astronomical", "outside_limits"
    points: tuple[int, ...]
    direction: str = ""  # "up"/"down" for trends, "above"/"below" for shifts and points


@dataclass
class RunChartAnalysis:
    values: list[float | None]
    median: float | None
    useful: int = 0  # points not on the median
    runs: int = 0
    runs_limits: tuple[int, int] | None = None
    signals: list[Signal] = field(default_factory=list)
    too_few_points: bool = False

    @property
    def has_signal(self) -> bool:
        return bool(self.signals)

    def flagged(self, rule: str) -> set[int]:
        return {index for s in self.signals if s.rule == rule for index in s.points}


def analyse(values: list[float | Decimal | None]) -> RunChartAnalysis:
    """The median and every rule that fires for `values` (None is a missing point)."""
    numbers = [None if v is None else float(v) for v in values]
    present = [(i, v) for i, v in enumerate(numbers) if v is not None]
    if not present:
        return RunChartAnalysis(numbers, None, too_few_points=True)
    centre = median(v for _i, v in present)
    result = RunChartAnalysis(numbers, centre)
    sides = [(i, 1 if v > centre else -1) for i, v in present if v != centre]
    result.useful = len(sides)
    result.runs = count_runs([side for _i, side in sides])
    if len(present) < MIN_POINTS:
        result.too_few_points = True
        return result
    result.signals += shifts(sides)
    result.signals += trends(present)
    if result.useful >= MIN_POINTS:
        above = sum(1 for _i, side in sides if side > 0)
        low, high = runs_limits(above, result.useful - above)
        result.runs_limits = (low, high)
        every = tuple(i for i, _s in sides)
        if result.runs <= low:
            result.signals.append(Signal("few_runs", every))
        elif result.runs >= high:
            result.signals.append(Signal("many_runs", every))
    result.signals += astronomical(present)
    return result


def count_runs(sides: list[int]) -> int:
    return sum(1 for i, side in enumerate(sides) if i == 0 or side != sides[i - 1])


def shifts(sides: list[tuple[int, int]]) -> list[Signal]:
    """Every stretch of SHIFT_LENGTH or more points on one side (median points skipped)."""
    found, stretch = [], []
    for index, side in [*sides, (-1, 0)]:
        if stretch and side == stretch[0][1]:
            stretch.append((index, side))
            continue
        if len(stretch) >= SHIFT_LENGTH:
            direction = "above" if stretch[0][1] > 0 else "below"
            found.append(Signal("shift", tuple(i for i, _s in stretch), direction))
        stretch = [(index, side)]
    return found


def trends(present: list[tuple[int, float]]) -> list[Signal]:
    """Every stretch of TREND_LENGTH or more points going one way (repeats skipped)."""
    points = [p for k, p in enumerate(present) if k == 0 or p[1] != present[k - 1][1]]
    found, stretch, way = [], points[:1], 0
    for previous, point in zip(points, points[1:], strict=False):
        step = 1 if point[1] > previous[1] else -1
        if step == way:
            stretch.append(point)
            continue
        _close_trend(found, stretch, way)
        stretch, way = [previous, point], step
    _close_trend(found, stretch, way)
    return found


def _close_trend(found: list[Signal], stretch: list[tuple[int, float]], way: int) -> None:
    if way and len(stretch) >= TREND_LENGTH:
        # The repeats skipped inside the stretch belong to it too.
        first, last = stretch[0][0], stretch[-1][0]
        found.append(Signal("trend", tuple(range(first, last + 1)), "up" if way > 0 else "down"))


def astronomical(present: list[tuple[int, float]]) -> list[Signal]:
    """Points more than three interquartile ranges outside the quartiles."""
    low, high = far_out_fences([v for _i, v in present])
    if low is None:
        return []
    return [
        Signal("astronomical", (i,), "above" if v > high else "below")
        for i, v in present
        if v > high or v < low
    ]


def far_out_fences(values: list[float]) -> tuple[float | None, float | None]:
    if len(values) < 4:
        return None, None
    q1, _q2, q3 = quantiles(values, n=4, method="inclusive")
    spread = 3 * (q3 - q1)
    return q1 - spread, q3 + spread


def runs_limits(above: int, below: int) -> tuple[int, int]:
    """The critical numbers of runs for `above` and `below` points (Swed and Eisenhart).

    As few runs as the first, or as many as the second, happens by chance in a random
    order of the points less than RUNS_ALPHA / 2 of the time each: a signal.
    """
    total = math.comb(above + below, above)
    chances = [_runs_ways(r, above, below) / total for r in range(above + below + 1)]
    low, tail = 0, 0.0
    for runs, chance in enumerate(chances):
        tail += chance
        if tail > RUNS_ALPHA / 2:
            break
        low = runs
    high, tail = above + below + 1, 0.0
    for runs in range(len(chances) - 1, -1, -1):
        tail += chances[runs]
        if tail > RUNS_ALPHA / 2:
            break
        high = runs
    return low, high


def _runs_ways(runs: int, n1: int, n2: int) -> int:
    """How many orders of n1 points above and n2 below give exactly `runs` runs."""
    if n1 == 0 or n2 == 0:
        return 1 if runs == 1 else 0
    if runs < 2:
        return 0
    k, odd = divmod(runs, 2)
    if not odd:
        return 2 * math.comb(n1 - 1, k - 1) * math.comb(n2 - 1, k - 1)
    return math.comb(n1 - 1, k) * math.comb(n2 - 1, k - 1) + math.comb(n1 - 1, k - 1) * math.comb(
        n2 - 1, k
    )


# --- Control charts -------------------------------------------------------------------


@dataclass
class ControlChart:
    kind: str  # "p" or "u"
    centre: float | None
    rates: list[float | None]
    lower: list[float | None]
    upper: list[float | None]
    signals: list[Signal] = field(default_factory=list)


def control_chart(kind: str, numerators: list, denominators: list) -> ControlChart:
    """A p chart (share of cases: numerator ≤ denominator) or a u chart (events per unit).

    The limits are three sigma about the centre line and follow each subgroup's size;
    a p chart's limits are kept within 0 and 1.
    """
    pairs = [
        (float(n), float(d)) if n is not None and d else None
        for n, d in zip(numerators, denominators, strict=True)
    ]
    total_n = sum(p[0] for p in pairs if p)
    total_d = sum(p[1] for p in pairs if p)
    if not total_d:
        return ControlChart(kind, None, [None] * len(pairs), [], [])
    centre = total_n / total_d
    rates, lower, upper, outside = [], [], [], []
    for index, pair in enumerate(pairs):
        if pair is None:
            rates.append(None), lower.append(None), upper.append(None)
            continue
        rate = pair[0] / pair[1]
        spread = centre * (1 - centre) if kind == "p" else centre
        sigma = math.sqrt(spread / pair[1])
        low, high = centre - 3 * sigma, centre + 3 * sigma
        if kind == "p":
            low, high = max(low, 0.0), min(high, 1.0)
        else:
            low = max(low, 0.0)
        rates.append(rate), lower.append(low), upper.append(high)
        if rate > high or rate < low:
            outside.append(Signal("outside_limits", (index,), "above" if rate > high else "below"))
    return ControlChart(kind, centre, rates, lower, upper, outside)
