"""Charts drawn on the server as SVG, for the dashboards and the annual PDF report.

A chart is markup, not a script: the PDF has no JavaScript, and a page without
scripts still shows it. Every chart carries a title and a text alternative
(<title>/<desc>, role="img"), and the numbers behind it as a table that the
page shows next to it. Nothing is told by colour alone: each series or status
has its own fill pattern, lines their own marker and dash, and the bars carry
their numbers; the charts read the same printed in greyscale.

Text is set in "Inter, sans-serif", a family WeasyPrint resolves like a browser.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from decimal import Decimal
from html import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from qualityplan.formatting import format_number

# The table parts live in figure_tables; exports.py has long imported them from here.
from .figure_tables import ChartTable, Column, format_value  # noqa: F401
from .selectors import (
    STATUS_KEYS,
    GoalRollup,
    IndicatorSeries,
    PlanRollup,
    status_label,
)

FONT = "Inter, sans-serif"
INK = "#1a1a1a"
MUTED = "#5b616b"
GRID = "#d9dce1"
WIDTH = 760

# fill, pattern, pattern ink: one per status key, in the order of the bars.
STATUS_STYLES = {
    "done": ("#1e6b3a", "solid", "#ffffff"),
    "on_track": ("#8fd19e", "diagonal", "#0b3d1a"),
    "continuous": ("#2f6db5", "dots", "#ffffff"),
    "not_started": ("#cfd4da", "horizontal", "#4b5563"),
    "at_risk": ("#f2c14e", "crosshatch", "#5c4400"),
    "delayed": ("#b42318", "diagonal_back", "#ffffff"),
    "cancelled": ("#6b7280", "vertical", "#ffffff"),
    "unreported": ("#ffffff", "dots", "#6b7280"),
}
# For series without a style of their own (deviation counts, lines): Okabe–Ito colours,
# safe for colour-blind readers, each with a pattern, a marker and a dash of its own.
SERIES_STYLES = [
    ("#0b5394", "solid", "#ffffff"),
    ("#d55e00", "diagonal", "#ffffff"),
    ("#009e73", "dots", "#ffffff"),
    ("#cc79a7", "crosshatch", "#ffffff"),
    ("#e69f00", "horizontal", "#1a1a1a"),
    ("#56b4e9", "vertical", "#1a1a1a"),
    ("#000000", "diagonal_back", "#ffffff"),
]
MARKERS = ["circle", "square", "triangle", "diamond", "cross"]
DASHES = ["", "7 4", "2 4", "10 4 2 4", "4 2"]


@dataclass
class Chart:
    title: str
    description: str
    svg: SafeString
    table: ChartTable
    chart_id: str = ""
    legend: list[tuple[str, str]] = field(default_factory=list)


# --- SVG helpers ---------------------------------------------------------------------


def _id(chart_id: str) -> str:
    return re.sub(r"[^a-z0-9-]", "-", chart_id.lower()) or "chart"


def _e(text) -> str:
    return escape(str(text), quote=True)


def _f(number: float) -> str:
    return f"{number:.1f}".rstrip("0").rstrip(".")


def _clip(text: str, chars: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= chars else text[: chars - 1].rstrip() + "…"


LINE_HEIGHT = 14


def _wrap(text: str, chars: int) -> list[str]:
    """`text` in lines of at most `chars` characters, broken between words (a word longer
    than a line is broken inside)."""
    lines: list[str] = []
    for word in str(text).split():
        while len(word) > chars:
            lines.append(word[:chars])
            word = word[chars:]
        if lines and len(lines[-1]) + 1 + len(word) <= chars:
            lines[-1] += " " + word
        elif word:
            lines.append(word)
    return lines or [""]


def _label_lines(x: float, middle: float, lines: list[str]) -> str:
    """Right-aligned lines of text centred on `middle`, one <tspan> a line."""
    first = middle + 4 - (len(lines) - 1) * LINE_HEIGHT / 2
    spans = "".join(
        f'<tspan x="{_f(x)}" y="{_f(first + n * LINE_HEIGHT)}">{_e(line)}</tspan>'
        for n, line in enumerate(lines)
    )
    return f'<text text-anchor="end">{spans}</text>'


def _text_width(text: str, size: float = 12) -> float:
    """A fair guess at a text's width in Inter: about 0.56 em a character."""
    return len(str(text)) * size * 0.56


