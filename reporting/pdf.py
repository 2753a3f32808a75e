"""The annual quality report as a PDF: the figures → an HTML template → WeasyPrint.

The figures come from the dashboards' selectors and charts (`reporting.selectors`,
`reporting.charts`), called the same way the dashboard calls them: the report cannot
show a number the dashboard does not. Nothing is fetched from the network while
rendering: `StaticFilesFetcher` serves the project's static files (the stylesheet and
the fonts) and refuses everything else.

The PDF is tagged (WeasyPrint's PDF/UA-1 variant), carries the document's language
and title, and embeds the project's own fonts.
"""

from __future__ import annotations

import mimetypes
import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.staticfiles import finders
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from deviations.selectors import DeviationStatistics, deviation_statistics
from measures.models import Indicator
from qualityplan.models import OrgUnit, QualityPlan
from qualityplan.municipality import logo_data_uri, municipality_name

from . import charts, selectors, unit_reports
from .hooks import hook_parts
from .models import ReportJob, UnitAnnualReport, UnitAnnualReportGoal
from .pdf_jobs import ReportError

PDF_VARIANT = "pdf/ua-1"
BASE_URL = "file:///"


class RefusedURL(ValueError):
    """The report asked for something outside the project's static files."""


# --- Fetching: the project's static files and nothing else ----------------------------


def _static_roots() -> list[Path]:
    """Every folder static files are served from: the collected folder and the finders'."""
    roots = [Path(settings.STATIC_ROOT)]
    roots += [
        Path(entry[1] if isinstance(entry, tuple) else entry) for entry in settings.STATICFILES_DIRS
    ]
    for finder in finders.get_finders():
        for storage in getattr(finder, "storages", {}).values():
            location = getattr(storage, "location", None)
            if location:
                roots.append(Path(location))
    return [Path(os.path.realpath(root)) for root in roots]


class StaticFilesFetcher(URLFetcher):
    """Serves `file:` URLs of the project's static files and refuses every other URL.

    A URL is either a static URL resolved against the report's base (`/static/css/…`
    becomes `file:///static/css/…`), looked up as Django would serve it; or the real
    path of a file inside one of the static folders (what a stylesheet's relative URLs
    resolve to once it is loaded). `data:` URLs hold their content and are allowed.
    """

    def __init__(self) -> None:
        super().__init__(allowed_protocols=["file", "data"], fail_on_errors=False)
        self.roots = _static_roots()
        self.static_prefix = urlsplit(settings.STATIC_URL).path

    def fetch(self, url: str, headers=None):
        parts = urlsplit(url)
        if parts.scheme == "data":
            return super().fetch(url, headers)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise RefusedURL(f"Only the project's static files are used in a report: {url}")
        path = self.resolve(unquote(parts.path))
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            path.as_uri(), path.read_bytes(), headers={"Content-Type": content_type}
        )

    def resolve(self, path: str) -> Path:
        if path.startswith(self.static_prefix):
            name = path[len(self.static_prefix) :]
            found = finders.find(name) if ".." not in Path(name).parts else None
            candidates = [found] if found else []
            candidates.append(Path(settings.STATIC_ROOT) / name)
        else:
            candidates = [path]
        for candidate in candidates:
            real = Path(os.path.realpath(candidate))
            if real.is_file() and any(real.is_relative_to(root) for root in self.roots):
                return real
        raise RefusedURL(f"Not one of the project's static files: {path}")


# --- Rendering ------------------------------------------------------------------------


@dataclass
class RenderedReport:
    pdf: bytes
    pages: int
    title: str


def css_string(text: str) -> str:
    """`text` as a quoted CSS string, safe inside a <style> element."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\A ")
    return '"' + escaped.replace("<", "\\3C ").replace(">", "\\3E ") + '"'


def page_of_content() -> str:
    """The footer's "Page X of Y" as a CSS `content` value, in the active language."""
    marker_page, marker_pages = "\x00page\x00", "\x00pages\x00"
    text = _("Page %(page)s of %(pages)s") % {"page": marker_page, "pages": marker_pages}
    parts = []
    for piece in (
        text.replace(marker_page, "\x01page\x01")
        .replace(marker_pages, "\x01pages\x01")
        .split("\x01")
    ):
        if piece in ("page", "pages"):
            parts.append(f"counter({piece})")
        elif piece:
            parts.append(css_string(piece))
    return " ".join(parts)


def html_to_pdf(*, html: str, progress: Callable[[str], None] | None = None) -> tuple[bytes, int]:
    """Lay out `html` and write it as a tagged PDF; returns the PDF and its page count."""
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=StaticFilesFetcher()).render(
        pdf_variant=PDF_VARIANT, pdf_tags=True
    )
    pages = len(document.pages)
    if progress:
        progress(ReportJob.Stage.WRITING)
    pdf = document.write_pdf(pdf_variant=PDF_VARIANT, pdf_tags=True)
    return pdf, pages


