"""The quality office opens, refreshes and closes reporting periods."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from . import periods as period_services
from .forms import DeadlineForm, PeriodOpenForm
from .models import ReportingPeriod
from .permissions import get_managed_plan_for_user


def period_list(request: HttpRequest, plan_pk: int) -> HttpResponse:
    plan = get_managed_plan_for_user(request, plan_pk)
    per_year = period_services.PERIODS_PER_YEAR[plan.frequency]
    form = PeriodOpenForm(request.POST or None, plan=plan, periods_per_year=per_year)
    if request.method == "POST" and form.is_valid():
        try:
            period, created = period_services.period_open(
                plan=plan, user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                ngettext(
                    "%(period)s is open: %(count)d row to report.",
                    "%(period)s is open: %(count)d rows to report.",
                    created,
                )
                % {"period": period.label, "count": created},
            )
            return redirect("period_list", plan.pk)
    rows = plan.periods.annotate(
        total=Count("statuses"),
        reported=Count("statuses", filter=Q(statuses__reported_at__isnull=False)),
    ).order_by("-year", "-number")
    context = {"plan": plan, "form": form, "periods": rows, "deadline_form": DeadlineForm()}
    return render(request, "measures/period_list.html", context)


@require_POST
def period_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    period = get_object_or_404(ReportingPeriod.objects.select_related("plan"), pk=pk)
    get_managed_plan_for_user(request, period.plan_id)
    if action == "close":
        period_services.period_close(period=period, user=request.user)
        messages.success(request, _("%(period)s is closed.") % {"period": period.label})
    elif action == "reopen":
        period_services.period_reopen(period=period, user=request.user)
        messages.success(request, _("%(period)s is open again.") % {"period": period.label})
    elif action == "refresh":
        created = period_services.obligations_refresh(period=period)
        messages.success(
            request,
            ngettext("%(count)d new row added.", "%(count)d new rows added.", created)
            % {"count": created},
        )
    elif action == "deadline":
        _set_deadline(request, period)
    else:
        raise Http404
    return redirect("period_list", period.plan_id)


def _set_deadline(request: HttpRequest, period: ReportingPeriod) -> None:
    form = DeadlineForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write the deadline as a date, for example 15.12.2026."))
        return
    try:
        period_services.period_set_deadline(
            period=period, deadline=form.cleaned_data["deadline"], user=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The deadline was changed."))
