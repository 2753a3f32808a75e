"""Pages for improvement work: projects with their PDSA cycles and run charts, run charts
of a unit's indicators and deviations, the regulation's duties, management reviews."""

from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_tables2 import RequestConfig

from deviations.models import Deviation
from measures.models import Indicator, Measure
from qualityplan.access import OrgTree, get_access
from qualityplan.models import OrgUnit, QualityPlan
from reporting import services as reporting_services
from reporting import unit_reports

from . import permissions, runcharts, selectors, services
from .filters import ProjectFilter
from .forms import (
    CycleForm,
    DataPointForm,
    DecisionForm,
    DutyForm,
    DutyStatementForm,
    ProjectForm,
    ReviewForm,
    RunChartChoiceForm,
)
from .models import DataPoint, ImprovementProject, PdsaCycle, RegulationDuty, ReviewDecision
from .tables import ProjectTable

# --- Projects ------------------------------------------------------------------------------


@require_GET
def project_list(request: HttpRequest) -> HttpResponse:
    if not permissions.may_use(request.user):
        raise PermissionDenied
    projects = selectors.project_list(user=request.user)
    units = _readable_units(request.user)
    filterset = ProjectFilter(request.GET or None, queryset=projects, units=units)
    table = ProjectTable(filterset.qs)
    RequestConfig(request, paginate={"per_page": 50}).configure(table)
    context = {
        "filter": filterset,
        "table": table,
        "may_start": permissions.may_start_project(request.user),
        "per_unit": selectors.projects_per_unit(projects=filterset.qs),
        "statuses": ImprovementProject.Status.choices,
    }
    return render(request, "improvement/project_list.html", context)


def _readable_units(user):
    access = get_access(user)
    units = OrgUnit.objects.filter(is_active=True).exclude(kind=OrgUnit.Kind.DEPARTMENT)
    if not access.is_superuser:
        units = units.filter(pk__in=access.read_unit_ids | access.lead_unit_ids)
    return units.order_by("name")


def _editable_units(user):
    ids = permissions.editable_unit_ids(user)
    units = OrgUnit.objects.filter(is_active=True).exclude(kind=OrgUnit.Kind.DEPARTMENT)
    return (units if ids is None else units.filter(pk__in=ids)).order_by("name")


def _project_form(request, project=None) -> ProjectForm:
    units = _editable_units(request.user)
    if project is not None:
        # Units already on the project stay choosable, so an edit never drops them unseen.
        units = OrgUnit.objects.filter(
            Q(pk__in=units.values("pk")) | Q(pk__in=project.units.values("pk"))
        ).order_by("name")
    unit_ids = list(units.values_list("pk", flat=True))
    measures = Measure.objects.filter(goal__plan__status=QualityPlan.Status.ACTIVE).select_related(
        "goal"
    )
    return ProjectForm(
        request.POST or None,
        instance=project,
        units=units,
        deviations=Deviation.objects.filter(org_unit_id__in=unit_ids)
        .select_related("category")
        .order_by("-created_at")[:200]
        if request.method == "GET"
        else Deviation.objects.filter(org_unit_id__in=unit_ids).select_related("category"),
        measures=measures,
        indicators=Indicator.objects.filter(measure__in=measures),
    )


