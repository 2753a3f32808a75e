"""The answering page: public, no account, no cookie, nothing kept about the respondent.

The page sets no cookie and uses no session (see `abuse.py` for the signed stamp that
takes the CSRF token's place), and every response says `no-store`, so the browser's
back button and cache on a shared tablet never show the last person's answers.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from . import abuse, selectors, services
from .forms import AnswerForm
from .models import Survey, SurveyLink


def _private(response: HttpResponse, language: str | None = None) -> HttpResponse:
    add_never_cache_headers(response)
    response["Cache-Control"] = "no-store, no-cache, must-revalidate, private, max-age=0"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    if language:
        response["Content-Language"] = language
    return response


def _get_link(token: str) -> SurveyLink:
    link = get_object_or_404(SurveyLink.objects.select_related("survey", "org_unit"), token=token)
    if link.survey.status == Survey.Status.DRAFT:
        raise Http404
    return link


def _language(request: HttpRequest, survey: Survey) -> str | None:
    asked = request.GET.get("lang", "")
    if asked in survey.languages:
        return asked
    return survey.languages[0] if len(survey.languages) == 1 else None


def _page(request, template: str, context: dict, language: str | None, status: int = 200):
    with translation.override(language or translation.get_language()):
        response = render(
            request, template, {**context, "language": language or "nb"}, status=status
        )
    return _private(response, language)


@login_not_required
@csrf_exempt
def survey_answer(request: HttpRequest, token: str) -> HttpResponse:
    link = _get_link(token)
    survey = link.survey
    language = _language(request, survey)
    context = {"survey": survey, "link": link}
    if not survey.is_open:
        return _page(request, "surveys/public/closed.html", context, language, status=410)
    if language is None:
        return _page(request, "surveys/public/language.html", context, None)
    with translation.override(language):
        return _answer(request, link, language, context)


def _thanks(link: SurveyLink, language: str) -> HttpResponse:
    return redirect(reverse("survey_thanks", args=[link.token]) + f"?lang={language}")


def _answer(request: HttpRequest, link: SurveyLink, language: str, context: dict) -> HttpResponse:
    survey = link.survey
    questions = selectors.answering_questions(survey=survey)
    context = {**context, "intro_text": survey.text_in("intro", language)}
    if request.method != "POST":
        form = AnswerForm(
            initial={"stamp": abuse.stamp_new(link_id=link.pk)},
            survey=survey,
            questions=questions,
            language=language,
        )
        return _page(request, "surveys/public/answer.html", {**context, "form": form}, language)
    if request.POST.get("website"):
        return _thanks(link, language)  # the honeypot: a bot, told nothing
    if abuse.rate_limited(link_id=link.pk, address=abuse.client_address(request)):
        return _page(request, "surveys/public/busy.html", context, language, status=429)
    form = AnswerForm(request.POST, survey=survey, questions=questions, language=language)
    try:
        nonce = abuse.stamp_check(stamp=request.POST.get("stamp", ""), link_id=link.pk)
    except abuse.StampError as error:
        if str(error) == "too fast":
            return _thanks(link, language)
        form = AnswerForm(
            request.POST.copy() | {"stamp": abuse.stamp_new(link_id=link.pk)},
            survey=survey,
            questions=questions,
            language=language,
        )
        form.is_valid()
        form.add_error(
            None, _("The page was open for a long time. Check your answers and send them again.")
        )
        return _page(
            request, "surveys/public/answer.html", {**context, "form": form}, language, 400
        )
    if abuse.stamp_used(nonce):
        return _thanks(link, language)  # a double submit: the first one counted
    if services.answers_today(link=link) >= survey.daily_cap:
        return _page(request, "surveys/public/busy.html", {**context, "cap": True}, language, 429)
    if form.is_valid() and not any(v not in (None, "", []) for v in form.values().values()):
        form.add_error(None, _("Answer at least one question before you send."))
    if not form.is_valid():
        return _page(
            request, "surveys/public/answer.html", {**context, "form": form}, language, 400
        )
    try:
        services.response_submit(
            link=link,
            values=form.values(),
            language=language,
            code=form.cleaned_data.get("code", ""),
        )
    except ValidationError as error:
        form.add_error(None, error)
        return _page(
            request, "surveys/public/answer.html", {**context, "form": form}, language, 400
        )
    abuse.stamp_spend(nonce)
    return _thanks(link, language)


@login_not_required
def survey_thanks(request: HttpRequest, token: str) -> HttpResponse:
    link = _get_link(token)
    language = _language(request, link.survey) or link.survey.languages[0]
    return _page(
        request, "surveys/public/thanks.html", {"survey": link.survey, "link": link}, language
    )
