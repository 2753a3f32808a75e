"""Importing a plan table (upload → preview → confirm) and exporting a plan as XLSX.

Between the preview and the confirmation the uploaded file waits as a
`PendingUpload` row (qualityplan.uploads) whose token the preview's form carries.
Confirming claims the row before anything is written, so a double submit creates
one plan, not two.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qualityplan import selectors
from qualityplan.access import get_access
from qualityplan.models import OrgUnit, PendingUpload, QualityPlan
from qualityplan.spreadsheets import xlsx_response
from qualityplan.uploads import (
    pending_upload_claim,
    pending_upload_create,
    pending_upload_discard,
    pending_upload_read,
)

from .permissions import require_plan_importer
from .plan_export import plan_export_xlsx
from .plan_import import PlanImportError, PlanTable, parse_plan_table
from .plan_import_forms import PlanImportForm
from .plan_write import plan_import_apply

# Previews kept waiting at once per person; an abandoned one goes when a fourth comes.
MAX_PENDING = 3
KIND = PendingUpload.Kind.PLAN_IMPORT


def _preview(request: HttpRequest, form: PlanImportForm, table: PlanTable, data: bytes):
    title = form.cleaned_data["title"] or table.title_hint
    owner, frequency = form.cleaned_data["owner"], form.cleaned_data["frequency"]
    pending = pending_upload_create(
        user=request.user,
        kind=KIND,
        data=data,
        name=form.cleaned_data["file"].name,
        params={"title": title, "owner": owner.pk, "frequency": frequency},
        keep=MAX_PENDING,
    )
    return _render_preview(request, table, pending.token, pending.params, owner)


def _render_preview(request, table: PlanTable, token: str, params: dict, owner: OrgUnit, **extra):
    overlapping = selectors.overlapping_active_plans(
        owner_id=owner.pk, first_year=min(table.years), last_year=max(table.years)
    )
    context = {
        "overlapping": list(overlapping),
        "table": table,
        "token": token,
        "title": params["title"],
        "owner": owner,
        "owner_path": selectors.unit_paths().get(owner.pk, owner.name),
        "frequency": QualityPlan.Frequency(params["frequency"]).label,
        "role_names": {},
        **extra,
    }
    return render(request, "measures/plan_import_preview.html", context)


@require_http_methods(["GET", "POST"])
def plan_import(request: HttpRequest) -> HttpResponse:
    require_plan_importer(request)
    units = selectors.manageable_units_for_user(user=request.user)
    is_post = request.method == "POST"
    form = PlanImportForm(
        request.POST if is_post else None, request.FILES if is_post else None, owner_choices=units
    )
    if is_post and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        try:
            table = parse_plan_table(data=data, filename=upload.name)
        except PlanImportError as error:
            form.add_file_error(error)
        else:
            return _preview(request, form, table, data)
    return render(request, "measures/plan_import.html", {"form": form})


def _role_names_missing(table: PlanTable, post) -> list[str]:
    """Give the new roles the file names only by code the names typed in the preview;
    returns the codes still without one."""
    missing = []
    for role in table.roles:
        if role.needs_name:
            name = " ".join(post.get(f"role_name_{role.code}", "").split())[:200]
            if name:
                role.name = name
            else:
                missing.append(role.code)
    return missing


@require_POST
def plan_import_confirm(request: HttpRequest) -> HttpResponse:
    access = require_plan_importer(request)
    token = request.POST.get("token", "")
    if request.POST.get("cancel"):
        pending_upload_discard(user=request.user, kind=KIND, token=token)
        messages.info(request, _("The import was cancelled. Nothing was saved."))
        return redirect("plan_list")
    try:
        upload = pending_upload_read(user=request.user, kind=KIND, token=token)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("plan_import")
    if upload is None:
        messages.info(request, _("This import has already been done or has expired."))
        return redirect("plan_list")
    params = upload.params
    owner = OrgUnit.objects.filter(pk=params["owner"]).first()
    if owner is None or not access.can_manage_unit(owner.pk):
        raise PermissionDenied
    try:
        table = parse_plan_table(data=upload.data, filename=upload.name)
        missing = _role_names_missing(table, request.POST)
        if missing:
            names = {code: request.POST.get(f"role_name_{code}", "") for code in missing}
            return _render_preview(
                request, table, token, params, owner, missing_roles=missing, role_names=names
            )
        if pending_upload_claim(user=request.user, kind=KIND, token=token) is None:
            messages.info(request, _("This import has already been done or has expired."))
            return redirect("plan_list")
        plan = plan_import_apply(
            table=table,
            owner=owner,
            title=params["title"],
            user=request.user,
            frequency=params["frequency"],
        )
    except PlanImportError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("plan_import")
    messages.success(request, _created_message(plan, table))
    messages.info(request, _("The plan is a draft. Activate it on this page when it is ready."))
    return redirect("plan_detail", pk=plan.pk)


def _created_message(plan: QualityPlan, table: PlanTable) -> str:
    return _(
        "The plan “%(title)s” was created with %(goals)d goals, %(subgoals)d sub-goals and "
        "%(measures)d measures."
    ) % {
        "title": plan.title,
        "goals": table.goal_count,
        "subgoals": table.subgoal_count,
        "measures": table.measure_count,
    }


def _export_filename(plan: QualityPlan) -> str:
    title = plan.title.translate(str.maketrans({"æ": "ae", "ø": "o", "å": "a", "–": "-"}))
    title = title.translate(str.maketrans({"Æ": "Ae", "Ø": "O", "Å": "A", "—": "-"}))
    name = slugify(title) or "plan"
    if str(plan.first_year) not in name:
        name = f"{name}-{plan.first_year}-{plan.last_year}"
    return f"{name}.xlsx"


@require_GET
def plan_export(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(QualityPlan, pk=pk)
    if not get_access(request.user).can_view_plan(plan):
        raise Http404
    data = plan_export_xlsx(plan=plan)
    return xlsx_response(data, filename=_export_filename(plan))
