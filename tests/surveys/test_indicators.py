"""A question linked to an indicator fills the indicator's value per unit and period."""

from decimal import Decimal

import pytest
from django.test import TestCase

from measures.models import Indicator, MeasureStatus
from measures.periods import period_open
from surveys import services
from surveys.indicators import survey_values_refresh
from tests.factories import GoalFactory, IndicatorFactory, MeasureFactory

from .helpers import add_responses, make_survey, open_survey, question


@pytest.fixture
def indicator(plan):
    measure = MeasureFactory(goal=GoalFactory(plan=plan, position=1))
    return IndicatorFactory(
        measure=measure,
        name="Andel som føler seg trygge",
        kind=Indicator.Kind.PERCENTAGE,
        source=Indicator.Source.SURVEY,
    )


def _linked_survey(org, indicator):
    survey = make_survey(org)
    safe = question(survey, "safe")
    safe.indicator = indicator
    safe.save()
    return open_survey(survey)


def _values(period):
    return dict(
        MeasureStatus.objects.filter(period=period).values_list("org_unit__name", "value_number")
    )


def test_closing_fills_the_share_answering_4_or_5_for_each_unit(org, users, plan, indicator):
    period, _created = period_open(plan=plan, year=2024, number=3, deadline=None, user=None)
    survey = _linked_survey(org, indicator)
    add_responses(survey, org.unit_a, 8, scale=5)
    add_responses(survey, org.unit_b, 6, scale=2)
    add_responses(survey, org.unit_c, 6, scale=4)
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.survey_close(survey=survey, user=None)
    values = _values(period)
    assert values["Hjemmetjenesten Nord"] == Decimal("100.00")
    assert values["Hjemmetjenesten Sør"] == Decimal("0.00")


def test_a_new_period_gets_the_values_through_the_period_hook(org, users, plan, indicator):
    survey = _linked_survey(org, indicator)
    add_responses(survey, org.unit_a, 5, scale=4)
    add_responses(survey, org.unit_b, 5, scale=1)
    services.survey_close(survey=survey, user=None)
    period, _created = period_open(plan=plan, year=2024, number=3, deadline=None, user=None)
    assert _values(period)["Hjemmetjenesten Nord"] == Decimal("100.00")


def test_units_the_rule_holds_back_get_no_value(org, users, plan, indicator):
    period, _created = period_open(plan=plan, year=2024, number=3, deadline=None, user=None)
    survey = _linked_survey(org, indicator)
    add_responses(survey, org.unit_a, 8, scale=5)
    add_responses(survey, org.unit_b, 2, scale=1)
    services.survey_close(survey=survey, user=None)
    survey_values_refresh(period=period)
    values = _values(period)
    assert values["Hjemmetjenesten Nord"] is None and values["Hjemmetjenesten Sør"] is None


def test_a_survey_ending_in_another_period_does_not_count(org, users, plan, indicator):
    period, _created = period_open(plan=plan, year=2024, number=1, deadline=None, user=None)
    survey = _linked_survey(org, indicator)
    add_responses(survey, org.unit_a, 8, scale=5)
    services.survey_close(survey=survey, user=None)
    assert survey_values_refresh(period=period) == 0
    assert _values(period)["Hjemmetjenesten Nord"] is None


def test_only_percentage_indicators_take_a_survey_source(indicator):
    from django.core.exceptions import ValidationError

    indicator.kind = Indicator.Kind.COUNT
    with pytest.raises(ValidationError):
        indicator.full_clean()


def test_a_free_text_question_cannot_feed_an_indicator(org, indicator):
    from django.core.exceptions import ValidationError

    survey = make_survey(org)
    text = question(survey, "improve_text")
    text.indicator = indicator
    with pytest.raises(ValidationError):
        text.full_clean()
