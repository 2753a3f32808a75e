"""Reading statistics for the pages: our region against the comparison, year by year."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _

from .jsonstat import normalise_region
from .models import Provider, RegionChange, StatisticLink, StatisticTable, StatisticValue
from .regions import code_in_year, region_lineage
from .statistics import dimensions_key


@dataclass
class RegionLine:
    code: str
    label: str
    values: list[Decimal | None]
    marks: list[str]
    ours: bool = False


@dataclass
class Comparison:
    link: StatisticLink
    title: str
    contents_label: str
    unit: str
    years: list[int]
    lines: list[RegionLine]
    fetched_at: object = None
    relative_targets: list[bool | None] = field(default_factory=list)

    @property
    def source_label(self) -> str:
        return self.link.source_label

    @property
    def latest_year(self) -> int | None:
        ours = self.lines[0] if self.lines else None
        if ours is None:
            return None
        years = [y for y, v in zip(self.years, ours.values, strict=True) if v is not None]
        return years[-1] if years else None


def _labels(table: StatisticTable | None, link: StatisticLink) -> dict[str, str]:
    if table is None or not link.region_dimension:
        return {}
    dimension = table.dimension(link.region_dimension) or {"codes": []}
    return {normalise_region(code): label for code, label in dimension["codes"]}


def _contents_label(table: StatisticTable | None, link: StatisticLink) -> str:
    if table is None or not link.contents_dimension:
        return link.contents
    return table.label_of(link.contents_dimension, link.contents)


def _unit(table: StatisticTable | None, link: StatisticLink) -> str:
    text = _contents_label(table, link).lower()
    return "%" if "prosent" in text or "andel" in text or "procent" in text else ""


def _filters(link: StatisticLink) -> dict[str, str]:
    filters = {k: v for k, v in link.filters.items() if k != "level"}
    if link.provider == Provider.KOLADA:
        filters = {"gender": filters.get("gender", "T")}
    return filters


def _wanted(link: StatisticLink, lineage) -> Q:
    codes = {code for code, _since in lineage} | set(link.comparison_regions)
    return Q(
        provider=link.provider,
        table=link.table,
        contents=link.contents,
        dimensions_key=dimensions_key(_filters(link)),
        region__in=codes,
        year__gte=link.first_year,
    )


def comparison(*, link: StatisticLink) -> Comparison:
    """Our region (across mergers) and each comparison region, per year; missing stays None."""
    return comparisons(links=[link])[0]


def comparisons(*, links: list[StatisticLink]) -> list[Comparison]:
    """The comparisons of `links` in three queries, however many links and years."""
    if not links:
        return []
    tables = {
        (t.provider, t.table): t
        for t in StatisticTable.objects.filter(table__in={link.table for link in links})
    }
    changes = list(RegionChange.objects.all())
    lineages = {
        link.pk: region_lineage(code=link.region, changes=changes) if link.region else [("", 0)]
        for link in links
    }
    query = Q()
    for link in links:
        query |= _wanted(link, lineages[link.pk])
    rows = StatisticValue.objects.filter(query).values_list(
        "provider",
        "table",
        "contents",
        "dimensions_key",
        "region",
        "year",
        "value",
        "status",
        "fetched_at",
    )
    cells: dict[tuple, tuple] = {}
    for provider, table, contents, key, region, year, value, status, fetched_at in rows:
        cells[(provider, table, contents, key, region, year)] = (value, status, fetched_at)
    return [
        _comparison(link, tables.get((link.provider, link.table)), lineages[link.pk], cells)
        for link in links
    ]


def _comparison(link, table, lineage, cells) -> Comparison:
    base = (link.provider, link.table, link.contents, dimensions_key(_filters(link)))
    mine = {key[4:]: value for key, value in cells.items() if key[:4] == base}
    years = sorted({year for _region, year in mine})
    fetched = max((value[2] for value in mine.values()), default=None)
    labels = _labels(table, link)
    ours = RegionLine(
        link.region, labels.get(link.region, link.region or _("Whole country")), [], [], True
    )
    for year in years:
        value, mark, _at = mine.get((code_in_year(lineage, year), year), (None, "", None))
        ours.values.append(value)
        ours.marks.append(mark)
    lines = [ours]
    for code in link.comparison_regions:
        got = [mine.get((code, year), (None, "", None)) for year in years]
        lines.append(
            RegionLine(code, labels.get(code, code), [g[0] for g in got], [g[1] for g in got])
        )
    result = Comparison(
        link=link,
        title=table.title if table else link.table,
        contents_label=_contents_label(table, link),
        unit=_unit(table, link),
        years=years,
        lines=lines,
        fetched_at=fetched,
    )
    result.relative_targets = [relative_target_met(result, i) for i in range(len(years))]
    return result


def relative_target_met(result: Comparison, index: int) -> bool | None:
    """The target "at or above (or below) the comparison": met, missed, or unknown."""
    link = result.link
    if not link.target_relation:
        return None
    target = link.target_region or (link.comparison_regions[0] if link.comparison_regions else "")
    other = next((line for line in result.lines[1:] if line.code == target), None)
    ours = result.lines[0].values[index]
    theirs = other.values[index] if other else None
    if ours is None or theirs is None:
        return None
    if link.target_relation == StatisticLink.Relation.AT_OR_ABOVE:
        return ours >= theirs
    return ours <= theirs


def links_of_plan(*, plan) -> list[StatisticLink]:
    return list(
        StatisticLink.objects.filter(indicator__measure__goal__plan=plan)
        .select_related("indicator__measure__goal")
        .order_by("indicator__measure__goal__position", "indicator__measure__position")
    )


def comparisons_of_plan(*, plan) -> list[Comparison]:
    """Every linked indicator of the plan, in plan order; a fixed number of queries."""
    return comparisons(links=links_of_plan(plan=plan))
