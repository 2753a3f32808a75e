"""The one place that answers "may this user see / change this".

Access follows memberships down the org tree. A membership's role says how far
its holder reads (nothing, the unit and everything below it, or the whole
organisation), and whether they report statuses or manage the plan. The answer
is worked out once per user object from two queries (memberships, org tree)
and kept on it, so a page asks as often as it likes for free.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser, User

from .models import Membership, OrgUnit, QualityPlan, Role

_CACHE_ATTR = "_qualityplan_access"


@dataclass(frozen=True)
class Access:
    is_superuser: bool = False
    # Units whose plan follow-up (statuses, reports) the user may read.
    read_unit_ids: frozenset[int] = field(default_factory=frozenset)
    # Units for which the user reports measure statuses.
    report_unit_ids: frozenset[int] = field(default_factory=frozenset)
    # Units the user leads, with everything below them: a unit leader handles the
    # deviations of the unit and its sections, a section leader those of the section.
    lead_unit_ids: frozenset[int] = field(default_factory=frozenset)
    # (org unit, role) of every membership, for "answers for this measure here".
    unit_roles: frozenset[tuple[int, int]] = field(default_factory=frozenset)
    # Units whose plans the user may edit (plan structure, imports).
    manage_unit_ids: frozenset[int] = field(default_factory=frozenset)
    # Units in any organisation the user belongs to: they may read its plans.
    member_org_unit_ids: frozenset[int] = field(default_factory=frozenset)
    role_codes: frozenset[str] = field(default_factory=frozenset)
    # Holds a role that reads the security log (the quality office).
    security_role: bool = False
    # Holds a role that manages the plan for the whole organisation (the quality office):
    # runs the organisation, its people and roles from the office's pages.
    manages_org: bool = False

    @property
    def manages_organisation(self) -> bool:
        return self.is_superuser or self.manages_org

    @property
    def manages_any_plan(self) -> bool:
        return self.is_superuser or bool(self.manage_unit_ids)

    @property
    def reads_follow_up(self) -> bool:
        return self.is_superuser or bool(self.read_unit_ids)

    @property
    def reads_security_log(self) -> bool:
        return self.is_superuser or self.security_role

    @property
    def reports_status(self) -> bool:
        return bool(self.report_unit_ids)

    def can_read_unit(self, unit_id: int) -> bool:
        return self.is_superuser or unit_id in self.read_unit_ids

    def can_report_for_unit(self, unit_id: int) -> bool:
        return unit_id in self.report_unit_ids

    def can_lead_unit(self, unit_id: int) -> bool:
        return unit_id in self.lead_unit_ids

    def holds_role_at(self, unit_id: int, role_ids) -> bool:
        return any((unit_id, role_id) in self.unit_roles for role_id in role_ids)

    def can_view_plan(self, plan: QualityPlan) -> bool:
        return self.is_superuser or plan.owner_id in self.member_org_unit_ids

    def can_manage_plan(self, plan: QualityPlan) -> bool:
        return self.is_superuser or plan.owner_id in self.manage_unit_ids

    def can_manage_unit(self, unit_id: int) -> bool:
        return self.is_superuser or unit_id in self.manage_unit_ids


class OrgTree:
    """The org units as parent/children maps, for walking the tree in memory."""

    def __init__(self, pairs: list[tuple[int, int | None]]) -> None:
        self.parent: dict[int, int | None] = dict(pairs)
        self.children: dict[int, list[int]] = defaultdict(list)
        for unit_id, parent_id in pairs:
            if parent_id is not None:
                self.children[parent_id].append(unit_id)

    @classmethod
    def load(cls) -> OrgTree:
        return cls(list(OrgUnit.objects.values_list("id", "parent_id")))

    def subtree(self, unit_id: int) -> set[int]:
        found, stack = set(), [unit_id]
        while stack:
            current = stack.pop()
            if current in found:
                continue
            found.add(current)
            stack.extend(self.children.get(current, ()))
        return found

    def root(self, unit_id: int) -> int:
        seen = set()
        while self.parent.get(unit_id) is not None and unit_id not in seen:
            seen.add(unit_id)
            unit_id = self.parent[unit_id]
        return unit_id


def _reach(tree: OrgTree, role: Role, unit_id: int) -> set[int]:
    if role.scope == Role.Scope.ORGANISATION:
        return tree.subtree(tree.root(unit_id))
    return tree.subtree(unit_id)


def get_access(user: User | AnonymousUser) -> Access:
    """What `user` may read and change; computed once per user object."""
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    active = user.is_authenticated and user.is_active
    access = _compute_access(user) if active else Access()
    setattr(user, _CACHE_ATTR, access)
    return access


def _compute_access(user: User) -> Access:
    # Only memberships in force today: a person who left yesterday reads nothing today.
    memberships = list(Membership.objects.filter(user=user).current().select_related("role"))
    if not memberships and not user.is_superuser:
        return Access()
    tree = OrgTree.load()
    read, report, lead, manage, member = set(), set(), set(), set(), set()
    for membership in memberships:
        role, unit_id = membership.role, membership.org_unit_id
        member |= tree.subtree(tree.root(unit_id))
        reach = _reach(tree, role, unit_id)
        if role.scope != Role.Scope.NONE:
            read |= reach
        if role.reports_status:
            report.add(unit_id)
            lead |= tree.subtree(unit_id)
        if role.manages_plan:
            manage |= reach
    return Access(
        is_superuser=user.is_superuser,
        read_unit_ids=frozenset(read),
        report_unit_ids=frozenset(report),
        lead_unit_ids=frozenset(lead),
        unit_roles=frozenset((m.org_unit_id, m.role_id) for m in memberships),
        manage_unit_ids=frozenset(manage),
        member_org_unit_ids=frozenset(member),
        role_codes=frozenset(m.role.code for m in memberships),
        security_role=any(m.role.reads_security_log for m in memberships),
        manages_org=any(
            m.role.manages_plan and m.role.scope == Role.Scope.ORGANISATION for m in memberships
        ),
    )


def forget_access(user: User) -> None:
    """Drop the cached answer, e.g. after the user's memberships changed."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)
