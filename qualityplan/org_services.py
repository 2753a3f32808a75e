"""Changes the office makes by hand to units, roles and memberships.

Each validates, writes atomically, keeps the row's history (who and when) and tells
the security log.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .access import OrgTree
from .models import Membership, OrgUnit, Role
from .org_import import membership_end, person_for_email
from .org_log import org_event


@transaction.atomic
def org_unit_update(
    *, unit: OrgUnit, name: str, parent: OrgUnit | None, is_active: bool, user: User
) -> OrgUnit:
    """Rename, move or (de)activate a unit; refuses a move under itself or its own units."""
    unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
    if parent is not None and parent.pk in OrgTree.load().subtree(unit.pk):
        raise ValidationError(_("A unit cannot be placed under itself or one of its own units."))
    if parent is None and unit.kind != OrgUnit.Kind.DEPARTMENT:
        raise ValidationError(_("Only a department can stand at the top. Choose where it goes."))
    before = (unit.name, unit.parent_id, unit.is_active)
    unit.name, unit.parent, unit.is_active = name.strip(), parent, is_active
    unit._history_user = user
    unit.full_clean(validate_constraints=False, validate_unique=False)
    try:
        with transaction.atomic():
            unit.save()
    except IntegrityError as error:
        raise ValidationError(
            _("Another active unit under the same parent already has this name.")
        ) from error
    org_event(
        "org.unit_changed", user=user, target=unit.external_code or str(unit.pk),
        before=before, after=(unit.name, unit.parent_id, unit.is_active),
    )  # fmt: skip
    return unit


@transaction.atomic
def membership_assign(
    *,
    unit: OrgUnit,
    role: Role,
    email: str,
    name: str,
    valid_from: date,
    replace: bool,
    user: User,
) -> Membership:
    """Give `email` the role in the unit from `valid_from`; with `replace`, whoever held
    it ends the day before (their membership is kept: who held the role before)."""
    person = person_for_email(email=email, name=name)
    holders = Membership.objects.select_for_update().filter(
        org_unit=unit, role=role, valid_until__isnull=True
    )
    if holders.filter(user=person).exists():
        raise ValidationError(_("This person already holds this role here."))
    if replace:
        for old in holders.select_related("user", "org_unit", "role"):
            membership_end(membership=old, last_day=valid_from - timedelta(days=1), user=user)
    membership = Membership(user=person, role=role, org_unit=unit, valid_from=valid_from)
    membership._history_user = user
    membership.full_clean(validate_constraints=False)
    membership.save()
    org_event("org.membership_added", user=user, target=person.email,
              unit=unit.external_code or str(unit.pk), role=role.code)  # fmt: skip
    return membership


@transaction.atomic
def membership_close(*, membership: Membership, last_day: date, user: User) -> None:
    if membership.valid_from and last_day < membership.valid_from - timedelta(days=1):
        raise ValidationError(_("The last day cannot be before the first."))
    membership_end(membership=membership, last_day=last_day, user=user)


@transaction.atomic
def role_save(*, role: Role, user: User) -> Role:
    created = role._state.adding
    role._history_user = user
    role.full_clean()
    role.save()
    org_event("org.role_added" if created else "org.role_changed", user=user, target=role.code,
              scope=role.scope, reports_status=role.reports_status,
              manages_plan=role.manages_plan, approves_reports=role.approves_reports)  # fmt: skip
    return role
