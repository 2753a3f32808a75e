"""Run charts and control charts drawn on the server as SVG, with their findings in words.

The rules are in `runrules.py`; this module only draws and explains. A point that is
part of a signal is told by its shape as well as its colour (square in a shift, triangle
in a trend, ringed when astronomical or outside the limits), and every finding is
written out under the chart and in the chart's text alternative, so nothing depends on
seeing the colours.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from html import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from qualityplan.formatting import format_number
from reporting.charts import Chart
from reporting.figure_tables import ChartTable, Column

from . import runrules
from .selectors import Series

WIDTH, LEFT, RIGHT, TOP, PLOT_H = 760, 64, 110, 20, 220
INK, MUTED, GRID = "#1a1a1a", "#5b616b", "#d9dce1"
LINE, SIGNAL, MEDIAN = "#0b5394", "#b42318", "#1a1a1a"


@dataclass
class RunChart:
    chart: Chart
    findings: list[str]
    has_signal: bool
    kind: str  # "run", "p" or "u"


def _e(text) -> str:
    return escape(str(text), quote=True)


def _f(number: float) -> str:
    return f"{number:.1f}".rstrip("0").rstrip(".")


def run_chart(series: Series, *, title: str, chart_id: str, unit: str = "") -> RunChart:
    analysis = runrules.analyse(series.values)
    findings = describe(analysis, series.labels)
    values = [None if v is None else float(v) for v in series.values]
    extra = [analysis.median] if analysis.median is not None else []
    body, scale = _frame(values + extra, series.labels)
    if analysis.median is not None:
        body.append(
            _hline(
                scale(analysis.median),
                _("Median %(value)s")
                % {"value": format_number(Decimal(str(round(analysis.median, 2))))},
                dash="6 4",
            )
        )
    body += _line(values, scale)
    body += _points(values, scale, analysis)
    body += _legend(analysis)
    svg = _svg(chart_id, title, f"{title}. " + " ".join(findings), body, legend=True)
    table = _table(series, analysis, title, unit)
    chart = Chart(
        title=title, description=" ".join(findings), svg=svg, table=table, chart_id=chart_id
    )
    return RunChart(chart, findings, analysis.has_signal, "run")


def control_chart(series: Series, *, title: str, chart_id: str) -> RunChart | None:
    """A p or u chart where the series has denominators; None where it has not."""
    kind = series.control_kind
    if not kind:
        return None
    result = runrules.control_chart(kind, series.values, series.denominators)
    scale_values = [v for v in result.rates + result.upper + result.lower if v is not None]
    body, scale = _frame(scale_values, series.labels)
    if result.centre is not None:
        body.append(_hline(scale(result.centre), _("Centre line"), dash=""))
    body += _limits(result.upper, scale) + _limits(result.lower, scale)
    body += _line(result.rates, scale)
    outside = {i for s in result.signals for i in s.points}
    for index, rate in enumerate(result.rates):
        if rate is not None:
            x, y = _x(index, len(series.labels)), scale(rate)
            body.append(_circle(x, y, SIGNAL if index in outside else LINE))
            if index in outside:
                body.append(_ring(x, y))
    findings = [
        _("%(kind)s chart with three-sigma limits that follow each point's size.")
        % {"kind": _("p") if kind == "p" else _("u")}
    ]
    findings += [
        _("%(label)s lies outside the limits.") % {"label": series.labels[s.points[0]]}
        for s in result.signals
    ] or [_("Every point lies within the limits: no special cause is seen.")]
    svg = _svg(chart_id, title, f"{title}. " + " ".join(findings), body)
    columns = [
        Column(_("Date")),
        Column(_("Rate"), "decimal", 3),
        Column(_("Lower limit"), "decimal", 3),
        Column(_("Upper limit"), "decimal", 3),
    ]
    rows = [
        [label, _dec(r), _dec(lo), _dec(hi)]
        for label, r, lo, hi in zip(
            series.labels,
            result.rates,
            result.lower or [None] * len(series.labels),
            result.upper or [None] * len(series.labels),
            strict=True,
        )
    ]
    chart = Chart(
        title=title,
        description=" ".join(findings),
        svg=svg,
        table=ChartTable(columns, rows, caption=title, name=chart_id),
        chart_id=chart_id,
    )
    return RunChart(chart, findings, bool(result.signals), kind)


def _dec(value):
    return None if value is None else Decimal(str(round(value, 4)))


def describe(analysis: runrules.RunChartAnalysis, labels: list[str]) -> list[str]:
    """Every finding as a sentence a reader can check against the chart."""
    present = sum(1 for v in analysis.values if v is not None)
    if analysis.median is None:
        return [_("No values yet.")]
    if analysis.too_few_points:
        return [
            ngettext(
                "%(count)s point so far: the run-chart rules need at least 10 to tell a "
                "change from chance.",
                "%(count)s points so far: the run-chart rules need at least 10 to tell a "
                "change from chance.",
                present,
            )
            % {"count": present}
        ]
    found = []
    for signal in analysis.signals:
        first, last = labels[signal.points[0]], labels[signal.points[-1]]
        count = len(signal.points)
        if signal.rule == "shift":
            text = (
                _("Shift: %(count)s points in a row above the median, %(first)s to %(last)s.")
                if signal.direction == "above"
                else _("Shift: %(count)s points in a row below the median, %(first)s to %(last)s.")
            )
        elif signal.rule == "trend":
            text = (
                _("Trend: %(count)s points in a row going up, %(first)s to %(last)s.")
                if signal.direction == "up"
                else _("Trend: %(count)s points in a row going down, %(first)s to %(last)s.")
            )
        elif signal.rule == "astronomical":
            text = _("Astronomical point: %(first)s lies far outside the other points.")
        elif signal.rule == "few_runs":
            text = _("Too few runs: %(runs)s, where chance gives more than %(low)s.")
        else:
            text = _("Too many runs: %(runs)s, where chance gives fewer than %(high)s.")
        low, high = analysis.runs_limits or (0, 0)
        found.append(
            text
            % {
                "count": count,
                "first": first,
                "last": last,
                "runs": analysis.runs,
                "low": low,
                "high": high,
            }
        )
    if not found:
        found.append(
            _(
                "No signal: the variation looks like chance (no shift, trend, "
                "odd number of runs or astronomical point)."
            )
        )
    if analysis.runs_limits and not any(s.rule.endswith("_runs") for s in analysis.signals):
        low, high = analysis.runs_limits
        found.append(
            _("%(runs)s runs, within what chance gives (%(low1)s to %(high1)s).")
            % {"runs": analysis.runs, "low1": low + 1, "high1": high - 1}
        )
    return found


# --- Drawing -------------------------------------------------------------------------------


def _x(index: int, count: int) -> float:
    step = (WIDTH - LEFT - RIGHT) / max(count, 1)
    return LEFT + step * (index + 0.5)


def _ticks(low: float, high: float) -> list[float]:
    """Four or five round values from `low` to `high` for the axis (1, 2, 2.5 or 5 × 10ⁿ)."""
    raw = (high - low) / 4
    magnitude = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    step = next(f * magnitude for f in (1, 2, 2.5, 5, 10) if f * magnitude >= raw)
    first = math.floor(low / step) * step
    return [first + step * i for i in range(6) if first + step * i <= high + step * 0.999]


def _frame(values: list[float | None], labels: list[str]):
    present = [v for v in values if v is not None] or [0.0, 1.0]
    low, high = min(present), max(present)
    if low == high:
        low, high = low - 1, high + 1
    ticks = _ticks(0.0 if low >= 0 and low < (high - low) else low, high)
    low, high = ticks[0], max(ticks[-1], high)

    def scale(value: float) -> float:
        return TOP + PLOT_H - PLOT_H * (value - low) / (high - low)

    parts = []
    for value in ticks:
        y = scale(value)
        parts.append(
            f'<line x1="{LEFT}" y1="{_f(y)}" x2="{WIDTH - RIGHT}" y2="{_f(y)}" stroke="{GRID}"/>'
            f'<text x="{LEFT - 8}" y="{_f(y + 4)}" text-anchor="end" font-size="11" '
            f'fill="{MUTED}">{_e(format_number(Decimal(str(round(value, 4)))))}</text>'
        )
    widest = max((len(label) for label in labels), default=1) * 6.5 + 10
    every = max(1, math.ceil(len(labels) * widest / (WIDTH - LEFT - RIGHT)))
    for index, label in enumerate(labels):
        if index % every:
            continue
        parts.append(
            f'<text x="{_f(_x(index, len(labels)))}" y="{TOP + PLOT_H + 18}" '
            f'text-anchor="middle" font-size="11">{_e(label)}</text>'
        )
    return parts, scale


def _hline(y: float, label: str, dash: str) -> str:
    dashing = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<line x1="{LEFT}" y1="{_f(y)}" x2="{WIDTH - RIGHT}" y2="{_f(y)}" stroke="{MEDIAN}" '
        f'stroke-width="1.5"{dashing}/>'
        f'<text x="{WIDTH - RIGHT + 6}" y="{_f(y + 4)}" font-size="11">{_e(label)}</text>'
    )


def _limits(values: list[float | None], scale) -> list[str]:
    points, count = [], len(values)
    step = (WIDTH - LEFT - RIGHT) / max(count, 1)
    for index, value in enumerate(values):
        if value is not None:
            x = _x(index, count)
            points += [(x - step / 2, scale(value)), (x + step / 2, scale(value))]
    if not points:
        return []
    path = " ".join(f"{_f(x)},{_f(y)}" for x, y in points)
    return [f'<polyline points="{path}" fill="none" stroke="{MUTED}" stroke-dasharray="3 3"/>']


def _line(values: list[float | None], scale) -> list[str]:
    parts, run = [], []
    for index, value in enumerate([*values, None]):
        if value is not None:
            run.append((_x(index, len(values)), scale(value)))
            continue
        if len(run) > 1:
            path = " ".join(f"{_f(x)},{_f(y)}" for x, y in run)
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{LINE}" stroke-width="2"/>'
            )
        run = []
    return parts


def _points(values, scale, analysis: runrules.RunChartAnalysis) -> list[str]:
    shift, trend = analysis.flagged("shift"), analysis.flagged("trend")
    astronomical = analysis.flagged("astronomical")
    parts = []
    for index, value in enumerate(values):
        if value is None:
            continue
        x, y = _x(index, len(values)), scale(value)
        if index in shift:
            parts.append(
                f'<rect x="{_f(x - 5)}" y="{_f(y - 5)}" width="10" height="10" '
                f'fill="{SIGNAL}" stroke="#ffffff"/>'
            )
        elif index in trend:
            parts.append(
                f'<path d="M{_f(x)},{_f(y - 6)} L{_f(x + 6)},{_f(y + 5)} '
                f'L{_f(x - 6)},{_f(y + 5)} Z" fill="{SIGNAL}" stroke="#ffffff"/>'
            )
        else:
            parts.append(_circle(x, y, LINE))
        if index in astronomical:
            parts.append(_ring(x, y))
    return parts


def _circle(x: float, y: float, color: str) -> str:
    return f'<circle cx="{_f(x)}" cy="{_f(y)}" r="4.5" fill="{color}" stroke="#ffffff"/>'


def _ring(x: float, y: float) -> str:
    return (
        f'<circle cx="{_f(x)}" cy="{_f(y)}" r="9" fill="none" stroke="{SIGNAL}" stroke-width="2"/>'
    )


def _legend(analysis: runrules.RunChartAnalysis) -> list[str]:
    """The marks the chart uses, spelled out under it."""
    y, x, parts = TOP + PLOT_H + 42, LEFT, []
    items = [(_circle(0, 0, LINE), _("a point"))]
    if analysis.flagged("shift"):
        items.append(
            (f'<rect x="-5" y="-5" width="10" height="10" fill="{SIGNAL}"/>', _("in a shift"))
        )
    if analysis.flagged("trend"):
        items.append((f'<path d="M0,-6 L6,5 L-6,5 Z" fill="{SIGNAL}"/>', _("in a trend")))
    if analysis.flagged("astronomical"):
        items.append((_ring(0, 0), _("astronomical point")))
    items.append(
        (
            f'<line x1="-8" y1="0" x2="8" y2="0" stroke="{MEDIAN}" stroke-width="1.5" '
            f'stroke-dasharray="6 4"/>',
            _("median"),
        )
    )
    for mark, label in items:
        parts.append(
            f'<g transform="translate({_f(x + 8)},{y})">{mark}</g>'
            f'<text x="{_f(x + 22)}" y="{y + 4}" font-size="11">{_e(label)}</text>'
        )
        x += 40 + len(str(label)) * 6.5
    return parts


def _svg(
    chart_id: str, title: str, description: str, body: list[str], legend: bool = False
) -> SafeString:
    height = TOP + PLOT_H + (58 if legend else 30)
    return mark_safe(  # noqa: S308 -- every text in `body` went through _e()
        f'<svg xmlns="http://www.w3.org/2000/svg" class="dash-chart" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" font-family="Inter, sans-serif" '
        f'font-size="12" fill="{INK}" preserveAspectRatio="xMinYMin meet">'
        f'<title id="{chart_id}-title">{_e(title)}</title>'
        f'<desc id="{chart_id}-desc">{_e(description)}</desc>{"".join(body)}</svg>'
    )


def _table(series: Series, analysis, title: str, unit: str) -> ChartTable:
    rules = {
        "shift": _("shift"),
        "trend": _("trend"),
        "astronomical": _("astronomical point"),
    }
    marks: dict[int, list[str]] = {}
    for signal in analysis.signals:
        if signal.rule in rules:
            for index in signal.points:
                marks.setdefault(index, []).append(str(rules[signal.rule]))
    value_label = _("Value") + (f" ({unit})" if unit else "")
    columns = [Column(_("Date")), Column(value_label, "decimal"), Column(_("Signal"))]
    rows = [
        [label, value, ", ".join(marks.get(index, []))]
        for index, (label, value) in enumerate(zip(series.labels, series.values, strict=True))
    ]
    return ChartTable(columns, rows, caption=title, name="run-chart")
