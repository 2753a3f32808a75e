"""Deviations per reporting period, counted as the deviation statistics count them."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils import timezone

from deviations.models import Deviation
from deviations.selectors import StatRow, period_bounds
from measures.models import ReportingPeriod as Period
from measures.periods import PERIODS_PER_YEAR
from measures.periods import period_bounds as reporting_bounds
from qualityplan.access import get_access
from qualityplan.models import QualityPlan

# --- Deviations per reporting period -------------------------------------------------


def deviation_periods(*, user, plan: QualityPlan, year: int, unit_ids) -> list[StatRow]:
    """Deviations reported, closed and open past their due date in each reporting period
    of `year` (by the plan's frequency), in `unit_ids` and what the user reads; counted
    as `deviations.selectors.deviation_statistics` counts them. One query.

    Returns `deviations.selectors.StatRow`s labelled with the periods (no medians).
    """
    access = get_access(user)
    rows = Deviation.objects.filter(org_unit_id__any_of=sorted(unit_ids))
    if not access.is_superuser:
        rows = rows.filter(org_unit_id__any_of=sorted(access.read_unit_ids))
    today = timezone.localdate()
    counts, labels = {}, []
    for number in range(1, PERIODS_PER_YEAR[plan.frequency] + 1):
        start, end = reporting_bounds(frequency=plan.frequency, year=year, number=number)
        low, high = period_bounds(start, end)
        reported = Q(created_at__gte=low, created_at__lt=high)
        closed = Q(status=Deviation.Status.CLOSED, closed_at__gte=low, closed_at__lt=high)
        overdue = reported & Q(status__in=Deviation.OPEN_STATUSES, due_date__lt=today)
        counts[f"r{number}"] = Count("pk", filter=reported)
        counts[f"c{number}"] = Count("pk", filter=closed)
        counts[f"o{number}"] = Count("pk", filter=overdue)
        labels.append(
            (number, Period(year=year, number=number, starts_on=start, ends_on=end).label)
        )
    totals = rows.aggregate(**counts)
    return [
        StatRow(
            label=label,
            key=number,
            reported=totals[f"r{number}"],
            closed=totals[f"c{number}"],
            open_overdue=totals[f"o{number}"],
        )
        for number, label in labels
    ]
