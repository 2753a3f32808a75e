"""Writes to measures and their indicators."""

from decimal import Decimal

from django.contrib.admin.models import ADDITION, CHANGE
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from qualityplan.models import Role
from qualityplan.services import record_action

from .models import Indicator, IndicatorTarget, Measure, MeasureYear


@transaction.atomic
def measure_save(
    *,
    measure: Measure,
    roles: list[Role],
    years: list[int],
    indicator: dict | None,
    targets: dict[int, Decimal],
    user: User | None,
) -> Measure:
    """Create or update a measure with its roles, years and first indicator.

    `indicator` is the indicator's fields, or None (or an empty name) for no indicator.
    """
    plan = measure.goal.plan
    outside = sorted(y for y in years if not plan.first_year <= y <= plan.last_year)
    if outside:
        raise ValidationError(
            _("The plan runs %(first)s–%(last)s; %(years)s is outside it.")
            % {"first": plan.first_year, "last": plan.last_year, "years": outside[0]}
        )
    created = not measure.pk
    if created:
        top = (
            Measure.objects.select_for_update()
            .filter(goal=measure.goal)
            .aggregate(top=Max("position"))["top"]
        )
        measure.position = (top or 0) + 1
    measure.full_clean()
    measure.save()
    measure.responsible_roles.set(roles)
    _measure_years_set(measure=measure, years=years)
    _indicator_set(measure=measure, fields=indicator, targets=targets)
    record_action(user=user, obj=measure, flag=ADDITION if created else CHANGE)
    return measure


def _measure_years_set(*, measure: Measure, years: list[int]) -> None:
    wanted = set(years)
    measure.years.exclude(year__in=wanted).delete()
    existing = set(measure.years.values_list("year", flat=True))
    MeasureYear.objects.bulk_create(
        MeasureYear(measure=measure, year=year) for year in sorted(wanted - existing)
    )


def _indicator_set(*, measure: Measure, fields: dict | None, targets: dict[int, Decimal]) -> None:
    indicator = measure.indicators.order_by("id").first()
    if not fields or not fields.get("name"):
        if indicator is not None:
            indicator.delete()
        return
    if indicator is None:
        indicator = Indicator(measure=measure)
    for name, value in fields.items():
        setattr(indicator, name, value)
    indicator.full_clean()
    indicator.save()
    indicator.targets.exclude(year__in=targets).delete()
    for year, value in targets.items():
        IndicatorTarget.objects.update_or_create(
            indicator=indicator, year=year, defaults={"value": value, "text": ""}
        )