def project_create(request: HttpRequest) -> HttpResponse:
    if not permissions.may_start_project(request.user):
        raise PermissionDenied
    form = _project_form(request)
    if request.method == "POST" and form.is_valid():
        data = _project_fields(form)
        try:
            project = services.project_create(user=request.user, **data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The project is started."))
            return redirect("improvement:project_detail", pk=project.pk)
    return render(request, "improvement/project_form.html", {"form": form, "project": None})


def _project_fields(form: ProjectForm) -> dict:
    data = {k: v for k, v in form.cleaned_data.items() if k not in ("version", "ideas")}
    data["units"] = list(data["units"])
    data["deviations"] = list(data["deviations"])
    data["ideas"] = form.idea_lines()
    return data


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        for message in error.messages:
            form.add_error(None, message)


def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = permissions.get_project_for_user(request, pk, write=True)
    form = _project_form(request, project)
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = _project_fields(form)
        try:
            services.project_update(
                project=project,
                user=request.user,
                version=form.cleaned_data["version"] or 0,
                **data,
            )
        except services.EditConflict as error:
            conflict = error.current
            form.add_error(None, error.messages[0])
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The project is saved."))
            return redirect("improvement:project_detail", pk=project.pk)
    context = {"form": form, "project": project, "conflict": conflict}
    return render(request, "improvement/project_form.html", context)


@require_GET
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = permissions.get_project_for_user(request, pk)
    project = selectors.project_detail(project=project)
    series = selectors.project_series(project=project)
    title = project.measure_name or _("The project's measure")
    context = {
        "project": project,
        "editable": permissions.can_edit_project(request.user, project),
        "run_chart": runcharts.run_chart(series, title=title, chart_id="project-run-chart"),
        "control_chart": runcharts.control_chart(
            series,
            title=_("Control chart: %(title)s") % {"title": title},
            chart_id="project-control-chart",
        ),
        "point_form": DataPointForm(project=project, initial={"measured_on": timezone.localdate()}),
    }
    return render(request, "improvement/project_detail.html", context)


def cycle_create(request: HttpRequest, pk: int) -> HttpResponse:
    project = permissions.get_project_for_user(request, pk, write=True)
    form = CycleForm(
        request.POST or None, project=project, initial={"starts_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            services.cycle_create(project=project, user=request.user, **fields)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The cycle is added."))
            return redirect("improvement:project_detail", pk=project.pk)
    context = {"form": form, "project": project, "cycle": None}
    return render(request, "improvement/cycle_form.html", context)


def cycle_edit(request: HttpRequest, pk: int, cycle_pk: int) -> HttpResponse:
    project = permissions.get_project_for_user(request, pk, write=True)
    cycle = get_object_or_404(PdsaCycle, pk=cycle_pk, project=project)
    form = CycleForm(request.POST or None, instance=cycle, project=project)
    conflict = None
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            services.cycle_update(
                cycle=PdsaCycle.objects.get(pk=cycle.pk),
                user=request.user,
                version=form.cleaned_data["version"] or 0,
                **fields,
            )
        except services.EditConflict as error:
            conflict = error.current
            form.add_error(None, error.messages[0])
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The cycle is saved."))
            return redirect("improvement:project_detail", pk=project.pk)
    context = {"form": form, "project": project, "cycle": cycle, "conflict": conflict}
    return render(request, "improvement/cycle_form.html", context)


@require_POST
def point_add(request: HttpRequest, pk: int) -> HttpResponse:
    project = permissions.get_project_for_user(request, pk, write=True)
    form = DataPointForm(request.POST, project=project)
    if form.is_valid():
        try:
            services.data_point_save(project=project, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The value is saved."))
            return redirect("improvement:project_detail", pk=project.pk)
    project = selectors.project_detail(project=project)
    series = selectors.project_series(project=project)
    context = {
        "project": project,
        "editable": True,
        "run_chart": runcharts.run_chart(
            series,
            title=project.measure_name or _("The project's measure"),
            chart_id="project-run-chart",
        ),
        "control_chart": None,
        "point_form": form,
    }
    return render(request, "improvement/project_detail.html", context, status=400)


@require_POST
def point_delete(request: HttpRequest, pk: int, point_pk: int) -> HttpResponse:
    project = permissions.get_project_for_user(request, pk, write=True)
    point = DataPoint.objects.filter(pk=point_pk, project=project).first()
    if point is not None:  # already gone: a double submit
        services.data_point_delete(point=point)
        messages.success(request, _("The value is removed."))
    return redirect("improvement:project_detail", pk=project.pk)


# --- Run charts of a unit's series ---------------------------------------------------------


@require_GET
def unit_run_chart(request: HttpRequest, unit_pk: int) -> HttpResponse:
    access = get_access(request.user)
    if not (access.can_read_unit(unit_pk) or access.can_lead_unit(unit_pk)):
        raise Http404
    unit = get_object_or_404(OrgUnit, pk=unit_pk)
    indicators = Indicator.objects.filter(
        measure__goal__plan__status=QualityPlan.Status.ACTIVE,
        kind__in=[Indicator.Kind.COUNT, Indicator.Kind.PERCENTAGE],
    ).select_related("measure")
    form = RunChartChoiceForm(request.GET or None, indicators=indicators)
    indicator = form.cleaned_data["indicator"] if form.is_valid() else None
    if indicator is not None:
        series = selectors.indicator_unit_series(indicator=indicator, unit=unit)
        title = indicator.name
    else:
        # The last two years of whole months: this month is not over, so it is left out.
        last = timezone.localdate().replace(day=1) - timedelta(days=1)
        first = date(last.year - 2, last.month, 1)
        series = selectors.deviation_month_series(unit=unit, first=first, last=last)
        title = _("Deviations reported per month – %(unit)s") % {"unit": unit.name}
    context = {
        "unit": unit,
        "form": form,
        "run_chart": runcharts.run_chart(series, title=title, chart_id="unit-run-chart"),
    }
    return render(request, "improvement/unit_run_chart.html", context)


# --- The regulation's duties ----------------------------------------------------------------


def duty_statements(request: HttpRequest, plan_pk: int, year: int, unit_pk: int) -> HttpResponse:
    """The unit's section on the regulation's duties, written with its yearly report."""
    plan = get_object_or_404(unit_reports.plans_for_annual_reports(user=request.user), pk=plan_pk)
    unit = unit_reports.reporting_units(plan=plan).filter(pk=unit_pk).first()
    rights = unit_reports.report_rights(user=request.user)
    if unit is None or not (rights.can_read(unit.pk) or rights.can_edit(unit.pk)):
        raise Http404
    report = unit_reports.unit_report_detail(plan=plan, year=year, unit=unit)
    editable = rights.can_edit(unit.pk) and (report is None or report.is_draft)
    if request.method == "POST" and not editable:
        raise PermissionDenied
    duties = selectors.active_duties()
    existing = selectors.duty_statements(report=report) if report else {}
    evidence = selectors.duty_evidence(report=report) if report else None
    projects = ImprovementProject.objects.filter(units=unit).order_by("title")
    forms = [
        (duty, DutyStatementForm(
            request.POST or None, instance=existing.get(duty.pk), projects=projects,
            prefix=f"duty-{duty.pk}"))
        for duty in duties
    ]  # fmt: skip
    if request.method == "POST" and all(form.is_valid() for _d, form in forms):
        if report is None:
            report = reporting_services.unit_report_save(
                plan=plan, year=year, unit=unit, user=request.user,
                went_well="", to_improve="", goals={},
            )  # fmt: skip
        statements = {
            duty.pk: {**form.cleaned_data, "projects": list(form.cleaned_data["projects"])}
            for duty, form in forms
        }
        try:
            services.duty_statements_save(report=report, user=request.user, statements=statements)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The regulation section is saved."))
            return redirect("improvement:duty_statements", plan.pk, year, unit.pk)
    context = {
        "plan": plan, "year": year, "unit": unit, "report": report, "forms": forms,
        "editable": editable, "evidence": evidence,
    }  # fmt: skip
    return render(request, "improvement/duty_statements.html", context)


@require_GET
def duty_overview(request: HttpRequest) -> HttpResponse:
    rights = unit_reports.report_rights(user=request.user)
    if not rights.uses_annual_reports:
        raise PermissionDenied
    plans = unit_reports.plans_for_annual_reports(user=request.user)
    plan = _chosen_plan(request, plans)
    year = _chosen_year(request, plan)
    duties, rows = [], []
    if plan is not None:
        access = get_access(request.user)
        unit_ids = (
            OrgTree.load().subtree(plan.owner_id)
            if access.is_superuser
            else rights.read_unit_ids | rights.approve_unit_ids
        )
        duties, rows = selectors.duty_overview(plan=plan, year=year, unit_ids=unit_ids)
    context = {
        "plans": plans, "plan": plan, "year": year, "duties": duties, "rows": rows,
        "years": plan.years if plan else [], "labels": dict(
            selectors.DutyStatement.Assessment.choices),
        "may_word": permissions.may_word_duties(request.user),
    }  # fmt: skip
    return render(request, "improvement/duty_overview.html", context)


def _chosen_plan(request, plans):
    plan_id = request.GET.get("plan", "")
    if plan_id.isdigit():
        plan = plans.filter(pk=int(plan_id)).first()
        if plan is not None:
            return plan
    return plans.filter(status=QualityPlan.Status.ACTIVE).first() or plans.first()


def _chosen_year(request, plan) -> int | None:
    if plan is None:
        return None
    year = request.GET.get("year", "")
    if year.isdigit() and plan.first_year <= int(year) <= plan.last_year:
        return int(year)
    return unit_reports.default_year(plan=plan)


def duty_list(request: HttpRequest) -> HttpResponse:
    """The office words the duties of its installation's regulation."""
    if not permissions.may_word_duties(request.user):
        raise PermissionDenied
    duty_pk = request.POST.get("duty") or request.GET.get("duty")
    duty = None
    if duty_pk:
        if not str(duty_pk).isdigit():
            raise Http404
        duty = get_object_or_404(RegulationDuty, pk=int(duty_pk))
    form = DutyForm(request.POST or None, instance=duty)
    if request.method == "POST" and form.is_valid():
        services.duty_save(duty=duty, **form.cleaned_data)
        messages.success(request, _("The duty is saved."))
        return redirect("improvement:duty_list")
    context = {"duties": RegulationDuty.objects.all(), "form": form, "duty": duty}
    return render(request, "improvement/duty_list.html", context)


# --- Management review --------------------------------------------------------------------


def review(request: HttpRequest, unit_pk: int, year: int) -> HttpResponse:
    permissions.check_review_access(request.user, unit_pk, write=request.method == "POST")
    if not 2000 <= year <= 2100:
        raise Http404
    unit = get_object_or_404(OrgUnit, pk=unit_pk)
    current = selectors.review_for(unit=unit, year=year)
    initial = {"version": current.version} if current else {}
    if current:
        initial |= {"held_on": current.held_on, "participants": current.participants,
                    "summary": current.summary}  # fmt: skip
    form = ReviewForm(request.POST or None, initial=initial)
    conflict = None
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            services.review_save(
                unit=unit, year=year, user=request.user,
                version=form.cleaned_data["version"], **fields,
            )  # fmt: skip
        except services.EditConflict as error:
            conflict = error.current
            form.add_error(None, error.messages[0])
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The management review is saved."))
            return redirect("improvement:review", unit.pk, year)
    context = {
        "unit": unit, "year": year, "review": current, "form": form, "conflict": conflict,
        "decision_form": _decision_form(None),
        "editable": permissions.may_edit_review(request.user, unit.pk),
    }  # fmt: skip
    return render(request, "improvement/review.html", context)


def _decision_form(data) -> DecisionForm:
    measures = Measure.objects.filter(goal__plan__status=QualityPlan.Status.ACTIVE).select_related(
        "goal"
    )
    return DecisionForm(data, measures=measures)


@require_POST
def decision_add(request: HttpRequest, unit_pk: int, year: int) -> HttpResponse:
    permissions.check_review_access(request.user, unit_pk, write=True)
    unit = get_object_or_404(OrgUnit, pk=unit_pk)
    current = selectors.review_for(unit=unit, year=year)
    if current is None:
        messages.error(request, _("Save the review before adding decisions."))
        return redirect("improvement:review", unit.pk, year)
    form = _decision_form(request.POST)
    if form.is_valid():
        services.decision_add(review=current, **form.cleaned_data)
        messages.success(request, _("The decision is added."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("improvement:review", unit.pk, year)


@require_POST
def decision_done(request: HttpRequest, unit_pk: int, year: int, decision_pk: int) -> HttpResponse:
    permissions.check_review_access(request.user, unit_pk, write=True)
    decision = get_object_or_404(
        ReviewDecision, pk=decision_pk, review__org_unit_id=unit_pk, review__year=year
    )
    services.decision_set_done(decision=decision, done=request.POST.get("done") == "1")
    return redirect("improvement:review", unit_pk, year)
