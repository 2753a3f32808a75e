"""Who may do what in the quality staircase: the one place that answers it.

Unit leaders (the roles that report status) write their unit's self-assessment;
the roles that approve unit reports approve it, as for the annual report; the
quality office (the roles that manage plans) runs frameworks, rounds, reviewers and
certificates for the units it reaches; everyone who reads a unit's follow-up reads
its staircase. An external reviewer needs no membership: an appointment lets the
account see the unit's assessments and evidence for that round until its end date.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.utils import timezone

from qualityplan.access import get_access
from reporting.unit_reports import report_rights

from .models import ReviewerAssignment

_CACHE_ATTR = "_staircase_rights"


@dataclass(frozen=True)
class StaircaseRights:
    is_superuser: bool = False
    read_unit_ids: frozenset[int] = frozenset()
    edit_unit_ids: frozenset[int] = frozenset()
    approve_unit_ids: frozenset[int] = frozenset()
    office_unit_ids: frozenset[int] = frozenset()
    # (round id, unit id) of the reviews the user is appointed to and still may see.
    reviews: frozenset[tuple[int, int]] = frozenset()
    review_ids: frozenset[int] = frozenset()

    @property
    def is_office(self) -> bool:
        return self.is_superuser or bool(self.office_unit_ids)

    @property
    def is_reviewer(self) -> bool:
        return bool(self.review_ids)

    @property
    def uses_staircase(self) -> bool:
        return self.is_office or self.is_reviewer or bool(self.read_unit_ids or self.edit_unit_ids)

    def can_read_unit(self, unit_id: int) -> bool:
        return (
            self.is_superuser
            or unit_id in self.read_unit_ids
            or unit_id in self.edit_unit_ids
            or unit_id in self.approve_unit_ids
            or unit_id in self.office_unit_ids
        )

    def can_edit_unit(self, unit_id: int) -> bool:
        return self.is_superuser or unit_id in self.edit_unit_ids

    def can_approve_unit(self, unit_id: int) -> bool:
        return self.is_superuser or unit_id in self.approve_unit_ids

    def can_manage_unit(self, unit_id: int) -> bool:
        return self.is_superuser or unit_id in self.office_unit_ids

    def reviews_unit(self, round_id: int, unit_id: int) -> bool:
        return (round_id, unit_id) in self.reviews

    def can_read_assessment(self, *, round_id: int, unit_id: int) -> bool:
        return self.can_read_unit(unit_id) or self.reviews_unit(round_id, unit_id)


def staircase_rights(*, user: User | AnonymousUser) -> StaircaseRights:
    """Worked out once per user object."""
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    active = user.is_authenticated and user.is_active
    rights = _compute(user) if active else StaircaseRights()
    setattr(user, _CACHE_ATTR, rights)
    return rights


def _compute(user: User) -> StaircaseRights:
    access = get_access(user)
    approve = frozenset()
    if access.unit_roles or access.is_superuser:
        approve = report_rights(user=user).approve_unit_ids
    assignments = list(
        ReviewerAssignment.objects.filter(
            user=user, access_until__gte=timezone.localdate()
        ).values_list("review_id", "review__round_id", "review__org_unit_id")
    )
    return StaircaseRights(
        is_superuser=access.is_superuser,
        read_unit_ids=access.read_unit_ids,
        edit_unit_ids=access.report_unit_ids,
        approve_unit_ids=approve | access.manage_unit_ids,
        office_unit_ids=access.manage_unit_ids,
        reviews=frozenset((round_id, unit_id) for _r, round_id, unit_id in assignments),
        review_ids=frozenset(review_id for review_id, _round, _unit in assignments),
    )


def forget_rights(user: User) -> None:
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)
