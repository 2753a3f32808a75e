"""The security page: the office and the administrator search and download the log,
and lift login locks. Everyone else gets a 404: the page is not there for them."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_tables2 import RequestConfig

from .access import get_access
from .models import SecurityEvent
from .security import lockout_lift, lockouts_active
from .security_lists import (
    SecurityEventFilter,
    SecurityEventTable,
    security_events_csv,
    security_events_xlsx,
)


def _check_reader(request: HttpRequest) -> None:
    if not get_access(request.user).reads_security_log:
        raise Http404("Only the office and the administrator read the security log.")


def _filtered(request: HttpRequest) -> tuple[SecurityEventFilter, object]:
    """The filter and the events it lets through (none while the filter is invalid)."""
    filterset = SecurityEventFilter(request.GET, queryset=SecurityEvent.objects.all())
    events = filterset.qs if filterset.is_valid() else SecurityEvent.objects.none()
    return filterset, events


@require_GET
def security_log(request: HttpRequest) -> HttpResponse:
    _check_reader(request)
    filterset, events = _filtered(request)
    table = SecurityEventTable(events)
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    context = {
        "filter": filterset,
        "table": table,
        "query": request.GET.urlencode(),
        "lockouts": lockouts_active(),
    }
    return render(request, "qualityplan/security_log.html", context)


@require_GET
def security_log_export(request: HttpRequest, fmt: str) -> HttpResponse:
    _check_reader(request)
    _filterset, events = _filtered(request)
    return security_events_xlsx(events) if fmt == "xlsx" else security_events_csv(events)


@require_POST
def security_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    _check_reader(request)
    if lockout_lift(attempt_id=pk, request=request):
        messages.success(request, _("The login is unlocked."))
    else:
        messages.info(request, _("That login was no longer locked."))
    return redirect("security_log")