def report_render(
    *,
    plan: QualityPlan,
    year: int,
    scope_unit: OrgUnit,
    user: User,
    progress: Callable[[str], None] | None = None,
    mode: str | None = None,
) -> RenderedReport:
    """The annual quality report for `plan`, `year` and `scope_unit` as `user` sees it,
    in the active language, laid out as `mode` (by default `REPORT_RENDER_MODE`) says:
    "single" as one document in this process, "chunked" in parts by worker processes
    (`reporting.pdf_chunks`), "auto" in parts when the appendix has more than
    `REPORT_CHUNKED_ABOVE` unit reports. Both ways give the same pages."""
    if progress:
        progress(ReportJob.Stage.FIGURES)
    data = report_data(plan=plan, year=year, scope_unit=scope_unit, user=user)
    if _in_parts(mode or settings.REPORT_RENDER_MODE, data):
        from .pdf_chunks import report_render_parts

        return report_render_parts(data=data, progress=progress)
    html = report_html(data=data)
    if progress:
        progress(ReportJob.Stage.LAYOUT)
    pdf, pages = html_to_pdf(html=html, progress=progress)
    return RenderedReport(pdf=pdf, pages=pages, title=data.title)


def _in_parts(mode: str, data: ReportData) -> bool:
    """Parts pay off for a long appendix: a few hundred unit reports lay out as fast
    on two workers, in a third of the memory a process; a short report is faster whole,
    without the workers' start and the second pass (bench/bench_report.py)."""
    if mode == "auto":
        return len(data.unit_reports) > settings.REPORT_CHUNKED_ABOVE
    return mode == "chunked"


def report_html(*, data: ReportData, **part) -> str:
    """The report as one HTML document; `part` renders a piece of it instead (see
    `reporting.pdf_chunks`): `part="front"` (cover and contents, with the page numbers
    `toc_pages`), `"chapters"` or `"appendix"` (the unit reports `appendix_reports`)."""
    context = {
        "data": data,
        "language": translation.get_language() or settings.LANGUAGE_CODE,
        "page_of": page_of_content(),
        "municipality": municipality_name(),
        "logo": logo_data_uri(),
        "part": "whole",
        "appendix_reports": data.unit_reports,
        "appendix_first": True,
        **part,
    }
    return render_to_string("reporting/pdf/report.html", context)


# --- The figures ----------------------------------------------------------------------


@dataclass
class IndicatorRow:
    """One indicator over the plan's years: value and target per year."""

    rollups: list  # selectors.MeasureRollup | None per plan year

    @property
    def first(self):
        return next(rollup for rollup in self.rollups if rollup is not None)


@dataclass
class MeasureLine:
    rollup: selectors.MeasureRollup
    light_label: str


@dataclass
class GoalSection:
    rollup: selectors.GoalRollup
    light_label: str
    lines: list[MeasureLine]
    charts: list = field(default_factory=list)
    indicators: list[IndicatorRow] = field(default_factory=list)
    # How the units assessed the goal: (assessment label, count) over the reports.
    assessments: list[tuple[str, int]] = field(default_factory=list)


@dataclass
class ReportData:
    plan: QualityPlan
    year: int
    scope: selectors.DashboardScope
    rollup: selectors.PlanRollup
    goals: list[GoalSection]
    rule: list
    years: list[int]
    deviations: DeviationStatistics
    completeness: list
    completeness_period: object
    deviation_periods: list
    unit_reports: list[UnitAnnualReport]
    unit_report_counts: dict[str, int]
    charts: list = field(default_factory=list)
    deviation_charts: list = field(default_factory=list)
    extra_sections: list = field(default_factory=list)  # hooks.HookPart, one a chapter
    created: date = field(default_factory=timezone.localdate)
    requested_by: User | None = None

    @property
    def title(self) -> str:
        return _("Quality report %(year)s – %(scope)s") % {
            "year": self.year,
            "scope": self.scope.root.name,
        }

    @property
    def lights(self) -> list[tuple[str, str, int]]:
        """(light, label, measures) for the summary, green first."""
        counts = self.rollup.totals.lights
        return [
            (light, selectors.light_label(light), counts.get(light, 0))
            for light in selectors.LIGHTS
        ]

    @property
    def targets_met(self) -> int:
        return sum(1 for g in self.goals for m in g.rollup.measures if m.target_met is True)

    @property
    def targets_compared(self) -> int:
        return sum(1 for g in self.goals for m in g.rollup.measures if m.target_met is not None)


