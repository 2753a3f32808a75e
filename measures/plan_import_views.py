"""Importing a plan table (upload → preview → confirm) and exporting a plan as XLSX.

Between the preview and the confirmation the uploaded bytes wait in the session
under a random token. Confirming takes the token out of the session before
anything is written, so a double submit creates one plan, not two.
"""

import base64
import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qualityplan import selectors
from qualityplan.access import Access, get_access
from qualityplan.models import OrgUnit, QualityPlan
from qualityplan.uploads import upload_remember, upload_take

from .plan_export import plan_export_xlsx
from .plan_import import PlanImportError, PlanTable, parse_plan_table, plan_import_apply
from .plan_import_forms import PlanImportForm

SESSION_KEY = "plan_imports"
# Uploads kept at once per session; an abandoned preview should not grow the session forever.
MAX_PENDING = 3
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require_importer(request: HttpRequest) -> Access:
    access = get_access(request.user)
    if not access.manages_any_plan:
        raise PermissionDenied
    return access


def _preview(request: HttpRequest, form: PlanImportForm, table: PlanTable, data: bytes):
    title = form.cleaned_data["title"] or table.title_hint
    owner, frequency = form.cleaned_data["owner"], form.cleaned_data["frequency"]
    token = upload_remember(
        request=request,
        key=SESSION_KEY,
        keep=MAX_PENDING,
        entry={
            "data": base64.b64encode(data).decode("ascii"),
            "filename": form.cleaned_data["file"].name,
            "title": title,
            "owner": owner.pk,
            "frequency": frequency,
        },
    )
    context = {
        "table": table,
        "token": token,
        "title": title,
        "owner": owner,
        "frequency": QualityPlan.Frequency(frequency).label,
    }
    return render(request, "measures/plan_import_preview.html", context)


@require_http_methods(["GET", "POST"])
def plan_import(request: HttpRequest) -> HttpResponse:
    _require_importer(request)
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


@require_POST
def plan_import_confirm(request: HttpRequest) -> HttpResponse:
    access = _require_importer(request)
    entry = upload_take(request=request, key=SESSION_KEY, token=request.POST.get("token", ""))
    if entry is None:
        messages.info(request, _("This import has already been done or has expired."))
        return redirect("plan_list")
    owner = OrgUnit.objects.filter(pk=entry["owner"]).first()
    if owner is None or not access.can_manage_unit(owner.pk):
        raise PermissionDenied
    try:
        table = parse_plan_table(data=base64.b64decode(entry["data"]), filename=entry["filename"])
        plan = plan_import_apply(
            table=table,
            owner=owner,
            title=entry["title"],
            user=request.user,
            frequency=entry["frequency"],
        )
    except PlanImportError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("plan_import")
    messages.success(request, _created_message(plan, table))
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
def plan_export(request: HttpRequest, pk: int) -> FileResponse:
    plan = get_object_or_404(QualityPlan, pk=pk)
    if not get_access(request.user).can_view_plan(plan):
        raise Http404
    data = plan_export_xlsx(plan=plan)
    return FileResponse(
        io.BytesIO(data),
        as_attachment=True,
        filename=_export_filename(plan),
        content_type=XLSX_TYPE,
    )
