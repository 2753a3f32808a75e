"""Writes to measure statuses: saves with version checks, copies from the last period."""

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import MeasureStatus

EDITABLE_FIELDS = ("status", "progress", "value_number", "value_bool", "value_text", "comment")


class StatusConflict(ValidationError):
    """The row was saved by someone else since the user loaded it."""

    def __init__(self, current: MeasureStatus) -> None:
        self.current = current
        super().__init__(
            _("Someone else saved this row while you were editing it."), code="conflict"
        )


@transaction.atomic
def measure_status_update(
    *, row: MeasureStatus, user: User, version: int, **changes
) -> MeasureStatus:
    """Save `changes` to the status `row` the user loaded at `version`.

    A stale version is a conflict (StatusConflict carries the row as it is now),
    unless the row already holds exactly these values: then it was a double
    submit, and the row is returned as it stands, saved once.
    """
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Not editable: {', '.join(sorted(unknown))}")
    current = MeasureStatus.objects.select_for_update().get(pk=row.pk)
    if current.version != version:
        if current.is_reported and _holds(current, changes):
            return current
        raise StatusConflict(current)
    if current.is_reported and _holds(current, changes):
        return current
    for name, value in changes.items():
        setattr(current, name, value)
    current.full_clean(exclude=["period", "measure", "org_unit"], validate_unique=False)
    now = timezone.now()
    current.version += 1
    current.updated_by, current.updated_at = user, now
    current.reported_at = current.reported_at or now
    current._history_user = user
    current.save()
    return current


VALUE_FIELDS = ("value_number", "value_bool", "value_text")


@transaction.atomic
def measure_status_correct_value(
    *, row: MeasureStatus, user: User, version: int, reason: str, **values
) -> MeasureStatus:
    """Correct an imported or statistical value: a new value with who, when and why.

    The status page does not let these values be typed over; this is the one path
    that changes them by hand, and its reason stays in the row's history.
    """
    unknown = set(values) - set(VALUE_FIELDS)
    if unknown:
        raise TypeError(f"Not a value: {', '.join(sorted(unknown))}")
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Say why the value is corrected."))
    current = MeasureStatus.objects.select_for_update().get(pk=row.pk)
    if current.version != version:
        if _holds(current, values):
            return current
        raise StatusConflict(current)
    if _holds(current, values):
        raise ValidationError(_("The corrected value is the same as the value already there."))
    for name, value in values.items():
        setattr(current, name, value)
    current.full_clean(exclude=["period", "measure", "org_unit"], validate_unique=False)
    current.version += 1
    current.updated_by, current.updated_at = user, timezone.now()
    current._history_user = user
    current._change_reason = reason[:100]
    current.save()
    return current


def _holds(status: MeasureStatus, changes: dict) -> bool:
    return all(getattr(status, name) == value for name, value in changes.items())


def previous_status(*, status: MeasureStatus) -> MeasureStatus | None:
    """The same measure and unit in the latest earlier period of the plan."""
    period = status.period
    return (
        MeasureStatus.objects.filter(
            measure_id=status.measure_id,
            org_unit_id=status.org_unit_id,
            period__plan_id=period.plan_id,
            reported_at__isnull=False,
        )
        .exclude(period_id=period.pk)
        .filter(period__year__lte=period.year)
        .exclude(period__year=period.year, period__number__gt=period.number)
        .order_by("-period__year", "-period__number")
        .first()
    )


def copied_values(previous: MeasureStatus) -> dict:
    """What copying from the last period carries over: a measure that was done stays done."""
    return {name: getattr(previous, name) for name in EDITABLE_FIELDS}


def measure_status_copy_previous(
    *, status: MeasureStatus, user: User, version: int
) -> MeasureStatus:
    previous = previous_status(status=status)
    if previous is None:
        raise ValidationError(_("There is no earlier report of this measure to copy from."))
    return measure_status_update(row=status, user=user, version=version, **copied_values(previous))


@transaction.atomic
def statuses_copy_previous(*, statuses: list[MeasureStatus], user: User) -> int:
    """Fill every unreported row from its last period's report. Returns how many were filled.

    Rows already reported are left as they are: copying never overwrites this
    period's work.
    """
    unreported = {s.pk: s for s in statuses if not s.is_reported}
    if not unreported:
        return 0
    period = next(iter(unreported.values())).period
    earlier = (
        MeasureStatus.objects.filter(
            period__plan_id=period.plan_id,
            reported_at__isnull=False,
            measure_id__in={s.measure_id for s in unreported.values()},
            org_unit_id__in={s.org_unit_id for s in unreported.values()},
        )
        .exclude(period_id=period.pk)
        .filter(period__year__lte=period.year)
        .exclude(period__year=period.year, period__number__gt=period.number)
        .order_by("period__year", "period__number")
    )
    latest = {(row.measure_id, row.org_unit_id): row for row in earlier}
    filled = 0
    for status in unreported.values():
        previous = latest.get((status.measure_id, status.org_unit_id))
        if previous is None:
            continue
        measure_status_update(
            row=status, user=user, version=status.version, **copied_values(previous)
        )
        filled += 1
    return filled
