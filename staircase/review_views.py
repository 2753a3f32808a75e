"""External review pages: appointing reviewers, the review itself, certification."""

import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qualityplan.models import OrgUnit

from . import notify, reviews, selectors
from .certificate import certificate_pdf as certificate_pdf_render
from .forms import ReviewerForm, ReviewForm
from .models import Certification, ExternalReview, Framework
from .permissions import staircase_rights
from .views import _get_round_for_user


def _get_review_for_user(request: HttpRequest, pk: int, write: bool = False) -> ExternalReview:
    """The office and the appointed reviewers see a review at any time, the unit's readers
    once it is completed; only an appointed reviewer with access left changes it."""
    review = selectors.review_for_page(pk)
    if review is None:
        raise Http404
    rights = staircase_rights(user=request.user)
    sees = (
        rights.can_manage_unit(review.org_unit_id)
        or review.pk in rights.review_ids
        or (review.status == review.Status.COMPLETED and rights.can_read_unit(review.org_unit_id))
    )
    if not sees:
        raise Http404
    if write and not reviews.may_review(review=review, user=request.user):
        raise PermissionDenied
    return review


@require_http_methods(["GET", "POST"])
def review_appoint(request: HttpRequest, round_pk: int) -> HttpResponse:
    round_ = _get_round_for_user(request, round_pk)
    rights = staircase_rights(user=request.user)
    if not rights.can_manage_unit(round_.owner_id):
        raise PermissionDenied
    form = ReviewerForm(request.POST or None, units=selectors.round_units(round=round_))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            assignment, _created = reviews.reviewer_appoint(
                round=round_,
                unit=data["unit"],
                username=data["username"],
                full_name=data["full_name"],
                email=data["email"],
                access_until=data["access_until"],
                user=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(name)s reviews %(unit)s until %(until)s.")
                % {
                    "name": assignment.user.get_full_name() or assignment.user.username,
                    "unit": data["unit"].name,
                    "until": date_format(data["access_until"], "SHORT_DATE_FORMAT"),
                },
            )
            return redirect("staircase:review", assignment.review_id)
    return render(request, "staircase/review_appoint.html", {"form": form, "round": round_})


def _review_context(request, review: ExternalReview, form=None) -> dict:
    rights = staircase_rights(user=request.user)
    assessment = selectors.unit_assessment_in_round(
        round_id=review.round_id, unit_id=review.org_unit_id
    )
    page = selectors.assessment_page(assessment=assessment) if assessment else None
    rows = selectors.review_areas(review=review)
    areas = list(review.round.framework_version.areas.order_by("position"))
    editable = reviews.may_review(review=review, user=request.user)
    if editable and form is None:
        form = ReviewForm(areas=areas, rows=rows, review=review)
    self_views = {view.area.pk: view for view in page.areas} if page else {}
    lines = []
    for area in areas:
        view, row = self_views.get(area.pk), rows.get(area.pk)
        self_step = view.reached if view else None
        review_step = row.step if row else None
        differs = None not in (self_step, review_step) and self_step != review_step
        pair = form.pair(area) if editable else None
        lines.append((area, view, row, differs, pair))
    may_certify = rights.can_manage_unit(review.org_unit_id)
    certificate = getattr(review, "certification", None) if review.pk else None
    return {
        "review": review,
        "assessment": assessment,
        "lines": lines,
        "form": form,
        "editable": editable,
        "may_certify": may_certify and certificate is None,
        "shortfalls": reviews.certification_shortfalls(review=review) if may_certify else [],
        "certificate": certificate,
        "is_office": may_certify,
    }


@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, pk: int) -> HttpResponse:
    current = _get_review_for_user(request, pk, write=request.method == "POST")
    if request.method == "GET":
        return render(request, "staircase/review.html", _review_context(request, current))
    areas = list(current.round.framework_version.areas.order_by("position"))
    rows = selectors.review_areas(review=current)
    form = ReviewForm(request.POST, areas=areas, rows=rows, review=current)
    if form.is_valid():
        try:
            reviews.review_save(
                review=current,
                user=request.user,
                revision=form.cleaned_data["revision"],
                report=form.cleaned_data["report"].strip(),
                areas=form.verdicts(),
            )
            if request.POST.get("action") == "complete":
                reviews.review_complete(review=current, user=request.user)
        except reviews.ReviewConflict as conflict:
            messages.error(request, conflict.messages[0])
            return redirect("staircase:review", current.pk)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            done = request.POST.get("action") == "complete"
            messages.success(request, _("The review was completed.") if done else _("Saved."))
            return redirect("staircase:review", current.pk)
    return render(request, "staircase/review.html", _review_context(request, current, form))


@require_POST
def review_certify(request: HttpRequest, pk: int) -> HttpResponse:
    current = _get_review_for_user(request, pk)
    if not staircase_rights(user=request.user).can_manage_unit(current.org_unit_id):
        raise PermissionDenied
    try:
        certificate = reviews.certificate_issue(review=current, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(unit)s is quality-certified until %(until)s.")
            % {
                "unit": current.org_unit.name,
                "until": date_format(certificate.valid_until, "SHORT_DATE_FORMAT"),
            },
        )
    return redirect(reverse("staircase:review", args=[current.pk]))


@require_GET
def certificate_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    certificate = get_object_or_404(
        Certification.objects.select_related("framework", "org_unit"), pk=pk
    )
    rights = staircase_rights(user=request.user)
    if not rights.can_read_unit(certificate.org_unit_id):
        raise Http404
    name = slugify(certificate.org_unit.name) or "certificate"
    return FileResponse(
        io.BytesIO(certificate_pdf_render(certificate=certificate)),
        as_attachment=True,
        filename=f"{name}-{certificate.issued_on.isoformat()}.pdf",
        content_type="application/pdf",
    )


@require_GET
def certificates(request: HttpRequest) -> HttpResponse:
    rights = staircase_rights(user=request.user)
    if not (rights.is_office or rights.read_unit_ids):
        raise Http404
    scope = _scope_unit_ids(rights)
    today = timezone.localdate()
    statuses = [
        selectors.certification_status(framework=framework, unit_ids=scope, today=today)
        for framework in Framework.objects.filter(certifications__isnull=False).distinct()
    ]
    context = {"statuses": statuses, "rights": rights, "today": today}
    return render(request, "staircase/certificates.html", context)


def _scope_unit_ids(rights) -> set[int]:
    if rights.is_superuser:
        return set(OrgUnit.objects.values_list("pk", flat=True))
    return set(rights.read_unit_ids | rights.office_unit_ids)


@require_POST
def round_chase(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _get_round_for_user(request, pk)
    if not staircase_rights(user=request.user).can_manage_unit(round_.owner_id):
        raise PermissionDenied
    sent = notify.round_chase(round=round_)
    if sent:
        messages.success(
            request,
            ngettext(
                "A reminder was sent to %(count)d person.",
                "Reminders were sent to %(count)d people.",
                sent,
            )
            % {"count": sent},
        )
    else:
        messages.info(request, _("Everyone who has not submitted was already reminded today."))
    return redirect("staircase:round_detail", round_.pk)
