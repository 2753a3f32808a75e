from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qualityplan.access import get_access
from qualityplan.forms import MoveForm
from qualityplan.models import Goal, QualityPlan
from qualityplan.services import position_delete, position_move

from . import selectors, services
from .forms import MeasureForm
from .models import Measure
from .permissions import check_plan, get_measure_for_user


def _measure_url(measure: Measure) -> str:
    return reverse("plan_detail", args=[measure.goal.plan_id]) + f"?edit=1#measure-{measure.pk}"


def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(QualityPlan.objects.select_related("owner"), pk=pk)
    check_plan(request, plan, write=False)
    may_edit = get_access(request.user).can_manage_plan(plan)
    context = {
        "plan": plan,
        "structure": selectors.plan_structure(plan=plan),
        "may_edit": may_edit,
        # The table reads best without controls; the office turns them on to edit.
        "can_edit": may_edit and request.GET.get("edit") == "1",
    }
    return render(request, "measures/plan_detail.html", context)


def _measure_form_page(request: HttpRequest, measure: Measure, heading: str) -> HttpResponse:
    indicator = measure.indicators.order_by("id").first() if measure.pk else None
    form = MeasureForm(
        request.POST or None, instance=measure, goal=measure.goal, indicator=indicator
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.measure_save(
                measure=form.save(commit=False),
                roles=list(form.cleaned_data["responsible_roles"]),
                years=form.cleaned_data["years"],
                indicator=form.indicator_fields(),
                targets=form.targets(),
                user=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The measure was saved."))
            return redirect(_measure_url(measure))
    back = reverse("plan_detail", args=[measure.goal.plan_id]) + f"?edit=1#goal-{measure.goal_id}"
    context = {"form": form, "heading": heading, "back_url": back, "plan": measure.goal.plan}
    return render(request, "measures/measure_form.html", context)


def measure_create(request: HttpRequest, goal_pk: int) -> HttpResponse:
    goal = get_object_or_404(Goal.objects.select_related("plan"), pk=goal_pk)
    check_plan(request, goal.plan, write=True)
    measure = Measure(goal=goal, subgoal_id=request.GET.get("subgoal") or None)
    if measure.subgoal_id and not goal.subgoals.filter(pk=measure.subgoal_id).exists():
        measure.subgoal_id = None
    heading = _("New measure under goal %(number)s") % {"number": goal.position}
    return _measure_form_page(request, measure, heading)


def measure_edit(request: HttpRequest, pk: int) -> HttpResponse:
    measure = get_measure_for_user(request, pk, write=True)
    return _measure_form_page(request, measure, _("Edit measure"))


def measure_delete(request: HttpRequest, pk: int) -> HttpResponse:
    measure = get_measure_for_user(request, pk, write=True)
    back = reverse("plan_detail", args=[measure.goal.plan_id])
    if request.method == "POST":
        position_delete(obj=measure, user=request.user)
        messages.success(request, _("“%(title)s” was deleted.") % {"title": measure.title})
        return redirect(f"{back}?edit=1#goal-{measure.goal_id}")
    context = {
        "object": measure,
        "plan": measure.goal.plan,
        "back_url": _measure_url(measure),
        "consequence": _("Its indicator and targets are deleted too."),
    }
    return render(request, "qualityplan/confirm_delete.html", context)


@require_POST
def measure_move(request: HttpRequest, pk: int) -> HttpResponse:
    measure = get_measure_for_user(request, pk, write=True)
    form = MoveForm(request.POST)
    if form.is_valid():
        position_move(obj=measure, direction=form.cleaned_data["direction"], user=request.user)
    return redirect(_measure_url(measure))
