"""The traffic light: one rule, one place.

A measure's light follows from how its units reported (`measure_light`), a goal's from its
measures' (`goal_light`); `traffic_light_rule` says the same in words, written from the
same thresholds, for the dashboard and the annual report.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from measures.models import Indicator, MeasureStatus

Status = MeasureStatus.Status


GREEN, YELLOW, RED, GREY = "green", "yellow", "red", "grey"
LIGHTS = [GREEN, YELLOW, RED, GREY]
# The traffic-light thresholds, in per cent. The rule's text is written from these numbers.
RED_DELAYED_SHARE = 25
YELLOW_REPORTED_SHARE = 50
GOAL_RED_SHARE = 25


def light_label(light: str) -> str:
    return {GREEN: _("Green"), YELLOW: _("Yellow"), RED: _("Red"), GREY: _("Grey")}[light]


@dataclass
class LightRule:
    light: str
    label: str
    text: str


def traffic_light_rule() -> list[LightRule]:
    """The traffic-light rule as the page (and the report) shows it, in the active
    language: one line per light, measures first, then how goals follow from them."""
    lines = _rule_lines()
    for line in lines:
        line.text = line.text.replace(" %", "\xa0%")  # "25 %" never breaks across lines
    return lines


def _rule_lines() -> list[LightRule]:
    values = {
        "delayed": RED_DELAYED_SHARE,
        "reported": YELLOW_REPORTED_SHARE,
        "goal_red": GOAL_RED_SHARE,
    }
    return [
        LightRule(
            RED,
            light_label(RED),
            _(
                "A measure is red when %(delayed)s %% or more of the units that reported "
                "say “delayed”."
            )
            % values,
        ),
        LightRule(
            YELLOW,
            light_label(YELLOW),
            _(
                "A measure is yellow when it is not red but the indicator's target for the year is "
                "not met, some unit says “at risk” or “delayed”, or fewer than %(reported)s %% of "
                "the units have reported."
            )
            % values,
        ),
        LightRule(
            GREEN,
            light_label(GREEN),
            _(
                "A measure is green when none of that applies: the reports are on track, done or "
                "continuous, and the target (if there is one) is met."
            ),
        ),
        LightRule(GREY, light_label(GREY), _("A measure is grey when no unit has reported yet.")),
        LightRule(
            "goal",
            _("Goals"),
            _(
                "A goal is red when %(goal_red)s %% or more of its measures with reports are red, "
                "yellow when any of them is red or yellow, green when all are green, and grey when "
                "none has reports."
            )
            % values,
        ),
    ]


def measure_light(
    *, status_counts: dict[str, int], reported: int, total: int, target_met: bool | None
) -> str:
    """The light of one measure; `traffic_light_rule` says the same in words."""
    if reported == 0:
        return GREY
    delayed = status_counts.get(Status.DELAYED, 0)
    if delayed * 100 >= RED_DELAYED_SHARE * reported:
        return RED
    troubled = delayed or status_counts.get(Status.AT_RISK, 0)
    if target_met is False or troubled or reported * 100 < YELLOW_REPORTED_SHARE * total:
        return YELLOW
    return GREEN


def goal_light(measure_lights: list[str]) -> str:
    """The light of a goal from the lights of its measures."""
    judged = [light for light in measure_lights if light != GREY]
    if not judged:
        return GREY
    reds = judged.count(RED)
    if reds and reds * 100 >= GOAL_RED_SHARE * len(judged):
        return RED
    if reds or YELLOW in judged:
        return YELLOW
    return GREEN


def target_met(*, direction: str, value: Decimal | None, target: Decimal | None) -> bool | None:
    """Met, not met, or None when there is nothing to compare (no value, no target, or an
    indicator where neither higher nor lower is better)."""
    if value is None or target is None:
        return None
    if direction == Indicator.Direction.HIGHER:
        return value >= target
    if direction == Indicator.Direction.LOWER:
        return value <= target
    return None
