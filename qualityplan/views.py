from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.http import require_http_methods, require_POST

from . import selectors, services
from .forms import GoalForm, MoveForm, PlanForm, SubGoalForm
from .models import Goal, QualityPlan, SubGoal
from .municipality import municipality_settings
from .permissions import get_part_for_user, get_plan_for_user, require_plan_manager


def plan_anchor(plan: QualityPlan, anchor: str = "") -> str:
    url = reverse("plan_detail", args=[plan.pk]) + "?edit=1"
    return f"{url}#{anchor}" if anchor else url


def _save_form(request, form, save, template: str, context: dict, success: str, next_url):
    """Validate, save through a service, and redirect; or show the form with its errors."""
    if request.method == "POST" and form.is_valid():
        try:
            obj = save(form)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, success)
            return redirect(next_url(obj))
    return render(request, template, {"form": form, **context})


def home(request: HttpRequest) -> HttpResponse:
    # First run: the superuser sets up the municipality before anything else.
    if request.user.is_superuser and not municipality_settings().configured:
        return redirect("municipality_setup")
    return redirect("plan_list")


def plan_list(request: HttpRequest) -> HttpResponse:
    plans = selectors.plan_list_for_user(user=request.user)
    return render(request, "qualityplan/plan_list.html", {"plans": plans})


def plan_create(request: HttpRequest) -> HttpResponse:
    require_plan_manager(request)
    units = selectors.manageable_units_for_user(user=request.user)
    form = PlanForm(request.POST or None, owner_choices=units)
    return _save_form(
        request,
        form,
        lambda f: services.plan_save(plan=f.save(commit=False), user=request.user),
        "qualityplan/object_form.html",
        {"heading": _("New quality plan"), "back_url": reverse("plan_list")},
        _("The plan was created. Add its goals below."),
        plan_anchor,
    )


def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_plan_for_user(request, pk, write=True)
    units = selectors.manageable_units_for_user(user=request.user)
    form = PlanForm(request.POST or None, instance=plan, owner_choices=units)
    return _save_form(
        request,
        form,
        lambda f: services.plan_save(plan=f.save(commit=False), user=request.user),
        "qualityplan/object_form.html",
        {"heading": _("Edit plan"), "back_url": plan_anchor(plan), "plan": plan},
        _("The plan was saved."),
        plan_anchor,
    )


