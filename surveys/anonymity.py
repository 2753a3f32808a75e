"""Which groups of respondents may be shown: the rule every result page, chart,
export, indicator value and the annual report go through.

Groups are the survey's units and the org units above them, up to the owner
(areas, the department). A group is shown only if it has at least `minimum`
respondents. That alone is not enough: a shown area minus its shown units gives
the answers of the units that were held back. So for every shown group, what is
left when its nearest shown groups below are taken away (the remainder) must be
empty or itself have at least `minimum` respondents; when it does not, the
smallest shown group below is held back too, and the check runs again. The
remainder is then a mix of at least `minimum` respondents from several units,
which is what "merged into the area" means. The rule is computed once per
survey, for the whole tree, so that no person's view (and no two people's views
put together) shows a group the rule holds back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


@dataclass
class GroupTree:
    """The org units a survey reaches: parent of each, and respondents per unit."""

    parent: dict[int, int | None]
    own: dict[int, int] = field(default_factory=dict)  # respondents answering at the unit

    def children(self) -> dict[int, list[int]]:
        found: dict[int, list[int]] = {unit: [] for unit in self.parent}
        for unit, parent in self.parent.items():
            if parent is not None:
                found[parent].append(unit)
        return found

    def totals(self) -> dict[int, int]:
        total = dict.fromkeys(self.parent, 0)
        for unit, count in self.own.items():
            current: int | None = unit
            while current is not None:
                total[current] += count
                current = self.parent.get(current)
        return total

    def ancestors(self, unit: int) -> list[int]:
        found, current = [], self.parent.get(unit)
        while current is not None:
            found.append(current)
            current = self.parent.get(current)
        return found


def tree_for(
    *, unit_ids: Iterable[int], parents: Mapping[int, int | None], root: int | None
) -> GroupTree:
    """The units and every unit above them up to `root` (the survey's owner)."""
    parent: dict[int, int | None] = {}
    for unit in unit_ids:
        current: int | None = unit
        while current is not None and current not in parent:
            above = parents.get(current) if current != root else None
            parent[current] = above
            current = above
    return GroupTree(parent=parent)


def _nearest_shown_below(unit: int, children, shown: set[int]) -> list[int]:
    found, stack = [], list(children[unit])
    while stack:
        current = stack.pop()
        if current in shown:
            found.append(current)
        else:
            stack.extend(children[current])
    return found


def shown_groups(tree: GroupTree, minimum: int) -> set[int]:
    """The groups whose results may be shown (see the module's rule)."""
    totals = tree.totals()
    children = tree.children()
    shown = {unit for unit, total in totals.items() if total >= minimum}
    changed = True
    while changed:
        changed = False
        for unit in sorted(shown, key=lambda u: -totals[u]):
            if unit not in shown:
                continue
            below = _nearest_shown_below(unit, children, shown)
            remainder = totals[unit] - sum(totals[b] for b in below)
            if 0 < remainder < minimum:
                smallest = min(below, key=lambda b: (totals[b], b))
                shown.discard(smallest)
                changed = True
    return shown


def remainders(tree: GroupTree, shown: set[int]) -> dict[int, int]:
    """For each shown group, the respondents not in a shown group below it (for tests
    and for the page's note on merged units)."""
    totals = tree.totals()
    children = tree.children()
    return {
        unit: totals[unit] - sum(totals[b] for b in _nearest_shown_below(unit, children, shown))
        for unit in shown
    }
