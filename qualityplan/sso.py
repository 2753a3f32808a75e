"""Single sign-on through OpenID Connect (Microsoft Entra ID or any certified provider).

Configured by the environment only (see settings): the provider's discovery document,
the client id and secret, the scopes. The login is the authorisation code flow with
PKCE, state and nonce; the ID token is checked by Authlib against the provider's own
keys (its JWKS, RS256 only), its issuer, our client id as audience, and its expiry.

Who may come in: a person is matched on the provider's stable claim (`oid` in Entra
ID, else `sub`), and on their first login by email to a user made by the people import
(or the office). Someone the municipality has not listed is refused with a page that
says what to tell IT, unless a group claim maps them to a role. Names and email are
refreshed at every login. Every refusal and every login goes to the security log.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import ExternalIdentity, Membership, OrgUnit, Role
from .org_import import membership_end, person_for_email, split_name
from .org_log import org_event


def sso_enabled() -> bool:
    return bool(settings.OIDC_RP_CLIENT_ID and settings.OIDC_OP_DISCOVERY)


class SsoBackend(ModelBackend):
    """Keeps the session of a person who came in through the provider. It checks no
    password: `authenticate` never lets anyone in; only the callback logs a person in."""

    def authenticate(self, request, **credentials):
        return None


class PasswordBackend(ModelBackend):
    """Passwords as usual; with single sign-on on, only superusers use one (a way in
    when the provider is down)."""

    def user_can_authenticate(self, user) -> bool:
        if sso_enabled() and not getattr(user, "is_superuser", False):
            return False
        return super().user_can_authenticate(user)


# --- Refusals -------------------------------------------------------------------------------

REASONS = {
    "provider_error": _("The sign-in service answered with an error."),
    "bad_token": _(
        "The sign-in service's answer could not be verified (its signature, issuer, audience "
        "or time did not match this installation)."
    ),
    "missing_claim": _("The sign-in service did not tell us who you are (a claim was missing)."),
    "not_listed": _("Your email address is not in the municipality's list of people and roles."),
    "inactive": _("Your account here is switched off."),
    "taken": _("Your email address belongs to another account here."),
    "state": _("The sign-in took too long or was started in another window."),
}


@dataclass
class SsoRefused(Exception):  # noqa: N818 -- a refusal, not a fault
    reason: str
    detail: str = ""
    reference: str = ""

    def __post_init__(self) -> None:
        self.reference = self.reference or secrets.token_hex(4).upper()

    @property
    def message(self) -> str:
        return str(REASONS[self.reason])


def refuse(reason: str, *, detail: str = "", email: str = "") -> SsoRefused:
    refusal = SsoRefused(reason, detail)
    org_event(
        "sso.refused", user=None, target=email or "-", reason=reason, detail=detail[:300],
        reference=refusal.reference,
    )  # fmt: skip
    return refusal


# --- Claims → user -----------------------------------------------------------------------------


def _email(claims: dict) -> str:
    for name in ("email", "preferred_username", "upn"):
        value = str(claims.get(name) or "").strip().lower()
        if "@" in value:
            return value
    return ""


def _group_roles() -> list[tuple[str, str, str]]:
    """OIDC_GROUP_ROLES as (group, role code, unit code): "group=ROLE@UNIT, …"."""
    found = []
    for item in settings.OIDC_GROUP_ROLES:
        group, _sep, target = item.partition("=")
        role, _sep, unit = target.partition("@")
        if group.strip() and role.strip() and unit.strip():
            found.append((group.strip(), role.strip(), unit.strip()))
    return found


def _grant_groups(user: User, claims: dict) -> None:
    """Give the roles the person's groups map to; end those given by a group they have left."""
    groups = claims.get(settings.OIDC_GROUPS_CLAIM) or []
    if isinstance(groups, str):
        groups = [groups]
    for group, role_code, unit_code in _group_roles():
        if group not in groups:
            continue
        role = Role.objects.filter(code=role_code).first()
        unit = OrgUnit.objects.filter(external_code=unit_code, is_active=True).first()
        if role is None or unit is None:
            continue
        if not Membership.objects.current().filter(user=user, role=role, org_unit=unit).exists():
            Membership.objects.create(
                user=user, role=role, org_unit=unit, valid_from=timezone.localdate(),
                sso_group=group,
            )  # fmt: skip
            org_event("sso.group_role", user=user, target=user.email, role=role_code,
                      unit=unit_code, group=group)  # fmt: skip
    left = (
        Membership.objects.current()
        .filter(user=user)
        .exclude(sso_group="")
        .exclude(sso_group__in=groups)
        .select_related("user", "org_unit", "role")
    )
    for membership in left:
        membership_end(
            membership=membership, last_day=timezone.localdate() - timedelta(days=1), user=None
        )


