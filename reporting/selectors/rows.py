"""Which status rows count for a year's (or a period's) figures; see the package's docstring."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from measures.models import MeasureStatus
from measures.models import ReportingPeriod as Period
from qualityplan.models import OrgUnit, QualityPlan

# --- Which rows count ----------------------------------------------------------------


@dataclass
class RowSelection:
    """The status rows behind a year's (or a period's) figures, as a filter."""

    q: Q
    years: list[int]
    period: Period | None
    periods: list[Period]
    # For each unit and year: the period whose rows count for it.
    period_by_unit: dict[tuple[int, int], Period]

    @property
    def is_empty(self) -> bool:
        return not self.periods

    @property
    def description(self) -> str:
        if self.period is not None:
            return _("Figures from %(period)s.") % {"period": self.period.label}
        if not self.periods:
            return _("No reporting period has been opened for this year yet.")
        return _(
            "For each unit, the figures come from the latest period of the year in which "
            "it reported; a unit that has not reported this year counts as not reported "
            "in %(period)s."
        ) % {"period": self.periods[-1].label}

    def periods_in(self, year: int) -> list[Period]:
        return [period for period in self.periods if period.year == year]


def row_selection(
    *, plan: QualityPlan, years: list[int], unit_ids, period: Period | None = None
) -> RowSelection:
    """The rows that count for `years` in `unit_ids` (see the module's docstring), or
    `period`'s rows when a period is given. Two queries."""
    unit_ids = sorted(unit_ids)
    if period is not None:
        if period.plan_id != plan.pk:
            raise ValueError("The period belongs to another plan.")
        by_unit = {(unit, period.year): period for unit in unit_ids}
        q = Q(period_id=period.pk, org_unit_id__any_of=unit_ids)
        return RowSelection(q, [period.year], period, [period], by_unit)
    periods = list(Period.objects.filter(plan=plan, year__in=years).order_by("year", "number"))
    if not periods:
        return RowSelection(Q(pk__in=[]), list(years), None, [], {})
    by_unit: dict[tuple[int, int], Period] = {}
    for unit_id, *flags in reported_in_periods(periods=periods, unit_ids=unit_ids):
        for period, flag in zip(periods, flags, strict=True):
            if flag:  # periods come in order: the last one flagged wins
                by_unit[(unit_id, period.year)] = period
    last_of_year = {p.year: p for p in periods}
    for year in last_of_year:
        for unit in unit_ids:
            by_unit.setdefault((unit, year), last_of_year[year])
    return RowSelection(_selection_q(by_unit), list(years), None, periods, by_unit)


def reported_in_periods(*, periods: list[Period], unit_ids):
    """(unit id, reported in period 1?, in period 2?, …) for each unit: one probe per unit
    and period down the (period, org unit) index, far cheaper than grouping every
    reported row of the year."""
    reported = {
        f"p{period.pk}": Exists(
            MeasureStatus.objects.filter(
                period_id=period.pk, org_unit_id=OuterRef("pk"), reported_at__isnull=False
            )
        )
        for period in periods
    }
    return (
        OrgUnit.objects.filter(pk__any_of=sorted(unit_ids))
        .annotate(**reported)
        .values_list("pk", *reported)
        .order_by()
    )


def _selection_q(by_unit: dict[tuple[int, int], Period]) -> Q:
    """One OR-clause per period: a handful, however many units."""
    units_by_period: dict[int, list[int]] = {}
    for (unit, _year), period in by_unit.items():
        units_by_period.setdefault(period.pk, []).append(unit)
    q = Q(pk__in=[])
    for period_id, units in sorted(units_by_period.items()):
        q |= Q(period_id=period_id, org_unit_id__any_of=sorted(units))
    return q
