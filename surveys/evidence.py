"""Survey results as evidence on the staircase criteria their questions are linked to.

The staircase calls `criterion_evidence` through settings.STAIRCASE_EVIDENCE_HOOKS (it
never imports surveys). For a unit's self-assessment of a year, each linked question of
a closed survey that ended that year or the year before gives one sentence: the share
answering 4 or 5 (or yes) for the unit, or, when the anonymity rule holds the unit back,
for the nearest group shown above it, named as such.
"""

from __future__ import annotations

from collections import defaultdict

from django.utils import formats
from django.utils.translation import gettext as _

from qualityplan.access import OrgTree

from .models import Question, Survey
from .results import survey_results


def _sentence(question: Question, group, share, unit_id: int) -> str:
    values = {
        "survey": question.survey.title,
        "share": formats.number_format(share, 1, use_l10n=True),
        "question": question.text,
        "group": group.name,
        "n": group.respondents,
    }
    if question.kind == Question.Kind.SCALE:
        text = _(
            "%(survey)s: %(share)s %% answered 4 or 5 to “%(question)s” (%(group)s, %(n)s answers)."
        )
    else:
        text = _(
            "%(survey)s: %(share)s %% answered yes to “%(question)s” (%(group)s, %(n)s answers)."
        )
    text = text % values
    if group.unit_id != unit_id:
        text += " " + _("The unit had too few answers to be shown on its own.")
    if question.perspective_id:
        text += " " + _("Perspective: %(perspective)s.") % {
            "perspective": question.perspective.name
        }
    return text


def criterion_evidence(*, org_unit_id: int, year: int, criterion_ids) -> dict[int, list[str]]:
    """{criterion id: [sentences]} for the unit; one query when no question is linked."""
    links = list(
        Question.criteria.through.objects.filter(
            criterion_id__in=list(criterion_ids),
            question__survey__status=Survey.Status.CLOSED,
            question__survey__ends_on__year__in=[year - 1, year],
            question__kind__in=[Question.Kind.SCALE, Question.Kind.YES_NO],
        )
        .select_related("question__survey", "question__perspective")
        .order_by("question__survey__ends_on", "question_id")
    )
    if not links:
        return {}
    parents = dict(OrgTree.load().parent)
    results = {}
    found: dict[int, list[str]] = defaultdict(list)
    for link in links:
        question = link.question
        if question.survey_id not in results:
            results[question.survey_id] = survey_results(survey=question.survey, parents=parents)
        outcome = results[question.survey_id]
        chain = (
            [org_unit_id, *outcome.tree.ancestors(org_unit_id)]
            if org_unit_id in outcome.tree.parent
            else []
        )
        group = next((outcome.by_id[u] for u in chain if u in outcome.shown), None)
        figures = outcome.question(question.pk)
        share = figures.share(group.unit_id) if group is not None and figures else None
        if share is not None:
            found[link.criterion_id].append(_sentence(question, group, share, org_unit_id))
    return dict(found)
