"""The surveys chapter of the annual quality report (called through
settings.REPORT_PDF_SECTION_HOOKS, so reporting never imports surveys).

It shows the surveys that closed in the report's year, for the groups in the
report's scope that the anonymity rule shows, the same figures as the result pages.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from qualityplan.access import OrgTree
from reporting.charts import stacked_bar_chart
from reporting.hooks import HookPart

from .charts import SCALE_STYLES
from .models import Question, Survey
from .results import previous_shares, scale_labels, survey_results

MAX_COLUMNS = 6


def _survey_block(survey: Survey, unit_ids: set[int], parents) -> dict | None:
    results = survey_results(survey=survey, parents=parents)
    groups = [g for g in results.groups if g.unit_id in unit_ids]
    if not groups:
        return {"survey": survey, "groups": [], "results": results}
    previous = (
        survey_results(survey=survey.previous, parents=parents) if survey.previous_id else None
    )
    last = previous_shares(results=results, previous=previous)
    top = groups[0]
    shared = [f for f in results.questions if f.question.has_share]
    scale = [f for f in shared if f.question.kind == Question.Kind.SCALE]
    chart = None
    if scale and top.respondents:
        chart = stacked_bar_chart(
            chart_id=f"survey-{survey.pk}",
            title=_("%(survey)s: answers per question, %(group)s")
            % {"survey": survey.title, "group": top.name},
            bars=[
                (f"{n}. {f.question.text}", dict(f.counts.get(top.unit_id, {})))
                for n, f in enumerate(scale, start=1)
            ],
            segments=list(scale_labels().items()),
            category_label=_("Question"),
            styles=SCALE_STYLES,
        )
    columns = shared[:MAX_COLUMNS]
    return {
        "survey": survey,
        "results": results,
        "top": top,
        "groups": groups,
        "chart": chart,
        "questions": [
            (n, f, f.share(top.unit_id), last.get((f.question.pk, top.unit_id)))
            for n, f in enumerate(shared, start=1)
        ],
        "columns": list(enumerate(columns, start=1)),
        "rows": [(g, [f.share(g.unit_id) for f in columns]) for g in groups],
    }


def pdf_section(*, plan, year: int, unit_ids, **_context) -> HookPart | None:
    """The chapter for `plan`'s owner's surveys that closed in `year` (a dict with the
    chapter's id, title and html, as REPORT_PDF_SECTION_HOOKS expects), or None."""
    surveys = list(
        Survey.objects.filter(owner=plan.owner, ends_on__year=year)
        .exclude(status=Survey.Status.DRAFT)
        .select_related("previous")
        .order_by("ends_on", "pk")
    )
    if not surveys:
        return None
    parents = dict(OrgTree.load().parent)
    blocks = [_survey_block(s, set(unit_ids), parents) for s in surveys]
    title = _("Surveys")
    html = render_to_string(
        "surveys/report_section.html", {"blocks": blocks, "title": title, "year": year}
    )
    # render_to_string returns safe HTML: the template engine escaped what it inserted.
    return HookPart("surveys", title, html)
