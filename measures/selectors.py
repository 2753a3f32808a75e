"""Reads of the plan structure, joined once for a whole page."""

from dataclasses import dataclass, field

from django.db.models import Prefetch

from qualityplan.models import Goal, QualityPlan, SubGoal

from .models import Indicator, Measure


@dataclass
class SubGoalBlock:
    subgoal: SubGoal | None
    number: str
    measures: list[Measure] = field(default_factory=list)
    first: bool = False
    last: bool = False


@dataclass
class GoalBlock:
    goal: Goal
    blocks: list[SubGoalBlock]

    @property
    def measure_count(self) -> int:
        return sum(len(block.measures) for block in self.blocks)


def measures_with_details():
    """Measures with roles, years and indicators (with targets) prefetched."""
    return Measure.objects.prefetch_related(
        "responsible_roles",
        "years",
        Prefetch("indicators", queryset=Indicator.objects.prefetch_related("targets")),
    )


def plan_structure(*, plan: QualityPlan) -> list[GoalBlock]:
    """Goals → sub-goals → measures, numbered as in the plan table, in seven queries."""
    goals = plan.goals.prefetch_related(
        "subgoals",
        Prefetch("measures", queryset=measures_with_details().order_by("position")),
    ).order_by("position")
    structure = []
    for goal in goals:
        by_subgoal: dict[int | None, list[Measure]] = {}
        for measure in goal.measures.all():
            _annotate_for_table(measure, plan.years)
            by_subgoal.setdefault(measure.subgoal_id, []).append(measure)
        blocks = [SubGoalBlock(None, str(goal.position), by_subgoal.get(None, []))]
        blocks += [
            SubGoalBlock(sub, f"{goal.position}.{sub.position}", by_subgoal.get(sub.pk, []))
            for sub in goal.subgoals.all()
        ]
        if len(blocks) > 1:
            blocks[1].first, blocks[-1].last = True, True
        structure.append(GoalBlock(goal, blocks))
    return structure


def _annotate_for_table(measure: Measure, plan_years: list[int]) -> None:
    """Attach what the plan table shows, from the prefetched relations."""
    running = {row.year for row in measure.years.all()}
    measure.year_marks = [(year, year in running) for year in plan_years]
    measure.roles = sorted(measure.responsible_roles.all(), key=lambda role: role.code)
    measure.indicator = next(iter(measure.indicators.all()), None)


def measure_with_details(*, pk: int) -> Measure:
    return measures_with_details().select_related("goal__plan__owner", "subgoal").get(pk=pk)
