"""Municipality numbers across mergers and county reforms.

A municipality keeps its figures when its number changes (Porsgrunn: 0805 until
2019, 3806 in 2020–2023, 4001 from 2024): a series asked for under today's
number reads each year under the number valid that year. Where several
municipalities merged into one, the years before the merger belong to none of
them alone, and the series leaves them out rather than show one part as the whole.
"""

from __future__ import annotations

from .jsonstat import normalise_region
from .models import RegionChange


def region_lineage(
    *, code: str, changes: list[RegionChange] | None = None
) -> list[tuple[str, int]]:
    """[(code, first year it was valid in), ...], newest first; the oldest with year 0."""
    if changes is None:
        changes = list(RegionChange.objects.all())
    into: dict[str, list[RegionChange]] = {}
    for change in changes:
        into.setdefault(normalise_region(change.new_code), []).append(change)
    lineage: list[tuple[str, int]] = []
    current, seen = normalise_region(code), set()
    while current not in seen:
        seen.add(current)
        before = into.get(current, [])
        if len(before) != 1:
            # The first number of all, or a merger of several: nothing before it.
            lineage.append((current, before[0].year if before else 0))
            break
        lineage.append((current, before[0].year))
        current = normalise_region(before[0].old_code)
    return lineage


def code_in_year(lineage: list[tuple[str, int]], year: int) -> str | None:
    """The number the region had in `year`, or None before a merger of several."""
    for code, since in lineage:
        if year >= since:
            return code
    return None
