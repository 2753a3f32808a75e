"""Reads for improvement work, scoped to the user and joined: a page's query count does
not grow with its rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import User
from django.db.models import Count, Max, Prefetch, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import formats

from deviations.models import Deviation, QualityCouncilMeeting
from measures.models import Indicator, MeasureStatus
from qualityplan.access import OrgTree
from qualityplan.models import OrgUnit
from reporting.models import UnitAnnualReport

from . import runrules
from .models import (
    DataPoint,
    DutyStatement,
    ImprovementProject,
    ManagementReview,
    PdsaCycle,
    RegulationDuty,
)
from .permissions import visible_projects


def project_list(*, user: User) -> QuerySet[ImprovementProject]:
    return (
        visible_projects(user)
        .prefetch_related(Prefetch("units", queryset=OrgUnit.objects.order_by("name")))
        .annotate(
            cycle_count=Count("cycles", distinct=True),
            point_count=Count("data_points", distinct=True),
            last_point=Max("data_points__measured_on"),
        )
        .order_by("status", "-started_on", "title")
    )


@dataclass
class UnitProjects:
    unit: OrgUnit
    counts: list[int]  # one per ImprovementProject.Status, in its order
    total: int


def projects_per_unit(*, projects: QuerySet[ImprovementProject]) -> list[UnitProjects]:
    """How many projects each unit has in each status, for the list's summary. Two queries."""
    statuses = [value for value, _label in ImprovementProject.Status.choices]
    rows = (
        ImprovementProject.units.through.objects.filter(
            improvementproject__in=projects.values("pk")
        )
        .values("orgunit_id", "improvementproject__status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: dict[int, dict[str, int]] = {}
    for row in rows:
        counts.setdefault(row["orgunit_id"], {})[row["improvementproject__status"]] = row["n"]
    units = OrgUnit.objects.filter(pk__in=counts).order_by("name")
    return [
        UnitProjects(
            unit,
            [counts[unit.pk].get(status, 0) for status in statuses],
            sum(counts[unit.pk].values()),
        )
        for unit in units
    ]


@dataclass
class Series:
    """A measure over time: labels, values, and for control charts the denominators."""

    labels: list[str]
    values: list[Decimal | None]
    denominators: list[Decimal | None] = field(default_factory=list)
    dates: list[date] = field(default_factory=list)

    @property
    def analysis(self) -> runrules.RunChartAnalysis:
        return runrules.analyse(self.values)

    @property
    def control_kind(self) -> str:
        """ "p" for shares (every point out of a denominator, never above it), "u" for
        rates, "" when the series has no denominators."""
        if not self.values or not all(self.denominators):
            return ""
        shares = all(v <= d for v, d in zip(self.values, self.denominators, strict=True))
        return "p" if shares else "u"


def project_detail(*, project: ImprovementProject) -> ImprovementProject:
    """The project with its ideas, cycles (and their ideas), points and links loaded."""
    return (
        ImprovementProject.objects.select_related("indicator", "measure", "measure__goal")
        .prefetch_related(
            "units",
            "change_ideas",
            Prefetch("cycles", queryset=PdsaCycle.objects.select_related("change_idea")),
            Prefetch("data_points", queryset=DataPoint.objects.select_related("cycle")),
            Prefetch(
                "deviations", queryset=Deviation.objects.select_related("org_unit", "category")
            ),
        )
        .get(pk=project.pk)
    )


def project_series(*, project: ImprovementProject) -> Series:
    """The project's own data points, in date order (from `project_detail`'s prefetch)."""
    points = list(project.data_points.all())
    monthly = len({(p.measured_on.year, p.measured_on.month) for p in points}) == len(points)
    style = "M Y" if monthly else "SHORT_DATE_FORMAT"
    return Series(
        labels=[formats.date_format(p.measured_on, style) for p in points],
        values=[p.value for p in points],
        denominators=[p.denominator for p in points],
        dates=[p.measured_on for p in points],
    )


def indicator_unit_series(*, indicator: Indicator, unit: OrgUnit) -> Series:
    """A unit's values of an indicator over the plan's periods, oldest first. One query."""
    rows = (
        MeasureStatus.objects.filter(measure_id=indicator.measure_id, org_unit=unit)
        .select_related("period")
        .order_by("period__year", "period__number")
    )
    labels, values, dates = [], [], []
    for row in rows:
        labels.append(row.period.label)
        values.append(row.value_number if row.is_reported else None)
        dates.append(row.period.ends_on)
    return Series(labels=labels, values=values, dates=dates)


def deviation_month_series(*, unit: OrgUnit, first: date, last: date) -> Series:
    """Deviations reported per month in the unit and everything below it. Two queries."""
    unit_ids = OrgTree.load().subtree(unit.pk)
    counts = dict(
        Deviation.objects.filter(
            org_unit_id__in=unit_ids, created_at__date__gte=first, created_at__date__lte=last
        )
        .annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(n=Count("pk"))
        .values_list("month", "n")
        .order_by()
    )
    by_month = {(m.year, m.month): n for m, n in counts.items()}
    labels, values, dates = [], [], []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        labels.append(formats.date_format(date(year, month, 1), "M Y"))
        values.append(Decimal(by_month.get((year, month), 0)))
        dates.append(date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return Series(labels=labels, values=values, dates=dates)


# --- The regulation's duties -----------------------------------------------------------


def active_duties() -> list[RegulationDuty]:
    return list(RegulationDuty.objects.filter(is_active=True))


@dataclass
class DutyEvidence:
    """What the app already knows of a unit's year, shown beside its statements."""

    deviations_reported: int
    deviations_closed: int
    meetings: int
    projects: list[ImprovementProject]


def duty_evidence(*, report: UnitAnnualReport) -> DutyEvidence:
    unit_ids = OrgTree.load().subtree(report.org_unit_id)
    year = report.year
    deviations = Deviation.objects.filter(org_unit_id__in=unit_ids)
    projects = (
        ImprovementProject.objects.filter(units__in=unit_ids)
        .exclude(started_on__year__gt=year)
        .exclude(ended_on__year__lt=year)
        .distinct()
        .order_by("title")
    )
    return DutyEvidence(
        deviations_reported=deviations.filter(year=year).count(),
        deviations_closed=deviations.filter(closed_at__year=year).count(),
        meetings=QualityCouncilMeeting.objects.filter(
            org_unit_id__in=unit_ids, held_on__year=year
        ).count(),
        projects=list(projects),
    )


def duty_statements(*, report: UnitAnnualReport) -> dict[int, DutyStatement]:
    return {
        s.duty_id: s
        for s in DutyStatement.objects.filter(report=report).prefetch_related("projects")
    }


@dataclass
class DutyOverviewRow:
    unit: OrgUnit
    report: UnitAnnualReport | None
    cells: list[str]  # assessment per duty, "" where nothing is written


def duty_overview(
    *, plan, year: int, unit_ids
) -> tuple[list[RegulationDuty], list[DutyOverviewRow]]:
    """Who meets what: every unit of the plan in scope × every duty in use. Three queries."""
    duties = active_duties()
    units = OrgUnit.objects.filter(
        pk__in=unit_ids, kind=OrgUnit.Kind.UNIT, is_active=True
    ).order_by("name")
    reports = {
        r.org_unit_id: r
        for r in UnitAnnualReport.objects.filter(plan=plan, year=year, org_unit_id__in=unit_ids)
    }
    assessed = {
        (s.report_id, s.duty_id): s.assessment
        for s in DutyStatement.objects.filter(report__in=list(reports.values())).only(
            "report_id", "duty_id", "assessment"
        )
    }
    rows = []
    for unit in units:
        report = reports.get(unit.pk)
        cells = [assessed.get((report.pk, d.pk), "") if report else "" for d in duties]
        rows.append(DutyOverviewRow(unit, report, cells))
    return duties, rows


def review_for(*, unit: OrgUnit, year: int) -> ManagementReview | None:
    return (
        ManagementReview.objects.filter(org_unit=unit, year=year)
        .prefetch_related("decisions__measure")
        .first()
    )
