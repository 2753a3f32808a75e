"""Writes to surveys: building, opening and closing, answers, codes and follow-up."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.admin.models import ADDITION, CHANGE, DELETION
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from qualityplan.models import OrgUnit
from qualityplan.services import record_action
from qualityplan.validators import no_national_identity_number

from . import bank
from .models import (
    Answer,
    Option,
    Question,
    Section,
    Survey,
    SurveyCode,
    SurveyFollowUp,
    SurveyLink,
    SurveyResponse,
)

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed


def _require_draft(survey: Survey) -> None:
    if not survey.is_draft:
        raise ValidationError(
            _(
                "The questions of an opened survey cannot be changed: its answers would no "
                "longer match. Copy the survey to change it."
            )
        )


def _check_units(survey: Survey, units: list[OrgUnit]) -> None:
    """Units below another chosen unit would be counted twice in the totals."""
    chosen = {unit.pk for unit in units}
    for unit in units:
        current = unit.parent
        while current is not None:
            if current.pk in chosen:
                raise ValidationError(
                    _("%(unit)s lies under %(other)s: choose one of them.")
                    % {"unit": unit.name, "other": current.name}
                )
            current = current.parent


@transaction.atomic
def survey_save(*, survey: Survey, units: list[OrgUnit], user: User | None) -> Survey:
    """Create or change a survey and the units it runs at (a link per unit)."""
    created = survey.pk is None
    survey.full_clean()
    _check_units(survey, units)
    if not created:
        locked = Survey.objects.select_for_update().get(pk=survey.pk)
        if locked.version != survey.version:
            raise ValidationError(
                _(
                    "Someone else changed this survey while you had it open. Reload the page "
                    "to see their changes."
                )
            )
        survey.version += 1
    survey.save()
    wanted = {unit.pk for unit in units}
    gone = survey.links.exclude(org_unit_id__in=wanted)
    answered = set(
        survey.responses.filter(org_unit_id__in=gone.values("org_unit_id")).values_list(
            "org_unit__name", flat=True
        )
    )
    if answered:
        raise ValidationError(
            _("%(unit)s already has answers and stays in the survey.")
            % {"unit": sorted(answered)[0]}
        )
    gone.delete()
    have = set(survey.links.values_list("org_unit_id", flat=True))
    SurveyLink.objects.bulk_create(
        SurveyLink(survey=survey, org_unit_id=unit_id) for unit_id in sorted(wanted - have)
    )
    record_action(user=user, obj=survey, flag=ADDITION if created else CHANGE)
    return survey


def _next(queryset) -> int:
    return (queryset.aggregate(top=Max("position"))["top"] or 0) + 1


@transaction.atomic
def section_save(*, section: Section, user: User | None) -> Section:
    _require_draft(section.survey)
    if section.pk is None:
        section.position = _next(Section.objects.select_for_update().filter(survey=section.survey))
    section.full_clean()
    section.save()
    return section


@transaction.atomic
def section_delete(*, section: Section, user: User | None) -> None:
    _require_draft(section.survey)
    section.delete()


@transaction.atomic
def question_save(
    *,
    question: Question,
    options: list[tuple[str, str, str]],
    user: User | None,
    criteria: list | None = None,
) -> Question:
    """Create or change a question; `options` are (nb, sv, en) for choice questions, and
    `criteria` the staircase criteria its results are evidence for (None: unchanged)."""
    _require_draft(question.survey)
    if question.pk is None:
        question.position = _next(
            Question.objects.select_for_update().filter(section=question.section)
        )
    question.full_clean()
    if question.has_options and len(options) < 2:
        raise ValidationError(_("A choice question needs at least two choices."))
    question.save()
    if criteria is not None:
        question.criteria.set(criteria)
    question.options.all().delete()
    if question.has_options:
        rows = [
            Option(question=question, position=n, text_nb=nb, text_sv=sv, text_en=en)
            for n, (nb, sv, en) in enumerate(options, start=1)
        ]
        for row in rows:
            row.full_clean(exclude=["question"])
        Option.objects.bulk_create(rows)
    return question


@transaction.atomic
def question_delete(*, question: Question, user: User | None) -> None:
    _require_draft(question.survey)
    question.delete()


@transaction.atomic
def question_move(*, question: Question, direction: str, user: User | None) -> None:
    _require_draft(question.survey)
    siblings = list(
        Question.objects.select_for_update().filter(section=question.section).order_by("position")
    )
    index = next(i for i, q in enumerate(siblings) if q.pk == question.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(siblings):
        return
    first, second = siblings[index], siblings[other]
    positions = first.position, second.position
    first.position = 0
    first.save(update_fields=["position"])
    second.position = positions[0]
    second.save(update_fields=["position"])
    first.position = positions[1]
    first.save(update_fields=["position"])


@transaction.atomic
def bank_questions_add(*, section: Section, keys: list[str], user: User | None) -> int:
    """Add questions from the bank to a section, in the bank's order."""
    _require_draft(section.survey)
    added = 0
    for key in keys:
        entry = bank.BY_KEY.get(key)
        if entry is None:
            continue
        question = Question(
            survey=section.survey,
            section=section,
            kind=entry.kind,
            text_nb=entry.nb,
            text_sv=entry.sv,
            text_en=entry.en,
            bank_key=entry.key,
        )
        question_save(question=question, options=list(entry.options), user=user)
        added += 1
    return added


