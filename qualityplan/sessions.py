"""Sessions that end, and edits that survive the end.

A session ends after SESSION_IDLE_TIMEOUT seconds without a request (30 minutes by
default) and SESSION_MAX_LIFETIME seconds after the login whatever happens (10 hours).
Sessions live in the database, so every web process sees the same ones.

Nothing a person typed is lost to that end:
- an htmx request from an ended session gets a 401 and no swap, so the row keeps its
  values; `static/js/site.js` offers a login in a new tab and then sends it again;
- before a form is posted at a time the session may have ended (the idle time, less a
  margin, since the page last heard from the server, or the end of its lifetime),
  `site.js` asks `/session/alive/`; when it has ended, the form is not sent (the values
  and a chosen file stay in the page) and the same login is offered;
- a plain post that still arrives from an ended session (no JavaScript) is sent to the
  login with the page it came from as `next`, not the post-only address.
"""

import time
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

STARTED = "_session_started"
LAST_SEEN = "_session_last_seen"


def session_started(sender, request, user, **kwargs) -> None:
    """At login: the clock of both limits starts (and the first request writes nothing)."""
    now = time.time()
    request.session[STARTED] = now
    request.session[LAST_SEEN] = now
    request.session.set_expiry(settings.SESSION_IDLE_TIMEOUT)


def session_timeouts(get_response):
    """Logs out a session idle too long or older than its lifetime; otherwise notes the
    request (written at most every few seconds, not on every request)."""

    def middleware(request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            _check(request)
        return get_response(request)

    return middleware


def _check(request: HttpRequest) -> None:
    now = time.time()
    session = request.session
    started = session.get(STARTED)
    last_seen = session.get(LAST_SEEN, now)
    if started is None:
        session[STARTED] = started = now
    idle = settings.SESSION_IDLE_TIMEOUT
    if now - last_seen > idle or now - started > settings.SESSION_MAX_LIFETIME:
        logout(request)
        request.session_ended = True
        return
    if LAST_SEEN not in session or now - last_seen > min(60, idle / 30):
        session[LAST_SEEN] = now
        # The stored session and the cookie end with the idle time too, so a session
        # nobody uses is gone from the database without this middleware's help.
        session.set_expiry(int(min(idle, settings.SESSION_MAX_LIFETIME - (now - started))) + 1)


class LoginRequired(LoginRequiredMiddleware):
    """Django's LoginRequiredMiddleware, with answers that keep a person's edits."""

    def handle_no_permission(self, request, view_func):
        if getattr(request, "htmx", False):
            response = HttpResponse(
                _("Your session has ended. Log in again; what you typed is still here."),
                status=401,
                content_type="text/plain; charset=utf-8",
            )
            response["HX-Reswap"] = "none"
            return response
        if request.method == "POST":
            # The post-only address cannot be the page to come back to.
            back = _same_site_referer(request) or settings.LOGIN_REDIRECT_URL
            return redirect_to_login(back, self.get_login_url(view_func))
        return super().handle_no_permission(request, view_func)


def _same_site_referer(request: HttpRequest) -> str:
    referer = request.headers.get("Referer", "")
    if not referer or not url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return ""
    parts = urlsplit(referer)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def session_limits(request: HttpRequest) -> dict:
    """Context processor: what the page's script needs to know when to ask before a post."""
    session = getattr(request, "session", None)
    user = getattr(request, "user", None)
    if session is None or user is None or not user.is_authenticated:
        return {}
    started = session.get(STARTED, time.time())
    return {
        "session_idle_seconds": settings.SESSION_IDLE_TIMEOUT,
        "session_seconds_left": max(
            0, int(settings.SESSION_MAX_LIFETIME - (time.time() - started))
        ),
    }


@login_not_required
@never_cache
@require_safe
def session_alive(request: HttpRequest) -> HttpResponse:
    """204 while the session is alive, 401 once it has ended (asked before a post)."""
    return HttpResponse(status=204 if request.user.is_authenticated else 401)