@require_http_methods(["GET", "POST"])
def plan_activate(request: HttpRequest, pk: int) -> HttpResponse:
    """The office's step that makes a draft the unit's plan: the page says which active
    plan of the same unit it archives, and the POST does it."""
    plan = get_plan_for_user(request, pk, write=True)
    if plan.status == QualityPlan.Status.ACTIVE:
        messages.info(request, _("The plan is already active."))
        return redirect("plan_detail", pk=plan.pk)
    if request.method == "POST":
        archive = request.POST.get("archive") == "1"
        try:
            archived = services.plan_activate(
                plan=plan, user=request.user, archive_overlapping=archive
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("plan_activate", pk=plan.pk)
        messages.success(request, _activated_message(plan, archived))
        return redirect("plan_detail", pk=plan.pk)
    overlapping = selectors.overlapping_active_plans(
        owner_id=plan.owner_id,
        first_year=plan.first_year,
        last_year=plan.last_year,
        exclude_pk=plan.pk,
    )
    context = {"plan": plan, "overlapping": list(overlapping), "back_url": plan_anchor(plan)}
    return render(request, "qualityplan/plan_activate.html", context)


def _activated_message(plan: QualityPlan, archived: list[QualityPlan]) -> str:
    if not archived:
        return _("The plan “%(title)s” is now active.") % {"title": plan.title}
    return _("The plan “%(title)s” is now active; %(archived)s was archived.") % {
        "title": plan.title,
        "archived": ", ".join(f"“{other}”" for other in archived),
    }


def plan_delete(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_plan_for_user(request, pk, write=True)
    if request.method == "POST":
        services.plan_delete(plan=plan, user=request.user)
        messages.success(request, _("The plan “%(title)s” was deleted.") % {"title": plan.title})
        return redirect("plan_list")
    context = {"object": plan, "plan": plan, "back_url": plan_anchor(plan)}
    context["consequence"] = _("All its goals, sub-goals, measures and indicators are deleted too.")
    return render(request, "qualityplan/confirm_delete.html", context)


def goal_create(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_plan_for_user(request, pk, write=True)
    form = GoalForm(request.POST or None, instance=Goal(plan=plan))
    return _save_form(
        request,
        form,
        lambda f: services.goal_save(goal=f.save(commit=False), user=request.user),
        "qualityplan/object_form.html",
        {"heading": _("New goal"), "back_url": plan_anchor(plan), "plan": plan},
        _("The goal was added."),
        lambda goal: plan_anchor(plan, f"goal-{goal.pk}"),
    )


def goal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    goal = get_part_for_user(request, Goal, pk)
    form = GoalForm(request.POST or None, instance=goal)
    back = plan_anchor(goal.plan, f"goal-{goal.pk}")
    return _save_form(
        request,
        form,
        lambda f: services.goal_save(goal=f.save(commit=False), user=request.user),
        "qualityplan/object_form.html",
        {
            "heading": _("Edit goal %(number)s") % {"number": goal.position},
            "back_url": back,
            "plan": goal.plan,
        },
        _("The goal was saved."),
        lambda _goal: back,
    )


def subgoal_create(request: HttpRequest, pk: int) -> HttpResponse:
    goal = get_part_for_user(request, Goal, pk)
    form = SubGoalForm(request.POST or None, instance=SubGoal(goal=goal))
    return _save_form(
        request,
        form,
        lambda f: services.subgoal_save(subgoal=f.save(commit=False), user=request.user),
        "qualityplan/object_form.html",
        {
            "heading": _("New sub-goal under goal %(number)s") % {"number": goal.position},
            "back_url": plan_anchor(goal.plan, f"goal-{goal.pk}"),
            "plan": goal.plan,
        },
        _("The sub-goal was added."),
        lambda sub: plan_anchor(goal.plan, f"subgoal-{sub.pk}"),
    )


def subgoal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    subgoal = get_part_for_user(request, SubGoal, pk)
    back = plan_anchor(subgoal.goal.plan, f"subgoal-{subgoal.pk}")
    form = SubGoalForm(request.POST or None, instance=subgoal)
    return _save_form(
        request,
        form,
        lambda f: services.subgoal_save(subgoal=f.save(commit=False), user=request.user),
        "qualityplan/object_form.html",
        {"heading": _("Edit sub-goal"), "back_url": back, "plan": subgoal.goal.plan},
        _("The sub-goal was saved."),
        lambda _sub: back,
    )


def part_delete(request: HttpRequest, pk: int, model) -> HttpResponse:
    """Delete a goal or sub-goal after a confirmation page."""
    part = get_part_for_user(request, model, pk)
    plan = part.plan if model is Goal else part.goal.plan
    if request.method == "POST":
        services.position_delete(obj=part, user=request.user)
        messages.success(request, _("“%(title)s” was deleted.") % {"title": part.title})
        return redirect(plan_anchor(plan))
    consequence = (
        _("Its sub-goals and measures are deleted too.")
        if model is Goal
        else _("Its measures are deleted too.")
    )
    context = {"object": part, "plan": plan, "consequence": consequence}
    context["back_url"] = plan_anchor(plan)
    return render(request, "qualityplan/confirm_delete.html", context)


@require_POST
def part_move(request: HttpRequest, pk: int, model) -> HttpResponse:
    part = get_part_for_user(request, model, pk)
    plan = part.plan if model is Goal else part.goal.plan
    form = MoveForm(request.POST)
    if form.is_valid():
        services.position_move(
            obj=part, direction=form.cleaned_data["direction"], user=request.user
        )
    prefix = "goal" if model is Goal else "subgoal"
    return redirect(plan_anchor(plan, f"{prefix}-{part.pk}"))


@login_not_required
@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, and for a logged-in person also their saved choice,
    so emails reach them in the language they read."""
    response = i18n.set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        services.user_language_set(user=request.user, language=language)
    return response
