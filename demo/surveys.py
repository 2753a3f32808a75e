"""Demo surveys: a user survey two years running and a staff survey, answered across the
demo units, some units with too few answers to be shown on their own.

`load` is idempotent: a survey already there (same owner and title) is left as it is.
The answers are drawn from a seeded random generator, so every load gives the same.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from demo.qualityplan import DEPARTMENT
from qualityplan.models import OrgUnit
from surveys import services
from surveys.models import Answer, Question, Section, Survey, SurveyResponse

USER_UNITS = {
    # unit → (respondents last year, this year, mean agreement): Tildelingskontoret and
    # Korttidsavdelingen get too few answers to be shown on their own.
    "Hjemmetjenesten Nord": (24, 27, 4.1),
    "Hjemmetjenesten Sør": (19, 22, 3.6),
    "Tildelingskontoret": (3, 2, 3.9),
    "Sykehjemmet Solgløtt": (16, 18, 4.3),
    "Bo- og aktivitetssenteret": (11, 9, 3.8),
    "Korttidsavdelingen": (4, 3, 3.4),
    "Rehabiliteringsenheten": (12, 14, 4.4),
}
STAFF_UNITS = {
    "Hjemmetjenesten Nord": (31, 3.9),
    "Hjemmetjenesten Sør": (26, 3.5),
    "Tildelingskontoret": (6, 4.0),
    "Fysio- og ergoterapi": (8, 4.2),
    "Sykehjemmet Solgløtt": (38, 3.7),
    "Bo- og aktivitetssenteret": (21, 3.8),
    "Korttidsavdelingen": (14, 3.3),
    "Rehabiliteringsenheten": (11, 4.1),
    "Psykisk helseteam": (9, 4.0),
    "Rustjenesten": (4, 3.6),
    "Boliger med bemanning": (17, 3.4),
    "Dagsenteret": (2, 4.5),
}
USER_KEYS = [
    "respect",
    "say",
    "time",
    "safe",
    "informed",
    "few_faces",
    "complaint",
    "overall_care",
    "help_with",
    "improve_text",
]
STAFF_KEYS = [
    "staff_meaning",
    "staff_deviations",
    "staff_learning",
    "staff_competence",
    "staff_improve",
    "staff_leader",
    "staff_years",
    "improve_text",
]
FREE_TEXT = [
    "Det er fint når det er de samme som kommer.",
    "Ønsker litt mer tid til en prat.",
    "Maten er god, men kommer ofte kald.",
    "Mer informasjon når tidspunktet endres.",
    "Flere aktiviteter ute når været er fint.",
    "Vi trenger faste møter for å lære av avvik.",
]


@dataclass
class DemoSurveysSummary:
    created: list[str] = field(default_factory=list)
    present: list[str] = field(default_factory=list)
    responses: int = 0

    @property
    def line(self) -> str:
        if not self.created:
            return "Surveys: the demo surveys were already there; left as they were."
        return f"Surveys: {', '.join(self.created)} with {self.responses} responses."


def _units(names) -> dict[str, OrgUnit]:
    department = OrgUnit.objects.filter(parent=None, name=DEPARTMENT).first()
    if department is None:
        return {}
    units = OrgUnit.objects.filter(parent__parent=department, name__in=list(names))
    return {unit.name: unit for unit in units}


def _scale(rng: random.Random, mean: float) -> int:
    return max(1, min(5, round(rng.gauss(mean, 0.9))))


def _answers(rng, response, questions, mean) -> list[Answer]:
    answers = []
    for question in questions:
        if rng.random() < 0.06:  # some leave a question out
            continue
        kind = question.kind
        if kind == Question.Kind.SCALE:
            answers.append(Answer(response=response, question=question, number=_scale(rng, mean)))
        elif kind == Question.Kind.YES_NO:
            answers.append(
                Answer(response=response, question=question, number=int(rng.random() < mean / 5))
            )
        elif kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
            options = list(question.options.all())
            chosen = rng.sample(options, 1 if kind == Question.Kind.SINGLE else rng.randint(1, 3))
            answers += [Answer(response=response, question=question, option=o) for o in chosen]
        elif kind == Question.Kind.TEXT and rng.random() < 0.3:
            answers.append(Answer(response=response, question=question, text=rng.choice(FREE_TEXT)))
    return answers


def _respond(survey: Survey, unit: OrgUnit, count: int, mean: float, rng: random.Random) -> int:
    questions = list(survey.questions.prefetch_related("options"))
    days = (survey.ends_on - survey.starts_on).days
    responses = SurveyResponse.objects.bulk_create(
        SurveyResponse(
            survey=survey,
            org_unit=unit,
            answered_on=survey.starts_on + timedelta(days=rng.randint(0, days)),
            language=rng.choice(["nb", "nb", "nb", "sv", "en"]),
        )
        for _n in range(count)
    )
    answers = [a for response in responses for a in _answers(rng, response, questions, mean)]
    Answer.objects.bulk_create(answers, batch_size=2000)
    return len(responses)


def _build(*, owner, title, audience, year, units, keys, **extra) -> Survey:
    survey = Survey(
        owner=owner,
        title_nb=title[0],
        title_sv=title[1],
        title_en=title[2],
        intro_nb="Svarene dine hjelper oss å gjøre tjenestene bedre. Det tar om lag fem minutter.",
        intro_sv="Dina svar hjälper oss att göra verksamheten bättre. Det tar ungefär fem minuter.",
        intro_en="Your answers help us make the services better. It takes about five minutes.",
        audience=audience,
        starts_on=date(year, 9, 1),
        ends_on=date(year, 9, 30),
        **extra,
    )
    services.survey_save(survey=survey, units=list(units), user=None)
    section = services.section_save(
        section=Section(
            survey=survey,
            title_nb="Om tjenesten",
            title_sv="Om verksamheten",
            title_en="About the service",
        ),
        user=None,
    )
    services.bank_questions_add(section=section, keys=keys, user=None)
    return services.survey_open(survey=survey, user=None)


def _close(survey: Survey) -> None:
    survey.status = Survey.Status.CLOSED
    survey.save(update_fields=["status"])


@transaction.atomic
def load(*, today: date | None = None) -> DemoSurveysSummary:
    """The demo surveys; nothing new for a survey already there."""
    summary = DemoSurveysSummary()
    year = (today or timezone.localdate()).year - 1
    owner = OrgUnit.objects.filter(parent=None, name=DEPARTMENT).first()
    if owner is None:
        return summary
    rng = random.Random(2026)
    user_units, staff_units = _units(USER_UNITS), _units(STAFF_UNITS)
    previous = None
    for offset, index in ((1, 0), (0, 1)):
        title = (
            f"Brukerundersøkelse {year - offset}",
            f"Brukarundersökning {year - offset}",
            f"User survey {year - offset}",
        )
        survey = Survey.objects.filter(owner=owner, title_nb=title[0]).first()
        if survey is not None:
            summary.present.append(title[0])
            previous = survey
            continue
        if previous is not None:
            survey = services.survey_copy(survey=previous, user=None)
            Survey.objects.filter(pk=survey.pk).update(
                title_nb=title[0], title_sv=title[1], title_en=title[2]
            )
            survey = services.survey_open(survey=Survey.objects.get(pk=survey.pk), user=None)
        else:
            survey = _build(
                owner=owner,
                title=title,
                audience="care_recipients",
                year=year - offset,
                units=user_units.values(),
                keys=USER_KEYS,
            )
        for name, unit in user_units.items():
            summary.responses += _respond(
                survey, unit, USER_UNITS[name][index], USER_UNITS[name][2] + 0.2 * index, rng
            )
        _close(survey)
        summary.created.append(title[0])
        previous = survey
    title = (f"Medarbeiderundersøkelse {year}", f"Medarbetarenkät {year}", f"Staff survey {year}")
    if Survey.objects.filter(owner=owner, title_nb=title[0]).exists():
        summary.present.append(title[0])
        return summary
    survey = _build(
        owner=owner,
        title=title,
        audience="staff",
        year=year,
        units=staff_units.values(),
        keys=STAFF_KEYS,
        uses_codes=True,
    )
    for name, unit in staff_units.items():
        summary.responses += _respond(survey, unit, *STAFF_UNITS[name], rng)
    _close(survey)
    summary.created.append(title[0])
    return summary


# --- The benchmark survey ----------------------------------------------------------

BENCH_TITLE = "Benchmark user survey"
BENCH_PLAN_TITLE = "Benchmark survey indicators"


def bench_survey() -> Survey | None:
    return Survey.objects.filter(title_nb=BENCH_TITLE).first()


@transaction.atomic
def bench_survey_seed(*, responses: int = 20000, year: int = 2025) -> Survey | None:
    """A closed survey at every benchmark unit with `responses` answers, one unit in ten
    with too few to be shown on its own, and a plan whose one indicator it feeds. Returns
    None when the benchmark municipality is missing; an existing survey is kept."""
    from demo.qualityplan import bench_department
    from measures.models import Indicator, Measure
    from measures.periods import period_open
    from measures.services import measure_save
    from qualityplan.models import Goal, QualityPlan, Role

    department = bench_department()
    if department is None:
        return None
    existing = bench_survey()
    if existing is not None:
        return existing
    units = list(
        OrgUnit.objects.filter(parent__parent=department, kind=OrgUnit.Kind.UNIT).order_by("pk")
    )
    survey = _build(
        owner=department,
        title=(BENCH_TITLE, "", ""),
        audience="care_recipients",
        year=year,
        units=units,
        keys=USER_KEYS,
    )
    small = units[::10]
    large = [unit for unit in units if unit not in small]
    rng = random.Random(responses)
    counts = {unit.pk: rng.randint(1, 4) for unit in small}
    rest = responses - sum(counts.values())
    for n, unit in enumerate(large):
        counts[unit.pk] = rest // len(large) + (1 if n < rest % len(large) else 0)
    for unit in units:
        _respond(survey, unit, counts[unit.pk], 3.2 + (unit.pk % 10) / 6, rng)
    _close(survey)
    plan = QualityPlan.objects.create(
        title=BENCH_PLAN_TITLE,
        owner=department,
        first_year=year,
        last_year=year,
        frequency="yearly",
        status="active",
    )
    goal = Goal.objects.create(plan=plan, position=1, title="Brukerne er trygge på tjenestene")
    measure = measure_save(
        measure=Measure(goal=goal, title="Følge opp brukerundersøkelsen"),
        roles=list(Role.objects.filter(code="VL")),
        years=[year],
        indicator={
            "name": "Andel som føler seg trygge",
            "kind": Indicator.Kind.PERCENTAGE,
            "source": Indicator.Source.SURVEY,
        },
        targets={},
        user=None,
    )
    Question.objects.filter(survey=survey, bank_key="safe").update(
        indicator=measure.indicators.get()
    )
    period_open(plan=plan, year=year, number=1, deadline=None, user=None)
    return survey