def _shift_year(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day + timedelta(days=365)


@transaction.atomic
def survey_copy(*, survey: Survey, user: User | None) -> Survey:
    """Next year's survey: the same questions and units a year later, as a draft that is
    compared with this one."""
    copy = Survey.objects.get(pk=survey.pk)
    copy.pk = None
    copy.id = None
    copy.status = Survey.Status.DRAFT
    copy.starts_on = _shift_year(survey.starts_on)
    copy.ends_on = _shift_year(survey.ends_on)
    copy.previous = survey
    copy.created_by = user
    copy.version = 1
    copy.save()
    for section in survey.sections.prefetch_related("questions__options"):
        questions = list(section.questions.all())
        section.pk = section.id = None
        section.survey = copy
        section.save()
        for question in questions:
            options = list(question.options.all())
            criteria = list(question.criteria.all())
            old_pk = question.pk
            question.pk = question.id = None
            question.survey, question.section, question.copied_from_id = copy, section, old_pk
            question.save()
            question.criteria.set(criteria)
            for option in options:
                option.pk = option.id = None
                option.question = question
            Option.objects.bulk_create(options)
    SurveyLink.objects.bulk_create(
        SurveyLink(survey=copy, org_unit_id=unit_id)
        for unit_id in survey.links.values_list("org_unit_id", flat=True)
    )
    record_action(user=user, obj=copy, flag=ADDITION, message=f"copied from {survey.pk}")
    return copy


@transaction.atomic
def survey_open(*, survey: Survey, user: User | None) -> Survey:
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if not survey.questions.exists():
        raise ValidationError(_("Add at least one question before opening the survey."))
    if not survey.links.exists():
        raise ValidationError(_("Choose at least one unit before opening the survey."))
    survey.status = Survey.Status.OPEN
    survey.save(update_fields=["status"])
    record_action(user=user, obj=survey, flag=CHANGE, message="opened")
    return survey


@transaction.atomic
def survey_close(*, survey: Survey, user: User | None) -> Survey:
    """Close the survey: its links stop taking answers, and linked indicators are filled."""
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    survey.status = Survey.Status.CLOSED
    survey.save(update_fields=["status"])
    record_action(user=user, obj=survey, flag=CHANGE, message="closed")
    from .indicators import refresh_on_commit

    refresh_on_commit(survey.pk)
    return survey


@transaction.atomic
def survey_delete(*, survey: Survey, user: User | None) -> None:
    if survey.responses.exists():
        raise ValidationError(_("A survey with answers cannot be deleted; close it instead."))
    record_action(user=user, obj=survey, flag=DELETION)
    survey.delete()


# --- Answers ----------------------------------------------------------------------


def code_hash(code: str) -> str:
    """Codes are compared as keyed hashes: the table alone does not give them back."""
    normal = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(f"{settings.SECRET_KEY}:survey-code:{normal}".encode()).hexdigest()


def _answers(question: Question, value) -> list[Answer]:
    if value in (None, "", []):
        return []
    kind = Question.Kind
    if question.kind == kind.MULTIPLE:
        return [Answer(question=question, option_id=int(v)) for v in value]
    if question.kind == kind.SINGLE:
        return [Answer(question=question, option_id=int(value))]
    if question.kind == kind.TEXT:
        return [Answer(question=question, text=str(value).strip())]
    return [Answer(question=question, number=Decimal(value))]


@transaction.atomic
def response_submit(
    *,
    link: SurveyLink,
    values: dict[int, object],
    language: str,
    code: str = "",
    answered_on: date | None = None,
) -> SurveyResponse:
    """Save one respondent's answers. Nothing about the person is kept; a one-time code is
    marked used in its own table, apart from the answer."""
    survey = link.survey
    if not survey.is_open:
        raise ValidationError(_("This survey is closed and takes no more answers."))
    questions = {q.pk: q for q in survey.questions.all()}
    answers = [
        a
        for qid, value in values.items()
        if qid in questions
        for a in _answers(questions[qid], value)
    ]
    for answer in answers:
        answer.full_clean(exclude=["response", "question", "option"])
    if survey.uses_codes:
        used = SurveyCode.objects.filter(
            survey=survey, org_unit=link.org_unit_id, code_hash=code_hash(code), used=False
        ).update(used=True)
        if used != 1:
            raise ValidationError(
                {"code": _("This code is not valid for this survey, or it has been used already.")}
            )
    response = SurveyResponse.objects.create(
        survey=survey,
        org_unit_id=link.org_unit_id,
        answered_on=answered_on or timezone.localdate(),
        language=language,
    )
    for answer in answers:
        answer.response = response
    Answer.objects.bulk_create(answers)
    return response


def answers_today(*, link: SurveyLink) -> int:
    return SurveyResponse.objects.filter(
        survey_id=link.survey_id,
        org_unit_id=link.org_unit_id,
        answered_on=timezone.localdate(),
        source=SurveyResponse.Source.WEB,
    ).count()


def _new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


@transaction.atomic
def codes_send(
    *, survey: Survey, link: SurveyLink, emails: list[str], user: User | None, link_url: str
) -> int:
    """Send a one-time code to each address. The addresses are not kept, and a code is
    kept only as a hash: nobody can later tell whose code an answer came with."""
    if not survey.uses_codes:
        raise ValidationError(_("This survey does not use one-time codes."))
    if survey.status == Survey.Status.CLOSED:
        raise ValidationError(_("This survey is closed."))
    unique = sorted({email.strip().lower() for email in emails if email.strip()})
    messages, rows = [], []
    subject = _("Survey: %(title)s") % {"title": survey.title}
    for email in unique:
        code = _new_code()
        rows.append(
            SurveyCode(survey=survey, org_unit_id=link.org_unit_id, code_hash=code_hash(code))
        )
        body = _(
            "You are invited to answer the survey “%(title)s” for %(unit)s.\n\n"
            "Open %(url)s and enter this code: %(code)s\n\n"
            "The code can be used once. Your answers are saved without your name, your "
            "address or the code."
        ) % {"title": survey.title, "unit": link.org_unit.name, "url": link_url, "code": code}
        messages.append((subject, body, None, [email]))
    SurveyCode.objects.bulk_create(rows)
    transaction.on_commit(lambda: send_mass_mail(messages, fail_silently=False))
    record_action(user=user, obj=survey, flag=CHANGE, message=f"{len(rows)} codes sent")
    return len(rows)


# --- Follow-up --------------------------------------------------------------------


@transaction.atomic
def follow_up_link(
    *, survey: Survey, unit: OrgUnit, question: Question | None, measure, user: User | None
) -> SurveyFollowUp:
    follow_up, _created = SurveyFollowUp.objects.get_or_create(
        survey=survey,
        org_unit=unit,
        question=question,
        measure=measure,
        defaults={"created_by": user},
    )
    return follow_up


@transaction.atomic
def follow_up_create_measure(
    *, survey: Survey, unit: OrgUnit, question: Question | None, goal, title: str, user: User | None
) -> SurveyFollowUp:
    """A new measure in the plan, from a result, for the unit's leader to report on."""
    from measures.models import Measure
    from measures.services import measure_save

    if not title.strip():
        raise ValidationError(_("Give the measure a title."))
    no_national_identity_number(title)
    year = survey.ends_on.year
    plan = goal.plan
    years = [year] if plan.first_year <= year <= plan.last_year else [plan.last_year]
    measure = Measure(goal=goal, title=title)
    # No responsible roles: a role would make every unit whose people hold it report on
    # this unit's follow-up. The link below says whose measure it is.
    roles: list = []
    measure_save(measure=measure, roles=roles, years=years, indicator=None, targets={}, user=user)
    return follow_up_link(survey=survey, unit=unit, question=question, measure=measure, user=user)
