"""Reporting periods and obligations: who reports on what, and when.

Kept apart from the structure services in `services.py`: this is the
plan's rhythm of reporting, not its shape.
"""

import calendar
from datetime import date, timedelta

from django.conf import settings
from django.contrib.admin.models import ADDITION, CHANGE
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from qualityplan.access import OrgTree
from qualityplan.dataversion import plan_changed
from qualityplan.models import Membership, QualityPlan
from qualityplan.services import record_action

from .models import Measure, MeasureStatus, ReportingPeriod

PERIODS_PER_YEAR = {
    QualityPlan.Frequency.YEARLY: 1,
    QualityPlan.Frequency.TERTIAL: 3,
    QualityPlan.Frequency.QUARTERLY: 4,
}
DEFAULT_DEADLINE_DAYS = 14


def period_bounds(*, frequency: str, year: int, number: int) -> tuple[date, date]:
    """First and last day of period `number` of `year` for a plan's frequency."""
    count = PERIODS_PER_YEAR[frequency]
    if not 1 <= number <= count:
        raise ValidationError(
            _("Reporting frequency “%(frequency)s” has periods 1 to %(count)s.")
            % {"frequency": QualityPlan.Frequency(frequency).label, "count": count}
        )
    months = 12 // count
    first_month = (number - 1) * months + 1
    last_month = first_month + months - 1
    return date(year, first_month, 1), date(
        year, last_month, calendar.monthrange(year, last_month)[1]
    )


@transaction.atomic
def period_open(
    *, plan: QualityPlan, year: int, number: int, deadline: date | None, user: User | None
) -> tuple[ReportingPeriod, int]:
    """Open a period (or find it open) and create its missing obligations.

    Returns the period and how many status rows were created. Opening twice
    creates nothing new.
    """
    if not plan.first_year <= year <= plan.last_year:
        raise ValidationError(
            _("The plan runs %(first)s–%(last)s; %(year)s is outside it.")
            % {"first": plan.first_year, "last": plan.last_year, "year": year}
        )
    starts, ends = period_bounds(frequency=plan.frequency, year=year, number=number)
    period, created = ReportingPeriod.objects.get_or_create(
        plan=plan,
        year=year,
        number=number,
        defaults={
            "starts_on": starts,
            "ends_on": ends,
            "deadline": deadline or ends + timedelta(days=DEFAULT_DEADLINE_DAYS),
        },
    )
    if created:
        record_action(user=user, obj=period, flag=ADDITION, message="opened")
    return period, obligations_refresh(period=period)


def obligation_pairs(*, period: ReportingPeriod) -> set[tuple[int, int]]:
    """(measure, org unit) for every active measure running in the period's year × every
    active org unit under the plan's owner where someone holds one of its responsible roles."""
    plan = period.plan
    units = OrgTree.load().subtree(plan.owner_id)
    measure_roles = Measure.responsible_roles.through.objects.filter(
        measure__goal__plan=plan,
        measure__is_active=True,
        measure__years__year=period.year,
    ).values_list("measure_id", "role_id")
    holders: dict[int, set[int]] = {}
    for role_id, unit_id in (
        Membership.objects.current()
        .filter(org_unit_id__in=units, org_unit__is_active=True)
        .values_list("role_id", "org_unit_id")
        .distinct()
    ):
        holders.setdefault(role_id, set()).add(unit_id)
    return {
        (measure_id, unit_id)
        for measure_id, role_id in measure_roles
        for unit_id in holders.get(role_id, ())
    }


@transaction.atomic
def obligations_refresh(*, period: ReportingPeriod) -> int:
    """Create the status rows the period lacks; never deletes one. Returns how many were made."""
    wanted = obligation_pairs(period=period)
    existing = set(period.statuses.values_list("measure_id", "org_unit_id"))
    missing = wanted - existing
    MeasureStatus.objects.bulk_create(
        [
            MeasureStatus(period=period, measure_id=measure_id, org_unit_id=unit_id)
            for measure_id, unit_id in sorted(missing)
        ],
        batch_size=2000,
        ignore_conflicts=True,
    )
    if missing:
        plan_changed(plan_id=period.plan_id)
        _run_period_hooks(period)
    return len(missing)


def _run_period_hooks(period: ReportingPeriod) -> None:
    """Apps that fill rows measures cannot know about (counted indicators) are named in
    settings, so that measures never imports them."""
    for path in settings.MEASURES_PERIOD_HOOKS:
        import_string(path)(period=period)


@transaction.atomic
def period_close(*, period: ReportingPeriod, user: User | None) -> ReportingPeriod:
    period.status = ReportingPeriod.Status.CLOSED
    period.closed_at = timezone.now()
    period.save(update_fields=["status", "closed_at"])
    record_action(user=user, obj=period, flag=CHANGE, message="closed")
    return period


@transaction.atomic
def period_reopen(*, period: ReportingPeriod, user: User | None) -> ReportingPeriod:
    period.status = ReportingPeriod.Status.OPEN
    period.closed_at = None
    period.save(update_fields=["status", "closed_at"])
    record_action(user=user, obj=period, flag=CHANGE, message="reopened")
    return period


@transaction.atomic
def period_set_deadline(*, period: ReportingPeriod, deadline: date, user: User | None) -> None:
    if deadline < period.starts_on:
        raise ValidationError(_("The deadline cannot be before the period starts."))
    period.deadline = deadline
    period.save(update_fields=["deadline"])
    record_action(user=user, obj=period, flag=CHANGE, message=f"deadline {deadline}")
