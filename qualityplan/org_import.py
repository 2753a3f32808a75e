"""The organisation from the HR or finance system's export, kept in step by unit code.

A file lists units with their code, name, parent's code and, optionally, level and
leader's email, in any order. Importing it is a sync keyed on the code: a unit whose
name or parent changed is renamed or moved in place, a new code adds a unit, and a unit
with a code that is no longer in the file is deactivated, never deleted, so its
history stays. `org_sync_plan` reads the file and works out every change without
writing; `org_sync_apply` writes them, all or nothing. A file with any row in error
(missing or duplicate code, unknown parent, a cycle, an unknown level, a bad email)
is refused whole, with the row numbers.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from .models import Membership, Municipality, OrgUnit, Role
from .org_log import org_event
from .table_files import table_read
from .validators import no_national_identity_number

Kind = OrgUnit.Kind

CODE, NAME, PARENT, KIND, LEADER = "code", "name", "parent", "kind", "leader"

# Headers as HR and finance systems write them, folded (see `_fold`).
HEADER_WORDS = {
    CODE: {
        "code", "unit code", "unitcode", "org code", "id", "unit id", "kode", "enhetskode",
        "enhetsnr", "enhetsnummer", "orgkode", "org kode", "organisasjonskode", "ansvar",
        "ansvarsnr", "ansvarsnummer", "ansvarskode", "kostnadssted", "kod", "enhetskod",
        "enhets id", "enhetsid", "organisationskod", "org enhet kod", "kostnadsställe",
        "ansvarskod",
    },
    NAME: {
        "name", "unit name", "navn", "enhetsnavn", "enhet", "organisasjonsnavn", "namn",
        "enhetsnamn", "benämning", "organisationsnamn", "org enhet", "enhetens namn",
        "enhetens navn", "virksomhet", "verksamhet",
    },
    PARENT: {
        "parent", "parent code", "parent unit", "parent unit code", "overordnet",
        "overordnet enhet", "overordnet kode", "overordnet enhetskode", "forelder",
        "tilhører", "överordnad", "överordnad enhet", "överordnad kod", "överordnad enhetskod",
        "förälder", "moderenhet", "tillhör",
    },
    KIND: {
        "kind", "level", "type", "unit type", "nivå", "type enhet", "enhetstype", "org nivå",
        "organisasjonsnivå", "typ", "enhetstyp", "organisationsnivå", "nivå type", "nivå typ",
    },
    LEADER: {
        "leader", "leader email", "leader e mail", "manager", "manager email", "leder",
        "leders e post", "leder e post", "leder epost", "e post leder", "epost leder", "chef",
        "chefens e post", "chef e post", "chef epost", "e post chef", "ansvarig chef",
    },
}  # fmt: skip

# Levels as municipalities name them, folded. "avdeling"/"avdelning" is read from where
# the unit stands: a department at the top, a section under a unit.
KIND_WORDS = {
    "department": Kind.DEPARTMENT, "förvaltning": Kind.DEPARTMENT, "forvaltning": Kind.DEPARTMENT,
    "sektor": Kind.DEPARTMENT, "kommunalområde": Kind.DEPARTMENT, "tjenesteområde": Kind.DEPARTMENT,
    "area": Kind.AREA, "område": Kind.AREA, "omrade": Kind.AREA,
    "verksamhetsområde": Kind.AREA, "virksomhetsområde": Kind.AREA, "resultatområde": Kind.AREA,
    "unit": Kind.UNIT, "enhet": Kind.UNIT, "virksomhet": Kind.UNIT, "verksamhet": Kind.UNIT,
    "resultatenhet": Kind.UNIT, "tjenestested": Kind.UNIT,
    "section": Kind.SECTION, "arbetslag": Kind.SECTION, "arbeidslag": Kind.SECTION,
    "team": Kind.SECTION, "seksjon": Kind.SECTION, "sektion": Kind.SECTION, "gruppe": Kind.SECTION,
    "grupp": Kind.SECTION, "office": Kind.OFFICE, "stab": Kind.OFFICE, "stabsenhet": Kind.OFFICE,
    "kontor": Kind.OFFICE, "staff office": Kind.OFFICE,
    "1": Kind.DEPARTMENT, "2": Kind.AREA, "3": Kind.UNIT, "4": Kind.SECTION, "5": Kind.SECTION,
}  # fmt: skip
BY_POSITION = {"avdeling", "avdelning", "nivå", ""}
NEXT_KIND = {
    None: Kind.DEPARTMENT,
    Kind.DEPARTMENT: Kind.AREA,
    Kind.AREA: Kind.UNIT,
    Kind.UNIT: Kind.SECTION,
    Kind.SECTION: Kind.SECTION,
    Kind.OFFICE: Kind.SECTION,
}
# The role a unit's leader holds, by the unit's kind (role codes; roles are data).
LEADER_ROLES = {
    Kind.DEPARTMENT: "KD",
    Kind.AREA: "OL",
    Kind.UNIT: "VL",
    Kind.SECTION: "AL",
    Kind.OFFICE: "KUK",
}
EXPORT_HEADER = ["Enhetskode", "Enhetsnavn", "Overordnet kode", "Nivå", "Leder e-post"]
EXPORT_KIND = {
    Kind.DEPARTMENT: "Forvaltning",
    Kind.AREA: "Område",
    Kind.UNIT: "Virksomhet",
    Kind.SECTION: "Arbeidslag",
    Kind.OFFICE: "Stab",
}


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFC", text).lower().replace("_", " ")
    for mark in "-/().,:;*#":
        text = text.replace(mark, " ")
    return " ".join(text.split())


def _header_kind(cell: str) -> str | None:
    folded = _fold(cell)
    for kind, words in HEADER_WORDS.items():
        if folded in words:
            return kind
    return None


def find_header(row: list[str]) -> dict[str, int] | None:
    """The columns of a header row, or None when the row is no header (needs code and name)."""
    columns: dict[str, int] = {}
    for index, cell in enumerate(row):
        kind = _header_kind(cell) if cell else None
        if kind and kind not in columns:
            columns[kind] = index
    if CODE in columns and NAME in columns:
        return columns
    return None


@dataclass
class OrgRow:
    row: int  # the row number as a spreadsheet shows it
    code: str
    name: str
    parent_code: str
    kind_text: str
    leader_email: str
    kind: str = ""


@dataclass
class RowError:
    row: int | None
    message: str


@dataclass
class OrgChange:
    action: str  # add, rename, move, kind, reactivate, deactivate, leader
    code: str
    name: str
    old: str = ""
    new: str = ""
    row: int | None = None

    @property
    def label(self) -> str:
        return str(CHANGE_LABELS[self.action])


CHANGE_LABELS = {
    "add": _lazy("New unit"),
    "rename": _lazy("Renamed"),
    "move": _lazy("Moved"),
    "kind": _lazy("New level"),
    "reactivate": _lazy("Active again"),
    "deactivate": _lazy("Deactivated"),
    "leader": _lazy("New leader"),
    "top": _lazy("Top unit"),
    "adopt": _lazy("Gets its code"),
}


@dataclass
class OrgSyncPlan:
    rows: list[OrgRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    changes: list[OrgChange] = field(default_factory=list)
    # code → the code of the parent it ends up under ("" for the top unit)
    parents: dict[str, str] = field(default_factory=dict)
    # The code of the file's row that is the top unit itself ("" when the file's
    # top rows all go under the installation's top unit).
    root_code: str = ""
    # code → id of a unit without a code that the row is matched to by name and place
    adopted: dict[str, int] = field(default_factory=dict)
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, row: int | None, message: str) -> None:
        self.errors.append(RowError(row, message))


# --- Reading the file ------------------------------------------------------------------


def org_file_read(*, data: bytes, filename: str) -> list[OrgRow]:
    """The units in the file, trimmed, blank lines left out. Raises for an unreadable file."""
    rows, header_index, columns = table_read(
        data=data,
        filename=filename,
        find_header=find_header,
        no_header=_(
            "No header row found. The file needs at least a column for the unit code "
            "(e.g. “Enhetskode”, “Kod”, “Code”) and one for the name (“Navn”, “Namn”, “Name”)."
        ),
    )

    def cell(row: list[str], kind: str) -> str:
        index = columns.get(kind)
        return row[index].strip() if index is not None and index < len(row) else ""

    found = []
    for index, row in enumerate(rows[header_index + 1 :], start=header_index + 2):
        if not any(row):
            continue
        found.append(
            OrgRow(
                row=index,
                code=cell(row, CODE),
                name=cell(row, NAME),
                parent_code=cell(row, PARENT),
                kind_text=cell(row, KIND),
                leader_email=cell(row, LEADER).lower(),
            )
        )
    return found


# --- Checking the file as a whole -------------------------------------------------------


def _check_rows(plan: OrgSyncPlan) -> dict[str, OrgRow]:
    by_code: dict[str, OrgRow] = {}
    for row in plan.rows:
        if not row.code:
            plan.error(row.row, _("The unit code is missing."))
            continue
        if len(row.code) > 50:
            plan.error(row.row, _("The unit code is longer than 50 characters."))
        if not row.name:
            plan.error(row.row, _("The unit “%(code)s” has no name.") % {"code": row.code})
        elif len(row.name) > 200:
            plan.error(row.row, _("The name is longer than 200 characters."))
        else:
            try:
                no_national_identity_number(row.name)
            except ValidationError as error:
                plan.error(row.row, " ".join(error.messages))
        if row.code in by_code:
            plan.error(
                row.row,
                _("The code “%(code)s” is also on row %(other)s: every unit needs its own code.")
                % {"code": row.code, "other": by_code[row.code].row},
            )
            continue
        by_code[row.code] = row
        if row.leader_email:
            try:
                validate_email(row.leader_email)
            except ValidationError:
                plan.error(
                    row.row,
                    _("“%(email)s” is not an email address.") % {"email": row.leader_email},
                )
        if row.parent_code == row.code:
            plan.error(row.row, _("The unit “%(code)s” is its own parent.") % {"code": row.code})
    for row in by_code.values():
        if row.parent_code and row.parent_code not in by_code:
            plan.error(
                row.row,
                _("The parent code “%(parent)s” of “%(name)s” is not in the file.")
                % {"parent": row.parent_code, "name": row.name},
            )
    return by_code


def _check_cycles(plan: OrgSyncPlan, by_code: dict[str, OrgRow]) -> None:
    reported: set[str] = set()
    for start in by_code:
        seen: list[str] = []
        code = start
        while code in by_code and code not in seen:
            seen.append(code)
            code = by_code[code].parent_code
        # A unit that is its own parent was reported as such already.
        if code in seen and code not in reported and by_code[code].parent_code != code:
            cycle = seen[seen.index(code) :]
            reported.update(cycle)
            rows = ", ".join(str(by_code[c].row) for c in cycle)
            plan.error(
                by_code[code].row,
                _(
                    "The units on rows %(rows)s are each other's parents: a unit cannot be "
                    "placed under itself."
                )  # fmt: skip
                % {"rows": rows},
            )


def _depth_order(by_code: dict[str, OrgRow]) -> list[OrgRow]:
    """Parents before children, whatever order the file had."""
    ordered, done = [], set()

    def visit(code: str) -> None:
        if code in done:
            return
        row = by_code[code]
        if row.parent_code in by_code:
            visit(row.parent_code)
        done.add(code)
        ordered.append(row)

    for code in by_code:
        visit(code)
    return ordered


def _resolve_kinds(plan: OrgSyncPlan, ordered: list[OrgRow], top_kind: str | None) -> None:
    """Each row's kind: from its level column, else kept from the unit as it is, else
    inferred from where it stands (the level below its parent's)."""
    kinds: dict[str, str] = {}
    known = dict(
        OrgUnit.objects.filter(external_code__in=[row.code for row in ordered]).values_list(
            "external_code", "kind"
        )
    )
    for row in ordered:
        parent_kind = kinds.get(row.parent_code) if row.parent_code else top_kind
        folded = _fold(row.kind_text)
        if not folded and row.code in known and (row.parent_code or parent_kind):
            row.kind = known[row.code]
        elif folded in BY_POSITION:
            row.kind = NEXT_KIND[parent_kind]
        elif folded in KIND_WORDS:
            row.kind = KIND_WORDS[folded]
        else:
            row.kind = NEXT_KIND[parent_kind]
            plan.error(
                row.row,
                _(
                    "The level “%(level)s” is not one we know. Use for example Förvaltning, "
                    "Område, Enhet, Arbetslag (or Forvaltning, Område, Virksomhet, Avdeling), "
                    "or leave it empty."
                )  # fmt: skip
                % {"level": row.kind_text},
            )
        kinds[row.code] = row.kind


# --- Working out the changes -------------------------------------------------------------


def _top_unit() -> OrgUnit | None:
    municipality = Municipality.objects.select_related("top_unit").filter(pk=1).first()
    if municipality and municipality.top_unit:
        return municipality.top_unit
    roots = list(OrgUnit.objects.filter(parent__isnull=True, is_active=True)[:2])
    return roots[0] if len(roots) == 1 else None


def _file_root(plan: OrgSyncPlan, roots: list[OrgRow], top: OrgUnit | None) -> str:
    """The code of the file's row that is the top unit itself, or "" when the file's
    roots all go under the top unit."""
    if len(roots) == 1 and roots[0].kind == Kind.DEPARTMENT:
        return roots[0].code
    if top is None:
        plan.error(
            None,
            _(
                "The file has several top units and the installation none. Set up the "
                "municipality first (its top unit), or add the top unit to the file."
            ),  # fmt: skip
        )
    return ""


def org_sync_plan(*, rows: list[OrgRow]) -> OrgSyncPlan:
    """Every change the file makes, or its errors; writes nothing."""
    plan = OrgSyncPlan(rows=rows)
    if not rows:
        plan.error(None, _("The file lists no units."))
        return plan
    by_code = _check_rows(plan)
    _check_cycles(plan, by_code)
    if not plan.ok:
        plan.errors.sort(key=lambda error: error.row or 0)
        return plan
    top = _top_unit()
    ordered = _depth_order(by_code)
    roots = [row for row in ordered if not row.parent_code]
    single_root = len(roots) == 1 and _fold(roots[0].kind_text) in (
        BY_POSITION | {w for w, k in KIND_WORDS.items() if k == Kind.DEPARTMENT}
    )
    _resolve_kinds(plan, ordered, None if single_root else Kind.DEPARTMENT)
    plan.root_code = root_code = _file_root(plan, roots, top)
    _check_siblings(plan, ordered)
    if not plan.ok:
        plan.errors.sort(key=lambda error: error.row or 0)
        return plan
    _diff(plan, ordered, root_code, top)
    return plan


def _check_siblings(plan: OrgSyncPlan, ordered: list[OrgRow]) -> None:
    seen: dict[tuple[str, str], OrgRow] = {}
    for row in ordered:
        key = (row.parent_code, row.name.casefold())
        if key in seen:
            plan.error(
                row.row,
                _(
                    "“%(name)s” is also on row %(other)s under the same parent: two units side "
                    "by side need different names."
                )  # fmt: skip
                % {"name": row.name, "other": seen[key].row},
            )
        seen[key] = row


def _diff(plan: OrgSyncPlan, ordered: list[OrgRow], root_code: str, top: OrgUnit | None):
    all_units = list(OrgUnit.objects.all())
    existing = {unit.external_code: unit for unit in all_units if unit.external_code}
    # Units made by hand or by the first run have no code: one that stands where a row
    # says, under the same name, is that row's unit and takes its code.
    uncoded = {
        (unit.parent_id, unit.name.casefold()): unit
        for unit in all_units
        if not unit.external_code and unit.is_active
    }
    by_pk = {unit.pk: unit for unit in all_units}
    code_of = {unit.pk: unit.external_code for unit in all_units}
    resolved: dict[str, OrgUnit] = {}
    top_code = top.external_code if top else ""
    for row in ordered:
        parent_code = row.parent_code or ("" if row.code == root_code else top_code)
        plan.parents[row.code] = parent_code
        before = len(plan.changes)
        unit = existing.get(row.code)
        if unit is None and row.code == root_code and top is not None and not top.external_code:
            unit = top
            plan.changes.append(OrgChange("top", row.code, row.name, old=top.name, row=row.row))
        if unit is None:
            parent = resolved.get(row.parent_code) if row.parent_code else top
            unit = uncoded.get((parent.pk, row.name.casefold())) if parent else None
            if unit is not None:
                plan.adopted[row.code] = unit.pk
                plan.changes.append(OrgChange("adopt", row.code, row.name, row=row.row))
        if unit is None:
            plan.changes.append(OrgChange("add", row.code, row.name, row=row.row))
            continue
        resolved[row.code] = unit
        code_of[unit.pk] = row.code
        _unit_changes(plan, row, unit, parent_code, by_pk, code_of, top)
        if len(plan.changes) == before:
            plan.unchanged += 1
    in_file = set(plan.parents)
    scope = _scope_ids(top)
    for code, unit in sorted(existing.items(), key=lambda item: item[1].name):
        if code not in in_file and unit.is_active and (scope is None or unit.pk in scope):
            plan.changes.append(OrgChange("deactivate", code, unit.name))
    _leader_changes(plan, ordered)


def _scope_ids(top: OrgUnit | None) -> set[int] | None:
    if top is None:
        return None
    from .access import OrgTree

    return OrgTree.load().subtree(top.pk)


def _unit_changes(plan, row: OrgRow, unit: OrgUnit, parent_code: str, by_pk, code_of, top):
    if unit.name != row.name:
        plan.changes.append(OrgChange("rename", row.code, row.name, unit.name, row.name, row.row))
    current_code = code_of.get(unit.parent_id, "") if unit.parent_id else ""
    if current_code != parent_code and not (unit == top and not parent_code):
        current_parent = by_pk.get(unit.parent_id)
        old = current_parent.name if current_parent else _("(top)")
        plan.changes.append(
            OrgChange("move", row.code, row.name, old, parent_code or _("(top)"), row.row)
        )
    if unit.kind != row.kind:
        plan.changes.append(
            OrgChange(
                "kind", row.code, row.name, Kind(unit.kind).label, Kind(row.kind).label, row.row
            )
        )
    if not unit.is_active:
        plan.changes.append(OrgChange("reactivate", row.code, row.name, row=row.row))


def _leader_changes(plan: OrgSyncPlan, ordered: list[OrgRow]) -> None:
    wanted = [row for row in ordered if row.leader_email]
    if not wanted:
        return
    codes = {LEADER_ROLES[Kind(row.kind)] for row in wanted}
    current = {
        (m.org_unit.external_code, m.role.code): m.user.email.lower()
        for m in Membership.objects.current()
        .filter(role__code__in=codes, org_unit__external_code__in=[r.code for r in wanted])
        .select_related("org_unit", "role", "user")
    }
    for row in wanted:
        holder = current.get((row.code, LEADER_ROLES[Kind(row.kind)]))
        if holder != row.leader_email:
            plan.changes.append(
                OrgChange("leader", row.code, row.name, holder or "", row.leader_email, row.row)
            )


# --- Writing ------------------------------------------------------------------------------


@transaction.atomic
def org_sync_apply(*, plan: OrgSyncPlan, user: User | None) -> dict[str, int]:
    """Write the plan's changes, all or nothing; returns how many of each kind."""
    if not plan.ok:
        raise ValidationError(_("The file has errors; nothing was changed."))
    by_code = {row.code: row for row in plan.rows}
    units = {
        unit.external_code: unit
        for unit in OrgUnit.objects.select_for_update().exclude(external_code="")
    }
    for code, pk in plan.adopted.items():
        units[code] = OrgUnit.objects.select_for_update().get(pk=pk)
    top = _top_unit()
    if top is not None:
        top = OrgUnit.objects.select_for_update().get(pk=top.pk)
    actions = {(change.action, change.code) for change in plan.changes}
    ordered = _depth_order(by_code)
    # Renamed and moved units step aside first, so that two units that swap names or
    # places never meet on one name under one parent.
    for code, unit in units.items():
        if ("rename", code) in actions or ("move", code) in actions:
            OrgUnit.objects.filter(pk=unit.pk).update(name=f"~{unit.pk}~{unit.name}"[:200])
    for code, unit in units.items():
        if ("deactivate", code) in actions:
            _save_unit(unit, user, is_active=False)
            org_event("org.unit_deactivated", user=user, target=code, name=unit.name)
    for row in ordered:
        _apply_row(row, plan, units, top, user, actions)
    for change in plan.changes:
        if change.action == "leader":
            _assign_leader(units[change.code], change.new, user)
    root = units.get(plan.root_code)
    if root is not None and root != top:
        Municipality.objects.filter(pk=1).update(top_unit=root)
    counts: dict[str, int] = {}
    for change in plan.changes:
        counts[change.action] = counts.get(change.action, 0) + 1
    org_event("org.imported", user=user, target="organisation", changes=counts)
    return counts


def _save_unit(unit: OrgUnit, user: User | None, **values) -> None:
    for key, value in values.items():
        setattr(unit, key, value)
    unit._history_user = user
    # The file was checked as a whole (cycles, names side by side); the database's
    # constraints check the rest.
    unit.clean_fields()
    unit.save()


UNIT_ACTIONS = ("rename", "move", "kind", "top", "adopt", "reactivate")


def _apply_row(row, plan, units, top, user, actions) -> None:
    if ("top", row.code) in actions:
        units[row.code] = top
    unit = units.get(row.code)
    if unit is None:
        unit = OrgUnit(external_code=row.code)
        units[row.code] = unit
        org_event("org.unit_added", user=user, target=row.code, name=row.name)
    elif any((a, row.code) in actions for a in UNIT_ACTIONS):
        org_event("org.unit_changed", user=user, target=row.code, name=row.name)
    else:
        return  # unchanged: no write, no history row
    parent_code = plan.parents[row.code]
    if row.code == plan.root_code:
        parent = unit.parent if unit.pk else None
    elif parent_code:
        parent = units[parent_code]
    else:
        parent = top
    _save_unit(
        unit, user, name=row.name, kind=row.kind, parent=parent, external_code=row.code,
        is_active=True,
    )  # fmt: skip


def _assign_leader(unit: OrgUnit, email: str, user: User | None) -> None:
    role = Role.objects.filter(code=LEADER_ROLES[Kind(unit.kind)]).first()
    if role is None:
        return
    person = person_for_email(email=email)
    today = timezone.localdate()
    for old in Membership.objects.current().filter(org_unit=unit, role=role).exclude(user=person):
        membership_end(membership=old, last_day=today - timedelta(days=1), user=user)
    if not Membership.objects.current().filter(org_unit=unit, role=role, user=person).exists():
        membership = Membership(user=person, role=role, org_unit=unit, valid_from=today)
        membership._history_user = user
        membership.save()
        org_event("org.membership_added", user=user, target=email, unit=unit.external_code)


def person_for_email(*, email: str, name: str = "") -> User:
    """The user with this email, made (without a password: they log in through single
    sign-on, or are given one) when there is none yet."""
    email = email.strip().lower()
    found = User.objects.filter(email__iexact=email).order_by("pk").first()
    if found is not None:
        return found
    first, last = split_name(name)
    person = User(username=email[:150], email=email, first_name=first, last_name=last)
    person.set_unusable_password()
    person.save()
    from .models import UserProfile
    from .municipality import default_language

    UserProfile.objects.get_or_create(user=person, defaults={"language": default_language()})
    org_event("people.user_created", user=None, target=email)
    return person


def split_name(name: str) -> tuple[str, str]:
    """First and last name from a full name: the last word is the last name."""
    name = " ".join(name.split())
    first, _sep, last = name.rpartition(" ")
    return first[:150], last[:150]


def person_rename(*, person: User, name: str) -> None:
    first, last = split_name(name)
    if (person.first_name, person.last_name) != (first, last):
        person.first_name, person.last_name = first, last
        person.save(update_fields=["first_name", "last_name"])
        org_event("people.user_renamed", user=None, target=person.email)


def membership_end(*, membership: Membership, last_day, user: User | None) -> None:
    """End a membership on `last_day` (kept, with its history). A membership that had not
    begun by then ends before it began: it never gave any access."""
    membership.valid_until = last_day
    membership._history_user = user
    membership.save(update_fields=["valid_until"])
    org_event(
        "org.membership_ended",
        user=user,
        target=membership.user.email,
        unit=membership.org_unit.external_code or membership.org_unit.name,
        role=membership.role.code,
        last_day=str(last_day),
    )


# --- Export --------------------------------------------------------------------------------


def org_export_csv() -> bytes:
    """The active organisation in the import's own format (UTF-8 with BOM, `;`)."""
    units = list(OrgUnit.objects.filter(is_active=True).order_by("pk"))
    by_id = {unit.pk: unit for unit in units}
    leaders = {}
    for membership in (
        Membership.objects.current()
        .filter(org_unit__in=units, role__code__in=set(LEADER_ROLES.values()))
        .select_related("user", "role")
        .order_by("valid_from", "pk")
    ):
        unit = by_id[membership.org_unit_id]
        if membership.role.code == LEADER_ROLES[Kind(unit.kind)]:
            leaders[unit.pk] = membership.user.email
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(EXPORT_HEADER)
    for unit in _tree_order(units):
        parent = by_id.get(unit.parent_id)
        writer.writerow(
            [
                _export_code(unit),
                unit.name,
                _export_code(parent) if parent else "",
                EXPORT_KIND[Kind(unit.kind)],
                leaders.get(unit.pk, ""),
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _export_code(unit: OrgUnit) -> str:
    # A unit made by hand has no code yet: it gets one from its id, stable across exports.
    return unit.external_code or f"ID{unit.pk}"


def _tree_order(units: list[OrgUnit]) -> list[OrgUnit]:
    children: dict[int | None, list[OrgUnit]] = {}
    ids = {unit.pk for unit in units}
    for unit in units:
        parent = unit.parent_id if unit.parent_id in ids else None
        children.setdefault(parent, []).append(unit)
    ordered: list[OrgUnit] = []
    stack = sorted(children.get(None, []), key=lambda u: u.name, reverse=True)
    while stack:
        unit = stack.pop()
        ordered.append(unit)
        stack.extend(sorted(children.get(unit.pk, []), key=lambda u: u.name, reverse=True))
    return ordered
