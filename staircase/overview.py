"""The office's overview of the staircase: units × areas, distribution, trend, who has not
assessed, certification. One framework at a time; the units the person reads.

Everything is read in a fixed number of queries (values lists, no rows per unit) and
laid out in memory. Areas are matched across framework versions by their number.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from qualityplan.models import OrgUnit
from reporting.charts import Chart, ChartTable, Column, line_chart, stacked_bar_chart

from .models import (
    STEPS,
    AreaAssessment,
    AreaReview,
    AssessmentRound,
    Certification,
    ExternalReview,
    Framework,
    QualityArea,
    SelfAssessment,
)
from .permissions import StaircaseRights

UNIT = SelfAssessment.Kind.UNIT


@dataclass
class HeatCell:
    own: int | None
    review: int | None

    @property
    def shown(self) -> int | None:
        return self.review if self.review is not None else self.own

    @property
    def differs(self) -> bool:
        return None not in (self.own, self.review) and self.own != self.review


@dataclass
class HeatRow:
    unit: OrgUnit
    cells: list[HeatCell]
    status: str | None
    certificate: Certification | None


@dataclass
class Overview:
    framework: Framework | None
    year: int | None
    years: list[int] = field(default_factory=list)
    areas: list[tuple[int, str]] = field(default_factory=list)
    rows: list[HeatRow] = field(default_factory=list)
    rounds: list[AssessmentRound] = field(default_factory=list)
    trend: dict[tuple[int, int], tuple[Decimal | None, Decimal | None]] = field(
        default_factory=dict
    )
    certified: int = 0
    recertified: int = 0

    @property
    def not_assessed(self) -> list[HeatRow]:
        return [row for row in self.rows if row.status in (None, SelfAssessment.Status.DRAFT)]

    @property
    def expiring(self) -> list[HeatRow]:
        rows = [row for row in self.rows if row.certificate is not None]
        return sorted(rows, key=lambda row: row.certificate.valid_until)


def scope_unit_ids(*, rights: StaircaseRights) -> set[int] | None:
    """The units whose staircase the person reads; None for every unit."""
    if rights.is_superuser:
        return None
    return set(rights.read_unit_ids | rights.office_unit_ids | rights.approve_unit_ids)


def default_framework(*, rights: StaircaseRights) -> Framework | None:
    """The framework of the newest round that takes in units the person reads."""
    scope = scope_unit_ids(rights=rights)
    rounds = AssessmentRound.objects.select_related("framework_version__framework")
    if scope is not None:
        rounds = rounds.filter(assessments__org_unit_id__in=scope)
    newest = rounds.order_by("-year", "-pk").first()
    return newest.framework_version.framework if newest else None


def _units(scope: set[int] | None, area_id: int | None) -> list[OrgUnit]:
    units = OrgUnit.objects.filter(kind=OrgUnit.Kind.UNIT, is_active=True).select_related("parent")
    if scope is not None:
        units = units.filter(pk__in=scope)
    if area_id:
        units = units.filter(parent_id=area_id)
    return list(units.order_by("parent__name", "name"))


def _mean(values: list[int]) -> Decimal | None:
    if not values:
        return None
    return (Decimal(sum(values)) / len(values)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def staircase_overview(
    *,
    rights: StaircaseRights,
    framework: Framework | None,
    year: int | None,
    area_id: int | None = None,
    today: date,
) -> Overview:
    """The overview for the framework and year (the latest year with a round when None)."""
    if framework is None:
        return Overview(framework=None, year=None)
    rounds = list(
        AssessmentRound.objects.filter(framework_version__framework=framework)
        .select_related("framework_version", "owner")
        .order_by("year")
    )
    years = sorted({r.year for r in rounds})
    if not years:
        return Overview(framework=framework, year=None)
    year = year if year in years else years[-1]
    version_id = max(
        (r for r in rounds if r.year == year), key=lambda r: r.framework_version.number
    ).framework_version_id
    areas = list(
        QualityArea.objects.filter(version_id=version_id)
        .order_by("position")
        .values_list("position", "name")
    )
    units = _units(scope_unit_ids(rights=rights), area_id)
    unit_ids = [u.pk for u in units]
    own = _steps(own_steps_query(framework, unit_ids))
    reviewed = _steps(review_steps_query(framework, unit_ids))
    statuses = dict(
        SelfAssessment.objects.filter(
            framework_version__framework=framework, year=year, kind=UNIT, org_unit_id__in=unit_ids
        ).values_list("org_unit_id", "status")
    )
    certificates = _valid_certificates(framework, unit_ids, today)
    rows = [
        HeatRow(
            unit=unit,
            cells=[
                HeatCell(own.get((unit.pk, year, p)), reviewed.get((unit.pk, year, p)))
                for p, _name in areas
            ],
            status=statuses.get(unit.pk),
            certificate=certificates.get(unit.pk),
        )
        for unit in units
    ]
    return Overview(
        framework=framework,
        year=year,
        years=years,
        areas=areas,
        rows=rows,
        rounds=[r for r in rounds if r.year == year],
        trend=_trend(own, reviewed, years, areas),
        certified=len(certificates),
        recertified=sum(1 for c in certificates.values() if c.sequence > 1),
    )


def own_steps_query(framework: Framework, unit_ids: list[int]):
    """(unit, year, area number, step) of every unit's own self-assessment: the heat map's floor."""
    return AreaAssessment.objects.filter(
        assessment__framework_version__framework=framework,
        assessment__kind=UNIT,
        assessment__org_unit_id__in=unit_ids,
    ).values_list("assessment__org_unit_id", "assessment__year", "area__position", "step_reached")


def review_steps_query(framework: Framework, unit_ids: list[int]):
    """(unit, year, area number, step) of every completed external review."""
    return AreaReview.objects.filter(
        review__round__framework_version__framework=framework,
        review__status=ExternalReview.Status.COMPLETED,
        review__org_unit_id__in=unit_ids,
        step__isnull=False,
    ).values_list("review__org_unit_id", "review__round__year", "area__position", "step")


def _steps(queryset) -> dict[tuple[int, int, int], int]:
    return {(unit, year, position): step for unit, year, position, step in queryset}


def _valid_certificates(framework, unit_ids, today) -> dict[int, Certification]:
    found = {}
    for cert in Certification.objects.filter(
        framework=framework, org_unit_id__in=unit_ids, issued_on__lte=today, valid_until__gte=today
    ).order_by("issued_on"):
        found[cert.org_unit_id] = cert
    return found


def _trend(own, reviewed, years, areas):
    """(year, area number) → (mean self-assessed step, mean reviewed step); area 0 = all."""
    buckets: dict[tuple[int, int], tuple[list, list]] = defaultdict(lambda: ([], []))
    for source, index in ((own, 0), (reviewed, 1)):
        for (_unit, year, position), step in source.items():
            buckets[(year, position)][index].append(step)
            buckets[(year, 0)][index].append(step)
    return {
        (year, position): (_mean(buckets[(year, position)][0]), _mean(buckets[(year, position)][1]))
        for year in years
        for position in [0] + [p for p, _n in areas]
    }


# --- Charts and tables ----------------------------------------------------------------------


def heat_table(overview: Overview) -> ChartTable:
    columns = [Column(_("Unit")), Column(_("Area"))]
    for position, name in overview.areas:
        columns.append(Column(f"{position}. {name} – " + _("self"), "int"))
        columns.append(Column(f"{position}. {name} – " + _("external"), "int"))
    rows = []
    for row in overview.rows:
        values = [row.unit.name, row.unit.parent.name if row.unit.parent else ""]
        for cell in row.cells:
            values += [cell.own, cell.review]
        rows.append(values)
    caption = _("Step reached per unit and area, %(year)s") % {"year": overview.year}
    return ChartTable(columns=columns, rows=rows, caption=caption, name="heatmap")


def distribution_chart(overview: Overview) -> Chart:
    """How the units spread over the steps in each area (the review's step where there is one)."""
    segments = [(str(step), _("Step %(step)d") % {"step": step}) for step in [0, *STEPS]]
    bars = []
    for index, (position, name) in enumerate(overview.areas):
        counts = Counter(
            str(row.cells[index].shown)
            for row in overview.rows
            if row.cells[index].shown is not None
        )
        bars.append((f"{position}. {name}", dict(counts)))
    chart = stacked_bar_chart(
        chart_id="stair-distribution",
        title=_("Units per step in each quality area, %(year)s") % {"year": overview.year},
        bars=bars,
        segments=segments,
        category_label=_("Quality area"),
        styles=_step_styles(),
    )
    chart.table.name = "distribution"
    return chart


def _step_styles() -> dict[str, tuple[str, str, str]]:
    colours = [
        "#f3f3f3",
        "#fde0c5",
        "#fbe9b7",
        "#e4efc1",
        "#c5e6c9",
        "#94d0a6",
        "#5fb07f",
        "#2e7d55",
    ]
    patterns = [
        "dots",
        "horizontal",
        "diagonal",
        "vertical",
        "crosshatch",
        "diagonal_back",
        "dots",
        "solid",
    ]
    inks = ["#555555"] * 6 + ["#ffffff", "#ffffff"]
    return {str(step): (colours[step], patterns[step], inks[step]) for step in range(8)}


def trend_chart(overview: Overview) -> Chart:
    years = overview.years
    own = [overview.trend.get((y, 0), (None, None))[0] for y in years]
    ext = [overview.trend.get((y, 0), (None, None))[1] for y in years]
    chart = line_chart(
        chart_id="stair-trend",
        title=_("Mean step over the years, all areas"),
        x_labels=[str(y) for y in years],
        series=[(_("Self-assessment"), own), (_("External review"), ext)],
        series_label=_("Year"),
    )
    chart.table = trend_table(overview)
    return chart


def trend_table(overview: Overview) -> ChartTable:
    columns = [Column(_("Quality area"))]
    for year in overview.years:
        columns.append(Column(f"{year} – " + _("self"), "decimal", 1))
        columns.append(Column(f"{year} – " + _("external"), "decimal", 1))
    rows = []
    for position, name in [(0, _("All areas")), *overview.areas]:
        values = [name if position == 0 else f"{position}. {name}"]
        for year in overview.years:
            values += list(overview.trend.get((year, position), (None, None)))
        rows.append(values)
    return ChartTable(
        columns=columns, rows=rows, caption=_("Mean step per area and year"), name="trend"
    )
