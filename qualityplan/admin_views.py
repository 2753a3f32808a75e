"""The office's own administration pages: first run, organisation, people and roles.

Not the Django admin: these pages are for the quality office and the system
administrator, in their language, with previews before anything changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .access import Access, OrgTree, get_access
from .models import Membership, Municipality, OrgUnit, Role
from .municipality import municipality_setup
from .org_forms import AssignForm, MunicipalityForm, OrgUnitForm, RoleForm, TableUploadForm
from .org_import import org_export_csv, org_file_read, org_sync_apply, org_sync_plan
from .org_services import membership_assign, membership_close, org_unit_update, role_save
from .people_import import people_file_read, people_sync_apply, people_sync_plan
from .uploads import pending_upload_claim, pending_upload_create


def _require_superuser(request: HttpRequest) -> None:
    if not request.user.is_superuser:
        raise PermissionDenied


def _require_office(request: HttpRequest) -> Access:
    access = get_access(request.user)
    if not access.manages_organisation:
        raise PermissionDenied
    return access


def _setup_initial() -> dict:
    current = Municipality.objects.select_related("top_unit").filter(pk=1).first()
    if current is None:
        return {"language": "nb"}
    return {
        "name": current.name,
        "department": current.top_unit.name if current.top_unit else "",
        "language": current.language,
    }


@require_http_methods(["GET", "POST"])
def municipality_setup_page(request: HttpRequest) -> HttpResponse:
    """First run: the municipality's name, top unit, language and logo (superuser only)."""
    _require_superuser(request)
    form = MunicipalityForm(request.POST or None, request.FILES or None, initial=_setup_initial())
    if request.method == "POST" and form.is_valid():
        logo = form.cleaned_data["logo"]
        try:
            municipality_setup(
                name=form.cleaned_data["name"],
                department=form.cleaned_data["department"],
                language=form.cleaned_data["language"],
                user=request.user,
                logo=logo.read() if logo else None,
                logo_filename=logo.name if logo else "",
            )
        except ValidationError as error:
            form.add_error("logo" if error.code == "bad_logo" else None, error)
        else:
            messages.success(request, _("The municipality is set up."))
            return redirect("org_tree")
    current = Municipality.objects.filter(pk=1).first()
    return render(
        request, "qualityplan/municipality_setup.html", {"form": form, "current": current}
    )


# --- Imports: upload → preview → confirm ------------------------------------------------

MAX_PENDING = 3


def _read_upload(request, form, read, plan_of):
    upload = form.cleaned_data["file"]
    data = upload.read()
    try:
        result = read(data=data, filename=upload.name)
    except ValidationError as error:
        form.add_error("file", error)
        return None, data
    return plan_of(result), data


def _org_plan(rows):
    return org_sync_plan(rows=rows)


def _people_plan(result):
    rows, errors = result
    return people_sync_plan(rows=rows, errors=errors)


IMPORTS = {
    "org": {
        "read": org_file_read,
        "plan": _org_plan,
        "apply": org_sync_apply,
        "template": "qualityplan/org_import.html",
        "done": _lazy("The organisation is imported."),
    },
    "people": {
        "read": people_file_read,
        "plan": _people_plan,
        "apply": people_sync_apply,
        "template": "qualityplan/people_import.html",
        "done": _lazy("The people and their roles are imported."),
    },
}


@require_http_methods(["GET", "POST"])
def table_import(request: HttpRequest, kind: str) -> HttpResponse:
    """Upload a file; see every change it makes, or every row in error, before confirming."""
    _require_office(request)
    spec = IMPORTS[kind]
    form = TableUploadForm(request.POST or None, request.FILES or None)
    context = {"form": form, "kind": kind}
    if request.method == "POST" and form.is_valid():
        plan, data = _read_upload(request, form, spec["read"], spec["plan"])
        if plan is not None:
            context["plan"] = plan
            if plan.ok and plan.changes:
                context["token"] = pending_upload_create(
                    user=request.user,
                    kind=f"{kind}_import",
                    data=data,
                    name=form.cleaned_data["file"].name,
                    params={},
                    keep=MAX_PENDING,
                ).token
    return render(request, spec["template"], context)


@require_POST
def table_import_confirm(request: HttpRequest, kind: str) -> HttpResponse:
    _require_office(request)
    spec = IMPORTS[kind]
    try:
        entry = pending_upload_claim(
            user=request.user, kind=f"{kind}_import", token=request.POST.get("token", "")
        )
    except ValidationError as error:  # waited too long, or its file is gone
        messages.error(request, " ".join(error.messages))
        return redirect("org_import" if kind == "org" else "people_import")
    if entry is None:
        messages.info(request, _("This import has already been done or has expired."))
        return redirect("org_tree")
    try:
        result = spec["read"](data=entry.data, filename=entry.name)
        plan = spec["plan"](result)
        spec["apply"](plan=plan, user=request.user)
    except (ValidationError, IntegrityError) as error:
        text = " ".join(error.messages) if isinstance(error, ValidationError) else ""
        messages.error(
            request,
            _("Nothing was changed: the organisation changed since the preview, or the file "
              "no longer fits it. Upload it again to see why.") + (f" {text}" if text else ""),
        )  # fmt: skip
        return redirect("org_import" if kind == "org" else "people_import")
    messages.success(request, str(spec["done"]))
    return redirect("org_tree")