def _pattern(pid: str, fill: str, kind: str, ink: str) -> str:
    marks = {
        "solid": "",
        "diagonal": f'<path d="M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4" stroke="{ink}" '
        'stroke-width="1.6" stroke-opacity=".7"/>',
        "diagonal_back": f'<path d="M-2,6 l4,4 M0,0 l8,8 M6,-2 l4,4" stroke="{ink}" '
        'stroke-width="1.6" stroke-opacity=".7"/>',
        "crosshatch": f'<path d="M0,0 l8,8 M8,0 l-8,8" stroke="{ink}" stroke-width="1.2" '
        'stroke-opacity=".7"/>',
        "horizontal": f'<path d="M0,4 H8" stroke="{ink}" stroke-width="1.6" stroke-opacity=".7"/>',
        "vertical": f'<path d="M4,0 V8" stroke="{ink}" stroke-width="1.6" stroke-opacity=".7"/>',
        "dots": f'<circle cx="4" cy="4" r="1.6" fill="{ink}" fill-opacity=".8"/>',
    }[kind]
    return (
        f'<pattern id="{pid}" patternUnits="userSpaceOnUse" width="8" height="8">'
        f'<rect width="8" height="8" fill="{fill}"/>{marks}</pattern>'
    )


def _svg(cid: str, title: str, description: str, height: float, body: list[str], defs=()) -> str:
    return mark_safe(  # noqa: S308 -- every text in `body` went through _e()
        f'<svg xmlns="http://www.w3.org/2000/svg" class="dash-chart" role="img" '
        f'viewBox="0 0 {WIDTH} {_f(height)}" width="100%" '
        f'aria-labelledby="{cid}-title {cid}-desc" font-family="{FONT}" font-size="12" '
        f'fill="{INK}" preserveAspectRatio="xMinYMin meet">'
        f'<title id="{cid}-title">{_e(title)}</title>'
        f'<desc id="{cid}-desc">{_e(description)}</desc>'
        f"<defs>{''.join(defs)}</defs>{''.join(body)}</svg>"
    )


def _number_tag(x: float, y: float, text: str) -> str:
    """A number on a white tag, legible on any fill or pattern."""
    width = _text_width(text, 11) + 6
    return (
        f'<rect x="{_f(x - width / 2)}" y="{_f(y - 8)}" width="{_f(width)}" height="15" rx="3" '
        f'fill="#ffffff" fill-opacity=".92"/>'
        f'<text x="{_f(x)}" y="{_f(y + 3.5)}" text-anchor="middle" font-size="11" '
        f'font-weight="600">{_e(text)}</text>'
    )


def _legend(
    cid: str, items: list[tuple[str, str]], y: float, styles: dict[str, tuple]
) -> tuple[list[str], float]:
    """Swatches with their labels, wrapped into rows; returns the parts and the height."""
    parts, x, row_y = [], 0.0, y
    for key, label in items:
        width = 18 + _text_width(label) + 18
        if x and x + width > WIDTH:
            x, row_y = 0.0, row_y + 20
        fill = f"url(#{cid}-p-{key})" if key in styles else styles.get(key, INK)
        parts.append(
            f'<rect x="{_f(x)}" y="{_f(row_y)}" width="14" height="14" fill="{fill}" '
            f'stroke="{MUTED}" stroke-width=".8"/>'
            f'<text x="{_f(x + 19)}" y="{_f(row_y + 11)}">{_e(label)}</text>'
        )
        x += width
    return parts, row_y - y + 20


# --- Stacked bars: how the rows spread over the statuses -----------------------------


