"""Learning network pages."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from qualityplan.models import OrgUnit

from . import networks
from .forms import MeetingForm, NetworkForm
from .permissions import staircase_rights


@require_GET
def network_list(request: HttpRequest) -> HttpResponse:
    rights = staircase_rights(user=request.user)
    if not rights.uses_staircase:
        raise Http404
    context = {"networks": networks.networks_for_user(rights=rights), "rights": rights}
    return render(request, "staircase/network_list.html", context)


@require_http_methods(["GET", "POST"])
def network_create(request: HttpRequest) -> HttpResponse:
    rights = staircase_rights(user=request.user)
    if not rights.is_office:
        raise PermissionDenied
    units = OrgUnit.objects.filter(kind=OrgUnit.Kind.UNIT, is_active=True).order_by("name")
    if not rights.is_superuser:
        units = units.filter(pk__in=rights.office_unit_ids)
    form = NetworkForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            network = networks.network_create(
                name=data["name"].strip(),
                description=data["description"].strip(),
                framework=data["framework"],
                units=data["units"],
                user=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The learning network was created."))
            return redirect("staircase:network_detail", network.pk)
    return render(request, "staircase/network_form.html", {"form": form})


def _may_record(rights, network) -> bool:
    unit_ids = {unit.pk for unit in network.units.all()}
    return rights.is_superuser or bool(unit_ids & (rights.office_unit_ids | rights.edit_unit_ids))


@require_http_methods(["GET", "POST"])
def network_detail(request: HttpRequest, pk: int) -> HttpResponse:
    rights = staircase_rights(user=request.user)
    network = networks.network_detail(pk=pk)
    if network is None:
        raise Http404
    unit_ids = {unit.pk for unit in network.units.all()}
    if not (rights.is_superuser or any(rights.can_read_unit(u) for u in unit_ids)):
        raise Http404
    may_record = _may_record(rights, network)
    if request.method == "POST" and not may_record:
        raise PermissionDenied
    form = MeetingForm(request.POST or None, areas=networks.current_areas(network=network))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            networks.meeting_record(network=network, user=request.user, **data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The meeting was recorded."))
            return redirect("staircase:network_detail", network.pk)
    context = {"network": network, "form": form, "may_record": may_record, "rights": rights}
    return render(request, "staircase/network_detail.html", context)
