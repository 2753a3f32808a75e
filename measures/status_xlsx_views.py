"""The status rows by Excel: download a template, upload it filled in, check it, then save.

Between the check and the confirmation the uploaded file waits as a
`PendingUpload` row (qualityplan.uploads), with the ids of the rows the check
showed as changes; the check's form carries its token. Confirming claims the row
before anything is written, so a double submit saves once, and only rows the user
saw in the check are saved.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qualityplan.forms import DesignsystemetFormMixin
from qualityplan.models import OrgUnit, PendingUpload
from qualityplan.spreadsheets import XLSX_TYPE, xlsx_response
from qualityplan.uploads import pending_upload_claim, pending_upload_create

from . import selectors
from .models import ReportingPeriod
from .permissions import get_period_for_user, get_status_unit_for_user, status_may_edit
from .status_upload import UploadCheck, UploadResult, status_upload_apply, status_upload_check
from .status_xlsx import (
    MAX_UPLOAD_BYTES,
    StatusSheetError,
    status_sheet_parse,
    status_template_build,
    status_template_filename,
)

# Checks kept waiting at once per person; an abandoned one goes when a third comes.
MAX_PENDING = 2


class StatusUploadForm(DesignsystemetFormMixin, forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Filled-in template"),
        help_text=gettext_lazy(
            "The Excel file (.xlsx) you downloaded from the status page, with your changes."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = f".xlsx,{XLSX_TYPE}"

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is %(size)s; the largest file we accept is %(max)s."),
                code="too_big",
                params={
                    "size": filesizeformat(upload.size),
                    "max": filesizeformat(MAX_UPLOAD_BYTES),
                },
            )
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(
                _(
                    "Upload the Excel workbook (.xlsx) you downloaded. Older Excel files (.xls) "
                    "and CSV files cannot be read: save the file as .xlsx first."
                ),
                code="not_xlsx",
            )
        return upload

    def add_file_error(self, error) -> None:
        """An error found in the file's content, tied to the file input like any other."""
        self.add_error("file", error)
        described = [f"{self['file'].auto_id}_error", f"{self['file'].auto_id}_helptext"]
        self.fields["file"].widget.attrs["aria-describedby"] = " ".join(described)


def _rows_for_user(request: HttpRequest, period: ReportingPeriod, unit: OrgUnit):
    rows = list(selectors.status_rows(period=period, unit_ids=[unit.pk]))
    for row in rows:
        row.editable = status_may_edit(user=request.user, status=row)
    return rows


def _status_page_url(period: ReportingPeriod, unit: OrgUnit) -> str:
    return reverse("status_page", args=[period.pk]) + f"?unit={unit.pk}"


@require_GET
def status_template_download(request: HttpRequest, period_pk: int) -> HttpResponse:
    period = get_period_for_user(request, period_pk)
    unit = get_status_unit_for_user(request, period, request.GET.get("unit", ""))
    rows = _rows_for_user(request, period, unit)
    data = status_template_build(period=period, unit=unit, rows=rows)
    return xlsx_response(data, filename=status_template_filename(period=period, unit=unit))


def _preview(request, period, unit, upload, check: UploadCheck, data: bytes) -> HttpResponse:
    pending = pending_upload_create(
        user=request.user,
        kind=PendingUpload.Kind.STATUS_SHEET,
        data=data,
        name=upload.name,
        params={
            "period": period.pk,
            "unit": unit.pk,
            "rows": [change.row.pk for change in check.changes],
        },
        keep=MAX_PENDING,
    )
    context = {
        "period": period,
        "unit": unit,
        "check": check,
        "token": pending.token,
        "filename": upload.name,
        "back": _status_page_url(period, unit),
    }
    return render(request, "measures/status_upload_preview.html", context)


@require_http_methods(["GET", "POST"])
def status_upload(request: HttpRequest, period_pk: int) -> HttpResponse:
    period = get_period_for_user(request, period_pk)
    unit = get_status_unit_for_user(request, period, request.GET.get("unit", ""))
    if not any(row.editable for row in _rows_for_user(request, period, unit)):
        raise PermissionDenied
    is_post = request.method == "POST"
    form = StatusUploadForm(request.POST if is_post else None, request.FILES if is_post else None)
    if is_post and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        try:
            sheet = status_sheet_parse(data=data)
            check = status_upload_check(sheet=sheet, period=period, unit=unit, user=request.user)
        except StatusSheetError as error:
            form.add_file_error(error)
        else:
            return _preview(request, period, unit, upload, check, data)
    context = {"period": period, "unit": unit, "form": form, "back": _status_page_url(period, unit)}
    return render(request, "measures/status_upload.html", context)


@require_POST
def status_upload_confirm(request: HttpRequest, period_pk: int) -> HttpResponse:
    period = get_period_for_user(request, period_pk)
    try:
        upload = pending_upload_claim(
            user=request.user,
            kind=PendingUpload.Kind.STATUS_SHEET,
            token=request.POST.get("token", ""),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("status_page", period.pk)
    if upload is None or upload.params["period"] != period.pk:
        messages.info(request, _("This upload has already been saved or has expired."))
        return redirect("status_page", period.pk)
    entry = upload.params
    unit = get_status_unit_for_user(request, period, str(entry["unit"]))
    try:
        sheet = status_sheet_parse(data=upload.data)
        check = status_upload_check(sheet=sheet, period=period, unit=unit, user=request.user)
    except StatusSheetError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(reverse("status_upload", args=[period.pk]) + f"?unit={unit.pk}")
    result = status_upload_apply(check=check, user=request.user, row_ids=set(entry["rows"]))
    _report(request, result)
    return redirect(_status_page_url(period, unit))


def _listed(items) -> str:
    return "; ".join(
        _("%(measure)s (row %(row)s)") % {"measure": item.row.measure.title, "row": item.number}
        for item in items
    )


def _report(request: HttpRequest, result: UploadResult) -> None:
    saved, conflicts = len(result.saved), len(result.conflicts)
    if saved:
        messages.success(
            request,
            ngettext("%(count)d row saved.", "%(count)d rows saved.", saved) % {"count": saved},
        )
    if conflicts:
        text = ngettext(
            "%(count)d row was not saved: someone else saved it after the template was "
            "downloaded. Check it on the page: %(rows)s.",
            "%(count)d rows were not saved: someone else saved them after the template was "
            "downloaded. Check them on the page: %(rows)s.",
            conflicts,
        )
        messages.warning(request, text % {"count": conflicts, "rows": _listed(result.conflicts)})
    if result.errors:
        count = len(result.errors)
        text = ngettext(
            "%(count)d row with errors in the file was left out.",
            "%(count)d rows with errors in the file were left out.",
            count,
        )
        messages.warning(request, text % {"count": count})
    if not saved and not conflicts:
        messages.info(request, _("Nothing was changed, so nothing was saved."))
