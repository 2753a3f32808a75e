"""Logging in and out through the municipality's OpenID Connect provider."""

from __future__ import annotations

from urllib.parse import urlencode

import requests
from authlib.common.errors import AuthlibBaseError
from django.conf import settings
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST
from joserfc.errors import JoseError

from .org_log import org_event
from .sso import SsoRefused, oidc_client, pinned_metadata, refuse, sso_enabled, sso_user_for_claims

NEXT_KEY = "oidc_next"
ID_TOKEN_KEY = "oidc_id_token"  # noqa: S105 -- a session key, not a secret


def _callback_url(request: HttpRequest) -> str:
    return settings.SITE_URL + reverse("oidc_callback")


def _safe_next(request: HttpRequest, url: str) -> str:
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return reverse("home")


@login_not_required
@require_GET
def oidc_login(request: HttpRequest) -> HttpResponse:
    """Send the person to the provider; they come back to `oidc_callback`."""
    if not sso_enabled():
        raise Http404
    request.session[NEXT_KEY] = _safe_next(request, request.GET.get("next", ""))
    client = oidc_client()
    try:
        pinned_metadata(client)
        return client.authorize_redirect(request, _callback_url(request))
    except (requests.RequestException, AuthlibBaseError, ValueError) as error:
        return _refused(request, refuse("provider_error", detail=str(error)))


def _refused(request: HttpRequest, refusal: SsoRefused) -> HttpResponse:
    context = {"refusal": refusal, "now": timezone.now()}
    return render(request, "qualityplan/sso_refused.html", context, status=403)


@login_not_required
@require_GET
def oidc_callback(request: HttpRequest) -> HttpResponse:
    """Check the provider's answer, find the person, log them in."""
    if not sso_enabled():
        raise Http404
    client = oidc_client()
    try:
        metadata = pinned_metadata(client)
        token = client.authorize_access_token(request)
        claims = token.get("userinfo")
        if not claims:
            raise refuse("bad_token", detail="no ID token in the answer")
        user = sso_user_for_claims(claims=dict(claims), issuer=metadata["issuer"])
    except SsoRefused as refusal:
        return _refused(request, refusal)
    except AuthlibBaseError as error:
        reason = "state" if "state" in str(error).lower() else "provider_error"
        if getattr(error, "error", "") in ("invalid_claim", "missing_claim"):
            reason = "bad_token"
        return _refused(request, refuse(reason, detail=str(error)))
    except JoseError as error:
        return _refused(request, refuse("bad_token", detail=f"{type(error).__name__}: {error}"))
    except requests.RequestException as error:
        return _refused(request, refuse("provider_error", detail=str(error)))
    next_url = request.session.pop(NEXT_KEY, "") or reverse("home")
    auth_login(request, user, backend="qualityplan.sso.SsoBackend")
    request.session[ID_TOKEN_KEY] = token.get("id_token", "")
    org_event("sso.login", user=user, target=user.email, issuer=metadata["issuer"])
    return redirect(_safe_next(request, next_url))


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    """Log out here and, when the provider supports it, end the provider's session too."""
    id_token = request.session.get(ID_TOKEN_KEY, "")
    if request.user.is_authenticated:
        org_event("auth.logout", user=request.user, target=request.user.get_username())
    auth_logout(request)
    if id_token and sso_enabled():
        try:
            end_session = oidc_client().load_server_metadata().get("end_session_endpoint")
        except (requests.RequestException, AuthlibBaseError, ValueError):
            end_session = None
        if end_session:
            query = urlencode(
                {
                    "id_token_hint": id_token,
                    "client_id": settings.OIDC_RP_CLIENT_ID,
                    "post_logout_redirect_uri": settings.SITE_URL + reverse("login"),
                }
            )
            return redirect(f"{end_session}?{query}")
    return redirect(settings.LOGOUT_REDIRECT_URL)