def _groups_grant_any(claims: dict) -> bool:
    groups = claims.get(settings.OIDC_GROUPS_CLAIM) or []
    return any(group in groups for group, _role, _unit in _group_roles())


def _refresh(user: User, claims: dict, email: str) -> None:
    first = str(claims.get("given_name") or "").strip()[:150]
    last = str(claims.get("family_name") or "").strip()[:150]
    if not (first or last) and claims.get("name"):
        first, last = split_name(str(claims["name"]))
    changed = []
    if (first or last) and (user.first_name, user.last_name) != (first, last):
        user.first_name, user.last_name = first, last
        changed += ["first_name", "last_name"]
    if email and user.email.lower() != email:
        if User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
            raise refuse("taken", email=email, detail="email of another user")
        user.email = email
        changed.append("email")
    if changed:
        user.save(update_fields=changed)


def sso_user_for_claims(*, claims: dict, issuer: str) -> User:
    """The user these verified ID-token claims belong to; SsoRefused when nobody is, or
    when they hold no role today (which the roles their groups gave may just have lost)."""
    user = _matched_user(claims=claims, issuer=issuer)
    # Only people with a role in force today come in: a person who left is refused.
    if not user.is_superuser and not Membership.objects.current().filter(user=user).exists():
        raise refuse("not_listed", email=user.email, detail="no role in force today")
    return user


@transaction.atomic
def _matched_user(*, claims: dict, issuer: str) -> User:
    subject = str(claims.get(settings.OIDC_USER_CLAIM) or claims.get("sub") or "").strip()
    email = _email(claims)
    if not subject:
        raise refuse("missing_claim", detail=f"no {settings.OIDC_USER_CLAIM} or sub", email=email)
    identity = (
        ExternalIdentity.objects.select_for_update()
        .select_related("user")
        .filter(issuer=issuer, subject=subject)
        .first()
    )
    if identity is None:
        if not email:
            raise refuse("missing_claim", detail="no email, preferred_username or upn")
        user = User.objects.filter(email__iexact=email).order_by("pk").first()
        if user is None and not _groups_grant_any(claims):
            raise refuse("not_listed", email=email)
        user = user or person_for_email(email=email, name=str(claims.get("name") or ""))
        if user.external_identities.filter(issuer=issuer).exists():
            raise refuse("taken", email=email, detail="already linked to another subject")
        identity = ExternalIdentity.objects.create(user=user, issuer=issuer, subject=subject)
        org_event("sso.linked", user=user, target=email, issuer=issuer)
    user = identity.user
    if not user.is_active:
        raise refuse("inactive", email=email)
    _refresh(user, claims, email)
    _grant_groups(user, claims)
    identity.last_login_at = timezone.now()
    identity.save(update_fields=["last_login_at"])
    return user


# --- The provider -----------------------------------------------------------------------------


_CLIENTS: dict[tuple, object] = {}


def oidc_client():
    """An Authlib client for the configured provider; its discovery document and keys are
    fetched on first use and kept (new keys are fetched when a token names an unknown one)."""
    from authlib.integrations.django_client import OAuth

    key = (
        settings.OIDC_OP_DISCOVERY,
        settings.OIDC_RP_CLIENT_ID,
        settings.OIDC_RP_CLIENT_SECRET,
        settings.OIDC_RP_SCOPES,
    )
    if key in _CLIENTS:
        return _CLIENTS[key]
    oauth = OAuth()
    _CLIENTS[key] = client = oauth.register(
        "municipality",
        client_id=settings.OIDC_RP_CLIENT_ID,
        client_secret=settings.OIDC_RP_CLIENT_SECRET,
        server_metadata_url=settings.OIDC_OP_DISCOVERY,
        client_kwargs={
            "scope": settings.OIDC_RP_SCOPES,
            "code_challenge_method": "S256",
            "timeout": settings.OIDC_TIMEOUT,
        },
    )
    return client


def pinned_metadata(client) -> dict:
    metadata = client.load_server_metadata()
    metadata["id_token_signing_alg_values_supported"] = ["RS256"]
    return metadata