def stacked_bar_chart(
    *,
    chart_id: str,
    title: str,
    bars: list[tuple[str, dict[str, int]]],
    segments: list[tuple[str, str]],
    category_label: str,
    styles: dict[str, tuple] | None = None,
) -> Chart:
    """One horizontal bar per category, split by `segments` (key, label) in that order.

    Each bar is 100 %: it shows how the category's rows spread, whatever its size; the
    counts are written on the segments that have room, the total after the bar.
    """
    cid = _id(chart_id)
    styles = styles or {
        key: STATUS_STYLES.get(key, SERIES_STYLES[n % len(SERIES_STYLES)])
        for n, (key, _label) in enumerate(segments)
    }
    label_width, total_width, bar_h, gap, top = 230, 70, 24, 12, 24
    plot_w = WIDTH - label_width - total_width
    # A label wraps onto as many lines as it needs; its row grows to hold them.
    labels = [_wrap(label, 34) for label, _counts in bars]
    heights = [max(bar_h, len(lines) * LINE_HEIGHT) for lines in labels]
    body = _percent_axis(label_width, plot_w, top, sum(heights) + gap * len(bars))
    row_top = top
    for (_name, counts), lines, row_h in zip(bars, labels, heights, strict=True):
        y = row_top + (row_h - bar_h) / 2
        row_top += row_h + gap
        body.append(_label_lines(label_width - 8, y + bar_h / 2, lines))
        total = sum(counts.get(key, 0) for key, _l in segments)
        x = float(label_width)
        for key, _seg_label in segments:
            count = counts.get(key, 0)
            if not count:
                continue
            width = plot_w * count / total
            body.append(
                f'<rect x="{_f(x)}" y="{y}" width="{_f(width)}" height="{bar_h}" '
                f'fill="url(#{cid}-p-{key})" stroke="#ffffff" stroke-width="1"/>'
            )
            text = format_number(count, 0)
            if width >= _text_width(text, 11) + 10:
                body.append(_number_tag(x + width / 2, y + bar_h / 2, text))
            x += width
        if not total:
            body.append(
                f'<text x="{label_width + 4}" y="{_f(y + bar_h / 2 + 4)}" fill="{MUTED}">'
                f"{_e(_('No rows'))}</text>"
            )
        body.append(
            f'<text x="{WIDTH - total_width + 8}" y="{_f(y + bar_h / 2 + 4)}">'
            f"{_e(_('n = %(count)s') % {'count': format_number(total, 0)})}</text>"
        )
    legend_y = row_top + 16
    legend, legend_h = _legend(cid, segments, legend_y, styles)
    defs = [_pattern(f"{cid}-p-{key}", *styles[key]) for key, _l in segments]
    description = _stacked_description(title, bars, segments)
    columns = [Column(category_label)]
    columns += [Column(label, "int") for _k, label in segments]
    columns.append(Column(_("Total"), "int"))
    rows = [
        [label, *[counts.get(key, 0) for key, _l in segments], sum(counts.values())]
        for label, counts in bars
    ]
    return Chart(
        title=title,
        description=description,
        svg=_svg(cid, title, description, legend_y + legend_h + 4, body + legend, defs),
        table=ChartTable(columns, rows, caption=title, name=cid),
        chart_id=cid,
        legend=segments,
    )


def _percent_axis(left: float, width: float, top: float, height: float) -> list[str]:
    parts = []
    for step in range(5):
        x = left + width * step / 4
        parts.append(
            f'<line x1="{_f(x)}" y1="{_f(top - 4)}" x2="{_f(x)}" y2="{_f(top + height - 8)}" '
            f'stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{_f(x)}" y="{_f(top - 8)}" text-anchor="middle" font-size="11" '
            f'fill="{MUTED}">{step * 25} %</text>'
        )
    return parts


def _stacked_description(title, bars, segments) -> str:
    parts = []
    for label, counts in bars:
        total = sum(counts.get(key, 0) for key, _l in segments)
        named = [
            f"{format_number(counts[key], 0)} {seg_label.lower()}"
            for key, seg_label in segments
            if counts.get(key)
        ]
        parts.append(
            _("%(label)s: %(parts)s (of %(total)s)")
            % {"label": label, "parts": ", ".join(named) or _("no rows"), "total": total}
        )
    return f"{title}. " + "; ".join(parts) + "."


# --- Lines: an indicator over the years, against its target --------------------------


