"""Importing responses from another tool: upload → map the columns → preview → confirm."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import imports, permissions
from .forms import ImportUploadForm
from .models import PendingImport, Survey


def _get(request: HttpRequest, pk: int) -> Survey:
    survey, access = permissions.get_survey_for_user(request, pk)
    if not permissions.can_manage(access, survey):
        raise PermissionDenied
    return survey


def import_upload(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _get(request, pk)
    form = ImportUploadForm(
        request.POST or None, request.FILES or None, initial={"answered_on": survey.ends_on}
    )
    if not survey.is_draft and request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read(imports.MAX_BYTES + 1)
        try:
            imports.read_table(data, upload.name)
        except ValidationError as error:
            form.add_error("file", error)
        else:
            PendingImport.objects.filter(survey=survey, user=request.user).delete()
            pending = PendingImport.objects.create(
                survey=survey,
                user=request.user,
                file_name=upload.name[:200],
                data=data,
                answered_on=form.cleaned_data["answered_on"],
            )
            return redirect("survey_import_map", pk=survey.pk, token=pending.token)
    return render(request, "surveys/import_upload.html", {"survey": survey, "form": form})


def _mapping_form(data, *, table, survey, questions, initial):
    choices = [(imports.SKIP, _("Not imported")), (imports.UNIT, _("The unit"))] + [
        (str(q.pk), q.text) for q in questions
    ]
    form = forms.Form(data)
    for index, heading in enumerate(table.header):
        form.fields[f"c{index}"] = forms.ChoiceField(
            label=heading or _("Column %(n)s") % {"n": index + 1},
            choices=choices,
            initial=initial.get(heading, imports.SKIP),
        )
        form.fields[f"c{index}"].widget.attrs["class"] = "ds-input ds-select"
    units = [
        (link.org_unit_id, link.org_unit.name) for link in survey.links.select_related("org_unit")
    ]
    form.fields["unit"] = forms.TypedChoiceField(
        label=gettext_lazy("Or one unit for every row"),
        choices=[("", "—"), *units],
        coerce=int,
        required=False,
        empty_value=None,
    )
    form.fields["unit"].widget.attrs["class"] = "ds-input ds-select"
    return form


def import_map(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    survey = _get(request, pk)
    pending = PendingImport.objects.filter(survey=survey, user=request.user, token=token).first()
    if pending is None:
        raise Http404
    table = imports.read_table(bytes(pending.data), pending.file_name)
    questions = list(survey.questions.order_by("section__position", "position"))
    initial = imports.guess_mapping(survey, table.header, questions)
    form = _mapping_form(
        request.POST or None, table=table, survey=survey, questions=questions, initial=initial
    )
    result = None
    if request.method == "POST" and form.is_valid():
        mapping = {h: form.cleaned_data[f"c{i}"] for i, h in enumerate(table.header) if h}
        result = imports.preview(
            survey=survey, table=table, mapping=mapping, fixed_unit=form.cleaned_data["unit"]
        )
        if request.POST.get("confirm") and not result.errors:
            with transaction.atomic():
                # Claiming the pending file first makes a double submit import it once.
                claimed, _rows = PendingImport.objects.filter(pk=pending.pk).delete()
                if claimed:
                    batch = imports.import_apply(
                        survey=survey,
                        file_name=pending.file_name,
                        answered_on=pending.answered_on,
                        result=result,
                        mapping=mapping,
                        user=request.user,
                    )
                    messages.success(
                        request, _("%(count)s responses imported.") % {"count": batch.row_count}
                    )
            return redirect("survey_results", pk=survey.pk)
    context = {
        "survey": survey,
        "pending": pending,
        "form": form,
        "table": table,
        "result": result,
        "columns": [(form[f"c{i}"], _samples(table, i)) for i in range(len(table.header))],
    }
    return render(request, "surveys/import_map.html", context)


def _samples(table, index: int) -> str:
    values = [row[index] for _n, row in table.rows[:3] if index < len(row) and row[index]]
    return ", ".join(values)[:120]
