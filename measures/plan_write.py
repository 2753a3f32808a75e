"""Creating a quality plan from a parsed plan table (`measures.plan_import`).

The plan is a draft: making it the unit's active plan is the office's own step
(`qualityplan.services.plan_activate`).
"""

from __future__ import annotations

import logging

from django.contrib.admin.models import ADDITION
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from qualityplan.models import Goal, OrgUnit, QualityPlan, Role, SubGoal
from qualityplan.services import plan_activate, record_action

from .models import Indicator, Measure, MeasureYear
from .plan_table import ParsedGoal, ParsedMeasure, PlanImportError, PlanTable, _clean

logger = logging.getLogger(__name__)


def _full_save(obj):
    obj.full_clean()
    obj.save()
    return obj


def _roles_ensure(table: PlanTable) -> dict[str, Role]:
    """The roles the table uses; missing ones are created, existing ones left as they are."""
    found = {
        role.code: role for role in Role.objects.filter(code__in=[r.code for r in table.roles])
    }
    for parsed in table.roles:
        if parsed.code not in found:
            found[parsed.code] = _full_save(Role(code=parsed.code, name=parsed.name[:200]))
    return found


def _measure_create(
    *, goal: Goal, subgoal: SubGoal | None, position: int, parsed: ParsedMeasure, roles: dict
) -> Measure:
    measure = _full_save(
        Measure(
            goal=goal,
            subgoal=subgoal,
            position=position,
            title=parsed.title,
            is_continuous=parsed.is_continuous,
            start_date=parsed.start_date,
            end_date=parsed.end_date,
        )
    )
    measure.responsible_roles.set([roles[code] for code in parsed.responsible_codes])
    for year in parsed.years:
        _full_save(MeasureYear(measure=measure, year=year))
    if parsed.indicator:
        _full_save(Indicator(measure=measure, name=parsed.indicator, kind=parsed.indicator_kind))
    return measure


def _goal_create(*, plan: QualityPlan, position: int, parsed: ParsedGoal, roles: dict) -> Goal:
    goal = _full_save(Goal(plan=plan, position=position, title=parsed.title))
    measure_position = 0
    for measure in parsed.measures_without_subgoal:
        measure_position += 1
        _measure_create(
            goal=goal, subgoal=None, position=measure_position, parsed=measure, roles=roles
        )
    for subgoal_position, parsed_subgoal in enumerate(parsed.subgoals, start=1):
        subgoal = _full_save(
            SubGoal(goal=goal, position=subgoal_position, title=parsed_subgoal.title)
        )
        for measure in parsed_subgoal.measures:
            measure_position += 1
            _measure_create(
                goal=goal, subgoal=subgoal, position=measure_position, parsed=measure, roles=roles
            )
    return goal


def _plan_write(*, table: PlanTable, plan: QualityPlan, user) -> QualityPlan:
    roles = _roles_ensure(table)
    plan = _full_save(plan)
    for position, parsed in enumerate(table.goals, start=1):
        _goal_create(plan=plan, position=position, parsed=parsed, roles=roles)
    record_action(user=user, obj=plan, flag=ADDITION, message=_("Imported from a plan table."))
    return plan


def plan_import_apply(
    *,
    table: PlanTable,
    owner: OrgUnit,
    title: str,
    user=None,
    frequency: str = QualityPlan.Frequency.TERTIAL,
    status: str = QualityPlan.Status.DRAFT,
) -> QualityPlan:
    """Create the plan, its goals, sub-goals, measures, years, indicators and missing roles.

    An imported plan is a draft: making it the unit's active plan is the office's own
    step (`plan_activate`). Asked to import it active, the import is refused when the
    owner already has an active plan in the same years."""
    if not table.goals:
        raise PlanImportError(_("The table has no goals to import."), code="no_goals")
    plan = QualityPlan(
        title=_clean(title),
        owner=owner,
        first_year=min(table.years),
        last_year=max(table.years),
        frequency=frequency,
        status=QualityPlan.Status.DRAFT if status == QualityPlan.Status.ACTIVE else status,
    )
    try:
        with transaction.atomic():
            plan = _plan_write(table=table, plan=plan, user=user)
            if status == QualityPlan.Status.ACTIVE:
                plan_activate(plan=plan, user=user, archive_overlapping=False)
                plan.refresh_from_db()
    except ValidationError as error:
        if isinstance(error, PlanImportError):
            raise
        reason = " ".join(error.messages)
        raise PlanImportError(
            _("The plan could not be saved: %(reason)s") % {"reason": reason}, code="invalid"
        ) from error
    logger.info("Plan %s imported by user %s", plan.pk, getattr(user, "pk", None))
    return plan
