"""Indicators fed by surveys: the share answering 4 or 5 (or yes) on the linked questions.

A status row of a measure whose first indicator has the source "survey" gets, for
its org unit, the share from the latest survey with a question linked to that
indicator that closed inside the row's period. The whole survey is used, never a
part of it: the value is then the same figure the results page shows, under the
same anonymity rule, and no difference of two figures can single out a few
answers. A unit the rule holds back gets no value. Reporting periods call
`survey_values_refresh` through MEASURES_PERIOD_HOOKS; closing or importing into
a survey refreshes the periods it falls in.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db import transaction

from measures.models import Indicator, MeasureStatus, ReportingPeriod
from qualityplan.access import OrgTree

from .models import Question, Survey
from .results import survey_results


def _first_indicators(measure_ids: set[int]) -> dict[int, tuple[int, str]]:
    found: dict[int, tuple[int, str]] = {}
    rows = Indicator.objects.filter(measure_id__in=measure_ids).order_by("measure_id", "id")
    for measure_id, pk, source in rows.values_list("measure_id", "id", "source"):
        found.setdefault(measure_id, (pk, source))
    return found


def _surveys_for(indicator_ids: set[int], period: ReportingPeriod) -> dict[int, Survey]:
    """Per indicator, the latest survey with a linked question that ended in the period."""
    found: dict[int, Survey] = {}
    questions = (
        Question.objects.filter(
            indicator_id__in=indicator_ids,
            survey__ends_on__gte=period.starts_on,
            survey__ends_on__lte=period.ends_on,
        )
        .exclude(survey__status=Survey.Status.DRAFT)
        .select_related("survey")
        .order_by("survey__ends_on", "survey_id")
    )
    for question in questions:
        found[question.indicator_id] = question.survey
    return found


def _share(results, indicator_id: int, unit_id: int):
    """The share over every question linked to the indicator (usually one)."""
    good = total = 0
    for figures in results.questions:
        if figures.question.indicator_id != indicator_id:
            continue
        counts = figures.counts.get(unit_id, {})
        total += sum(counts.values())
        if figures.question.kind == Question.Kind.SCALE:
            good += counts.get("4", 0) + counts.get("5", 0)
        else:
            good += counts.get("1", 0)
    if not total:
        return None
    return (Decimal(100) * good / total).quantize(Decimal("0.01"))


def survey_values_refresh(*, period: ReportingPeriod, unit_ids=None) -> int:
    """Write the survey shares into the period's rows. Returns how many rows changed."""
    rows = MeasureStatus.objects.filter(
        period=period, measure__indicators__source=Indicator.Source.SURVEY
    ).distinct()
    if unit_ids is not None:
        rows = rows.filter(org_unit_id__in=list(unit_ids))
    rows = list(rows.only("pk", "measure_id", "org_unit_id", "value_number"))
    firsts = _first_indicators({row.measure_id for row in rows})
    by_indicator: dict[int, list[MeasureStatus]] = defaultdict(list)
    for row in rows:
        pk, source = firsts.get(row.measure_id, (None, None))
        if source == Indicator.Source.SURVEY:
            by_indicator[pk].append(row)
    if not by_indicator:
        return 0
    surveys = _surveys_for(set(by_indicator), period)
    parents = dict(OrgTree.load().parent)
    results_of: dict[int, object] = {}
    changed = []
    for indicator_id, indicator_rows in by_indicator.items():
        survey = surveys.get(indicator_id)
        results = None
        if survey is not None:
            if survey.pk not in results_of:
                results_of[survey.pk] = survey_results(survey=survey, parents=parents)
            results = results_of[survey.pk]
        for row in indicator_rows:
            value = None
            if results is not None and row.org_unit_id in results.shown:
                value = _share(results, indicator_id, row.org_unit_id)
            if row.value_number != value:
                row.value_number = value
                changed.append(row)
    MeasureStatus.objects.bulk_update(changed, ["value_number"], batch_size=1000)
    return len(changed)


def survey_values_refresh_for_survey(*, survey_id: int) -> int:
    """After a survey closed or got imported answers: every period it ended in."""
    survey = Survey.objects.get(pk=survey_id)
    periods = ReportingPeriod.objects.filter(
        starts_on__lte=survey.ends_on, ends_on__gte=survey.ends_on
    )
    return sum(survey_values_refresh(period=period) for period in periods)


def refresh_on_commit(survey_id: int) -> None:
    transaction.on_commit(lambda: survey_values_refresh_for_survey(survey_id=survey_id))
