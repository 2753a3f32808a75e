"""The dashboards: a plan at a glance, the status matrix, reporting completeness,
indicators over time and deviation statistics.

Every page checks access first: a person who reads no plan follow-up (an
employee) gets 403; a plan, period, indicator or unit they may not see is a
404. Each page's tables download as CSV or XLSX with `?format=csv|xlsx&table=…`.
"""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import date
from urllib.parse import urlencode

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.gzip import GZipMiddleware
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from deviations.selectors import StatRow, deviation_statistics
from measures.models import Indicator, ReportingPeriod
from qualityplan.access import get_access
from qualityplan.dataversion import ENTRY_SECONDS, deviations_data_version, plan_data_version
from qualityplan.models import QualityPlan
from qualityplan.selectors import plan_list_for_user

from . import charts, dashboard_figures, display, figure_tables, selectors, services
from .exports import FORMATS, export_response
from .filters import DashboardForm, DeviationForm, IndicatorForm, MatrixForm
from .hooks import hook_parts
from .permissions import get_indicator_for_user, get_period_for_user, get_plan_for_user

# More lines than this make a tangle, not a chart: the table alone tells it better.
MAX_CHART_LINES = 8
# Above this many units the matrix starts with one goal rather than the whole plan.
MATRIX_UNITS_AT_ONCE = 60


def _unit_param(request: HttpRequest) -> int | None:
    value = request.GET.get("unit", "")
    return int(value) if value.isdigit() else None


def _export(request: HttpRequest, tables_: list, filename: str) -> HttpResponse | None:
    """The table named in `?table=` as `?format=`, or None for the page itself."""
    fmt = request.GET.get("format")
    if not fmt:
        return None
    table = next((t for t in tables_ if t is not None and t.name == request.GET.get("table")), None)
    if fmt not in FORMATS or table is None:
        raise Http404
    return export_response(table=table, fmt=fmt, filename=f"{filename}-{table.name}")


def _nav(*, plan: QualityPlan, scope, year: int, periods: list[ReportingPeriod]) -> dict:
    """The links between the dashboards, keeping the unit and the year."""
    carry = urlencode({"unit": scope.root.pk, "year": year})
    in_year = [period for period in periods if period.year == year]
    latest = in_year[-1] if in_year else (periods[-1] if periods else None)
    return {
        "overview": reverse("dashboard_plan", args=[plan.pk]) + f"?{carry}",
        "matrix": reverse("dashboard_matrix", args=[plan.pk]) + f"?{carry}",
        "completeness": (
            reverse("dashboard_completeness", args=[latest.pk]) + f"?unit={scope.root.pk}"
            if latest
            else ""
        ),
        "indicators": reverse("dashboard_indicators", args=[plan.pk]) + f"?unit={scope.root.pk}",
        "deviations": reverse("dashboard_deviations", args=[plan.pk]) + f"?{carry}",
    }


def _periods(plan: QualityPlan) -> list[ReportingPeriod]:
    return list(plan.periods.order_by("year", "number"))


@require_GET
def dashboard_index(request: HttpRequest) -> HttpResponse:
    """The plans the person can follow up; straight to the dashboard when there is one."""
    if not get_access(request.user).reads_follow_up:
        raise PermissionDenied
    plans = list(plan_list_for_user(user=request.user))
    active = [plan for plan in plans if plan.status == QualityPlan.Status.ACTIVE]
    if len(active) == 1:
        return redirect("dashboard_plan", active[0].pk)
    return render(request, "reporting/dashboard_index.html", {"plans": plans})