def report_data(*, plan: QualityPlan, year: int, scope_unit: OrgUnit, user: User) -> ReportData:
    """Everything the report shows, read through the dashboards' own selectors."""
    try:
        scope = selectors.dashboard_scope(user=user, unit_id=scope_unit.pk, plan=plan)
    except Http404 as missing:
        raise ReportError(
            _("%(person)s may not read the figures of %(scope)s.")
            % {"person": user.get_full_name() or user.username, "scope": scope_unit.name}
        ) from missing
    # The year's roll-up is the dashboard's `plan_rollup(plan, year, unit_ids)`; the earlier
    # years come from the same function, for the indicator tables. A later year is never
    # shown: its figures are partial while the report is about a finished year.
    years = [other for other in plan.years if other <= year]
    rollups = dict(
        zip(
            years,
            selectors.plan_rollup_years(plan=plan, years=years, unit_ids=scope.unit_ids),
            strict=True,
        )
    )
    rollup = rollups[year]
    by_year = {
        other: {m.measure.pk: m for g in r.goals for m in g.measures}
        for other, r in rollups.items()
    }
    appendix = list(
        unit_reports.unit_reports_for_appendix(plan=plan, year=year, unit_ids=scope.unit_ids)
    )
    goals = [_goal_section(goal, by_year, years, year, appendix) for goal in rollup.goals]
    periods = rollup.selection.periods_in(year)
    # As the dashboard's deviation page asks for them.
    unit_ids = sorted(scope.unit_ids)
    stats = deviation_statistics(
        user=user, start=date(year, 1, 1), end=date(year, 12, 31), unit_ids=unit_ids
    )
    return ReportData(
        plan=plan,
        year=year,
        scope=scope,
        rollup=rollup,
        goals=goals,
        rule=selectors.traffic_light_rule(),
        years=years,
        deviations=stats,
        deviation_periods=selectors.deviation_periods(
            user=user, plan=plan, year=year, unit_ids=unit_ids
        ),
        completeness=(
            selectors.completeness(period=periods[-1], unit_ids=scope.unit_ids) if periods else []
        ),
        completeness_period=periods[-1] if periods else None,
        unit_reports=appendix,
        unit_report_counts=_unit_report_counts(plan, year, scope, appendix),
        requested_by=user,
        charts=[charts.goal_status_chart(rollup)],
        deviation_charts=_deviation_charts(stats, year) if stats.total.reported else [],
        extra_sections=hook_parts(
            "REPORT_PDF_SECTION_HOOKS", plan=plan, year=year, unit_ids=scope.unit_ids, user=user
        ),
    )


def _goal_section(goal_rollup, by_year, years, year, appendix) -> GoalSection:
    indicators = [
        IndicatorRow(rollups=[by_year[year].get(m.measure.pk) for year in years])
        for m in goal_rollup.measures
        # A milestone is text, not a number: it has no value to hold against a target.
        if m.indicator is not None and m.indicator.kind != Indicator.Kind.MILESTONE
    ]
    counted = Counter(
        row.assessment
        for report in appendix
        for row in report.goals.all()
        if row.goal_id == goal_rollup.goal.pk and row.assessment
    )
    Assessment = UnitAnnualReportGoal.Assessment
    return GoalSection(
        rollup=goal_rollup,
        light_label=selectors.light_label(goal_rollup.light),
        lines=[MeasureLine(m, selectors.light_label(m.light)) for m in goal_rollup.measures],
        indicators=indicators,
        charts=[
            charts.measure_status_chart(
                goal_rollup, when=str(year), chart_id=f"goal-{goal_rollup.goal.pk}-status"
            )
        ]
        if goal_rollup.measures
        else [],
        assessments=[(a.label, counted[a.value]) for a in Assessment if counted[a.value]],
    )


def _unit_report_counts(plan, year, scope, appendix) -> dict[str, int]:
    units = unit_reports.reporting_units(plan=plan).filter(pk__in=scope.unit_ids).count()
    approved = sum(1 for r in appendix if r.status == UnitAnnualReport.Status.APPROVED)
    return {"units": units, "submitted": len(appendix) - approved, "approved": approved}


def _deviation_charts(stats: DeviationStatistics, year: int) -> list[charts.Chart]:
    """The dashboard's two deviation charts, with the dashboard's titles."""
    return [
        charts.deviation_chart(
            rows=stats.by_category,
            title=_("Deviations by category, %(year)s") % {"year": year},
            category_label=_("Category"),
            chart_id="deviations-category",
        ),
        charts.deviation_chart(
            rows=stats.by_risk,
            title=_("Deviations by risk, %(year)s") % {"year": year},
            category_label=_("Risk level"),
            chart_id="deviations-risk",
        ),
    ]
