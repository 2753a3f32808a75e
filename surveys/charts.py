"""Survey results as the dashboards draw them: SVG charts with their tables
(`reporting/charts.py`), and one table of aggregates for the exports."""

from __future__ import annotations

from django.utils.translation import gettext as _

from qualityplan.models import OrgUnit
from reporting.charts import SERIES_STYLES, Chart, ChartTable, Column, bar_chart, stacked_bar_chart

from .models import Question
from .results import Group, QuestionFigures, SurveyResults

# Disagreement in warm, agreement in cool colours, each with a pattern of its own.
SCALE_STYLES = {
    "1": ("#b42318", "diagonal_back", "#ffffff"),
    "2": ("#f2c14e", "crosshatch", "#5c4400"),
    "3": ("#cfd4da", "horizontal", "#4b5563"),
    "4": ("#8fd19e", "diagonal", "#0b3d1a"),
    "5": ("#1e6b3a", "solid", "#ffffff"),
    "0": SERIES_STYLES[1],
}


def _bar_label(group: Group) -> str:
    return group.name


def question_chart(figures: QuestionFigures, groups: list[Group], *, chart_id: str) -> Chart | None:
    """A 100 % bar per group for agreement and yes/no questions, grouped bars of counts for
    choice questions; None for numbers and free text (their table says it all)."""
    question = figures.question
    keys = figures.answer_keys()
    if question.kind in (Question.Kind.SCALE, Question.Kind.YES_NO):
        bars = [
            (_bar_label(g), dict(figures.counts.get(g.unit_id, {})))
            for g in groups
            if figures.answered(g.unit_id)
        ]
        styles = {key: SCALE_STYLES.get(key, SERIES_STYLES[n]) for n, (key, _l) in enumerate(keys)}
        if question.kind == Question.Kind.YES_NO:
            styles = {"1": SCALE_STYLES["5"], "0": SCALE_STYLES["1"]}
        return stacked_bar_chart(
            chart_id=chart_id,
            title=question.text,
            bars=bars,
            segments=keys,
            category_label=_("Group"),
            styles=styles,
        )
    if question.has_options:
        shown = [g for g in groups if figures.answered(g.unit_id)]
        return bar_chart(
            chart_id=chart_id,
            title=question.text,
            categories=[label for _k, label in keys],
            series=[
                (g.name, [figures.counts.get(g.unit_id, {}).get(key, 0) for key, _l in keys])
                for g in shown
            ],
            category_label=_("Choice"),
        )
    return None


def share_table(
    figures: QuestionFigures, groups: list[Group], previous: dict, *, name: str
) -> ChartTable:
    """Answered, the share answering favourably (or the mean), and last time's share."""
    question = figures.question
    if question.kind == Question.Kind.NUMBER:
        columns = [
            Column(_("Group")),
            Column(_("Answered"), "int"),
            Column(_("Mean"), "decimal", 1),
        ]
        rows = [[g.name, figures.answered(g.unit_id), figures.mean(g.unit_id)] for g in groups]
        return ChartTable(columns, rows, caption=question.text, name=name)
    label = (
        _("Share answering 4 or 5")
        if question.kind == Question.Kind.SCALE
        else _("Share answering yes")
    )
    columns = [Column(_("Group")), Column(_("Answered"), "int")]
    if question.has_share:
        columns += [Column(label, "percent"), Column(_("Last time"), "percent")]
    rows = []
    for g in groups:
        row = [g.name, figures.answered(g.unit_id)]
        if question.has_share:
            row += [figures.share(g.unit_id), previous.get((question.pk, g.unit_id))]
        rows.append(row)
    return ChartTable(columns, rows, caption=question.text, name=name)


def export_table(results: SurveyResults, groups: list[Group], previous: dict) -> ChartTable:
    """Every shown group the person sees × every question × every answer: counts only."""
    columns = [
        Column(_("Group")),
        Column(_("Level")),
        Column(_("Respondents"), "int"),
        Column(_("Question")),
        Column(_("Answer")),
        Column(_("Answers"), "int"),
        Column(_("Share of those answering"), "percent"),
        Column(_("Share answering 4 or 5, or yes"), "percent"),
        Column(_("Last time"), "percent"),
        Column(_("Mean"), "decimal", 1),
    ]
    rows = []
    for group in groups:
        level = str(OrgUnit.Kind(group.kind).label)
        for figures in results.questions:
            question = figures.question
            if question.kind == Question.Kind.TEXT:
                continue
            answered = figures.answered(group.unit_id)
            share = figures.share(group.unit_id)
            last = previous.get((question.pk, group.unit_id))
            if question.kind == Question.Kind.NUMBER:
                rows.append(
                    [
                        group.name,
                        level,
                        group.respondents,
                        question.text,
                        "",
                        answered,
                        None,
                        None,
                        None,
                        figures.mean(group.unit_id),
                    ]
                )
                continue
            counts = figures.counts.get(group.unit_id, {})
            for key, label in figures.answer_keys():
                count = counts.get(key, 0)
                percent = round(100 * count / answered, 1) if answered else None
                rows.append(
                    [
                        group.name,
                        level,
                        group.respondents,
                        question.text,
                        label,
                        count,
                        percent,
                        share,
                        last,
                        None,
                    ]
                )
    return ChartTable(columns, rows, caption=results.survey.title, name="results")
