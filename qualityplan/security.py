"""The security log: who logged in, who was refused, who exported or read what.

Every event is one `SecurityEvent` row (searched on the security page) and one
JSON line on the `kvalitetsplan.security` logger (for the municipality's log
collector). Logins, failed logins and logouts come from Django's auth signals;
lockouts from django-axes; refusals (PermissionDenied, and the deliberate 404s
for objects outside a person's scope) and exports (every attachment) from
`SecurityLogMiddleware`; a deviation's detail page records its own read.
A typed username is stored with any identity number in it masked.
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from urllib.parse import unquote

from axes.backends import AxesStandaloneBackend
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import user_logged_in, user_logged_out, user_login_failed
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Max, Min, Sum
from django.dispatch import receiver
from django.http import Http404, HttpRequest
from django.utils import timezone

from .models import SecurityEvent
from .validators import find_identity_numbers

logger = logging.getLogger("kvalitetsplan.security")

Kind = SecurityEvent.Kind


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address. Behind TRUSTED_PROXY_COUNT reverse proxies, the address the
    nearest trusted proxy saw (from X-Forwarded-For); otherwise the connection's."""
    if request is None:
        return None
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def _masked(text: str) -> str:
    for written in find_identity_numbers(text):
        text = text.replace(written, "*" * len(written))
    return text


def _cut(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def security_event_record(
    *,
    kind: str,
    request: HttpRequest | None = None,
    user=None,
    username: str = "",
    obj: models.Model | None = None,
    detail: str = "",
) -> SecurityEvent:
    """Write one event to the log table and the JSON log."""
    if user is None and request is not None and getattr(request, "user", None) is not None:
        user = request.user if request.user.is_authenticated else None
    if user is not None and not username:
        username = user.get_username()
    event = SecurityEvent.objects.create(
        kind=kind,
        user=user,
        username=_cut(_masked(username or ""), 150),
        ip_address=client_ip(request),
        path=_cut(request.get_full_path(), 500) if request is not None else "",
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        detail=_cut(_masked(detail), 500),
    )
    logger.info(
        "security event %s",
        kind,
        extra={
            "security": {
                "at": event.at.isoformat(),
                "kind": kind,
                "user_id": event.user_id,
                "username": event.username,
                "ip_address": event.ip_address,
                "path": event.path,
                "object_type": event.object_type,
                "object_id": event.object_id,
                "detail": event.detail,
            }
        },
    )
    return event


def security_events_purge(*, now=None) -> int:
    """Delete the events older than SECURITY_LOG_RETENTION_DAYS; the number deleted."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.SECURITY_LOG_RETENTION_DAYS)
    deleted, _by_model = SecurityEvent.objects.filter(at__lt=cutoff).delete()
    return deleted


# --- Auth signals ---------------------------------------------------------------------


@receiver(user_logged_in, dispatch_uid="security_log_login")
def _logged_in(sender, request, user, **kwargs):
    security_event_record(kind=Kind.LOGIN, request=request, user=user)


def _refused_while_locked(request) -> bool:
    """django-axes' handler (connected before ours: this module imports axes.signals
    first) counts a failure and sets `axes_failures_since_start`; a try refused
    during a lock is not counted and leaves it None."""
    return bool(getattr(request, "axes_locked_out", False)) and (
        getattr(request, "axes_failures_since_start", None) is None
    )


@receiver(user_login_failed, dispatch_uid="security_log_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    # A login refused because the username is locked at this address fails too (even
    # with the right password); the detail says so.
    locked = request is not None and _refused_while_locked(request)
    security_event_record(
        kind=Kind.LOGIN_FAILED,
        request=request,
        username=credentials.get("username", ""),
        detail="locked" if locked else "",
    )


@receiver(user_locked_out, dispatch_uid="security_log_lockout")
def _locked_out(sender, request, username, ip_address, **kwargs):
    # django-axes signals again on every try during a lock; the lock is recorded once.
    if _refused_while_locked(request):
        return
    security_event_record(
        kind=Kind.LOCKOUT,
        request=request,
        username=username or "",
        detail=f"{settings.AXES_FAILURE_LIMIT} failures",
    )


@receiver(user_logged_out, dispatch_uid="security_log_logout")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        security_event_record(kind=Kind.LOGOUT, request=request, user=user)


# --- Lockouts: listed and lifted on the security page ---------------------------------------


def axes_username(request: HttpRequest, credentials: dict | None) -> str | None:
    """The username django-axes counts and stores, with any identity number masked
    (people type their national identity number as a username now and then)."""
    if credentials:
        name = credentials.get("username")
    else:
        name = request.POST.get("username") if request is not None else None
    return _masked(name) if name else name


def lockouts_active(*, now=None) -> list[dict]:
    """The username + address pairs locked now, newest first. django-axes keeps a row per
    browser and adds them up, so they are added up here too; `id` names the pair."""
    since = (now or timezone.now()) - settings.AXES_COOLOFF_TIME
    return list(
        AccessAttempt.objects.values("username", "ip_address")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"), id=Min("id"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT, last__gte=since)
        .order_by("-last")
    )


def lockout_lift(*, attempt_id: int, request: HttpRequest) -> bool:
    """Unlock the username + address of one attempt row; False when it was not locked."""
    attempt = AccessAttempt.objects.filter(pk=attempt_id).first()
    if attempt is None:
        return False
    AccessAttempt.objects.filter(username=attempt.username, ip_address=attempt.ip_address).delete()
    security_event_record(
        kind=Kind.UNLOCK,
        request=request,
        detail=f"{_masked(attempt.username or '')} @ {attempt.ip_address or '?'}",
    )
    return True


# --- Refusals and exports ---------------------------------------------------------------


def _attachment_name(response) -> str | None:
    """The file name of a download, or None when the response is not one."""
    disposition = response.get("Content-Disposition", "")
    if not disposition.lower().startswith("attachment"):
        return None
    found = re.search(r"filename\*=(?:utf-8'')?([^;]+)|filename=\"?([^\";]+)", disposition, re.I)
    if found is None:
        return "?"
    return unquote(found.group(1) or found.group(2)).strip().strip('"')


class SecurityLogMiddleware:
    """Records refusals a view raises for a logged-in person, and every export."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return response
        name = _attachment_name(response) if response.status_code == 200 else None
        if name is not None:
            security_event_record(kind=Kind.EXPORT, request=request, detail=name)
        elif response.status_code == 403 and not getattr(request, "_security_logged", False):
            security_event_record(kind=Kind.ACCESS_REFUSED, request=request, detail="403")
        return response

    def process_exception(self, request: HttpRequest, exception: Exception):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if isinstance(exception, PermissionDenied | Http404):
            status = 403 if isinstance(exception, PermissionDenied) else 404
            # The view's own words where it gave them; else which view refused.
            match = getattr(request, "resolver_match", None)
            why = str(exception) or f"refused by {match.view_name if match else '?'}"
            security_event_record(
                kind=Kind.ACCESS_REFUSED, request=request, detail=f"{status}: {why}"
            )
            request._security_logged = True
        return None


class LoginThrottleBackend(AxesStandaloneBackend):
    """django-axes' check, for logins that come through a request.

    A web login always carries its request (Django's login view and the SSO callback
    pass it); code that authenticates without one (a management command, the test
    client) has no address to throttle, so it is not checked instead of refused.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
