"""Result pages: a survey's figures for the groups a person may see, and their exports.

Every figure comes from `results.survey_results`, which lets only groups through
that the anonymity rule shows; the exports are aggregates of the same groups.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from measures.models import Measure
from qualityplan.models import Goal, OrgUnit, QualityPlan
from reporting.exports import FORMATS, export_response

from . import charts, permissions, services
from .forms import FollowUpForm
from .models import Question, SurveyFollowUp
from .results import free_texts, previous_shares, result_view, survey_results


def _results(survey):
    results = survey_results(survey=survey)
    previous = survey_results(survey=survey.previous) if survey.previous_id else None
    return results, previous_shares(results=results, previous=previous)


def _scope_id(request: HttpRequest) -> int | None:
    try:
        return int(request.GET.get("unit", ""))
    except ValueError:
        return None


@require_GET
def survey_results_page(request: HttpRequest, pk: int) -> HttpResponse:
    survey, access = permissions.get_survey_for_user(request, pk)
    results, previous = _results(survey)
    view = result_view(results=results, access=access, scope_id=_scope_id(request))
    groups = view.scope_groups
    blocks = []
    for figures in results.questions:
        if figures.question.kind == Question.Kind.TEXT:
            continue
        blocks.append(
            {
                "figures": figures,
                "chart": charts.question_chart(figures, groups, chart_id=f"q{figures.question.pk}"),
                "table": charts.share_table(
                    figures, groups, previous, name=f"q{figures.question.pk}"
                ),
            }
        )
    text_units = {g.unit_id for g in groups} & view.text_groups
    texts = free_texts(results=results, unit_ids=text_units)
    follow_units = [
        g
        for g in groups
        if g.unit_id in results.tree.own and permissions.can_follow_up(access, survey, g.unit_id)
    ]
    context = {
        "survey": survey,
        "results": results,
        "view": view,
        "groups": groups,
        "blocks": blocks,
        "texts": [
            (results.by_id[u], texts[u]) for u in sorted(texts, key=lambda u: results.by_id[u].name)
        ],
        "follow_units": follow_units,
        "follow_ups": SurveyFollowUp.objects.filter(
            survey=survey, org_unit_id__in=[g.unit_id for g in groups]
        ).select_related("measure", "org_unit", "question"),
        "own_held_back": [
            unit
            for unit in access.report_unit_ids
            if unit in results.tree.own and unit not in results.shown
        ],
        "can_manage": permissions.can_manage(access, survey),
    }
    return render(request, "surveys/results.html", context)


@require_GET
def survey_results_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    survey, access = permissions.get_survey_for_user(request, pk)
    if fmt not in FORMATS:
        raise Http404
    results, previous = _results(survey)
    view = result_view(results=results, access=access, scope_id=None)
    table = charts.export_table(results, view.groups, previous)
    return export_response(
        table=table, fmt=fmt, filename=f"{slugify(survey.title) or 'survey'}-results"
    )


def survey_follow_up(request: HttpRequest, pk: int, unit_id: int) -> HttpResponse:
    survey, access = permissions.get_survey_for_user(request, pk)
    unit = get_object_or_404(OrgUnit, pk=unit_id)
    results = survey_results(survey=survey)
    if unit.pk not in results.shown or unit.pk not in results.tree.own:
        raise Http404
    if not permissions.can_follow_up(access, survey, unit.pk):
        raise PermissionDenied
    plans = QualityPlan.objects.filter(owner=survey.owner).exclude(
        status=QualityPlan.Status.ARCHIVED
    )
    goals = Goal.objects.filter(plan__in=plans).select_related("plan")
    measures = Measure.objects.filter(goal__plan__in=plans, is_active=True).select_related("goal")
    form = FollowUpForm(
        request.POST or None,
        survey=survey,
        goals=goals,
        measures=measures,
        initial={"question": request.GET.get("question")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data.get("measure"):
                services.follow_up_link(
                    survey=survey,
                    unit=unit,
                    question=data["question"],
                    measure=data["measure"],
                    user=request.user,
                )
            else:
                services.follow_up_create_measure(
                    survey=survey,
                    unit=unit,
                    question=data["question"],
                    goal=data["goal"],
                    title=data["title"],
                    user=request.user,
                )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The result is followed up with a measure in the plan."))
            return redirect(reverse("survey_results", args=[survey.pk]) + f"?unit={unit.pk}")
    return render(request, "surveys/follow_up.html", {"survey": survey, "unit": unit, "form": form})
