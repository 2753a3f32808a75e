"""People and their roles from a list (CSV or XLSX): who holds which role in which unit.

Each row is a person (email, name), a unit code, a role (code or name, in any of the
role's languages) and optionally the first and last day. Importing it is a sync: a
person without an account gets one, a new row adds a membership, and a membership in
force that the file no longer lists is ended yesterday (kept, with its history), so the
person loses that access today. A file with any row in error is refused whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from .models import Membership, OrgUnit, Role
from .org_import import RowError, _fold, membership_end, person_for_email, person_rename
from .org_log import org_event
from .table_files import table_read
from .validators import no_national_identity_number

EMAIL, NAME, FIRST, LAST, UNIT, ROLE, FROM, TO = (
    "email", "name", "first", "last", "unit", "role", "from", "to",
)  # fmt: skip
HEADER_WORDS = {
    EMAIL: {
        "email", "e mail", "e post", "epost", "e postadresse", "epostadresse", "mail",
        "e postadress", "email address",
    },
    NAME: {
        "name", "full name", "navn", "fullt navn", "namn", "fullständigt namn", "person",
        "ansatt", "medarbetare", "medarbeider",
    },
    FIRST: {"first name", "fornavn", "förnamn"},
    LAST: {"last name", "etternavn", "efternamn"},
    UNIT: {
        "unit", "unit code", "enhet", "enhetskode", "enhetsnr", "enhetsnummer", "kode", "kod",
        "enhetskod", "ansvar", "ansvarsnummer", "kostnadssted", "kostnadsställe", "org enhet",
    },
    ROLE: {"role", "role code", "rolle", "rollekode", "roll", "rollkod", "funksjon", "funktion"},
    FROM: {
        "from", "valid from", "start", "start date", "fra", "fra dato", "fra og med",
        "startdato", "gyldig fra", "från", "från datum", "från och med", "startdatum",
    },
    TO: {
        "to", "until", "valid to", "end", "end date", "til", "til dato", "til og med",
        "sluttdato", "gyldig til", "till", "till datum", "till och med", "slutdatum",
    },
}  # fmt: skip
DATE_FORMATS = [
    re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})$"),
    re.compile(r"^(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})$"),
    re.compile(r"^(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})$"),
]


def find_header(row: list[str]) -> dict[str, int] | None:
    columns: dict[str, int] = {}
    for index, cell in enumerate(row):
        folded = _fold(cell) if cell else ""
        for kind, words in HEADER_WORDS.items():
            if folded in words and kind not in columns:
                columns[kind] = index
                break
    if {EMAIL, UNIT, ROLE} <= set(columns):
        return columns
    return None


@dataclass
class PersonRow:
    row: int
    email: str
    name: str
    unit_code: str
    role_text: str
    valid_from: date | None = None
    valid_until: date | None = None
    unit: OrgUnit | None = None
    role: Role | None = None


@dataclass
class PeopleChange:
    action: str  # user, add, dates, end
    email: str
    unit: str
    role: str
    detail: str = ""
    row: int | None = None
    membership_id: int | None = None

    @property
    def label(self) -> str:
        return str(PEOPLE_LABELS[self.action])


PEOPLE_LABELS = {
    "user": _lazy("New person"),
    "add": _lazy("New role"),
    "dates": _lazy("New dates"),
    "name": _lazy("New name"),
    "end": _lazy("Ended"),
}


@dataclass
class PeopleSyncPlan:
    rows: list[PersonRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    changes: list[PeopleChange] = field(default_factory=list)
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, row: int | None, message: str) -> None:
        self.errors.append(RowError(row, message))


def _date(text: str) -> date | None:
    text = text.strip().split(" ")[0].split("T")[0]
    if not text:
        return None
    for pattern in DATE_FORMATS:
        if match := pattern.match(text):
            return date(int(match["y"]), int(match["m"]), int(match["d"]))
    raise ValueError(text)


def people_file_read(*, data: bytes, filename: str) -> tuple[list[PersonRow], list[RowError]]:
    rows, header_index, columns = table_read(
        data=data,
        filename=filename,
        find_header=find_header,
        no_header=_(
            "No header row found. The file needs columns for the email address (“E-post”), "
            "the unit code (“Enhetskode”, “Kod”) and the role (“Rolle”, “Roll”, “Role”)."
        ),
    )

    def cell(row: list[str], kind: str) -> str:
        index = columns.get(kind)
        return row[index].strip() if index is not None and index < len(row) else ""

    found, errors = [], []
    for number, row in enumerate(rows[header_index + 1 :], start=header_index + 2):
        if not any(row):
            continue
        name = cell(row, NAME) or " ".join(filter(None, [cell(row, FIRST), cell(row, LAST)]))
        person = PersonRow(number, cell(row, EMAIL).lower(), name, cell(row, UNIT), cell(row, ROLE))
        for kind, attribute in ((FROM, "valid_from"), (TO, "valid_until")):
            try:
                setattr(person, attribute, _date(cell(row, kind)))
            except (ValueError, TypeError):
                errors.append(
                    RowError(
                        number,
                        _("“%(text)s” is not a date; write it as 2026-08-01 or 01.08.2026.")
                        % {"text": cell(row, kind)},
                    )
                )
        found.append(person)
    return found, errors


class _Roles:
    def __init__(self) -> None:
        self.by_word: dict[str, Role] = {}
        for role in Role.objects.all():
            for word in (role.code, role.name, role.name_sv, role.name_en):
                if word:
                    self.by_word.setdefault(word.casefold(), role)

    def find(self, text: str) -> Role | None:
        return self.by_word.get(text.strip().casefold())


def _check_row(plan: PeopleSyncPlan, person: PersonRow, units: dict, roles: _Roles) -> None:
    try:
        validate_email(person.email)
    except ValidationError:
        plan.error(person.row, _("“%(email)s” is not an email address.") % {"email": person.email})
    if len(person.name) > 300:
        plan.error(person.row, _("The name is longer than 300 characters."))
    else:
        try:
            no_national_identity_number(person.name)
        except ValidationError as error:
            plan.error(person.row, " ".join(error.messages))
    person.unit = units.get(person.unit_code)
    if person.unit is None:
        plan.error(
            person.row,
            _(
                "No active unit has the code “%(code)s”. Import the organisation first, or "
                "correct the code."
            )  # fmt: skip
            % {"code": person.unit_code},
        )
    person.role = roles.find(person.role_text)
    if person.role is None:
        plan.error(
            person.row,
            _(
                "The role “%(role)s” is not one we know. Use a role's code or name, as on the "
                "roles page."
            )  # fmt: skip
            % {"role": person.role_text},
        )
    if person.valid_from and person.valid_until and person.valid_until < person.valid_from:
        plan.error(person.row, _("The last day is before the first."))


def people_sync_plan(*, rows: list[PersonRow], errors: list[RowError] | None = None):
    """Every change the list makes, or its errors; writes nothing."""
    plan = PeopleSyncPlan(rows=rows, errors=list(errors or []))
    if not rows:
        plan.error(None, _("The file lists nobody."))
        return plan
    units = {u.external_code: u for u in OrgUnit.objects.filter(is_active=True).exclude(
        external_code="")}  # fmt: skip
    roles = _Roles()
    seen: dict[tuple, int] = {}
    for person in rows:
        _check_row(plan, person, units, roles)
        key = (person.email, person.unit_code, person.role.pk if person.role else person.role_text)
        if key in seen:
            plan.error(person.row, _("The same role is also on row %(row)s.") % {"row": seen[key]})
        seen[key] = person.row
    if plan.ok:
        _diff(plan)
    plan.errors.sort(key=lambda error: error.row or 0)
    return plan


def _in_force_or_coming(today: date):
    return Membership.objects.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))


def _diff(plan: PeopleSyncPlan) -> None:
    today = timezone.localdate()
    names = {
        email.lower(): f"{first} {last}".strip()
        for email, first, last in User.objects.filter(
            email__in=[p.email for p in plan.rows]
        ).values_list("email", "first_name", "last_name")
    }
    known = set(names)
    current = {
        (m.user.email.lower(), m.org_unit_id, m.role_id): m
        for m in _in_force_or_coming(today).select_related("user", "org_unit", "role")
    }
    for email in sorted({p.email for p in plan.rows} - known):
        plan.changes.append(PeopleChange("user", email, "", ""))
    renamed = {p.email: p for p in plan.rows if p.name and p.email in known}
    for email, person in renamed.items():
        if names[email] != person.name:
            plan.changes.append(
                PeopleChange("name", email, "", "", f"{names[email]} → {person.name}", person.row)
            )
    kept = set()
    for person in plan.rows:
        key = (person.email, person.unit.pk, person.role.pk)
        kept.add(key)
        found = current.get(key)
        unit, role = person.unit.name, person.role.code
        if found is None:
            plan.changes.append(PeopleChange("add", person.email, unit, role, row=person.row))
        elif (person.valid_from and person.valid_from != found.valid_from) or (
            person.valid_until != found.valid_until
        ):
            detail = f"{person.valid_from or found.valid_from or ''} – {person.valid_until or ''}"
            plan.changes.append(
                PeopleChange("dates", person.email, unit, role, detail, person.row, found.pk)
            )
        else:
            plan.unchanged += 1
    for key, membership in current.items():
        if key not in kept and not membership.user.is_superuser:
            plan.changes.append(
                PeopleChange(
                    "end",
                    key[0],
                    membership.org_unit.name,
                    membership.role.code,
                    str(today - timedelta(days=1)),
                    membership_id=membership.pk,
                )  # fmt: skip
            )


@transaction.atomic
def people_sync_apply(*, plan: PeopleSyncPlan, user: User | None) -> dict[str, int]:
    """Write the plan's changes, all or nothing."""
    if not plan.ok:
        raise ValidationError(_("The file has errors; nothing was changed."))
    today = timezone.localdate()
    actions = {(c.action, c.row) for c in plan.changes}
    for person in plan.rows:
        account = person_for_email(email=person.email, name=person.name)
        if ("name", person.row) in actions:
            person_rename(person=account, name=person.name)
        if ("add", person.row) in actions:
            membership = Membership(
                user=account, role=person.role, org_unit=person.unit,
                valid_from=person.valid_from or today, valid_until=person.valid_until,
            )  # fmt: skip
            membership._history_user = user
            membership.save()
            org_event("org.membership_added", user=user, target=person.email,
                      unit=person.unit_code, role=person.role.code)  # fmt: skip
        elif ("dates", person.row) in actions:
            membership = Membership.objects.get(pk=_change_for(plan, person.row).membership_id)
            membership.valid_from = person.valid_from or membership.valid_from
            membership.valid_until = person.valid_until
            membership._history_user = user
            membership.save()
            org_event("org.membership_dates", user=user, target=person.email,
                      unit=person.unit_code, role=person.role.code)  # fmt: skip
    for change in plan.changes:
        if change.action == "end":
            membership = Membership.objects.select_related("user", "org_unit", "role").get(
                pk=change.membership_id
            )
            membership_end(membership=membership, last_day=today - timedelta(days=1), user=user)
    counts: dict[str, int] = {}
    for change in plan.changes:
        counts[change.action] = counts.get(change.action, 0) + 1
    org_event("people.imported", user=user, target="people", changes=counts)
    return counts


def _change_for(plan: PeopleSyncPlan, row: int) -> PeopleChange:
    return next(c for c in plan.changes if c.row == row and c.action == "dates")
