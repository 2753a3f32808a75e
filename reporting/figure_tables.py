"""The tables of figures behind the dashboards and their charts: plain rows and typed
columns (`ChartTable`, `Column`), and the functions that build each page's tables.

Not django-tables2: each table here is drawn by `reporting/_dash_table.html` and
written by `exports.py` from the same rows, so a download holds exactly what the
page shows; a chart carries its numbers as one of these tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from qualityplan.formatting import format_number, format_percent

from .selectors import (
    LIGHTS,
    STATUS_KEYS,
    IndicatorSeries,
    PlanRollup,
    StatusMatrix,
    UnitCompleteness,
    UnitRollup,
    light_label,
    status_label,
)

# --- The numbers behind a chart ------------------------------------------------------


@dataclass
class Column:
    """A table column: its header and how its values are shown and exported.

    kind: "text", "int", "decimal", "percent" (0–100), "date", "datetime", "bool" (yes/no)
    or "light" (a traffic-light key, shown as its name).
    decimals: fixed decimals for "decimal"; None shows up to two, dropping zeros.
    """

    label: str
    kind: str = "text"
    decimals: int | None = None

    def __str__(self) -> str:
        return str(self.label)

    @property
    def is_number(self) -> bool:
        return self.kind in ("int", "decimal", "percent")


@dataclass
class ChartTable:
    columns: list[Column]
    rows: list[list]
    caption: str = ""
    name: str = ""  # the table's name in export links (?table=…)

    def formatted_rows(self) -> list[list[str]]:
        return [
            [format_value(value, column) for value, column in zip(row, self.columns, strict=False)]
            for row in self.rows
        ]

    def display_rows(self) -> list[list[DisplayCell]]:
        """The rows as the page draws them: text, and whether a cell is a number or a light."""
        return [
            [
                DisplayCell(
                    format_value(value, column),
                    column.is_number,
                    value if column.kind == "light" else "",
                )
                for value, column in zip(row, self.columns, strict=False)
            ]
            for row in self.rows
        ]


@dataclass
class DisplayCell:
    text: str
    numeric: bool = False
    light: str = ""


def format_value(value, column: Column | None = None) -> str:
    """A value as the page shows it, in the active language: 1 234,5 and 12,5 % in nb."""
    kind = column.kind if column else "text"
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if kind == "light":
        return light_label(value)
    if kind == "percent":
        return format_percent(value)
    if kind == "int":
        return formats.number_format(value, 0, use_l10n=True, force_grouping=True)
    if kind == "decimal":
        return format_number(value, column.decimals)
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


def _status_columns() -> list[Column]:
    return [Column(status_label(key), "int") for key in STATUS_KEYS]


def goals_table(rollup: PlanRollup) -> ChartTable:
    columns = [
        Column(_("Goal")),
        Column(_("Light"), "light"),
        *_status_columns(),
        Column(_("Rows"), "int"),
        Column(_("Reported (%)"), "percent"),
        Column(_("Mean progress (%)"), "percent"),
        *[
            Column(_("Measures: %(light)s") % {"light": light_label(li).lower()}, "int")
            for li in LIGHTS
        ],
    ]
    rows = [
        [
            f"{goal.goal.position}. {goal.goal.title}",
            goal.light,
            *[goal.status_counts[key] for key in STATUS_KEYS],
            goal.total,
            goal.reported_share,
            goal.mean_progress,
            *[goal.lights[light] for light in LIGHTS],
        ]
        for goal in rollup.goals
    ]
    caption = _("Goals in %(year)s") % {"year": rollup.year}
    return ChartTable(columns, rows, caption=caption, name="goals")


def measures_table(rollup: PlanRollup) -> ChartTable:
    columns = [
        Column(_("Goal")),
        Column(_("Measure")),
        Column(_("Indicator")),
        Column(_("Light"), "light"),
        *_status_columns(),
        Column(_("Rows"), "int"),
        Column(_("Reported (%)"), "percent"),
        Column(_("Mean progress (%)"), "percent"),
        Column(_("Value"), "decimal"),
        Column(_("Target"), "decimal"),
        Column(_("Target met"), "bool"),
    ]
    rows = []
    for goal in rollup.goals:
        for measure in goal.measures:
            rows.append(
                [
                    str(goal.goal.position),
                    measure.measure.title,
                    measure.indicator.name if measure.indicator else "",
                    measure.light,
                    *[measure.status_counts[key] for key in STATUS_KEYS],
                    measure.total,
                    measure.reported_share,
                    measure.mean_progress,
                    measure.value,
                    measure.target,
                    measure.target_met,
                ]
            )
    caption = _("Measures in %(year)s") % {"year": rollup.year}
    return ChartTable(columns, rows, caption=caption, name="measures")


def units_table(units: list[UnitRollup], caption: str) -> ChartTable:
    columns = [
        Column(_("Unit")),
        *_status_columns(),
        Column(_("Rows"), "int"),
        Column(_("Reported (%)"), "percent"),
        Column(_("Mean progress (%)"), "percent"),
    ]
    rows = [
        [
            _("%(unit)s (its own rows)") % {"unit": line.unit.name}
            if line.own_rows
            else line.unit.name,
            *[line.status_counts[key] for key in STATUS_KEYS],
            line.total,
            line.reported_share,
            line.mean_progress,
        ]
        for line in units
    ]
    return ChartTable(columns, rows, caption=caption, name="units")


def years_table(rollups: list[PlanRollup]) -> ChartTable:
    """Each goal over the years: light, share reported and mean progress per year."""
    columns = [Column(_("Goal"))]
    for rollup in rollups:
        values = {"year": rollup.year}
        columns += [
            Column(_("%(year)s: light") % values, "light"),
            Column(_("%(year)s: reported (%%)") % values, "percent"),
            Column(_("%(year)s: mean progress (%%)") % values, "decimal", 1),
        ]
    rows = []
    for index, goal in enumerate(rollups[-1].goals if rollups else []):
        row = [f"{goal.goal.position}. {goal.goal.title}"]
        for rollup in rollups:
            same = rollup.goals[index]
            row += [same.light, same.reported_share, same.mean_progress]
        rows.append(row)
    caption = _("Goals over the years")
    return ChartTable(columns, rows, caption=caption, name="years")


def completeness_table(lines: list[UnitCompleteness], caption: str) -> ChartTable:
    columns = [
        Column(_("Unit")),
        Column(_("Area")),
        Column(_("Reported"), "int"),
        Column(_("Rows"), "int"),
        Column(_("Reported (%)"), "percent"),
        Column(_("Not reported"), "int"),
        Column(_("Last saved"), "datetime"),
    ]
    rows = [
        [
            line.label,
            _area_name(line),
            line.reported,
            line.total,
            line.share,
            line.missing,
            line.last_saved,
        ]
        for line in lines
    ]
    return ChartTable(columns, rows, caption=caption, name="completeness")


def _area_name(line: UnitCompleteness) -> str:
    unit = line.unit
    if unit.kind == unit.Kind.SECTION and unit.parent_id:
        unit = unit.parent
    parent = unit.parent if unit.parent_id else None
    if parent is None or unit.kind == unit.Kind.SECTION:
        return ""
    return parent.name if parent.kind == parent.Kind.AREA else ""


def matrix_table(matrix: StatusMatrix, *, with_rows: bool = True) -> ChartTable:
    """The matrix as a table for the downloads. The page itself draws the matrix and
    needs only the table's name and caption: `with_rows=False` spares it the rows
    (tens of thousands of cells for a whole department)."""
    columns = [Column(_("Goal")), Column(_("Measure"))]
    columns += [Column(column.label) for column in matrix.columns]
    rows = []
    for goal in matrix.goals if with_rows else []:
        for row in goal.rows:
            rows.append(
                [str(goal.goal.position), row.measure.title]
                + [status_label(cell.status) if cell.status else "" for cell in row.cells]
            )
    return ChartTable(columns, rows, caption=_("Status per measure and unit"), name="matrix")


def indicator_years_table(series: IndicatorSeries) -> ChartTable:
    return _indicator_table(series, per_period=False)


def indicator_periods_table(series: IndicatorSeries) -> ChartTable:
    return _indicator_table(series, per_period=True)


def _indicator_table(series: IndicatorSeries, *, per_period: bool) -> ChartTable:
    """Long form: one row per series and year (or period), with the target beside it."""
    columns = [
        Column(_("Whole / area / unit")),
        Column(_("Period") if per_period else _("Year")),
        Column(_("Value"), "decimal"),
        Column(_("Units with a value"), "int"),
        Column(_("Target"), "decimal"),
        Column(_("Target met"), "bool"),
    ]
    rows = []
    for line in series.series:
        for point in line.periods if per_period else line.years:
            rows.append(
                [line.label, point.label, point.value, point.valued, point.target, point.target_met]
            )
    caption = _("Values per period") if per_period else _("Values per year")
    return ChartTable(columns, rows, caption=caption, name="periods" if per_period else "years")


def deviation_table(rows, caption: str, label: str, name: str) -> ChartTable:
    """Deviations reported, closed and open past their due date (`deviations.StatRow`s)."""
    columns = [
        Column(label),
        Column(_("Reported"), "int"),
        Column(_("Closed"), "int"),
        Column(_("Open and overdue"), "int"),
    ]
    data = [[str(row.label), row.reported, row.closed, row.open_overdue] for row in rows]
    return ChartTable(columns, data, caption=caption, name=name)
