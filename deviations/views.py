from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from django_tables2 import RequestConfig

from qualityplan.access import get_access
from qualityplan.models import SecurityEvent
from qualityplan.security import security_event_record

from . import exports, selectors, services
from .filters import DeviationFilter
from .forms import (
    ClassifyForm,
    CloseForm,
    DeviationReportForm,
    LinkMeasureForm,
    MeetingForm,
    RejectForm,
    ReopenForm,
    StartTreatmentForm,
    StatisticsForm,
)
from .models import Deviation, DeviationEvent, QualityCouncilMeeting
from .permissions import get_deviation_for_user, get_meeting_for_user, may_hold_meeting
from .tables import DeviationTable, MeetingTable

Action = DeviationEvent.Action


def _add_service_error(form: Form, error: ValidationError) -> None:
    """Put a service's errors at the form's fields where it has them, above the form otherwise."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)


def deviation_create(request: HttpRequest) -> HttpResponse:
    units = selectors.reportable_units(user=request.user)
    own = selectors.own_unit_id(user=request.user, units=units)
    form = DeviationReportForm(request.POST or None, units=units, own_unit_id=own)
    if request.method == "POST" and form.is_valid():
        try:
            deviation = services.deviation_report(
                deviation=form.save(commit=False), user=request.user
            )
        except ValidationError as error:
            _add_service_error(form, error)
        else:
            return redirect("deviation_receipt", pk=deviation.pk)
    return render(request, "deviations/report_form.html", {"form": form, "units": units})


@require_GET
def deviation_receipt(request: HttpRequest, pk: int) -> HttpResponse:
    deviation = get_deviation_for_user(request, pk)
    return render(request, "deviations/receipt.html", {"deviation": deviation})


def _action_form(action: str, request: HttpRequest, deviation: Deviation, data=None) -> Form:
    """The form for one step on the detail page, prefixed so several fit on one page."""
    if action in (Action.START_TREATMENT, Action.REOPEN):
        form_class = StartTreatmentForm if action == Action.START_TREATMENT else ReopenForm
        handlers = selectors.handler_candidates(deviation=deviation, user=request.user)
        initial = {"handler": deviation.handler_id or request.user.pk}
        if action == Action.START_TREATMENT:
            initial["due_date"] = deviation.due_date
        return form_class(data, prefix=action, handlers=handlers, initial=initial)
    if action == Action.CLASSIFY:
        return ClassifyForm(data, prefix=action, initial={"legal_class": deviation.legal_class})
    if action == Action.LINK_MEASURE:
        measures = selectors.linkable_measures(user=request.user)
        initial = {"measure": deviation.measure_id}
        return LinkMeasureForm(data, prefix=action, measures=measures, initial=initial)
    form_class = {Action.CLOSE: CloseForm, Action.REJECT: RejectForm}[action]
    return form_class(data, prefix=action)


def _perform(action: str, deviation: Deviation, request: HttpRequest, data: dict) -> Deviation:
    user = request.user
    if action == Action.START_TREATMENT:
        return services.deviation_start_treatment(deviation=deviation, user=user, **data)
    if action == Action.CLOSE:
        return services.deviation_close(deviation=deviation, user=user, **data)
    if action == Action.REJECT:
        reason = data["rejection_reason"]
        return services.deviation_reject(deviation=deviation, user=user, reason=reason)
    if action == Action.REOPEN:
        return services.deviation_reopen(deviation=deviation, user=user, **data)
    if action == Action.CLASSIFY:
        return services.deviation_classify(deviation=deviation, user=user, **data)
    return services.deviation_link_measure(deviation=deviation, user=user, **data)


def _detail_page(request: HttpRequest, deviation: Deviation, bound: Form | None = None):
    # Who read which deviation, and when: health information asks for it (Normen).
    security_event_record(kind=SecurityEvent.Kind.DEVIATION_READ, request=request, obj=deviation)
    actions = services.allowed_actions(user=request.user, deviation=deviation)
    forms = {
        action: bound
        if bound is not None and bound.prefix == action
        else _action_form(action, request, deviation)
        for action in actions
    }
    if bound is not None and bound.prefix not in forms:
        # A step that is no longer allowed (someone else moved the deviation on): show why.
        forms = {bound.prefix: bound, **forms}
    context = {
        "deviation": deviation,
        "forms": forms,
        "events": deviation.events.all(),
        "today": timezone.localdate(),
    }
    return render(request, "deviations/deviation_detail.html", context)


@require_GET
def deviation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, get_deviation_for_user(request, pk))


SUCCESS = {
    Action.START_TREATMENT: gettext_lazy("%(reference)s is in treatment."),
    Action.CLOSE: gettext_lazy("%(reference)s is closed. The reporter is told by email."),
    Action.REJECT: gettext_lazy("%(reference)s is rejected."),
    Action.REOPEN: gettext_lazy("%(reference)s is reopened and in treatment again."),
    Action.LINK_MEASURE: gettext_lazy("The link to the plan was saved."),
    Action.CLASSIFY: gettext_lazy("The reporting regime of %(reference)s is saved."),
}


@require_POST
def deviation_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One step of the follow-up: validate its form, act through the service, redirect."""
    deviation = get_deviation_for_user(request, pk, write=True)
    form = _action_form(action, request, deviation, data=request.POST)
    if form.is_valid():
        try:
            _perform(action, deviation, request, form.cleaned_data)
        except ValidationError as error:
            _add_service_error(form, error)
        else:
            messages.success(request, str(SUCCESS[action]) % {"reference": deviation.reference})
            return redirect("deviation_detail", pk=deviation.pk)
    return _detail_page(request, deviation, bound=form)


