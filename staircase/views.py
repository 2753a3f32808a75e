"""Pages of the quality staircase: frameworks, rounds and self-assessments."""

import io

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.module_loading import import_string
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qualityplan.access import OrgTree
from qualityplan.models import OrgUnit
from qualityplan.uploads import pending_upload_claim, pending_upload_create

from . import selectors, services
from .forms import (
    AssessmentForm,
    DecisionForm,
    EvidenceForm,
    FrameworkImportForm,
    FrameworkRuleForm,
    RoundForm,
    StartForm,
)
from .framework_import import (
    FrameworkImportError,
    framework_export_xlsx,
    framework_import_apply,
    parse_framework,
)
from .models import STEPS, AssessmentRound, Evidence, Framework, FrameworkVersion, SelfAssessment
from .permissions import StaircaseRights, staircase_rights

UPLOAD_KIND = "framework_import"
MAX_PENDING = 3
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _rights(request: HttpRequest) -> StaircaseRights:
    return staircase_rights(user=request.user)


def _require_office(request: HttpRequest) -> StaircaseRights:
    rights = _rights(request)
    if not rights.is_office:
        raise PermissionDenied
    return rights


def _get_round_for_user(request: HttpRequest, pk: int) -> AssessmentRound:
    round_ = get_object_or_404(
        AssessmentRound.objects.select_related("framework_version__framework", "owner"), pk=pk
    )
    rights = _rights(request)
    if rights.is_superuser or any(r == round_.pk for r, _unit in rights.reviews):
        return round_
    seen = rights.read_unit_ids | rights.edit_unit_ids | rights.approve_unit_ids
    if not OrgTree.load().subtree(round_.owner_id) & (seen | rights.office_unit_ids):
        raise Http404
    return round_


def _get_assessment_for_user(request: HttpRequest, pk: int, write: bool = False):
    """404 for an assessment the user may not see, 403 for one they may see but not change."""
    assessment = selectors.assessment_for_page(pk)
    if assessment is None:
        raise Http404
    rights = _rights(request)
    if not rights.can_read_assessment(round_id=assessment.round_id, unit_id=assessment.org_unit_id):
        raise Http404
    if write and not rights.can_edit_unit(assessment.org_unit_id):
        raise PermissionDenied
    return assessment


# --- Home and frameworks -----------------------------------------------------------------------


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    rights = _rights(request)
    if not rights.uses_staircase:
        raise Http404
    context = {
        "rights": rights,
        "rounds": selectors.rounds_for_user(rights=rights),
        "reviews": selectors.reviews_for_reviewer(rights=rights) if rights.is_reviewer else [],
    }
    return render(request, "staircase/home.html", context)


@require_GET
def framework_list(request: HttpRequest) -> HttpResponse:
    rights = _rights(request)
    if not rights.uses_staircase:
        raise Http404
    context = {"frameworks": selectors.frameworks_with_versions(), "rights": rights}
    return render(request, "staircase/framework_list.html", context)


@require_GET
def framework_version(request: HttpRequest, pk: int) -> HttpResponse:
    rights = _rights(request)
    if not rights.uses_staircase:
        raise Http404
    version = get_object_or_404(FrameworkVersion.objects.select_related("framework"), pk=pk)
    context = {
        "version": version,
        "areas": selectors.version_criteria(version=version),
        "perspectives": list(version.perspectives.all()),
        "rights": rights,
        "rule_form": FrameworkRuleForm(instance=version.framework),
    }
    return render(request, "staircase/framework_version.html", context)


