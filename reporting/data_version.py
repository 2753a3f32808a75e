"""Which writes move a plan's data stamp (`qualityplan.dataversion`).

Every save or delete of a model the dashboards count calls `plan_changed` for its
plan; the stamp moves when the transaction commits. Statuses are not connected to
`pre_delete`: they go only with their measure, period, unit or plan, whose own
receivers move the stamp, and a receiver there would make Django load every row
of a cascade instead of deleting them in one statement. Bulk writes send no
signals; they call `plan_changed` themselves (`measures.periods`,
`deviations.indicators`, `qualityplan.services`). A row whose plan cannot be
found (fixtures loaded raw) moves every plan's stamp.
"""

from __future__ import annotations

from django.db.models.signals import post_save, pre_delete

from measures.models import (
    Indicator,
    IndicatorTarget,
    Measure,
    MeasureStatus,
    MeasureYear,
    ReportingPeriod,
)
from qualityplan.dataversion import org_changed, plan_changed
from qualityplan.models import Goal, OrgUnit, QualityPlan, SubGoal

# A period never moves to another plan, so its plan is remembered per process:
# a status save costs no extra query.
_period_plans: dict[int, int] = {}


def _period_plan(period_id: int) -> int | None:
    if period_id not in _period_plans:
        plan_id = (
            ReportingPeriod.objects.filter(pk=period_id).values_list("plan_id", flat=True).first()
        )
        if plan_id is None:
            return None
        _period_plans[period_id] = plan_id
    return _period_plans[period_id]


def _plan_id(instance) -> int | None:
    """The plan a row belongs to (one small query for the rarely written structure rows)."""
    if isinstance(instance, QualityPlan):
        return instance.pk
    if isinstance(instance, Goal | ReportingPeriod):
        return instance.plan_id
    if isinstance(instance, MeasureStatus):
        period = instance._state.fields_cache.get("period")
        return period.plan_id if period is not None else _period_plan(instance.period_id)
    if isinstance(instance, SubGoal | Measure):
        goals = Goal.objects.filter(pk=instance.goal_id)
    elif isinstance(instance, MeasureYear | Indicator):
        goals = Goal.objects.filter(measures__pk=instance.measure_id)
    elif isinstance(instance, IndicatorTarget):
        goals = Goal.objects.filter(measures__indicators__pk=instance.indicator_id)
    else:
        return None
    return goals.values_list("plan_id", flat=True).first()


def _changed(sender, instance, **kwargs) -> None:
    if isinstance(instance, ReportingPeriod):
        # A new period may reuse the id of one rolled back (tests, SQLite).
        _period_plans[instance.pk] = instance.plan_id
    plan_id = _plan_id(instance)
    if plan_id is None:
        org_changed()
    elif isinstance(instance, MeasureStatus):
        # A status row counts only in the scopes its unit is in.
        plan_changed(plan_id=plan_id, unit_id=instance.org_unit_id)
    else:
        plan_changed(plan_id=plan_id)


def _org_changed(sender, instance, **kwargs) -> None:
    """Units change, or rows are deleted: deletes are rare and cascade, so rather than
    look up the plan of every row a cascade collects, every plan gets a new stamp."""
    org_changed()


PLAN_MODELS = (QualityPlan, Goal, SubGoal, Measure, MeasureYear, Indicator, IndicatorTarget)


def connect() -> None:
    for model in (*PLAN_MODELS, ReportingPeriod, MeasureStatus):
        post_save.connect(_changed, sender=model, dispatch_uid=f"data-version-{model.__name__}")
    for model in (*PLAN_MODELS, ReportingPeriod):
        pre_delete.connect(
            _org_changed, sender=model, dispatch_uid=f"data-version-{model.__name__}-"
        )
    post_save.connect(_org_changed, sender=OrgUnit, dispatch_uid="data-version-OrgUnit")
    pre_delete.connect(_org_changed, sender=OrgUnit, dispatch_uid="data-version-OrgUnit-")
