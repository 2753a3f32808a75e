"""The office's import of care-record exports: upload, map once, preview, confirm."""

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from qualityplan.access import get_access
from qualityplan.models import QualityPlan

from . import careimport
from .forms import MappingForm, UploadForm
from .models import ImportMapping, IndicatorImport
from .tabular import read_table


def _get_plan_for_user(request: HttpRequest, plan_id: int) -> QualityPlan:
    """404 for a plan the user may not see, 403 for one whose imports they may not run."""
    plan = get_object_or_404(QualityPlan, pk=plan_id)
    access = get_access(request.user)
    if not access.can_view_plan(plan):
        raise Http404
    if not access.can_manage_plan(plan):
        raise PermissionDenied
    return plan


def _get_upload_for_user(request: HttpRequest, token: str) -> IndicatorImport:
    upload = get_object_or_404(
        IndicatorImport.objects.select_related("plan", "mapping"), token=token
    )
    _get_plan_for_user(request, upload.plan_id)
    return upload


def imports_page(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _get_plan_for_user(request, plan_id)
    form = UploadForm(request.POST or None, request.FILES or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            entry = careimport.import_upload(
                plan=plan,
                mapping=form.cleaned_data["mapping"],
                data=upload.read(),
                file_name=upload.name,
                user=request.user,
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            if entry.mapping_id:
                return redirect("indicator_import_preview", entry.token)
            return redirect("indicator_import_mapping", entry.token)
    context = {
        "plan": plan,
        "form": form,
        "mappings": plan.import_mappings.order_by("name"),
        "recent": IndicatorImport.objects.filter(plan=plan)
        .select_related("mapping", "created_by")
        .defer("content")[:10],
    }
    return render(request, "sources/imports.html", context)


def import_mapping(request: HttpRequest, token: str) -> HttpResponse:
    """Map a new report's columns, from the headers of the file just uploaded."""
    upload = _get_upload_for_user(request, token)
    if upload.status != IndicatorImport.Status.PREVIEW:
        return redirect("indicator_imports", upload.plan_id)
    try:
        table = read_table(data=bytes(upload.content), file_name=upload.file_name)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("indicator_imports", upload.plan_id)
    indicators = careimport.importable_indicators(plan=upload.plan)
    form = MappingForm(request.POST or None, headers=table.headers, indicators=indicators)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        mapping = ImportMapping(
            plan=upload.plan,
            name=data["name"].strip(),
            unit_column=data["unit_column"],
            period_column=data["period_column"],
            period_kind=data["period_kind"],
            columns=form.columns(),
        )
        try:
            careimport.mapping_save(mapping=mapping, user=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            IndicatorImport.objects.filter(pk=upload.pk).update(mapping=mapping)
            return redirect("indicator_import_preview", upload.token)
    context = {"upload": upload, "form": form, "table": table, "sample": table.rows[:5]}
    return render(request, "sources/import_mapping.html", context)


def import_preview(request: HttpRequest, token: str) -> HttpResponse:
    upload = _get_upload_for_user(request, token)
    if upload.status != IndicatorImport.Status.PREVIEW or upload.mapping is None:
        return redirect("indicator_imports", upload.plan_id)
    try:
        preview = careimport.import_preview(
            mapping=upload.mapping, data=bytes(upload.content), file_name=upload.file_name
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("indicator_imports", upload.plan_id)
    units = careimport.UnitMatcher(plan=upload.plan, mapping=None).units
    context = {
        "upload": upload,
        "preview": preview,
        "units": units,
        "versions": json.dumps(preview.versions),
    }
    return render(request, "sources/import_preview.html", context)


@require_POST
def import_aliases(request: HttpRequest, token: str) -> HttpResponse:
    """The office matches unit names the file writes to units, once for this report."""
    upload = _get_upload_for_user(request, token)
    if upload.mapping is None:
        raise Http404
    units = {str(u.pk): u for u in careimport.UnitMatcher(plan=upload.plan, mapping=None).units}
    names = request.POST.getlist("name")
    chosen = request.POST.getlist("unit")
    choices = {
        name: units[unit_id]
        for name, unit_id in zip(names, chosen, strict=False)
        if unit_id in units
    }
    try:
        careimport.aliases_confirm(mapping=upload.mapping, choices=choices)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("indicator_import_preview", upload.token)
    if choices:
        messages.success(
            request,
            ngettext(
                "%(count)d unit name remembered for this report.",
                "%(count)d unit names remembered for this report.",
                len(choices),
            )
            % {"count": len(choices)},
        )
    return redirect("indicator_import_preview", upload.token)


@require_POST
def import_confirm(request: HttpRequest, token: str) -> HttpResponse:
    upload = _get_upload_for_user(request, token)
    if upload.mapping is None:
        raise Http404
    try:
        versions = json.loads(request.POST.get("versions", "{}"))
        if not isinstance(versions, dict):
            raise ValueError
    except ValueError:
        versions = {}
    try:
        changed = careimport.import_apply(upload=upload, user=request.user, versions=versions)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("indicator_imports", upload.plan_id)
    messages.success(
        request,
        ngettext("%(count)d value imported.", "%(count)d values imported.", changed)
        % {"count": changed},
    )
    return redirect("indicator_imports", upload.plan_id)