@require_GET
def org_export(request: HttpRequest) -> HttpResponse:
    _require_office(request)
    response = HttpResponse(org_export_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="organisation.csv"'
    return response


# --- The org tree ------------------------------------------------------------------------


@dataclass
class TreeNode:
    unit: OrgUnit
    children: list[TreeNode]
    members: int
    match: bool
    open: bool


def _tree(units: list[OrgUnit], counts: dict[int, int], query: str) -> list[TreeNode]:
    children: dict[int | None, list[OrgUnit]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)
    folded = query.casefold()

    def build(unit: OrgUnit, depth: int) -> TreeNode:
        kids = [build(child, depth + 1) for child in children.get(unit.pk, [])]
        match = bool(folded) and (
            folded in unit.name.casefold() or folded == unit.external_code.casefold()
        )
        is_open = any(kid.match or kid.open for kid in kids) or (not folded and depth < 2)
        return TreeNode(unit, kids, counts.get(unit.pk, 0), match, is_open)

    return [build(root, 0) for root in children.get(None, [])]


@require_GET
def org_tree(request: HttpRequest) -> HttpResponse:
    """The whole organisation as a tree: search, open and close, go to a unit."""
    _require_office(request)
    query = request.GET.get("q", "").strip()[:100]
    units = list(OrgUnit.objects.order_by("name"))
    counts = dict(
        Membership.objects.current()
        .values("org_unit")
        .annotate(n=Count("pk"))
        .values_list("org_unit", "n")
    )
    roots = _tree(units, counts, query)
    hits = sum(1 for unit in units if query and query.casefold() in unit.name.casefold())
    return render(
        request,
        "qualityplan/org_tree.html",
        {"roots": roots, "query": query, "hits": hits, "unit_count": len(units)},
    )


def _unit_context(unit: OrgUnit) -> dict:
    memberships = list(
        Membership.objects.filter(org_unit=unit)
        .select_related("user", "role")
        .order_by("role__code", "-valid_from", "pk")
    )
    today = timezone.localdate()
    history = list(unit.history.select_related("history_user").order_by("-history_date")[:20])
    membership_history = list(
        Membership.history.filter(org_unit_id=unit.pk)
        .select_related("history_user", "user", "role")
        .order_by("-history_date")[:30]
    )
    return {
        "unit": unit,
        "current": [m for m in memberships if m.in_force(today)],
        "past": [m for m in memberships if m.valid_until and m.valid_until < today],
        "coming": [m for m in memberships if m.valid_from and m.valid_from > today],
        "history": history,
        "membership_history": membership_history,
    }


def _parents_for(unit: OrgUnit):
    below = OrgTree.load().subtree(unit.pk)
    return OrgUnit.objects.filter(is_active=True).exclude(pk__in=below).order_by("name")


@require_http_methods(["GET", "POST"])
def org_unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A unit: rename, move, deactivate; who holds which role, from when, and before."""
    _require_office(request)
    unit = get_object_or_404(OrgUnit.objects.select_related("parent"), pk=pk)
    initial = {"name": unit.name, "parent": unit.parent_id, "is_active": unit.is_active}
    is_unit_form = request.method == "POST" and "save_unit" in request.POST
    form = OrgUnitForm(
        request.POST if is_unit_form else None, initial=initial, parents=_parents_for(unit)
    )
    roles = Role.objects.order_by("code")
    assign = AssignForm(
        request.POST if request.method == "POST" and not is_unit_form else None,
        roles=roles,
        initial={"valid_from": timezone.localdate(), "replace": True},
    )
    if is_unit_form and form.is_valid():
        try:
            org_unit_update(unit=unit, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The unit is saved."))
            return redirect("org_unit", pk=unit.pk)
    elif request.method == "POST" and not is_unit_form and assign.is_valid():
        try:
            membership_assign(unit=unit, user=request.user, **assign.cleaned_data)
        except ValidationError as error:
            assign.add_error(None, error)
        else:
            messages.success(request, _("The role is assigned."))
            return redirect("org_unit", pk=unit.pk)
    context = _unit_context(unit) | {"form": form, "assign": assign}
    return render(request, "qualityplan/org_unit.html", context)


@require_POST
def membership_end_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require_office(request)
    membership = get_object_or_404(
        Membership.objects.select_related("user", "org_unit", "role"), pk=pk
    )
    if membership.valid_until is None or membership.valid_until >= timezone.localdate():
        membership_close(
            membership=membership,
            last_day=timezone.localdate() - timedelta(days=1),
            user=request.user,
        )
        messages.success(request, _("The role has ended; access ends today."))
    return redirect("org_unit", pk=membership.org_unit_id)


# --- Roles ---------------------------------------------------------------------------------


@require_GET
def role_list(request: HttpRequest) -> HttpResponse:
    _require_office(request)
    roles = Role.objects.annotate(
        holders=Count("membership", filter=Q(membership__valid_until__isnull=True))
    ).order_by("code")
    return render(request, "qualityplan/role_list.html", {"roles": roles})


@require_http_methods(["GET", "POST"])
def role_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _require_office(request)
    role = get_object_or_404(Role, pk=pk) if pk else Role()
    form = RoleForm(request.POST or None, instance=role)
    if request.method == "POST" and form.is_valid():
        try:
            role_save(role=form.instance, user=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The role is saved."))
            return redirect("role_list")
    history = role.history.select_related("history_user").order_by("-history_date") if pk else []
    return render(
        request,
        "qualityplan/role_form.html",
        {"form": form, "role": role, "history": list(history[:20])},
    )
