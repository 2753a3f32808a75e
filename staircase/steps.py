"""The step reached in an area, worked out in this one place.

The step reached is the highest step whose criteria are all met, with every
criterion on every lower step met too. A step the framework gives no criteria
neither blocks the climb nor counts as reached by itself. `step_explained` says
why, step by step, so the page can show the reason beside the number.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .models import STEPS


@dataclass
class StepLine:
    step: int
    total: int
    met: int
    # Criteria (ids) on this step not met.
    missing: list[int] = field(default_factory=list)
    reached: bool = False
    blocked_below: bool = False

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.met == self.total


@dataclass
class StepExplanation:
    reached: int
    lines: list[StepLine]

    @property
    def stopped_at(self) -> StepLine | None:
        """The first step with a criterion not met: what stands between the unit and the next."""
        return next((line for line in self.lines if line.total and not line.complete), None)


def step_explained(*, criteria: Iterable[tuple[int, int]], met: Iterable[int]) -> StepExplanation:
    """`criteria` are (criterion id, step) of one area; `met` the ids the unit has met."""
    met = set(met)
    by_step: dict[int, list[int]] = {step: [] for step in STEPS}
    for criterion_id, step in criteria:
        by_step[step].append(criterion_id)
    lines, reached, climbing = [], 0, True
    for step in STEPS:
        ids = by_step[step]
        line = StepLine(
            step=step,
            total=len(ids),
            met=sum(1 for i in ids if i in met),
            missing=[i for i in ids if i not in met],
            blocked_below=not climbing,
        )
        if climbing and ids:
            if line.complete:
                reached, line.reached = step, True
            else:
                climbing = False
        lines.append(line)
    return StepExplanation(reached=reached, lines=lines)


def step_reached(*, criteria: Iterable[tuple[int, int]], met: Iterable[int]) -> int:
    return step_explained(criteria=criteria, met=met).reached
