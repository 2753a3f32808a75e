"""Indicators that count themselves: deviations reported or closed, quality council meetings held.

A status row whose measure's indicator has a counted source carries the count
for its org unit (with everything below it) and its period. The counts are
written here, in the deviations app, because measures must not depend on it:
when a deviation or meeting changes, its unit's open periods are refreshed, and
when a period is opened measures calls the hook named in settings.
"""

from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction

from measures.models import Indicator, MeasureStatus, ReportingPeriod
from qualityplan.access import OrgTree
from qualityplan.dataversion import plan_changed

from .selectors import indicator_counts

COUNTED_SOURCES = (
    Indicator.Source.DEVIATIONS_REPORTED,
    Indicator.Source.DEVIATIONS_CLOSED,
    Indicator.Source.MEETINGS_HELD,
)


def _first_indicator_sources(measure_ids: set[int]) -> dict[int, str]:
    """A status row holds the value of its measure's first indicator."""
    sources: dict[int, str] = {}
    rows = Indicator.objects.filter(measure_id__in=measure_ids).order_by("measure_id", "id")
    for measure_id, source in rows.values_list("measure_id", "source"):
        sources.setdefault(measure_id, source)
    return sources


def counted_values_refresh(
    *, period: ReportingPeriod, unit_ids: Iterable[int] | None = None
) -> int:
    """Write the counts into the period's counted rows. Returns how many rows changed."""
    rows = MeasureStatus.objects.filter(
        period=period, measure__indicators__source__in=COUNTED_SOURCES
    ).distinct()
    if unit_ids is not None:
        rows = rows.filter(org_unit_id__in=list(unit_ids))
    rows = list(rows.only("pk", "measure_id", "org_unit_id", "value_number"))
    sources = _first_indicator_sources({row.measure_id for row in rows})
    by_source: dict[str, list[MeasureStatus]] = defaultdict(list)
    for row in rows:
        if sources.get(row.measure_id) in COUNTED_SOURCES:
            by_source[sources[row.measure_id]].append(row)
    changed = []
    for source, source_rows in by_source.items():
        counts = indicator_counts(
            source=source,
            org_unit_ids=sorted({row.org_unit_id for row in source_rows}),
            start=period.starts_on,
            end=period.ends_on,
        )
        for row in source_rows:
            if row.value_number != counts.get(row.org_unit_id, 0):
                row.value_number = counts.get(row.org_unit_id, 0)
                changed.append(row)
    MeasureStatus.objects.bulk_update(changed, ["value_number"], batch_size=1000)
    if changed:
        plan_changed(plan_id=period.plan_id)
    return len(changed)


def counted_values_refresh_for_unit(*, org_unit_id: int) -> int:
    """After a deviation or meeting of a unit changed: refresh the open periods' rows of
    the unit and the units above it, whose counts include it."""
    tree = OrgTree.load()
    units, current = [], org_unit_id
    while current is not None:
        units.append(current)
        current = tree.parent.get(current)
    open_periods = ReportingPeriod.objects.filter(status=ReportingPeriod.Status.OPEN)
    return sum(counted_values_refresh(period=period, unit_ids=units) for period in open_periods)


def refresh_on_commit(org_unit_id: int) -> None:
    transaction.on_commit(lambda: counted_values_refresh_for_unit(org_unit_id=org_unit_id))


def refresh_open_periods() -> int:
    """Every open period, all rows: for the nightly job (a day has turned, a unit moved)."""
    periods = ReportingPeriod.objects.filter(status=ReportingPeriod.Status.OPEN)
    return sum(counted_values_refresh(period=period) for period in periods)


def counted_values_refresh_plan(*, plan) -> int:
    """Every period of a plan, open or closed: after loading data in bulk (the demo)."""
    return sum(counted_values_refresh(period=period) for period in plan.periods.all())