def line_chart(
    *,
    chart_id: str,
    title: str,
    x_labels: list[str],
    series: list[tuple[str, list[Decimal | None]]],
    target: list[Decimal | None] | None = None,
    value_suffix: str = "",
    series_label: str = "",
) -> Chart:
    """Lines over `x_labels`, each with its own marker and dash, named at its end; the
    target is a black stepped dashed line. Missing values break a line."""
    cid = _id(chart_id)
    target = target or [None] * len(x_labels)
    left, right, top, plot_h = 64, 190, 24, 240
    plot_w = WIDTH - left - right
    values = [v for _l, vals in series for v in vals if v is not None]
    values += [v for v in target if v is not None]
    high = _nice_ceiling(max(values)) if values else Decimal(1)
    step = plot_w / max(len(x_labels), 1)

    def xy(index: int, value) -> tuple[float, float]:
        return left + step * (index + 0.5), top + plot_h - plot_h * float(value) / float(high)

    body = _value_axis(left, plot_w, top, plot_h, high, value_suffix)
    for index, label in enumerate(x_labels):
        x = left + step * (index + 0.5)
        body.append(
            f'<text x="{_f(x)}" y="{top + plot_h + 18}" text-anchor="middle">'
            f"{_e(_clip(label, 16))}</text>"
        )
    body += _target_line(target, xy, step)
    ends: list[tuple[float, str, int]] = []
    for number, (label, vals) in enumerate(series):
        color = SERIES_STYLES[number % len(SERIES_STYLES)][0]
        points = [(i, xy(i, v)) for i, v in enumerate(vals) if v is not None]
        body += _polylines(vals, xy, color, DASHES[number % len(DASHES)])
        for _i, (x, y) in points:
            body.append(_marker(MARKERS[number % len(MARKERS)], x, y, color))
        if len(series) <= 2:
            for i, (x, y) in points:
                text = format_number(vals[i]) + (f" {value_suffix}" if value_suffix else "")
                body.append(_number_tag(x, y - 14, text))
        if points:
            ends.append((points[-1][1][1], label, number))
    body += _end_labels(ends, left + plot_w + 14, top, top + plot_h)
    if not values:
        body.append(
            f'<text x="{left + plot_w / 2}" y="{top + plot_h / 2}" text-anchor="middle" '
            f'fill="{MUTED}">{_e(_("No values yet"))}</text>'
        )
    description = _line_description(title, x_labels, series, target, value_suffix)
    columns = [Column(series_label or _("Series"))]
    columns += [Column(label, "decimal") for label in x_labels]
    rows = [[label, *vals] for label, vals in series]
    if any(v is not None for v in target):
        rows.append([_("Target"), *target])
    return Chart(
        title=title,
        description=description,
        svg=_svg(cid, title, description, top + plot_h + 34, body),
        table=ChartTable(columns, rows, caption=title, name=cid),
        chart_id=cid,
    )


def _nice_ceiling(value) -> Decimal:
    """The next round number at or above `value` (1, 2, 2.5, 5 × 10ⁿ), for the axis."""
    value = float(value)
    if value <= 0:
        return Decimal(1)
    magnitude = 10 ** math.floor(math.log10(value))
    for factor in (1, 2, 2.5, 5, 10):
        if value <= factor * magnitude:
            return Decimal(str(factor * magnitude))
    return Decimal(str(10 * magnitude))


def _value_axis(left, width, top, height, high: Decimal, suffix: str) -> list[str]:
    parts = []
    for step in range(5):
        value = high * step / 4
        y = top + height - height * step / 4
        parts.append(
            f'<line x1="{left}" y1="{_f(y)}" x2="{_f(left + width)}" y2="{_f(y)}" '
            f'stroke="{GRID}" stroke-width="1"/>'
            f'<text x="{left - 8}" y="{_f(y + 4)}" text-anchor="end" font-size="11" '
            f'fill="{MUTED}">{_e(format_number(value))}{_e(" " + suffix if suffix else "")}</text>'
        )
    return parts


def _target_line(target, xy, step) -> list[str]:
    """The target as steps: level across each year, joined where it changes."""
    points = []
    for index, value in enumerate(target):
        if value is None:
            continue
        x, y = xy(index, value)
        points += [(x - step / 2 + 4, y), (x + step / 2 - 4, y)]
    if not points:
        return []
    path = " ".join(f"{_f(x)},{_f(y)}" for x, y in points)
    last_x, last_y = points[-1]
    return [
        f'<polyline points="{path}" fill="none" stroke="#000000" stroke-width="2" '
        f'stroke-dasharray="3 3"/>'
        f'<text x="{_f(last_x + 4)}" y="{_f(last_y - 6)}" font-size="11" font-weight="600">'
        f"{_e(_('Target'))}</text>"
    ]


