"""Demo data for indicator sources: a KOSTRA-shaped statistics table, an indicator linked
to it with the KOSTRA group and the country to compare with, and a care-record report
mapped and imported into the units' status rows.

The figures are invented for the demo (the table's title says so); the shapes are the
real ones: a JSON-stat2 dataset as SSB serves it, an export as Gerica writes it.
`load` can run again and changes nothing.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass

from django.db import transaction

from demo.qualityplan import MUNICIPALITY_CODE
from measures.models import Indicator, Measure, MeasureStatus
from sources import careimport, links
from sources.models import ImportMapping, StatisticLink, StatisticTable, StatisticValue
from sources.statistics import jsonstat_store

TABLE = "12209"
REGIONS = {
    MUNICIPALITY_CODE: "Demo kommune",
    "EKG13": "KOSTRA-gruppe 13 (demo)",
    "EAK": "Landet (demo)",
}
CONTENTS = {
    "KOShjtj80aarover0001": "Andel innbyggere 80 år og over som mottar hjemmetjenester (prosent)",
    "KOSsykhjand80aar0000": "Andel innbyggere 80 år og over som er beboere på sykehjem (prosent)",
}
YEARS = [str(year) for year in range(2019, 2025)]
# The plan's own measure "Etablere system for å hente ut data og rapportere
# kvalitetsindikatorer" gets a second indicator, fed by statistics; the first stays its own.
STATISTICS_MEASURE = "Etablere system for å hente ut data"
STATISTICS_INDICATOR = "Andel innbyggere 80 år og over som mottar hjemmetjenester (KOSTRA)"
# The number of users with a primary contact is kept in the care-record system: the demo
# imports it from an export instead of having it typed.
IMPORT_INDICATOR = "Antall brukere med primærkontakter/primærgrupper"
IMPORT_COLUMN = "Antall brukere med primærkontakt"
MAPPING = "Gerica: brukere med primærkontakt per enhet"


@dataclass
class SourcesDemoSummary:
    cells: int = 0
    linked: bool = False
    imported: int = 0

    @property
    def line(self) -> str:
        return (
            f"Indicator sources: {self.cells} statistics cells stored, "
            f"{'one indicator linked' if self.linked else 'link already there'}, "
            f"{self.imported} values imported from a care-record export."
        )


def demo_dataset() -> bytes:
    """A JSON-stat2 dataset in SSB's shape with invented figures and two status markers."""
    rng = random.Random(12209)
    values, status = [], {}
    bases = {"KOShjtj80aarover0001": 30.0, "KOSsykhjand80aar0000": 12.0}
    for r_index, region in enumerate(REGIONS):
        for _contents, base in bases.items():
            for y_index, _year in enumerate(YEARS):
                position = len(values)
                if region == MUNICIPALITY_CODE and y_index == len(YEARS) - 1 and base < 20:
                    values.append(None)
                    status[str(position)] = ".."
                    continue
                drift = -0.6 * y_index + (r_index - 1) * 1.4
                values.append(round(base + drift + rng.uniform(-0.8, 0.8), 1))
    document = {
        "version": "2.0",
        "class": "dataset",
        "label": f"{TABLE}: Utvalgte nøkkeltall for helse og omsorg (demodata)",
        "source": "Kvalitetsplan demo",
        "updated": "2025-06-20T06:00:00Z",
        "role": {"time": ["Tid"], "metric": ["ContentsCode"], "geo": ["KOKkommuneregion0000"]},
        "id": ["KOKkommuneregion0000", "ContentsCode", "Tid"],
        "size": [len(REGIONS), len(CONTENTS), len(YEARS)],
        "dimension": {
            "KOKkommuneregion0000": {
                "label": "region",
                "category": {"index": {c: i for i, c in enumerate(REGIONS)}, "label": REGIONS},
            },
            "ContentsCode": {
                "label": "statistikkvariabel",
                "category": {"index": {c: i for i, c in enumerate(CONTENTS)}, "label": CONTENTS},
            },
            "Tid": {
                "label": "år",
                "category": {
                    "index": {y: i for i, y in enumerate(YEARS)},
                    "label": {y: y for y in YEARS},
                },
            },
        },
        "extension": {"px": {"tableid": TABLE, "decimals": 1, "language": "no"}},
        "value": values,
        "status": status,
    }
    return json.dumps(document, ensure_ascii=False).encode()