def _filtered(request: HttpRequest) -> DeviationFilter:
    deviations = selectors.deviation_list_for_user(user=request.user)
    units = selectors.readable_units(user=request.user)
    return DeviationFilter(request.GET or None, queryset=deviations, units=units)


@require_GET
def deviation_list(request: HttpRequest) -> HttpResponse:
    filterset = _filtered(request)
    table = DeviationTable(filterset.qs)
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    context = {"filter": filterset, "table": table, "query": request.GET.urlencode()}
    return render(request, "deviations/deviation_list.html", context)


@require_GET
def deviation_export(request: HttpRequest, fmt: str) -> HttpResponse:
    deviations = _filtered(request).qs.select_related("measure")
    if fmt == "xlsx":
        return exports.deviations_xlsx(deviations)
    return exports.deviations_csv(deviations)


@require_GET
def deviation_statistics(request: HttpRequest) -> HttpResponse:
    if not get_access(request.user).reads_follow_up:
        raise PermissionDenied
    units = selectors.readable_units(user=request.user)
    form = StatisticsForm(request.GET or StatisticsForm.default_period(), units=units)
    stats = None
    if form.is_valid():
        unit = form.cleaned_data["unit"]
        stats = selectors.deviation_statistics(
            user=request.user,
            start=form.cleaned_data["start"],
            end=form.cleaned_data["end"],
            unit_ids=[unit.pk] if unit else None,
        )
    return render(request, "deviations/statistics.html", {"form": form, "stats": stats})


# --- Quality council meetings --------------------------------------------------------


@require_GET
def meeting_list(request: HttpRequest) -> HttpResponse:
    table = MeetingTable(selectors.meeting_list_for_user(user=request.user))
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    may_add = selectors.meeting_units_for_user(user=request.user).exists()
    return render(request, "deviations/meeting_list.html", {"table": table, "may_add": may_add})


@require_GET
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request, pk)
    may_edit = may_hold_meeting(user=request.user, org_unit_id=meeting.org_unit_id)
    return render(
        request, "deviations/meeting_detail.html", {"meeting": meeting, "may_edit": may_edit}
    )


def _meeting_form_page(request: HttpRequest, meeting: QualityCouncilMeeting, context: dict):
    reviewable = selectors.reviewable_deviations(org_unit_id=meeting.org_unit_id, meeting=meeting)
    form = MeetingForm(request.POST or None, instance=meeting, reviewable=reviewable)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_save(
                meeting=form.save(commit=False),
                deviations=list(form.cleaned_data["deviations"]),
                user=request.user,
            )
        except ValidationError as error:
            _add_service_error(form, error)
        else:
            messages.success(request, _("The meeting was saved."))
            return redirect("meeting_detail", pk=meeting.pk)
    context = {"form": form, "meeting": meeting, **context}
    return render(request, "deviations/meeting_form.html", context)


def _own_meeting_unit(request: HttpRequest, choices: list) -> int | None:
    """The unit to start from: the only choice, or the one unit or section the user is in."""
    if len(choices) == 1:
        return choices[0].pk
    mine = {unit_id for unit_id, _role in get_access(request.user).unit_roles}
    own = [u.pk for u in choices if u.pk in mine and u.kind in ("unit", "section")]
    return own[0] if len(own) == 1 else None


def meeting_create(request: HttpRequest) -> HttpResponse:
    units = selectors.meeting_units_for_user(user=request.user)
    choices = list(units)
    if not choices:
        raise PermissionDenied
    chosen = request.GET.get("unit") or _own_meeting_unit(request, choices)
    unit = next((u for u in choices if str(u.pk) == str(chosen)), None)
    if unit is None:
        return render(request, "deviations/meeting_unit.html", {"units": choices})
    meeting = QualityCouncilMeeting(org_unit=unit)
    return _meeting_form_page(request, meeting, {"units": choices, "unit": unit})


def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request, pk, write=True)
    return _meeting_form_page(request, meeting, {"unit": meeting.org_unit})