def _polylines(values, xy, color: str, dash: str) -> list[str]:
    parts, run = [], []
    for index, value in enumerate([*values, None]):
        if value is not None:
            run.append(xy(index, value))
            continue
        if len(run) > 1:
            path = " ".join(f"{_f(x)},{_f(y)}" for x, y in run)
            dashing = f' stroke-dasharray="{dash}"' if dash else ""
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2.5"'
                f"{dashing}/>"
            )
        run = []
    return parts


def _marker(shape: str, x: float, y: float, color: str) -> str:
    common = f'fill="{color}" stroke="#ffffff" stroke-width="1.2"'
    if shape == "square":
        return f'<rect x="{_f(x - 4.5)}" y="{_f(y - 4.5)}" width="9" height="9" {common}/>'
    if shape == "triangle":
        return (
            f'<path d="M{_f(x)},{_f(y - 6)} L{_f(x + 5.5)},{_f(y + 4)} '
            f'L{_f(x - 5.5)},{_f(y + 4)} Z" {common}/>'
        )
    if shape == "diamond":
        return (
            f'<path d="M{_f(x)},{_f(y - 6)} L{_f(x + 6)},{_f(y)} L{_f(x)},{_f(y + 6)} '
            f'L{_f(x - 6)},{_f(y)} Z" {common}/>'
        )
    if shape == "cross":
        return (
            f'<path d="M{_f(x - 5)},{_f(y - 5)} L{_f(x + 5)},{_f(y + 5)} M{_f(x + 5)},{_f(y - 5)} '
            f'L{_f(x - 5)},{_f(y + 5)}" stroke="{color}" stroke-width="2.5"/>'
        )
    return f'<circle cx="{_f(x)}" cy="{_f(y)}" r="5" {common}/>'


def _end_labels(ends, x: float, low: float, high: float) -> list[str]:
    """Each line's name at its end, nudged apart so that none overlap."""
    parts, last_y = [], low - 20
    for y, label, number in sorted(ends):
        y = min(max(y, last_y + 15), high + 10)
        color = SERIES_STYLES[number % len(SERIES_STYLES)][0]
        parts.append(
            f"{_marker(MARKERS[number % len(MARKERS)], x, y - 4, color)}"
            f'<text x="{_f(x + 10)}" y="{_f(y)}">{_e(_clip(label, 26))}</text>'
        )
        last_y = y
    return parts


def _line_description(title, x_labels, series, target, suffix) -> str:
    def shown(value) -> str:
        if value is None:
            return _("no value")
        return format_number(value) + (f" {suffix}" if suffix else "")

    parts = [
        f"{label}: " + ", ".join(f"{x} {shown(v)}" for x, v in zip(x_labels, vals, strict=False))
        for label, vals in series
    ]
    if any(v is not None for v in target):
        parts.append(
            _("Target")
            + ": "
            + ", ".join(
                f"{x} {shown(v)}" for x, v in zip(x_labels, target, strict=False) if v is not None
            )
        )
    if not series:
        parts.append(_("no values yet"))
    return f"{title}. " + "; ".join(parts) + "."


# --- Grouped bars: counts side by side -----------------------------------------------


