"""Which org units a dashboard covers for a user, and how a unit is named in its tables."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.http import Http404

from qualityplan.access import OrgTree, get_access
from qualityplan.models import OrgUnit, QualityPlan

# --- Scope: which org units a dashboard covers ---------------------------------------


@dataclass
class DashboardScope:
    """The org units a dashboard covers for one user.

    `unit_ids`: the units whose rows count (the chosen unit and everything below it
    that the user may read). `root`: the unit the dashboard is about. `children`: the
    units one level down that hold something the user reads, for drilling down.
    `breadcrumbs`: from the user's top unit down to `root`, both included.
    """

    unit_ids: frozenset[int]
    root: OrgUnit
    children: list[OrgUnit]
    breadcrumbs: list[OrgUnit]
    top_id: int
    tree: OrgTree = field(repr=False)

    @property
    def is_top(self) -> bool:
        return self.root.pk == self.top_id


def dashboard_scope(
    *, user, unit_id: int | None = None, plan: QualityPlan | None = None
) -> DashboardScope:
    """What `user` sees on a dashboard, drilled down to `unit_id` if given.

    Without `unit_id` the dashboard starts at the highest unit the user reads: the
    department for the quality office and the director, the area for an area leader,
    the unit for a unit leader (a person reading several separate units starts at the
    nearest unit above them all, still counting only the units they read). With `plan`,
    only the units under the plan's owner count.

    Raises Http404 when the user reads none of the units, or when `unit_id` is outside
    what they read. Four queries at most (two of them are cached on the user).
    """
    access = get_access(user)
    tree = OrgTree.load()
    readable = set(tree.parent) if access.is_superuser else set(access.read_unit_ids)
    if plan is not None:
        readable &= tree.subtree(plan.owner_id)
    if not readable:
        raise Http404
    top_id = _top_unit(tree, readable)
    if unit_id is None:
        root_id = top_id
    elif unit_id in readable or unit_id == top_id:
        root_id = unit_id
    else:
        raise Http404
    chain = [root_id]
    while chain[-1] != top_id and tree.parent.get(chain[-1]) is not None:
        chain.append(tree.parent[chain[-1]])
    child_ids = [
        child for child in tree.children.get(root_id, ()) if tree.subtree(child) & readable
    ]
    units = OrgUnit.objects.in_bulk(chain + child_ids)
    return DashboardScope(
        unit_ids=frozenset(tree.subtree(root_id) & readable),
        root=units[root_id],
        children=sorted((units[pk] for pk in child_ids), key=lambda unit: unit.name),
        breadcrumbs=[units[pk] for pk in reversed(chain)],
        top_id=top_id,
        tree=tree,
    )


def _ancestors(tree: OrgTree, unit_id: int) -> list[int]:
    """`unit_id` and the units above it, nearest first."""
    found = [unit_id]
    while tree.parent.get(found[-1]) is not None and len(found) <= len(tree.parent):
        found.append(tree.parent[found[-1]])
    return found


def _top_unit(tree: OrgTree, readable: set[int]) -> int:
    """The one unit to start from: the nearest unit above all the readable tops."""
    tops = sorted(unit for unit in readable if tree.parent.get(unit) not in readable)
    if len(tops) == 1:
        return tops[0]
    shared = set(_ancestors(tree, tops[0]))
    for unit in tops[1:]:
        shared &= set(_ancestors(tree, unit))
    if shared:
        return next(unit for unit in _ancestors(tree, tops[0]) if unit in shared)
    # Separate organisations (only a superuser reads several): the largest one.
    return max(tops, key=lambda unit: (len(tree.subtree(unit) & readable), -unit))


def unit_label(unit: OrgUnit) -> str:
    """A section is named with its unit: "Hjemmetjenesten Nord / Nattpatruljen"."""
    if unit.kind == OrgUnit.Kind.SECTION and unit.parent_id:
        return f"{unit.parent.name} / {unit.name}"
    return unit.name
