"""The improvement plan per area: the staircase and the quality plan as one loop.

From an area below the framework's required step the unit creates a measure in the
quality plan (through `measures.services`) or links one that exists. A new measure
runs in the assessment's year and the next (inside the plan's years) and gets the
responsible role the unit chooses; the open reporting periods of those years get
its status rows at once, so it is followed up on the status page like any measure.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from measures.models import Measure, MeasureStatus, ReportingPeriod
from measures.periods import obligations_refresh
from measures.services import measure_save
from qualityplan.access import OrgTree
from qualityplan.models import Goal, QualityPlan, Role

from .models import AreaAssessment, AreaMeasure, AreaReview, QualityArea, SelfAssessment


def plans_for_unit(*, unit_id: int) -> list[QualityPlan]:
    """Active plans owned by the unit or an org unit above it."""
    tree = OrgTree.load()
    chain, current = [], unit_id
    while current is not None and current not in chain:
        chain.append(current)
        current = tree.parent.get(current)
    return list(
        QualityPlan.objects.filter(owner_id__in=chain, status=QualityPlan.Status.ACTIVE).order_by(
            "-first_year", "title"
        )
    )


@dataclass
class LinkedMeasure:
    link: AreaMeasure
    status: MeasureStatus | None


@dataclass
class AreaPlan:
    area: QualityArea
    self_step: int
    review_step: int | None
    measures: list[LinkedMeasure] = field(default_factory=list)

    @property
    def step(self) -> int:
        return self.review_step if self.review_step is not None else self.self_step


def improvement_plan(*, assessment: SelfAssessment, required: int) -> list[AreaPlan]:
    """Every area with its steps and linked measures, with each measure's latest status
    for the unit (five queries)."""
    rows = AreaAssessment.objects.filter(assessment=assessment).select_related("area")
    reviewed = dict(
        AreaReview.objects.filter(
            review__round_id=assessment.round_id,
            review__org_unit_id=assessment.org_unit_id,
            review__status="completed",
        ).values_list("area_id", "step")
    )
    links = list(
        AreaMeasure.objects.filter(
            org_unit_id=assessment.org_unit_id, area__version_id=assessment.framework_version_id
        ).select_related("measure__goal__plan")
    )
    latest: dict[int, MeasureStatus] = {}
    statuses = (
        MeasureStatus.objects.filter(
            measure_id__in=[link.measure_id for link in links],
            org_unit_id=assessment.org_unit_id,
        )
        .select_related("period")
        .order_by("period__year", "period__number")
    )
    for status in statuses:
        latest[status.measure_id] = status
    plans = []
    for row in sorted(rows, key=lambda r: r.area.position):
        plan = AreaPlan(
            area=row.area, self_step=row.step_reached, review_step=reviewed.get(row.area_id)
        )
        plan.measures = [
            LinkedMeasure(link=link, status=latest.get(link.measure_id))
            for link in links
            if link.area_id == row.area_id
        ]
        plans.append(plan)
    return plans


def _check_area(assessment: SelfAssessment, area: QualityArea) -> None:
    if area.version_id != assessment.framework_version_id:
        raise ValidationError(_("The area does not belong to this self-assessment's framework."))


def _link(
    assessment: SelfAssessment, area: QualityArea, measure: Measure, user: User
) -> AreaMeasure:
    try:
        with transaction.atomic():
            link, _created = AreaMeasure.objects.get_or_create(
                org_unit_id=assessment.org_unit_id,
                area=area,
                measure=measure,
                defaults={"year": assessment.year, "created_by": user},
            )
    except IntegrityError:
        link = AreaMeasure.objects.get(
            org_unit_id=assessment.org_unit_id, area=area, measure=measure
        )
    return link


def area_measure_link(
    *, assessment: SelfAssessment, area: QualityArea, measure: Measure, user: User
) -> AreaMeasure:
    """Link a measure of one of the unit's plans to the area; linking twice is harmless."""
    _check_area(assessment, area)
    plan_ids = {plan.pk for plan in plans_for_unit(unit_id=assessment.org_unit_id)}
    if measure.goal.plan_id not in plan_ids:
        raise ValidationError(_("The measure belongs to a plan the unit does not follow."))
    return _link(assessment, area, measure, user)


@transaction.atomic
def area_measure_create(
    *,
    assessment: SelfAssessment,
    area: QualityArea,
    goal: Goal,
    title: str,
    role: Role,
    user: User,
) -> AreaMeasure:
    """Create a measure in the plan for the area and link it; status rows follow at once."""
    _check_area(assessment, area)
    plan = goal.plan
    if plan.pk not in {p.pk for p in plans_for_unit(unit_id=assessment.org_unit_id)}:
        raise ValidationError(_("The goal belongs to a plan the unit does not follow."))
    years = [
        y for y in (assessment.year, assessment.year + 1) if plan.first_year <= y <= plan.last_year
    ]
    if not years:
        raise ValidationError(
            _("The plan runs %(first)s–%(last)s; choose a goal of a plan that runs in %(year)s.")
            % {"first": plan.first_year, "last": plan.last_year, "year": assessment.year}
        )
    duplicate = AreaMeasure.objects.filter(
        org_unit_id=assessment.org_unit_id, area=area, measure__title=title, measure__goal=goal
    ).first()
    if duplicate is not None:
        return duplicate  # a double submit of the same measure
    measure = measure_save(
        measure=Measure(goal=goal, title=title),
        roles=[role],
        years=years,
        indicator=None,
        targets={},
        user=user,
    )
    link = _link(assessment, area, measure, user)
    for period in ReportingPeriod.objects.filter(
        plan=plan, year__in=years, status=ReportingPeriod.Status.OPEN
    ):
        obligations_refresh(period=period)
    return link