@require_GET
def plan_dashboard(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = get_plan_for_user(request, plan_id)
    periods = _periods(plan)
    form = DashboardForm(request.GET, plan=plan, periods=periods)
    params = form.params()
    scope = selectors.dashboard_scope(user=request.user, unit_id=params.unit_id, plan=plan)
    rollup, units, earlier = _cached_rollups(plan=plan, params=params, scope=scope)
    context = {
        "plan": plan,
        "form": form,
        "params": params,
        "scope": scope,
        "rollup": rollup,
        "nav": _nav(plan=plan, scope=scope, year=params.year, periods=periods),
        "tab": "overview",
    }
    # The figures below the filters, as HTML kept under the plan's data stamp and the
    # whole query string (their links carry it); exports build their table afresh.
    query = hashlib.sha256(request.GET.urlencode().encode()).hexdigest()[:32]
    key = _figures_key(f"dashboard-html-{query}", plan=plan, params=params, scope=scope)
    figures_html = None if request.GET.get("format") else cache.get(key)
    if figures_html is None:
        chart = charts.goal_status_chart(rollup)
        units_caption = _("Units under %(unit)s") % {"unit": scope.root.name}
        page_tables = {
            "goals": figure_tables.goals_table(rollup),
            "measures": figure_tables.measures_table(rollup),
            "units": figure_tables.units_table(units, units_caption),
            "years": figure_tables.years_table([*earlier, rollup]) if earlier else None,
        }
        tables_ = [chart.table, *page_tables.values()]
        response = _export(request, tables_, f"dashboard-{plan.pk}")
        if response is not None:
            return response
        figures = {
            **context,
            "when": charts.rollup_when(rollup),
            "units": units,
            "chart": chart,
            "tables": page_tables,
            "light_rule": selectors.traffic_light_rule(),
        }
        figures_html = dashboard_figures.figures_html(figures, request=request)
        cache.set(key, figures_html, ENTRY_SECONDS)
    context["figures_html"] = figures_html
    return render(request, "reporting/dashboard_plan.html", context)


def _rollups(*, plan: QualityPlan, params, scope) -> tuple:
    rollup = selectors.plan_rollup(
        plan=plan, year=params.year, unit_ids=scope.unit_ids, period=params.period
    )
    units = selectors.child_rollup(scope=scope, selection=rollup.selection)
    earlier = selectors.plan_rollup_years(
        plan=plan, years=params.years[:-1], unit_ids=scope.unit_ids
    )
    return rollup, units, earlier


def _cached_rollups(*, plan: QualityPlan, params, scope) -> tuple:
    """The dashboard's roll-ups, from the cache while the plan's data stamp holds.

    The key holds everything the figures depend on: the plan and its data stamp
    (moved on commit of every write to the figures, `qualityplan.dataversion`), the
    year(s) and period, the units counted and the unit shown, and the language.
    """
    key = _figures_key("dashboard", plan=plan, params=params, scope=scope)
    found = cache.get(key)
    if found is None:
        found = _rollups(plan=plan, params=params, scope=scope)
        cache.set(key, found, ENTRY_SECONDS)
    return found


def _figures_key(kind: str, *, plan: QualityPlan, params, scope) -> str:
    return ":".join(
        [
            f"kp:{kind}",
            str(plan.pk),
            plan_data_version(plan_id=plan.pk, unit_ids=scope.unit_ids),
            "-".join(map(str, params.years)),
            str(params.period.pk if params.period else ""),
            str(scope.root.pk),
            _digest(sorted(scope.unit_ids)),
            get_language() or "",
        ]
    )


@require_GET
def plan_matrix(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = get_plan_for_user(request, plan_id)
    periods = _periods(plan)
    goals = list(plan.goals.order_by("position"))
    form = MatrixForm(request.GET, plan=plan, periods=periods, goals=goals)
    scope = selectors.dashboard_scope(user=request.user, unit_id=_unit_param(request), plan=plan)
    many_units = len(scope.unit_ids) > MATRIX_UNITS_AT_ONCE
    params = form.params(many_units=many_units)
    piece = request.GET.get("piece", "")
    if params.goal is None and piece.isdigit() and not request.GET.get("format"):
        key = _figures_key(f"matrix-piece-{int(piece)}", plan=plan, params=params, scope=scope)
        html = cache.get(key)
        if html is None:
            matrix = _cached_matrix(plan=plan, params=params, scope=scope)
            html = _matrix_piece_html(request, matrix, goal_id=int(piece))
            cache.set(key, html, ENTRY_SECONDS)
        return GZipMiddleware(lambda _request: HttpResponse(html))(request)
    # The whole plan of a large organisation comes in pieces, a goal at a time.
    in_pieces = (
        params.goal is None
        and many_units
        and request.GET.get("pieces") != "no"
        and not request.GET.get("format")
    )
    if in_pieces:
        matrix = _cached_matrix_outline(plan=plan, params=params, scope=scope)
    elif params.goal is None:
        matrix = _cached_matrix(plan=plan, params=params, scope=scope)
    else:
        matrix = selectors.status_matrix(
            plan=plan, year=params.year, scope=scope, period=params.period, goal=params.goal
        )
    table = figure_tables.matrix_table(matrix, with_rows=bool(request.GET.get("format")))
    response = _export(request, [table], f"matrix-{plan.pk}")
    if response is not None:
        return response
    if not in_pieces:
        _draw_cells(matrix)
    legend = [
        (key, selectors.status_label(key), matrix.counts[key]) for key in selectors.STATUS_KEYS
    ]
    context = {
        "plan": plan,
        "form": form,
        "params": params,
        "scope": scope,
        "matrix": matrix,
        "legend": legend,
        "table": table,
        "nav": _nav(plan=plan, scope=scope, year=params.year, periods=periods),
        "tab": "matrix",
        "in_pieces": in_pieces,
    }
    return render(request, "reporting/dashboard_matrix.html", context)


def _cached_matrix(*, plan: QualityPlan, params, scope) -> selectors.StatusMatrix:
    """The whole plan's matrix, from the cache while the plan's data stamp holds: its
    pieces (a goal each) are cut from one matrix, so their columns line up."""
    key = _figures_key("matrix", plan=plan, params=params, scope=scope)
    found = cache.get(key)
    if found is None:
        found = selectors.status_matrix(
            plan=plan, year=params.year, scope=scope, period=params.period
        )
        cache.set(key, found, ENTRY_SECONDS)
    return found


def _cached_matrix_outline(*, plan: QualityPlan, params, scope) -> selectors.StatusMatrix:
    """The whole plan's matrix without its rows (columns, legend counts, goals and how
    many measures each has): the page around the pieces, without the weight of the cells."""
    key = _figures_key("matrix-outline", plan=plan, params=params, scope=scope)
    found = cache.get(key)
    if found is None:
        matrix = _cached_matrix(plan=plan, params=params, scope=scope)
        found = dataclasses.replace(
            matrix,
            goals=[
                selectors.MatrixGoal(goal.goal, [], size=len(goal.rows)) for goal in matrix.goals
            ],
        )
        cache.set(key, found, ENTRY_SECONDS)
    return found


def _matrix_piece_html(request: HttpRequest, matrix, *, goal_id: int) -> str:
    """One goal's rows of the whole plan's matrix (a `<tbody>`), loaded as the page
    scrolls; cached as HTML under the plan's data stamp. Sent compressed: a piece
    carries no secret (no CSRF token, no session data, only the figures the page
    around it shows), so BREACH has nothing to find."""
    goal = next((goal for goal in matrix.goals if goal.goal.pk == goal_id), None)
    if goal is None:
        raise Http404
    matrix.goals = [goal]
    _draw_cells(matrix)
    return render_to_string(
        "reporting/_matrix_goal.html",
        {"matrix": matrix, "goal": goal, "lazy": False},
        request=request,
    )


def _draw_cells(matrix: selectors.StatusMatrix) -> None:
    """Each row's cells as markup, linked to the rows on the status page."""
    pages = {p.pk: reverse("status_page", args=[p.pk]) for p in matrix.selection.periods}
    labels = {key: selectors.status_label(key) for key in selectors.STATUS_KEYS}
    for goal in matrix.goals:
        for row in goal.rows:
            row.cells_html = display.matrix_cells(row.cells, pages=pages, labels=labels)


@require_GET
def period_completeness(request: HttpRequest, period_id: int) -> HttpResponse:
    period = get_period_for_user(request, period_id)
    plan = period.plan
    scope = selectors.dashboard_scope(user=request.user, unit_id=_unit_param(request), plan=plan)
    lines = selectors.completeness(period=period, unit_ids=scope.unit_ids)
    caption = _("Reporting in %(period)s") % {"period": period.label}
    table = figure_tables.completeness_table(lines, caption)
    response = _export(request, [table], f"completeness-{period.pk}")
    if response is not None:
        return response
    periods = _periods(plan)
    today = timezone.localdate()
    context = {
        "plan": plan,
        "period": period,
        "periods": periods,
        "scope": scope,
        "lines": lines,
        "table": table,
        "summary": _completeness_summary(lines),
        "days_left": (period.deadline - today).days,
        "days_late": (today - period.deadline).days,
        "past_deadline": today > period.deadline,
        "may_chase": _may_chase(request, period),
        "nav": _nav(plan=plan, scope=scope, year=period.year, periods=periods),
        "tab": "completeness",
    }
    return render(request, "reporting/dashboard_completeness.html", context)


def _completeness_summary(lines: list[selectors.UnitCompleteness]) -> dict:
    return {
        "units": len(lines),
        "complete": sum(1 for line in lines if line.is_complete),
        "nothing": sum(1 for line in lines if line.reported == 0),
        "reported": sum(line.reported for line in lines),
        "total": sum(line.total for line in lines),
        "share": selectors.share(
            sum(line.reported for line in lines), sum(line.total for line in lines)
        ),
    }


def _may_chase(request: HttpRequest, period: ReportingPeriod) -> bool:
    """The quality office (who manage the plan) chases units, while the period is open."""
    return period.is_open and get_access(request.user).can_manage_unit(period.plan.owner_id)


@require_POST
def completeness_chase(request: HttpRequest, period_id: int) -> HttpResponse:
    """Queue the status reminder to one unit, or to every unit that has not finished."""
    period = get_period_for_user(request, period_id)
    if not get_access(request.user).can_manage_unit(period.plan.owner_id):
        raise PermissionDenied
    scope_id = request.POST.get("scope", "")
    scope = selectors.dashboard_scope(
        user=request.user,
        unit_id=int(scope_id) if scope_id.isdigit() else None,
        plan=period.plan,
    )
    back = reverse("dashboard_completeness", args=[period.pk]) + f"?unit={scope.root.pk}"
    if not period.is_open:
        messages.error(request, _("The period is closed: no reminders are sent for it."))
        return redirect(back)
    lines = [
        line
        for line in selectors.completeness(period=period, unit_ids=scope.unit_ids)
        if not line.is_complete
    ]
    if "all" not in request.POST:
        wanted = request.POST.get("unit", "")
        lines = [line for line in lines if str(line.unit.pk) == wanted]
        if not lines:
            messages.info(request, _("That unit has nothing left to report."))
            return redirect(back)
    services.units_remind(period=period, unit_ids=[line.unit.pk for line in lines])
    messages.success(request, _chase_message(lines))
    return redirect(back)


def _chase_message(lines: list[selectors.UnitCompleteness]) -> str:
    if len(lines) == 1:
        return _(
            "A reminder is on its way to the people who answer for the unreported rows of "
            "%(unit)s. Nobody gets more than one such reminder an hour."
        ) % {"unit": lines[0].label}
    return ngettext(
        "Reminders are on their way to %(count)d unit that has not finished. Nobody gets more "
        "than one such reminder an hour.",
        "Reminders are on their way to %(count)d units that have not finished. Nobody gets more "
        "than one such reminder an hour.",
        len(lines),
    ) % {"count": len(lines)}


@require_GET
def plan_indicators(request: HttpRequest, plan_id: int) -> HttpResponse:
    """The plan's measurable indicators, to pick one."""
    plan = get_plan_for_user(request, plan_id)
    scope = selectors.dashboard_scope(user=request.user, unit_id=_unit_param(request), plan=plan)
    indicators = (
        Indicator.objects.filter(measure__goal__plan=plan)
        .exclude(kind=Indicator.Kind.MILESTONE)
        .select_related("measure__goal")
        .order_by("measure__goal__position", "measure__position", "id")
    )
    context = {
        "plan": plan,
        "scope": scope,
        "indicators": indicators,
        "nav": _nav(plan=plan, scope=scope, year=plan.last_year, periods=_periods(plan)),
        "tab": "indicators",
    }
    return render(request, "reporting/dashboard_indicators.html", context)


@require_GET
def indicator_dashboard(request: HttpRequest, indicator_id: int) -> HttpResponse:
    indicator = get_indicator_for_user(request, indicator_id)
    plan = indicator.measure.goal.plan
    form = IndicatorForm(request.GET)
    params = form.params(plan=plan)
    scope = selectors.dashboard_scope(user=request.user, unit_id=params.unit_id, plan=plan)
    series = selectors.indicator_series(
        indicator=indicator, unit_ids=scope.unit_ids, years=plan.years, by=params.by
    )
    chart = charts.indicator_chart(series) if len(series.series) <= MAX_CHART_LINES else None
    page_tables = [
        figure_tables.indicator_years_table(series),
        figure_tables.indicator_periods_table(series),
    ]
    response = _export(request, page_tables, f"indicator-{indicator.pk}")
    if response is not None:
        return response
    periods = _periods(plan)
    context = {
        "plan": plan,
        "indicator": indicator,
        "form": form,
        "params": params,
        "scope": scope,
        "series": series,
        "chart": chart,
        "tables": page_tables,
        "max_lines": MAX_CHART_LINES,
        "nav": _nav(plan=plan, scope=scope, year=plan.last_year, periods=periods),
        "tab": "indicators",
        "panels": hook_parts(
            "REPORTING_INDICATOR_PANEL_HOOKS", indicator=indicator, request=request
        ),
    }
    return render(request, "reporting/dashboard_indicator.html", context)


@require_GET
def plan_deviations(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Deviations reported, closed and overdue in the plan's year: per period, per unit one
    level down, by category and by risk."""
    plan = get_plan_for_user(request, plan_id)
    periods = _periods(plan)
    form = DeviationForm(request.GET, plan=plan, periods=periods)
    params = form.params()
    scope = selectors.dashboard_scope(user=request.user, unit_id=params.unit_id, plan=plan)
    year, unit_ids = params.year, sorted(scope.unit_ids)
    stats, per_period = _cached_deviation_figures(
        user=request.user, plan=plan, year=year, unit_ids=unit_ids
    )
    per_unit = _deviations_per_child(scope, stats.by_unit)
    category_chart = charts.deviation_chart(
        rows=stats.by_category,
        title=_("Deviations by category, %(year)s") % {"year": year},
        category_label=_("Category"),
        chart_id="deviations-category",
    )
    risk_chart = charts.deviation_chart(
        rows=stats.by_risk,
        title=_("Deviations by risk, %(year)s") % {"year": year},
        category_label=_("Risk level"),
        chart_id="deviations-risk",
    )
    page_tables = [
        figure_tables.deviation_table(
            per_period, _("Deviations per period"), _("Period"), "periods"
        ),
        figure_tables.deviation_table(
            per_unit, _("Deviations under %(unit)s") % {"unit": scope.root.name}, _("Unit"), "units"
        ),
        category_chart.table,
        risk_chart.table,
    ]
    response = _export(request, page_tables, f"deviations-{plan.pk}-{year}")
    if response is not None:
        return response
    context = {
        "plan": plan,
        "form": form,
        "params": params,
        "scope": scope,
        "stats": stats,
        "per_unit": per_unit,
        "charts": [category_chart, risk_chart],
        "tables": page_tables,
        "nav": _nav(plan=plan, scope=scope, year=year, periods=periods),
        "tab": "deviations",
    }
    return render(request, "reporting/dashboard_deviations.html", context)


def _cached_deviation_figures(*, user, plan: QualityPlan, year: int, unit_ids: list[int]):
    """The year's deviation statistics and its counts per period, from the cache while
    the deviations' stamp holds (moved on commit of any deviation or category written,
    and by the organisation's) and the plan's (its periods). The key holds what the
    figures depend on besides: the units counted, those the user may read, the day
    (what is overdue changes at midnight) and the language."""
    access = get_access(user)
    readers = "all" if access.is_superuser else _digest(sorted(access.read_unit_ids))
    key = ":".join(
        [
            "kp:deviation-figures",
            str(plan.pk),
            plan_data_version(plan_id=plan.pk),
            deviations_data_version(),
            str(year),
            _digest(unit_ids),
            readers,
            timezone.localdate().isoformat(),
            get_language() or "",
        ]
    )
    found = cache.get(key)
    if found is None:
        found = (
            deviation_statistics(
                user=user, start=date(year, 1, 1), end=date(year, 12, 31), unit_ids=unit_ids
            ),
            selectors.deviation_periods(user=user, plan=plan, year=year, unit_ids=unit_ids),
        )
        cache.set(key, found, ENTRY_SECONDS)
    return found


def _digest(ids) -> str:
    return hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()[:32]


def _deviations_per_child(scope: selectors.DashboardScope, by_unit: list[StatRow]):
    """The per-unit counts folded into the units one level down (and the root's own)."""
    counts = {row.key: row for row in by_unit}
    lines = []
    own = counts.get(scope.root.pk)
    if own is not None:
        label = _("%(unit)s (its own)") % {"unit": scope.root.name}
        lines.append(StatRow(label, scope.root.pk, own.reported, own.closed, own.open_overdue))
    for child in scope.children:
        members = scope.tree.subtree(child.pk)
        parts = [row for key, row in counts.items() if key in members]
        if parts:
            lines.append(
                StatRow(
                    child.name,
                    child.pk,
                    sum(row.reported for row in parts),
                    sum(row.closed for row in parts),
                    sum(row.open_overdue for row in parts),
                )
            )
    return lines