def _statistics_measure(plan) -> Measure:
    measures = Measure.objects.filter(goal__plan=plan).order_by("goal__position", "position")
    return measures.filter(title__startswith=STATISTICS_MEASURE).first() or measures.first()


def _statistics(plan, summary: SourcesDemoSummary) -> None:
    if not StatisticValue.objects.filter(table=TABLE, region=MUNICIPALITY_CODE).exists():
        summary.cells = jsonstat_store(data=demo_dataset(), file_name="demo-12209.json").cells
    indicator, _created = Indicator.objects.get_or_create(
        measure=_statistics_measure(plan),
        name=STATISTICS_INDICATOR,
        defaults={"kind": Indicator.Kind.PERCENTAGE, "source": Indicator.Source.STATISTICS},
    )
    if StatisticLink.objects.filter(indicator=indicator).exists():
        return
    table = StatisticTable.objects.get(table=TABLE)
    links.statistic_link_save(
        indicator=indicator,
        table=table,
        contents="KOShjtj80aarover0001",
        region=MUNICIPALITY_CODE,
        comparison_regions=["EKG13", "EAK"],
        first_year=2019,
        target_relation=StatisticLink.Relation.AT_OR_ABOVE,
        target_region="EKG13",
    )
    summary.linked = True


def _export(rows: list[MeasureStatus], rng: random.Random) -> bytes:
    """The export as Gerica's report writes it: a title, a print line, one row per unit
    for the period's last month (the count at the month's end), a blank line and a total
    row, in Windows-1252 with semicolons."""
    months = [
        "januar",
        "februar",
        "mars",
        "april",
        "mai",
        "juni",
        "juli",
        "august",
        "september",
        "oktober",
        "november",
        "desember",
    ]
    lines = ["Gerica rapport: Brukere med primærkontakt per enhet;;", "Utskrevet av fagsystemet;;"]
    lines += [";;", f"Enhet;Måned;{IMPORT_COLUMN}"]
    total = 0
    for row in rows:
        count = rng.randint(15, 90)
        total += count
        month = months[row.period.ends_on.month - 1]
        lines.append(f"{row.org_unit.name};{month} {row.period.year};{count}")
    lines += [";;", f"Sum;;{total}"]
    return "\r\n".join(lines).encode("cp1252", errors="replace")


def _care_import(plan, summary: SourcesDemoSummary) -> None:
    if ImportMapping.objects.filter(plan=plan, name=MAPPING).exists():
        return
    indicator = Indicator.objects.filter(measure__goal__plan=plan, name=IMPORT_INDICATOR).first()
    if indicator is None:
        return
    mapping = careimport.mapping_save(
        mapping=ImportMapping(
            plan=plan,
            name=MAPPING,
            unit_column="Enhet",
            period_column="Måned",
            columns={IMPORT_COLUMN: indicator.pk},
        ),
        user=None,
    )
    closed = list(plan.periods.filter(status="closed").order_by("-year", "-number")[:1])
    rows = list(
        MeasureStatus.objects.filter(period__in=closed, measure=indicator.measure)
        .select_related("org_unit", "period")
        .order_by("org_unit__name")
    )
    if not rows:
        return
    data = _export(rows, random.Random(plan.pk))
    upload = careimport.import_upload(
        plan=plan, mapping=mapping, data=data, file_name="gerica-primaerkontakt.csv", user=None
    )
    summary.imported = careimport.import_apply(upload=upload, user=None)


@transaction.atomic
def load(*, plan) -> SourcesDemoSummary:
    summary = SourcesDemoSummary()
    _statistics(plan, summary)
    _care_import(plan, summary)
    return summary
