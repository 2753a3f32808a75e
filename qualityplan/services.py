"""Writes to the plan structure: each validates, writes atomically and records who did it."""

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from .dataversion import org_changed
from .models import Goal, OrgUnit, QualityPlan, SubGoal, UserProfile
from .selectors import overlapping_active_plans


def record_action(*, user: User | None, obj: models.Model, flag: int, message: str = "") -> None:
    """Keep who did what in the admin log, where administrators already look."""
    if user is None or not user.pk:
        return
    LogEntry.objects.log_actions(
        user_id=user.pk,
        queryset=[obj],
        action_flag=flag,
        change_message=message,
        single_object=True,
    )


def _next_position(queryset: models.QuerySet) -> int:
    return (queryset.aggregate(top=Max("position"))["top"] or 0) + 1


def _save(obj: models.Model, *, user: User | None, flag: int) -> models.Model:
    obj.full_clean()
    obj.save()
    record_action(user=user, obj=obj, flag=flag)
    return obj


def siblings_of(obj: Goal | SubGoal) -> models.QuerySet:
    if isinstance(obj, Goal):
        return Goal.objects.filter(plan_id=obj.plan_id)
    if isinstance(obj, SubGoal):
        return SubGoal.objects.filter(goal_id=obj.goal_id)
    return type(obj).objects.filter(goal_id=obj.goal_id)


@transaction.atomic
def position_move(*, obj, direction: str, user: User | None) -> bool:
    """Swap `obj` with its neighbour above or below. Returns False at either end.

    Positions are unique within the parent, so the swap goes through a free
    position past the end; the database never sees two rows on one number.
    """
    siblings = siblings_of(obj).select_for_update()
    if hasattr(obj, "subgoal_id"):
        # A measure moves among the measures of its own sub-goal, as they are shown.
        siblings = siblings.filter(subgoal_id=obj.subgoal_id)
    neighbour = (
        siblings.filter(position__lt=obj.position).order_by("-position").first()
        if direction == "up"
        else siblings.filter(position__gt=obj.position).order_by("position").first()
    )
    if neighbour is None:
        return False
    mine, theirs = obj.position, neighbour.position
    parking = _next_position(siblings_of(obj))
    type(obj).objects.filter(pk=obj.pk).update(position=parking)
    type(obj).objects.filter(pk=neighbour.pk).update(position=mine)
    type(obj).objects.filter(pk=obj.pk).update(position=theirs)
    obj.position = theirs
    # The swap writes with update(), which sends no signal: the dashboards' order changed.
    org_changed()
    record_action(user=user, obj=obj, flag=CHANGE, message=f"moved {direction}")
    return True


@transaction.atomic
def position_delete(*, obj, user: User | None) -> None:
    """Delete `obj` and close the gap in its siblings' numbering."""
    siblings = siblings_of(obj)
    record_action(user=user, obj=obj, flag=DELETION)
    position = obj.position
    obj.delete()
    for sibling in siblings.filter(position__gt=position).order_by("position"):
        type(sibling).objects.filter(pk=sibling.pk).update(position=sibling.position - 1)
    org_changed()


def _plans_named(plans) -> str:
    return ", ".join(f"“{plan}”" for plan in plans)


def _overlapping_locked(plan: QualityPlan) -> list[QualityPlan]:
    """The owner's other active plans sharing a year with `plan`, read under a lock on
    the owner, so two activations for one owner cannot both pass the check."""
    OrgUnit.objects.select_for_update().filter(pk=plan.owner_id).first()
    return list(
        overlapping_active_plans(
            owner_id=plan.owner_id,
            first_year=plan.first_year,
            last_year=plan.last_year,
            exclude_pk=plan.pk,
        ).select_for_update()
    )


@transaction.atomic
def plan_save(*, plan: QualityPlan, user: User | None) -> QualityPlan:
    """Create or update a plan's own fields (title, owner, years, frequency, status).

    An owner never has two active plans whose years overlap: saving one active beside
    another is refused (`plan_activate` is the step that archives the other)."""
    if plan.status == QualityPlan.Status.ACTIVE and plan.owner_id:
        others = _overlapping_locked(plan)
        if others:
            raise ValidationError(
                _(
                    "%(plans)s of the same unit is active in the same years. A unit has one "
                    "active plan at a time: save this plan as a draft and activate it from "
                    "its page, which archives the other."
                )
                % {"plans": _plans_named(others)},
                code="overlapping_active_plan",
            )
    if plan.pk:
        outside = plan_years_in_use_outside(plan=plan)
        if outside:
            raise ValidationError(
                _("Measures run in %(years)s, outside the new period. Change those measures first.")
                % {"years": ", ".join(str(y) for y in outside)}
            )
    return _save(plan, user=user, flag=CHANGE if plan.pk else ADDITION)


def plan_years_in_use_outside(*, plan: QualityPlan) -> list[int]:
    """Years in which the plan's measures run that fall outside the plan's period."""
    years = (
        Goal.objects.filter(plan_id=plan.pk, measures__years__isnull=False)
        .exclude(measures__years__year__range=(plan.first_year, plan.last_year))
        .values_list("measures__years__year", flat=True)
    )
    return sorted({y for y in years if not plan.first_year <= y <= plan.last_year})


@transaction.atomic
def plan_activate(
    *, plan: QualityPlan, user: User | None, archive_overlapping: bool
) -> list[QualityPlan]:
    """Make a draft or archived plan the owner's active plan; returns the plans archived.

    The owner's active plans that share a year with it are archived when
    `archive_overlapping`, else the activation is refused. Activating an active plan
    again changes nothing, so a double submit is harmless."""
    plan = QualityPlan.objects.select_for_update().get(pk=plan.pk)
    others = _overlapping_locked(plan)
    if plan.status == QualityPlan.Status.ACTIVE:
        return []
    if others and not archive_overlapping:
        raise ValidationError(
            _("%(plans)s of the same unit is active in the same years; it has to be archived.")
            % {"plans": _plans_named(others)},
            code="overlapping_active_plan",
        )
    for other in others:
        other.status = QualityPlan.Status.ARCHIVED
        other.save(update_fields=["status", "updated_at"])
        record_action(
            user=user, obj=other, flag=CHANGE, message=f"archived: plan {plan.pk} activated"
        )
    plan.status = QualityPlan.Status.ACTIVE
    plan.save(update_fields=["status", "updated_at"])
    record_action(user=user, obj=plan, flag=CHANGE, message="activated")
    return others


@transaction.atomic
def plan_delete(*, plan: QualityPlan, user: User | None) -> None:
    record_action(user=user, obj=plan, flag=DELETION)
    plan.delete()


@transaction.atomic
def goal_save(*, goal: Goal, user: User | None) -> Goal:
    if not goal.pk:
        goal.position = _next_position(Goal.objects.select_for_update().filter(plan=goal.plan))
    return _save(goal, user=user, flag=CHANGE if goal.pk else ADDITION)


@transaction.atomic
def subgoal_save(*, subgoal: SubGoal, user: User | None) -> SubGoal:
    if not subgoal.pk:
        siblings = SubGoal.objects.select_for_update().filter(goal=subgoal.goal)
        subgoal.position = _next_position(siblings)
    return _save(subgoal, user=user, flag=CHANGE if subgoal.pk else ADDITION)


def user_language_set(*, user: User, language: str) -> None:
    UserProfile.objects.update_or_create(user=user, defaults={"language": language})
