"""The office's survey builder: surveys, sections, questions, links, posters and codes."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from qualityplan.access import get_access

from . import permissions, posters, selectors, services
from .forms import BankForm, CodesForm, QuestionForm, SectionForm, SurveyForm
from .models import Question, Section, SurveyLink


def _get_survey_for_user(request: HttpRequest, pk: int, write: bool = False):
    """404 for a survey the user may not see, 403 for one they may see but not build."""
    survey, access = permissions.get_survey_for_user(request, pk)
    if write and not permissions.can_manage(access, survey):
        raise PermissionDenied
    return survey, access


def _service_error(form: Form | None, request: HttpRequest, error: ValidationError) -> None:
    if form is None:
        for message in error.messages:
            messages.error(request, message)
        return
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


@require_GET
def survey_list(request: HttpRequest) -> HttpResponse:
    access = get_access(request.user)
    surveys = list(selectors.surveys_for_user(access=access))
    can_create = selectors.owners_for_user(access=access).exists()
    if not surveys and not can_create and not access.reads_follow_up:
        raise PermissionDenied
    for survey in surveys:
        survey.can_manage = permissions.can_manage(access, survey)
    return render(
        request, "surveys/survey_list.html", {"surveys": surveys, "can_create": can_create}
    )


def _survey_form(request, access, survey=None) -> SurveyForm:
    owners = selectors.owners_for_user(access=access)
    owner = survey.owner if survey else owners.first()
    if request.method == "POST" and request.POST.get("owner"):
        owner = owners.filter(pk=request.POST["owner"]).first() or owner
    return SurveyForm(
        request.POST or None,
        instance=survey,
        owners=owners,
        units=selectors.survey_units(owner=owner),
    )


def survey_create(request: HttpRequest) -> HttpResponse:
    access = get_access(request.user)
    if not selectors.owners_for_user(access=access).exists():
        raise PermissionDenied
    form = _survey_form(request, access)
    if request.method == "POST" and form.is_valid():
        survey = form.save(commit=False)
        survey.created_by = request.user
        try:
            services.survey_save(
                survey=survey, units=list(form.cleaned_data["units"]), user=request.user
            )
        except ValidationError as error:
            _service_error(form, request, error)
        else:
            messages.success(request, _("The survey is created. Add its questions."))
            return redirect("survey_detail", pk=survey.pk)
    return render(request, "surveys/survey_form.html", {"form": form})


def survey_edit(request: HttpRequest, pk: int) -> HttpResponse:
    survey, access = _get_survey_for_user(request, pk, write=True)
    form = _survey_form(request, access, survey)
    if request.method == "POST" and form.is_valid():
        changed = form.save(commit=False)
        changed.version = int(request.POST.get("version") or 0)
        try:
            services.survey_save(
                survey=changed, units=list(form.cleaned_data["units"]), user=request.user
            )
        except ValidationError as error:
            _service_error(form, request, error)
        else:
            messages.success(request, _("The survey is saved."))
            return redirect("survey_detail", pk=survey.pk)
    return render(request, "surveys/survey_form.html", {"form": form, "survey": survey})


@require_GET
def survey_detail(request: HttpRequest, pk: int) -> HttpResponse:
    survey, access = _get_survey_for_user(request, pk)
    can_manage = permissions.can_manage(access, survey)
    context = {
        "survey": survey,
        "can_manage": can_manage,
        "sections": selectors.builder_questions(survey=survey),
        "links": survey.links.select_related("org_unit").order_by("org_unit__name"),
        "answers": survey.responses.count(),
    }
    if can_manage and survey.is_draft:
        context["section_form"] = SectionForm()
        if context["sections"]:
            context["bank_form"] = BankForm(survey=survey, language=get_language()[:2])
    return render(request, "surveys/survey_detail.html", context)


@require_POST
def survey_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    survey, _access = _get_survey_for_user(request, pk, write=True)
    actions = {
        "open": (services.survey_open, _("The survey is open: its links take answers.")),
        "close": (
            services.survey_close,
            _("The survey is closed: its links take no more answers."),
        ),
        "copy": (
            services.survey_copy,
            _("This is the copy, a year later. Check its dates and open it."),
        ),
        "delete": (services.survey_delete, _("The survey is deleted.")),
    }
    service, message = actions[action]
    try:
        result = service(survey=survey, user=request.user)
    except ValidationError as error:
        _service_error(None, request, error)
        return redirect("survey_detail", pk=survey.pk)
    messages.success(request, message)
    if action == "delete":
        return redirect("survey_list")
    return redirect("survey_detail", pk=result.pk)


@require_POST
def section_create(request: HttpRequest, pk: int) -> HttpResponse:
    survey, _access = _get_survey_for_user(request, pk, write=True)
    form = SectionForm(request.POST, instance=Section(survey=survey))
    if form.is_valid():
        try:
            services.section_save(section=form.save(commit=False), user=request.user)
        except ValidationError as error:
            _service_error(None, request, error)
    else:
        for errors in form.errors.values():
            messages.error(request, errors[0])
    return redirect(reverse("survey_detail", args=[survey.pk]) + "#sections")


def section_edit(request: HttpRequest, pk: int, section_id: int) -> HttpResponse:
    survey, _access = _get_survey_for_user(request, pk, write=True)
    section = get_object_or_404(Section, pk=section_id, survey=survey)
    form = SectionForm(request.POST or None, instance=section)
    if request.method == "POST":
        if request.POST.get("delete"):
            try:
                services.section_delete(section=section, user=request.user)
            except ValidationError as error:
                _service_error(None, request, error)
            return redirect("survey_detail", pk=survey.pk)
        if form.is_valid():
            try:
                services.section_save(section=form.save(commit=False), user=request.user)
            except ValidationError as error:
                _service_error(form, request, error)
            else:
                return redirect("survey_detail", pk=survey.pk)
    return render(
        request, "surveys/section_form.html", {"form": form, "survey": survey, "section": section}
    )


def question_edit(request: HttpRequest, pk: int, question_id: int | None = None) -> HttpResponse:
    survey, _access = _get_survey_for_user(request, pk, write=True)
    question = (
        get_object_or_404(Question, pk=question_id, survey=survey)
        if question_id
        else Question(survey=survey)
    )
    if not survey.sections.exists():
        messages.error(request, _("Add a section first: questions are asked in sections."))
        return redirect("survey_detail", pk=survey.pk)
    form = QuestionForm(request.POST or None, instance=question, survey=survey)
    if request.method == "POST" and form.is_valid():
        try:
            services.question_save(
                question=form.save(commit=False),
                options=form.options(),
                criteria=list(form.cleaned_data["criteria"]),
                user=request.user,
            )
        except ValidationError as error:
            _service_error(form, request, error)
        else:
            messages.success(request, _("The question is saved."))
            return redirect(reverse("survey_detail", args=[survey.pk]) + f"#question-{question.pk}")
    return render(
        request,
        "surveys/question_form.html",
        {"form": form, "survey": survey, "question": question},
    )


@require_POST
def question_action(request: HttpRequest, pk: int, question_id: int, action: str) -> HttpResponse:
    survey, _access = _get_survey_for_user(request, pk, write=True)
    question = get_object_or_404(Question, pk=question_id, survey=survey)
    try:
        if action == "delete":
            services.question_delete(question=question, user=request.user)
        else:
            services.question_move(question=question, direction=action, user=request.user)
    except ValidationError as error:
        _service_error(None, request, error)
    return redirect(reverse("survey_detail", args=[survey.pk]) + "#sections")


@require_POST
def bank_add(request: HttpRequest, pk: int) -> HttpResponse:
    survey, _access = _get_survey_for_user(request, pk, write=True)
    form = BankForm(request.POST, survey=survey, language=get_language()[:2])
    if not form.is_valid():
        messages.error(request, _("Choose a section and at least one question from the bank."))
        return redirect("survey_detail", pk=survey.pk)
    try:
        added = services.bank_questions_add(
            section=form.cleaned_data["section"], keys=form.cleaned_data["keys"], user=request.user
        )
    except ValidationError as error:
        _service_error(None, request, error)
    else:
        messages.success(request, _("%(count)s questions added from the bank.") % {"count": added})
    return redirect(reverse("survey_detail", args=[survey.pk]) + "#sections")


def link_url(request: HttpRequest, link: SurveyLink) -> str:
    return request.build_absolute_uri(reverse("survey_answer", args=[link.token]))


@require_GET
def survey_links(request: HttpRequest, pk: int) -> HttpResponse:
    survey, _access = _get_survey_for_user(request, pk, write=True)
    links = [(link, link_url(request, link)) for link in survey.links.select_related("org_unit")]
    return render(request, "surveys/survey_links.html", {"survey": survey, "links": links})


@require_GET
def link_poster(request: HttpRequest, pk: int, link_id: int) -> HttpResponse:
    survey, _access = _get_survey_for_user(request, pk, write=True)
    link = get_object_or_404(
        SurveyLink.objects.select_related("org_unit"), pk=link_id, survey=survey
    )
    pdf = posters.poster_pdf(survey=survey, link=link, url=link_url(request, link))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="poster-{link.pk}.pdf"'
    return response


def survey_codes(request: HttpRequest, pk: int) -> HttpResponse:
    survey, _access = _get_survey_for_user(request, pk, write=True)
    if not survey.uses_codes:
        messages.error(request, _("This survey does not use one-time codes."))
        return redirect("survey_detail", pk=survey.pk)
    form = CodesForm(request.POST or None, survey=survey)
    if request.method == "POST" and form.is_valid():
        link = form.cleaned_data["link"]
        try:
            sent = services.codes_send(
                survey=survey,
                link=link,
                emails=form.cleaned_data["emails"],
                user=request.user,
                link_url=link_url(request, link),
            )
        except ValidationError as error:
            _service_error(form, request, error)
        else:
            messages.success(request, _("%(count)s codes sent.") % {"count": sent})
            return redirect("survey_detail", pk=survey.pk)
    counts = {
        "sent": survey.codes.count(),
        "used": survey.codes.filter(used=True).count(),
    }
    return render(
        request, "surveys/survey_codes.html", {"survey": survey, "form": form, "counts": counts}
    )
