"""Reporting completeness: how much of its rows each unit has reported in a period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Max, Q

from measures.models import MeasureStatus
from measures.models import ReportingPeriod as Period
from qualityplan.models import OrgUnit

from .scope import unit_label
from .statuses import share

# --- Reporting completeness ----------------------------------------------------------


@dataclass
class UnitCompleteness:
    unit: OrgUnit
    reported: int
    total: int
    last_saved: datetime | None

    @property
    def share(self) -> Decimal | None:
        return share(self.reported, self.total)

    @property
    def is_complete(self) -> bool:
        return self.reported >= self.total

    @property
    def missing(self) -> int:
        return self.total - self.reported

    @property
    def label(self) -> str:
        return unit_label(self.unit)


def completeness(*, period: Period, unit_ids) -> list[UnitCompleteness]:
    """How much of its rows each unit has reported in `period`, and when it last saved
    one; least complete first. Two queries."""
    rows = (
        MeasureStatus.objects.filter(period=period, org_unit_id__any_of=unit_ids)
        .values("org_unit_id")
        .annotate(
            total=Count("pk"),
            reported=Count("pk", filter=Q(reported_at__isnull=False)),
            last_saved=Max("updated_at"),
        )
        .order_by()
    )
    figures = {row["org_unit_id"]: row for row in rows}
    units = OrgUnit.objects.filter(pk__in=figures).select_related("parent")
    result = [
        UnitCompleteness(
            unit=unit,
            reported=figures[unit.pk]["reported"],
            total=figures[unit.pk]["total"],
            last_saved=figures[unit.pk]["last_saved"],
        )
        for unit in units
    ]
    return sorted(result, key=lambda line: (line.reported / line.total, line.label))
