"""The improvement plan page of a unit's self-assessment."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from measures.models import Measure
from qualityplan.models import Goal, Role

from . import improvement
from .forms import LinkMeasureForm, NewMeasureForm
from .models import QualityArea
from .permissions import staircase_rights
from .views import _get_assessment_for_user


def _forms(assessment, data=None, which=""):
    plans = improvement.plans_for_unit(unit_id=assessment.org_unit_id)
    areas = QualityArea.objects.filter(version_id=assessment.framework_version_id).order_by(
        "position"
    )
    goals = Goal.objects.filter(plan__in=plans).select_related("plan").order_by("plan", "position")
    measures = (
        Measure.objects.filter(goal__plan__in=plans, is_active=True)
        .select_related("goal")
        .order_by("goal__plan", "goal__position", "position")
    )
    roles = Role.objects.filter(reports_status=True).order_by("code")
    new = NewMeasureForm(data if which == "new" else None, areas=areas, goals=goals, roles=roles)
    link = LinkMeasureForm(data if which == "link" else None, areas=areas, measures=measures)
    return new, link


@require_http_methods(["GET", "POST"])
def improvement_plan(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _get_assessment_for_user(request, pk, write=request.method == "POST")
    which = request.POST.get("form", "") if request.method == "POST" else ""
    new_form, link_form = _forms(assessment, request.POST or None, which)
    form = {"new": new_form, "link": link_form}.get(which)
    if form is not None and form.is_valid():
        data = form.cleaned_data
        try:
            if which == "new":
                improvement.area_measure_create(
                    assessment=assessment,
                    area=data["area"],
                    goal=data["goal"],
                    title=data["title"].strip(),
                    role=data["role"],
                    user=request.user,
                )
            else:
                improvement.area_measure_link(
                    assessment=assessment,
                    area=data["area"],
                    measure=data["measure"],
                    user=request.user,
                )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The measure is in the improvement plan."))
            return redirect("staircase:improvement", assessment.pk)
    required = assessment.framework_version.framework.required_step
    context = {
        "assessment": assessment,
        "areas": improvement.improvement_plan(assessment=assessment, required=required),
        "required": required,
        "new_form": new_form,
        "link_form": link_form,
        "editable": staircase_rights(user=request.user).can_edit_unit(assessment.org_unit_id),
    }
    return render(request, "staircase/improvement.html", context)