def bar_chart(
    *,
    chart_id: str,
    title: str,
    categories: list[str],
    series: list[tuple[str, list[int]]],
    category_label: str,
) -> Chart:
    """For each category a group of horizontal bars, one per series, each with its own
    pattern and its number at its end."""
    cid = _id(chart_id)
    styles = {f"s{n}": SERIES_STYLES[n % len(SERIES_STYLES)] for n in range(len(series))}
    legend_items = [(f"s{n}", label) for n, (label, _v) in enumerate(series)]
    legend, legend_h = _legend(cid, legend_items, 0, styles)
    label_width, right, bar_h, inner, gap = 230, 60, 14, 2, 14
    top = legend_h + 10
    plot_w = WIDTH - label_width - right
    high = max([v for _l, vals in series for v in vals] or [0]) or 1
    group_h = len(series) * (bar_h + inner) - inner
    body = list(legend)
    y0 = top - gap
    for index, category in enumerate(categories):
        lines = _wrap(category, 34)
        y0 += gap + max(0, len(lines) * LINE_HEIGHT - group_h) / 2
        body.append(_label_lines(label_width - 8, y0 + group_h / 2, lines))
        for number, (_label, vals) in enumerate(series):
            value = vals[index]
            y = y0 + number * (bar_h + inner)
            width = plot_w * value / high
            body.append(
                f'<rect x="{label_width}" y="{_f(y)}" width="{_f(max(width, 0.5))}" '
                f'height="{bar_h}" fill="url(#{cid}-p-s{number})" stroke="{MUTED}" '
                f'stroke-width=".6"/>'
                f'<text x="{_f(label_width + width + 5)}" y="{_f(y + bar_h - 3)}" '
                f'font-size="11">{_e(format_number(value, 0))}</text>'
            )
        y0 += group_h + max(0, len(lines) * LINE_HEIGHT - group_h) / 2
    if not categories:
        body.append(f'<text x="0" y="{top + 14}" fill="{MUTED}">{_e(_("Nothing to show"))}</text>')
    height = (y0 + gap if categories else top + group_h + gap) + 4
    defs = [_pattern(f"{cid}-p-{key}", *style) for key, style in styles.items()]
    description = f"{title}. " + "; ".join(
        f"{category}: " + ", ".join(f"{label.lower()} {vals[i]}" for label, vals in series)
        for i, category in enumerate(categories)
    )
    columns = [Column(category_label)] + [Column(label, "int") for label, _v in series]
    rows = [[category, *[vals[i] for _l, vals in series]] for i, category in enumerate(categories)]
    return Chart(
        title=title,
        description=description + ".",
        svg=_svg(cid, title, description + ".", height, body, defs),
        table=ChartTable(columns, rows, caption=title, name=cid),
        chart_id=cid,
        legend=[(key, label) for key, label in legend_items],
    )


# --- The dashboards' charts, for the pages and the annual report alike --------------


def status_segments() -> list[tuple[str, str]]:
    return [(key, status_label(key)) for key in STATUS_KEYS]


def rollup_when(rollup: PlanRollup) -> str:
    period = rollup.selection.period
    return period.label if period is not None else str(rollup.year)


def goal_status_chart(rollup: PlanRollup, *, chart_id: str = "goal-status") -> Chart:
    """How the status rows of each goal spread over the statuses."""
    title = _("Status of the measures per goal, %(when)s") % {"when": rollup_when(rollup)}
    bars = [
        (f"{goal.goal.position}. {goal.goal.title}", goal.status_counts) for goal in rollup.goals
    ]
    return stacked_bar_chart(
        chart_id=chart_id,
        title=title,
        bars=bars,
        segments=status_segments(),
        category_label=_("Goal"),
    )


def measure_status_chart(goal: GoalRollup, *, when: str, chart_id: str) -> Chart:
    """How the status rows of each measure of one goal spread over the statuses."""
    title = _("Status of the measures under goal %(number)s, %(when)s") % {
        "number": goal.goal.position,
        "when": when,
    }
    bars = [(rollup.measure.title, rollup.status_counts) for rollup in goal.measures]
    return stacked_bar_chart(
        chart_id=chart_id,
        title=title,
        bars=bars,
        segments=status_segments(),
        category_label=_("Measure"),
    )


def indicator_chart(series: IndicatorSeries, *, chart_id: str = "indicator") -> Chart:
    """The indicator per year for each series, against the yearly targets."""
    title = _("%(indicator)s per year") % {"indicator": series.indicator.name}
    compared = any(line.compared for line in series.series) or not series.series
    return line_chart(
        chart_id=chart_id,
        title=title,
        x_labels=[str(year) for year in series.years],
        series=[(line.label, [point.value for point in line.years]) for line in series.series],
        target=[series.targets[year] for year in series.years] if compared else None,
        value_suffix=series.value_suffix,
        series_label=_("Whole / area / unit"),
    )


def deviation_chart(*, rows, title: str, category_label: str, chart_id: str) -> Chart:
    """Deviations reported, closed and open past their due date, per category (or risk)."""
    return bar_chart(
        chart_id=chart_id,
        title=title,
        categories=[capfirst(str(row.label)) for row in rows],
        series=[
            (_("Reported"), [row.reported for row in rows]),
            (_("Closed"), [row.closed for row in rows]),
            (_("Open and overdue"), [row.open_overdue for row in rows]),
        ],
        category_label=category_label,
    )
