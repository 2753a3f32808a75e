"""The status pages: "my measures" for the units, inline saves, copies, the measure's history."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from qualityplan.access import get_access

from . import selectors
from .filters import StatusFilter
from .forms import StatusCorrectionForm, StatusRowForm
from .models import Measure, MeasureStatus, ReportingPeriod
from .permissions import get_period_for_user, get_status_for_user, status_may_edit
from .status_rows import RowView, render_row, render_table
from .statuses import (
    StatusConflict,
    measure_status_copy_previous,
    measure_status_correct_value,
    measure_status_update,
    statuses_copy_previous,
)


def my_measures(request: HttpRequest) -> HttpResponse:
    """Send the user to the newest open period they take part in."""
    if not get_access(request.user).reads_follow_up:
        raise PermissionDenied
    period = selectors.open_periods_for_user(user=request.user).first()
    if period is None:
        return render(request, "measures/status_none.html")
    return redirect("status_page", period.pk)


def _page_context(request: HttpRequest, period: ReportingPeriod, kept: dict | None = None):
    """Everything the status page shows; `kept` holds the rows "Save all" could not save,
    as `_kept_rows` stored them, to show again with their messages."""
    units = selectors.status_units_for_user(user=request.user, period=period)
    wanted = request.GET.get("unit") or request.POST.get("unit")
    unit = next((u for u in units if str(u.pk) == wanted), units[0] if units else None)
    context = {"period": period, "units": units, "unit": unit}
    if unit is None:
        return context
    rows = selectors.status_rows_of_unit(period=period, unit=unit)
    filterset = StatusFilter(request.GET, queryset=rows, plan=period.plan)
    records = selectors.attach_shared(list(filterset.qs), period=period, unit=unit)
    views = []
    for row in records:
        editable = status_may_edit(user=request.user, status=row)
        form = _kept_form(row, (kept or {}).get(str(row.pk))) if editable else None
        views.append(RowView(row, editable=editable, form=form))
    context.update(
        filterset=filterset,
        table=render_table(views, request=request),
        counts=selectors.status_counts(period=period, unit_ids=[unit.pk]),
        any_editable=any(view.editable for view in views),
        filters_active=any(request.GET.get(name) for name in filterset.filters),
        periods=selectors.periods_for_plan(plan=period.plan),
    )
    return context


def status_page(request: HttpRequest, period_pk: int) -> HttpResponse:
    period = get_period_for_user(request, period_pk)
    kept = request.session.pop(KEPT_KEY, None) if KEPT_KEY in request.session else None
    if kept and kept.get("period") != period.pk:
        kept = None
    context = _page_context(request, period, kept=kept and kept["rows"])
    return render(request, "measures/status_page.html", context)


# "Save all" redirects after its POST (a reload must not send it again); the rows it
# could not save travel to the page in the session, a few fields each, read once.
KEPT_KEY = "status_kept_rows"


def _kept_rows(bound: dict[int, StatusRowForm]) -> dict[str, dict]:
    return {
        str(pk): {
            "data": {
                name: form.data.get(form.add_prefix(name), "")
                for name in form.fields
                if form.add_prefix(name) in form.data
            },
            "conflict": getattr(form, "conflict", None) is not None,
        }
        for pk, form in bound.items()
    }


def _kept_form(row: MeasureStatus, kept: dict | None) -> StatusRowForm | None:
    """The form a row had when "Save all" stopped at it, with its errors or conflict."""
    if not kept:
        return None
    data = {StatusRowForm(row=row).add_prefix(name): value for name, value in kept["data"].items()}
    form = StatusRowForm(data, row=row)
    form.is_valid()
    if kept["conflict"]:
        form.conflict = row
    return form


def _back(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


def _row_response(request, row, form, *, saved=False, error=None) -> HttpResponse:
    if request.htmx:
        view = RowView(row, editable=status_may_edit(user=request.user, status=row), form=form)
        counts = selectors.status_counts(period=row.period, unit_ids=[row.org_unit_id])
        count = render_to_string("measures/_status_count.html", {"counts": counts}, request)
        html = render_row(view, request=request, saved=saved, error=error)
        return HttpResponse(f'{html}\n<span id="status-count" hx-swap-oob="true">{count}</span>')
    if saved:
        messages.success(request, _("Saved: %(title)s") % {"title": row.measure.title})
    else:
        messages.error(request, error or _("The row was not saved. See the message at the row."))
    page = reverse("status_page", args=[row.period_id]) + f"?unit={row.org_unit_id}"
    return redirect(_back(request, page) + f"#status-{row.pk}")


@require_POST
def status_save(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_status_for_user(request, pk, write=True)
    form = StatusRowForm(request.POST, row=row)
    if not form.is_valid():
        return _row_response(request, row, form)
    try:
        row = measure_status_update(
            row=row, user=request.user, version=form.cleaned_data["version"], **form.changes()
        )
    except StatusConflict as conflict:
        return _row_response(request, row, _keep_mine(form, conflict.current))
    except ValidationError as error:
        return _row_response(request, row, form, error=" ".join(error.messages))
    row = selectors.status_with_details(pk=row.pk)
    return _row_response(request, row, StatusRowForm(row=row), saved=True)


def _keep_mine(form: StatusRowForm, current: MeasureStatus) -> StatusRowForm:
    """The user's values, ready to save over the other person's if they choose to."""
    data = form.data.copy()
    data[form.add_prefix("version")] = str(current.version)
    kept = StatusRowForm(data, row=form.row)
    kept.is_valid()
    kept.conflict = current
    return kept


@require_POST
def status_copy_previous(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_status_for_user(request, pk, write=True)
    try:
        version = int(request.POST.get(f"s{row.pk}-version", row.version))
        row = measure_status_copy_previous(status=row, user=request.user, version=version)
    except StatusConflict as conflict:
        form = StatusRowForm(row=row)
        form.conflict = conflict.current
        return _row_response(request, row, form)
    except (ValidationError, ValueError) as error:
        message = " ".join(getattr(error, "messages", [str(error)]))
        return _row_response(request, row, StatusRowForm(row=row), error=message)
    row = selectors.status_with_details(pk=row.pk)
    return _row_response(request, row, StatusRowForm(row=row), saved=True)


@require_POST
def status_save_all(request: HttpRequest, period_pk: int) -> HttpResponse:
    """Save every row the user changed; rows with errors are shown again with them."""
    period = get_period_for_user(request, period_pk)
    unit_id = request.POST.get("unit", "")
    if not unit_id.isdigit() or not get_access(request.user).can_read_unit(int(unit_id)):
        raise Http404
    rows = selectors.status_rows(period=period, unit_ids=[int(unit_id)])
    saved, bound = _save_changed_rows(request, rows)
    if saved:
        messages.success(
            request,
            ngettext("%(count)d row saved.", "%(count)d rows saved.", saved) % {"count": saved},
        )
    if not bound:
        if not saved:
            messages.info(request, _("Nothing was changed, so nothing was saved."))
        return redirect(_back(request, reverse("status_page", args=[period.pk])))
    messages.error(
        request,
        ngettext(
            "%(count)d row was not saved. See the message at the row.",
            "%(count)d rows were not saved. See the messages at the rows.",
            len(bound),
        )
        % {"count": len(bound)},
    )
    request.session[KEPT_KEY] = {"period": period.pk, "rows": _kept_rows(bound)}
    page = reverse("status_page", args=[period.pk]) + f"?unit={int(unit_id)}"
    return redirect(_back(request, page))


def _save_changed_rows(request: HttpRequest, rows) -> tuple[int, dict]:
    saved, bound = 0, {}
    for row in rows:
        if f"s{row.pk}-version" not in request.POST:
            continue
        form = StatusRowForm(request.POST, row=row)
        if not form.has_changed() or not status_may_edit(user=request.user, status=row):
            continue
        if not form.is_valid():
            bound[row.pk] = form
            continue
        try:
            measure_status_update(
                row=row, user=request.user, version=form.cleaned_data["version"], **form.changes()
            )
            saved += 1
        except StatusConflict as conflict:
            bound[row.pk] = _keep_mine(form, conflict.current)
    return saved, bound


@require_POST
def status_copy_previous_all(request: HttpRequest, period_pk: int) -> HttpResponse:
    period = get_period_for_user(request, period_pk)
    unit_id = request.POST.get("unit", "")
    if not unit_id.isdigit() or not get_access(request.user).can_read_unit(int(unit_id)):
        raise Http404
    rows = [
        row
        for row in selectors.status_rows(period=period, unit_ids=[int(unit_id)])
        if status_may_edit(user=request.user, status=row)
    ]
    filled = statuses_copy_previous(statuses=rows, user=request.user)
    if filled:
        messages.success(
            request,
            ngettext(
                "%(count)d row filled from the last period.",
                "%(count)d rows filled from the last period.",
                filled,
            )
            % {"count": filled},
        )
    else:
        messages.info(request, _("No unreported row had an earlier report to copy from."))
    return redirect(_back(request, reverse("status_page", args=[period.pk])))


def status_row(request: HttpRequest, pk: int) -> HttpResponse:
    """One row as it is now (after "keep theirs" in a conflict)."""
    row = get_status_for_user(request, pk)
    if not request.htmx:
        page = reverse("status_page", args=[row.period_id]) + f"?unit={row.org_unit_id}"
        return redirect(f"{page}#status-{row.pk}")
    return _row_response(request, row, StatusRowForm(row=row))


def measure_history(request: HttpRequest, pk: int) -> HttpResponse:
    """A measure's statuses per period and unit, with every change: who, when, old → new."""
    measure = get_object_or_404(
        Measure.objects.select_related("goal__plan", "subgoal").prefetch_related("indicators"),
        pk=pk,
    )
    access = get_access(request.user)
    if not (access.can_view_plan(measure.goal.plan) and access.reads_follow_up):
        raise Http404
    unit_id = request.GET.get("unit", "")
    rows = list(
        selectors.measure_status_rows_for_user(
            user=request.user, measure=measure, unit_id=int(unit_id) if unit_id.isdigit() else None
        )
    )
    history = selectors.status_history(status_ids=[row.pk for row in rows])
    for row in rows:
        row.changes = history.get(row.pk, [])
    context = {
        "measure": measure,
        "indicator": next(iter(measure.indicators.all()), None),
        "rows": rows,
    }
    return render(request, "measures/measure_history.html", context)


def status_correct(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct an imported or statistical value: a new value, with a reason kept in history."""
    row = get_status_for_user(request, pk, write=True)
    indicator = next(iter(row.measure.indicators.all()), None)
    if indicator is None or not indicator.value_comes_from_outside:
        raise Http404
    form = StatusCorrectionForm(request.POST or None, row=row)
    if request.method == "POST" and form.is_valid():
        try:
            measure_status_correct_value(
                row=row,
                user=request.user,
                version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
                **form.changes(),
            )
        except StatusConflict:
            form.add_error(None, _("Someone else saved this row while you were editing it."))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Corrected: %(title)s") % {"title": row.measure.title})
            page = reverse("status_page", args=[row.period_id]) + f"?unit={row.org_unit_id}"
            return redirect(f"{page}#status-{row.pk}")
    context = {"row": row, "indicator": indicator, "form": form}
    return render(request, "measures/status_correct.html", context)
