"""The office's overview page and its downloads."""

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from qualityplan.forms import DesignsystemetFormMixin
from qualityplan.models import OrgUnit
from reporting.exports import export_response

from . import overview as ov
from .models import Framework
from .permissions import staircase_rights


class OverviewFilter(DesignsystemetFormMixin, forms.Form):
    framework = forms.ModelChoiceField(
        label=_("Framework"), queryset=Framework.objects.all(), required=False, empty_label=None
    )
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    area = forms.ModelChoiceField(
        label=_("Area"),
        queryset=OrgUnit.objects.filter(kind=OrgUnit.Kind.AREA).order_by("name"),
        required=False,
        empty_label=_("All"),
    )


@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    rights = staircase_rights(user=request.user)
    if not (rights.is_office or rights.read_unit_ids):
        raise Http404
    form = OverviewFilter(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    framework = data.get("framework") or ov.default_framework(rights=rights)
    if not form.is_bound:
        form = OverviewFilter(initial={"framework": framework})
    area = data.get("area")
    result = ov.staircase_overview(
        rights=rights,
        framework=framework,
        year=data.get("year"),
        area_id=area.pk if area else None,
        today=timezone.localdate(),
    )
    if result.year is None:
        return render(
            request, "staircase/overview.html", {"form": form, "overview": result, "rights": rights}
        )
    fmt, name = request.GET.get("format"), request.GET.get("table", "heatmap")
    exports = {
        "heatmap": ov.heat_table,
        "distribution": lambda o: ov.distribution_chart(o).table,
        "trend": ov.trend_table,
    }
    if fmt in ("csv", "xlsx") and name in exports:
        filename = f"kvalitetstrapp-{name}-{result.year}"
        return export_response(table=exports[name](result), fmt=fmt, filename=filename)
    heat = ov.heat_table(result)
    distribution = ov.distribution_chart(result)
    trend = ov.trend_chart(result)
    context = {
        "form": form,
        "overview": result,
        "heat": heat,
        "distribution": distribution,
        "trend": trend,
        "rights": rights,
        "may_chase": [r for r in result.rounds if rights.can_manage_unit(r.owner_id)],
    }
    return render(request, "staircase/overview.html", context)