@require_POST
def framework_rule(request: HttpRequest, pk: int) -> HttpResponse:
    _require_office(request)
    framework = get_object_or_404(Framework, pk=pk)
    form = FrameworkRuleForm(request.POST, instance=framework)
    if form.is_valid():
        form.save()
        messages.success(request, _("The certification rule was saved."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    version = framework.versions.order_by("-number").first()
    return (
        redirect("staircase:framework_version", version.pk)
        if version
        else redirect("staircase:framework_list")
    )


@require_GET
def framework_export(request: HttpRequest, pk: int) -> FileResponse:
    if not _rights(request).uses_staircase:
        raise Http404
    version = get_object_or_404(FrameworkVersion.objects.select_related("framework"), pk=pk)
    name = f"{slugify(version.framework.name) or 'framework'}-v{version.number}.xlsx"
    return FileResponse(
        io.BytesIO(framework_export_xlsx(version=version)),
        as_attachment=True,
        filename=name,
        content_type=XLSX_TYPE,
    )


@require_http_methods(["GET", "POST"])
def framework_import(request: HttpRequest) -> HttpResponse:
    _require_office(request)
    is_post = request.method == "POST"
    form = FrameworkImportForm(
        request.POST if is_post else None, request.FILES if is_post else None
    )
    if is_post and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        try:
            parsed = parse_framework(data=data, filename=upload.name)
        except FrameworkImportError as error:
            form.add_error("file", error)
        else:
            name = form.cleaned_data["name"] or parsed.title or upload.name.rsplit(".", 1)[0]
            token = pending_upload_create(
                user=request.user,
                kind=UPLOAD_KIND,
                data=data,
                name=upload.name,
                params={"name": name[:200]},
                keep=MAX_PENDING,
            ).token
            existing = Framework.objects.filter(name__iexact=name).first()
            context = {
                "parsed": parsed,
                "token": token,
                "name": name,
                "existing": existing,
                "steps": list(STEPS),
            }
            return render(request, "staircase/framework_preview.html", context)
    return render(request, "staircase/framework_import.html", {"form": form})


@require_POST
def framework_import_confirm(request: HttpRequest) -> HttpResponse:
    _require_office(request)
    try:
        entry = pending_upload_claim(
            user=request.user, kind=UPLOAD_KIND, token=request.POST.get("token", "")
        )
        if entry is None:
            messages.info(request, _("This import has already been done or has expired."))
            return redirect("staircase:framework_list")
        parsed = parse_framework(data=entry.data, filename=entry.name)
        version = framework_import_apply(
            parsed=parsed, name=entry.params["name"], user=request.user, source_name=entry.name
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("staircase:framework_import")
    messages.success(
        request,
        _("“%(name)s” version %(number)d was saved with %(areas)d areas and %(criteria)d criteria.")
        % {
            "name": version.framework.name,
            "number": version.number,
            "areas": len(parsed.areas),
            "criteria": parsed.criterion_count,
        },
    )
    return redirect("staircase:framework_version", version.pk)


# --- Rounds -----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def round_create(request: HttpRequest) -> HttpResponse:
    rights = _require_office(request)
    owners = OrgUnit.objects.exclude(kind__in=[OrgUnit.Kind.SECTION, OrgUnit.Kind.UNIT])
    if not rights.is_superuser:
        owners = owners.filter(pk__in=rights.office_unit_ids)
    form = RoundForm(request.POST or None, owners=owners.order_by("name"))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            round_ = services.round_create(
                version=data["version"],
                owner=data["owner"],
                year=data["year"],
                deadline=data["deadline"],
                user=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The self-assessment round was opened."))
            return redirect("staircase:round_detail", round_.pk)
    return render(request, "staircase/round_form.html", {"form": form})


@require_GET
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _get_round_for_user(request, pk)
    rights = _rights(request)
    context = {
        "round": round_,
        "overview": selectors.round_overview(round=round_, rights=rights),
        "rights": rights,
        "start_form": StartForm(),
        "may_manage": rights.can_manage_unit(round_.owner_id),
    }
    return render(request, "staircase/round_detail.html", context)


@require_POST
def assessment_start(request: HttpRequest, round_pk: int, unit_pk: int) -> HttpResponse:
    round_ = _get_round_for_user(request, round_pk)
    unit = get_object_or_404(OrgUnit, pk=unit_pk)
    if not selectors.round_units(round=round_).filter(pk=unit.pk).exists():
        raise Http404
    if not _rights(request).can_edit_unit(unit.pk):
        raise PermissionDenied
    form = StartForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("staircase:round_detail", round_.pk)
    assessment = services.assessment_start(
        round=round_,
        unit=unit,
        user=request.user,
        kind=form.cleaned_data["kind"],
        team_name=form.cleaned_data["team_name"],
    )
    return redirect("staircase:assessment", assessment.pk)


# --- A self-assessment -----------------------------------------------------------------------


def _attach_outside_evidence(page, assessment: SelfAssessment) -> None:
    """Evidence newer apps hold on the criteria (settings.STAIRCASE_EVIDENCE_HOOKS, called
    with org_unit_id=, year=, criterion_ids=; each returns {criterion id: [sentences]})."""
    ids = [c.pk for view in page.areas for step in view.steps for c in step.criteria]
    found: dict[int, list[str]] = {}
    for path in getattr(settings, "STAIRCASE_EVIDENCE_HOOKS", []):
        hook = import_string(path)
        for key, lines in hook(
            org_unit_id=assessment.org_unit_id, year=assessment.year, criterion_ids=ids
        ).items():
            found.setdefault(key, []).extend(lines)
    for view in page.areas:
        view.outside_evidence = [
            line for step in view.steps for c in step.criteria for line in found.get(c.pk, [])
        ]


def _assessment_context(request, assessment: SelfAssessment, form=None, met_override=None):
    rights = _rights(request)
    page = selectors.assessment_page(assessment=assessment, met_override=met_override)
    editable = assessment.is_draft and rights.can_edit_unit(assessment.org_unit_id)
    if editable and form is None:
        form = AssessmentForm(page=page)
    if form is not None and form.is_bound:
        _show_sent_values(page, form)
    review = selectors.unit_review(assessment=assessment)
    show_review = review is not None and (
        review.status == review.Status.COMPLETED
        or rights.can_manage_unit(assessment.org_unit_id)
        or review.pk in rights.review_ids
    )
    if show_review:
        by_area = {row.area_id: row for row in review.areas.all()}
        for view in page.areas:
            view.review = by_area.get(view.area.pk)
    _attach_outside_evidence(page, assessment)
    return {
        "assessment": assessment,
        "page": page,
        "form": form,
        "editable": editable,
        "can_decide": rights.can_approve_unit(assessment.org_unit_id)
        and assessment.status != SelfAssessment.Status.DRAFT,
        "decision_form": DecisionForm(),
        "evidence_form": EvidenceForm(),
        "previous": services.previous_assessment(assessment=assessment) if editable else None,
        "review": review if show_review else None,
    }


def _show_sent_values(page, form: AssessmentForm) -> None:
    for view in page.areas:
        pk = view.area.pk
        view.evidence_text = form.data.get(f"evidence_{pk}", "")
        view.evidence_errors = list(form.errors.get(f"evidence_{pk}", []))
        sent = form.data.getlist(f"perspectives_{pk}")
        view.perspectives = {int(v) for v in sent if v.isdigit()}


@require_http_methods(["GET", "POST"])
def assessment(request: HttpRequest, pk: int) -> HttpResponse:
    current = _get_assessment_for_user(request, pk, write=request.method == "POST")
    if request.method == "GET":
        return render(request, "staircase/assessment.html", _assessment_context(request, current))
    page = selectors.assessment_page(assessment=current)
    form = AssessmentForm(request.POST, page=page)
    if form.is_valid():
        try:
            services.assessment_save(
                assessment=current,
                user=request.user,
                revision=form.cleaned_data["revision"],
                summary=form.cleaned_data["summary"].strip(),
                areas=form.area_inputs(),
            )
            if request.POST.get("action") == "submit":
                services.assessment_submit(assessment=current, user=request.user)
        except services.AssessmentConflict as conflict:
            messages.error(request, conflict.messages[0])
            return redirect("staircase:assessment", current.pk)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            submitted = request.POST.get("action") == "submit"
            messages.success(
                request,
                _("The self-assessment was submitted.") if submitted else _("Saved."),
            )
            return redirect("staircase:assessment", current.pk)
    current.refresh_from_db()
    context = _assessment_context(request, current, form=form, met_override=form.met_by_area())
    return render(request, "staircase/assessment.html", context, status=200)


@require_POST
def assessment_copy(request: HttpRequest, pk: int) -> HttpResponse:
    current = _get_assessment_for_user(request, pk, write=True)
    try:
        services.assessment_copy_previous(
            assessment=current, user=request.user, revision=int(request.POST.get("revision", 0))
        )
    except (ValidationError, ValueError) as error:
        text = error.messages[0] if isinstance(error, ValidationError) else _("Reload the page.")
        messages.error(request, text)
    else:
        messages.success(request, _("Last year's self-assessment was copied. Check every area."))
    return redirect("staircase:assessment", current.pk)


@require_POST
def assessment_decide(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    current = _get_assessment_for_user(request, pk)
    if not _rights(request).can_approve_unit(current.org_unit_id):
        raise PermissionDenied
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("staircase:assessment", current.pk)
    comment = form.cleaned_data["comment"]
    try:
        if action == "approve":
            services.assessment_approve(assessment=current, user=request.user, comment=comment)
            messages.success(request, _("The self-assessment was approved."))
        elif action == "send_back":
            services.assessment_send_back(assessment=current, user=request.user, comment=comment)
            messages.success(request, _("The self-assessment was sent back to the unit."))
        else:
            raise Http404
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("staircase:assessment", current.pk)


# --- Evidence -----------------------------------------------------------------------


@require_POST
def evidence_add(request: HttpRequest, pk: int, area_pk: int) -> HttpResponse:
    current = _get_assessment_for_user(request, pk, write=True)
    row = get_object_or_404(current.areas.select_related("assessment"), area_id=area_pk)
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file to attach."))
    else:
        try:
            services.evidence_add(row=row, upload=form.cleaned_data["file"], user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The file was attached."))
    return redirect(f"{_assessment_url(current)}#area-{area_pk}")


def _assessment_url(assessment: SelfAssessment) -> str:
    from django.urls import reverse

    return reverse("staircase:assessment", args=[assessment.pk])


def _get_evidence_for_user(request: HttpRequest, pk: int, write: bool = False) -> Evidence:
    evidence = get_object_or_404(
        Evidence.objects.select_related("area_assessment__assessment"), pk=pk
    )
    _get_assessment_for_user(request, evidence.area_assessment.assessment_id, write=write)
    return evidence


@require_GET
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    evidence = _get_evidence_for_user(request, pk)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    return FileResponse(handle, as_attachment=True, filename=evidence.name)


@require_POST
def evidence_delete(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = _get_evidence_for_user(request, pk, write=True)
    assessment = evidence.area_assessment.assessment
    try:
        services.evidence_delete(evidence=evidence)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The attachment was removed."))
    return redirect(f"{_assessment_url(assessment)}#area-{evidence.area_assessment.area_id}")
