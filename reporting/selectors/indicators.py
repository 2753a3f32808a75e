"""Indicators over time: an indicator's value per year and period, for the whole, per area or
per unit, against the yearly targets."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from measures.models import Indicator, MeasureStatus
from measures.models import ReportingPeriod as Period
from qualityplan.access import OrgTree
from qualityplan.models import OrgUnit
from reporting.lights import target_met

from .rollup import Figures, _compares_in_part, status_figures
from .rows import RowSelection, row_selection

# --- Indicators over time ------------------------------------------------------------

BY_DEPARTMENT, BY_AREA, BY_UNIT = "department", "area", "unit"
BY_CHOICES = [BY_DEPARTMENT, BY_AREA, BY_UNIT]


@dataclass
class SeriesPoint:
    key: object  # a year, or a period's pk
    label: str
    value: Decimal | None
    valued: int  # how many units gave a value
    target: Decimal | None
    target_met: bool | None


@dataclass
class Series:
    key: int | None
    label: str
    years: list[SeriesPoint]
    periods: list[SeriesPoint]
    compared: bool  # whether the series is held against the (department's) targets


@dataclass
class IndicatorSeries:
    indicator: Indicator
    by: str
    years: list[int]
    periods: list[Period]
    targets: dict[int, Decimal | None]
    series: list[Series]
    selection: RowSelection

    @property
    def value_suffix(self) -> str:
        kinds = (Indicator.Kind.PERCENTAGE, Indicator.Kind.YES_NO)
        return "%" if self.indicator.kind in kinds else ""


def indicator_series(
    *, indicator: Indicator, unit_ids, years: list[int], by: str = BY_DEPARTMENT
) -> IndicatorSeries:
    """The indicator's value per year and per period, for the whole scope
    (`by="department"`), per area or per unit, against the yearly targets.

    The yearly value uses the same rows as `plan_rollup` for that year, so the
    department's yearly values equal the dashboard's. Per period, each period's own rows.
    Targets are set for the whole; a sum is held against them only for the whole scope,
    an average (or a share) for every series, as in `plan_rollup`. Seven queries.
    """
    if by not in BY_CHOICES:
        raise ValueError(f"by must be one of {BY_CHOICES}")
    plan = indicator.measure.goal.plan
    selection = row_selection(plan=plan, years=years, unit_ids=unit_ids)
    rows = MeasureStatus.objects.filter(measure_id=indicator.measure_id)
    per_year = (
        rows.filter(selection.q)
        .values("org_unit_id", "period__year")
        .annotate(**status_figures())
        .order_by()
    )
    per_period = (
        rows.filter(period__in=selection.periods, org_unit_id__any_of=sorted(unit_ids))
        .values("org_unit_id", "period_id")
        .annotate(**status_figures())
        .order_by()
    )
    targets = dict(
        indicator.targets.filter(year__in=years, value__isnull=False).values_list("year", "value")
    )
    group_of, labels = _groups(by=by, unit_ids=unit_ids)
    years_fig: dict[tuple[int, int], Figures] = {}
    for row in per_year:
        key = (group_of(row["org_unit_id"]), row["period__year"])
        years_fig[key] = years_fig.get(key, Figures()) + Figures.of(row)
    periods_fig: dict[tuple[int, int], Figures] = {}
    for row in per_period:
        key = (group_of(row["org_unit_id"]), row["period_id"])
        periods_fig[key] = periods_fig.get(key, Figures()) + Figures.of(row)
    is_whole = OrgTree.load().subtree(plan.owner_id) <= set(unit_ids)
    compared = (by == BY_DEPARTMENT and is_whole) or _compares_in_part(indicator)
    groups = sorted({group for group, _k in years_fig} | {g for g, _k in periods_fig})
    series = []
    for group in sorted(groups, key=lambda g: labels.get(g, "")):
        series.append(
            Series(
                key=group,
                label=labels.get(group, ""),
                years=[
                    _point(
                        indicator,
                        year,
                        str(year),
                        years_fig.get((group, year)),
                        targets.get(year),
                        compared,
                    )
                    for year in years
                ],
                periods=[
                    _point(
                        indicator,
                        p.pk,
                        p.label,
                        periods_fig.get((group, p.pk)),
                        targets.get(p.year),
                        compared,
                    )
                    for p in selection.periods
                ],
                compared=compared,
            )
        )
    return IndicatorSeries(
        indicator=indicator,
        by=by,
        years=list(years),
        periods=selection.periods,
        targets={year: targets.get(year) for year in years},
        series=series,
        selection=selection,
    )


def _point(indicator, key, label, figures: Figures | None, target, compared) -> SeriesPoint:
    figures = figures or Figures()
    value = figures.value(indicator)
    valued = figures.bool_n if indicator.kind == Indicator.Kind.YES_NO else figures.value_n
    met = (
        target_met(direction=indicator.direction, value=value, target=target) if compared else None
    )
    return SeriesPoint(key, label, value, valued, target if compared else None, met)


def _groups(*, by: str, unit_ids):
    """A function from unit id to its group, and the groups' labels. One query."""
    units = {
        unit.pk: unit
        for unit in OrgUnit.objects.filter(pk__in=unit_ids).only("pk", "name", "kind", "parent")
    }
    tree_parent = {pk: unit.parent_id for pk, unit in units.items()}
    if by == BY_DEPARTMENT:
        tops = [pk for pk, parent in tree_parent.items() if parent not in units]
        top = tops[0] if len(tops) == 1 else None
        label = units[top].name if top is not None else _("All units")
        return (lambda _unit: top), {top: label}
    wanted = OrgUnit.Kind.AREA if by == BY_AREA else OrgUnit.Kind.UNIT
    memo: dict[int, int] = {}

    def group_of(unit_id: int) -> int:
        if unit_id not in memo:
            current = unit_id
            while current in units and units[current].kind != wanted:
                current = tree_parent.get(current)
            memo[unit_id] = current if current in units else unit_id
        return memo[unit_id]

    labels = {pk: unit.name for pk, unit in units.items()}
    return group_of, labels
