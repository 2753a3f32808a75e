"""Surveys for tests, built through the services as the office builds them."""

from __future__ import annotations

import time
from datetime import date

from django.core import signing

from surveys import abuse, services
from surveys.models import Answer, Question, Section, Survey, SurveyLink, SurveyResponse


def make_survey(org, *, units=None, user=None, minimum=5, audience="care_recipients", **extra):
    survey = Survey(
        owner=org.department,
        title_nb="Brukerundersøkelse hjemmetjenesten",
        title_sv="Brukarundersökning hemtjänsten",
        title_en="Home care user survey",
        audience=audience,
        starts_on=date(2024, 9, 1),
        ends_on=date(2024, 9, 30),
        min_group_size=minimum,
        **extra,
    )
    units = units if units is not None else [org.unit_a, org.unit_b, org.unit_c]
    services.survey_save(survey=survey, units=units, user=user)
    section = services.section_save(
        section=Section(survey=survey, title_nb="Om tjenesten", title_en="About the service"),
        user=user,
    )
    services.bank_questions_add(
        section=section,
        keys=["respect", "safe", "complaint", "help_with", "improve_text"],
        user=user,
    )
    services.question_save(
        question=Question(
            survey=survey,
            section=section,
            kind="number",
            text_nb="Alder",
            text_en="Age",
            number_min=0,
            number_max=120,
        ),
        options=[],
        user=user,
    )
    return survey


def open_survey(survey: Survey) -> Survey:
    return services.survey_open(survey=survey, user=None)


def question(survey: Survey, key: str) -> Question:
    return survey.questions.get(bank_key=key)


def add_responses(survey: Survey, unit, count: int, *, scale: int = 4, text: str = "", day=None):
    """`count` responses at `unit`, each answering `scale` on every agreement question."""
    questions = list(survey.questions.all())
    for _n in range(count):
        response = SurveyResponse.objects.create(
            survey=survey, org_unit=unit, answered_on=day or survey.ends_on, language="nb"
        )
        answers = []
        for q in questions:
            if q.kind == Question.Kind.SCALE:
                answers.append(Answer(response=response, question=q, number=scale))
            elif q.kind == Question.Kind.YES_NO:
                answers.append(Answer(response=response, question=q, number=1 if scale >= 4 else 0))
            elif q.kind == Question.Kind.TEXT and text:
                answers.append(Answer(response=response, question=q, text=text))
            elif q.kind == Question.Kind.NUMBER:
                answers.append(Answer(response=response, question=q, number=80))
            elif q.kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
                answers.append(Answer(response=response, question=q, option=q.options.first()))
        Answer.objects.bulk_create(answers)


def link_of(survey: Survey, unit) -> SurveyLink:
    return SurveyLink.objects.get(survey=survey, org_unit=unit)


def old_stamp(link: SurveyLink, seconds: int = 30) -> str:
    """A stamp issued `seconds` ago, as a person who took their time would send it."""
    return signing.dumps(
        {"l": link.pk, "t": int(time.time()) - seconds, "n": f"nonce-{time.time_ns()}"},
        salt=abuse._SALT,
    )
