"""Improvement work's part of the reports, called through reporting's settings hooks.

- `pdf_section`: a chapter of the annual quality report: the projects in the scope and
  whether their run charts show a signal, and how the units assessed the regulation's
  duties.
- `annual_page_section`: on a unit's yearly report page, its regulation section and its
  management review, with links to write them.
"""

from __future__ import annotations

from collections import Counter

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from reporting.hooks import HookPart

from . import permissions, runrules
from .models import DataPoint, DutyStatement, ImprovementProject, ManagementReview
from .runcharts import run_chart
from .selectors import Series, active_duties, duty_overview

PDF_CHARTS = 8  # run charts drawn in the PDF, for the projects that show a signal


def project_series(projects: list[ImprovementProject]) -> dict[int, Series]:
    """Each project's data points as a series. One query for all of them."""
    found: dict[int, Series] = {p.pk: Series(labels=[], values=[]) for p in projects}
    points = DataPoint.objects.filter(project__in=projects).order_by("project_id", "measured_on")
    for project_id, measured_on, value in points.values_list("project_id", "measured_on", "value"):
        found[project_id].labels.append(formats.date_format(measured_on, "M Y"))
        found[project_id].values.append(value)
    return found


def pdf_section(*, plan, year: int, unit_ids, user) -> HookPart | None:
    projects = list(
        ImprovementProject.objects.filter(units__in=unit_ids)
        .exclude(started_on__year__gt=year)
        .exclude(ended_on__year__lt=year)
        .distinct()
        .prefetch_related("units")
        .order_by("title")
    )
    duties, rows = duty_overview(plan=plan, year=year, unit_ids=unit_ids)
    if not projects and not any(any(row.cells) for row in rows):
        return None
    series = project_series(projects)
    signals = {pk: runrules.analyse(one.values).has_signal for pk, one in series.items()}
    charts = [
        run_chart(series[p.pk], title=p.title, chart_id=f"project-{p.pk}").chart
        for p in projects
        if signals[p.pk]
    ][:PDF_CHARTS]
    labels = dict(DutyStatement.Assessment.choices)
    keys = [*labels, ""]  # every assessment, then "not written"
    duty_counts = []
    for index, duty in enumerate(duties):
        counts = Counter(row.cells[index] for row in rows)
        duty_counts.append((duty, [counts.get(key, 0) for key in keys]))
    html = render_to_string(
        "improvement/pdf_section.html",
        {
            "year": year,
            "projects": [(p, signals.get(p.pk, False)) for p in projects],
            "improved": sum(1 for shown in signals.values() if shown),
            "charts": charts,
            "duty_counts": duty_counts,
            "labels": labels,
            "units": len(rows),
        },
    )
    # render_to_string returns safe HTML: the template engine escaped what it inserted.
    return HookPart("improvement", _("Improvement work and the quality regulation"), html)


def annual_page_section(*, request, report, plan, unit, year: int) -> SafeString:
    statements = (
        list(DutyStatement.objects.filter(report=report).select_related("duty")) if report else []
    )
    context = {
        "plan": plan,
        "unit": unit,
        "year": year,
        "duties": len(active_duties()),
        "written": sum(1 for s in statements if s.assessment),
        "statements": statements,
        "review": ManagementReview.objects.filter(org_unit=unit, year=year).first(),
    }
    return render_to_string("improvement/_annual_section.html", context, request=request)


def nav_links(request) -> list[dict]:
    """The menu link to improvement work, for those who follow up or lead units."""
    if not permissions.may_use(request.user):
        return []
    url = reverse("improvement:project_list")
    return [{"label": _("Improvement work"), "url": url, "current": request.path.startswith(url)}]
