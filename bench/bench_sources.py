"""Speed and memory of the indicator sources: a 100 000-cell JSON-stat2 response, and a
care-record export of 300 units × 12 months × 20 indicators.

    .venv/bin/python bench/bench_sources.py [--cells 100000] [--units 300]

Runs on a throwaway SQLite database of its own (or on BENCH_SOURCES_DATABASE_URL if
set, which must then be an empty database it may fill: DATABASE_URL is not used, so
`make bench` never fills the development database with bench rows). Prints, for each
step, the wall time and the process's peak resident size so far; for the parse, also
the peak of Python memory it allocates (tracemalloc, in a second run).

1. parse: `json.loads` + `parse_dataset` + walking every cell (no database).
2. store: the same response into the store (`jsonstat_store`: raw response gzip'ed,
   table, every cell upserted in batches of 2 000).
3. store again: the same response once more (every cell an upsert that changes nothing).
4. import preview, apply, and the same file again, for the care-record export.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qualityplan.settings")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
_TMP = tempfile.mkdtemp(prefix="bench-sources-")
os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_SOURCES_DATABASE_URL", f"sqlite:///{_TMP}/bench.sqlite3"
)

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402

from measures.models import Indicator, Measure, MeasureYear  # noqa: E402
from measures.periods import period_open  # noqa: E402
from qualityplan.models import Goal, Membership, OrgUnit, QualityPlan, Role  # noqa: E402
from sources import careimport, jsonstat  # noqa: E402
from sources.models import ImportMapping  # noqa: E402
from sources.statistics import jsonstat_store  # noqa: E402


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measured(label: str, work, *, trace: bool = False):
    """Wall time of `work`, and the process's peak resident size after it. With `trace`,
    `work` runs a second time under tracemalloc for the peak Python allocation (tracing
    slows it, so the time is the untraced run's)."""
    started = time.perf_counter()
    result = work()
    seconds = time.perf_counter() - started
    line = f"{label:<44} {seconds:8.2f} s   process peak {rss_mb():6.0f} MB"
    if trace:
        tracemalloc.start()
        work()
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        line += f"   allocated peak {peak / 1e6:6.1f} MB"
    print(line)
    return result


def big_response(cells: int) -> bytes:
    """A dataset in 12209's shape: regions × contents × years, with some status markers."""
    years = [str(y) for y in range(2000, 2025)]
    contents = [f"KOSbench{i:04d}" for i in range(10)]
    regions = max(1, cells // (len(years) * len(contents)))
    region_codes = [f"{1000 + i:04d}" for i in range(regions)]
    size = regions * len(contents) * len(years)
    values, status = [], {}
    for position in range(size):
        if position % 37 == 0:
            values.append(None)
            status[str(position)] = ".." if position % 2 else ":"
        else:
            values.append(round((position % 997) / 10, 1))
    document = {
        "version": "2.0",
        "class": "dataset",
        "label": "99999: Bench table",
        "role": {"time": ["Tid"], "metric": ["ContentsCode"], "geo": ["KOKkommuneregion0000"]},
        "id": ["KOKkommuneregion0000", "ContentsCode", "Tid"],
        "size": [regions, len(contents), len(years)],
        "dimension": {
            "KOKkommuneregion0000": {
                "label": "region",
                "category": {"index": region_codes, "label": {c: c for c in region_codes}},
            },
            "ContentsCode": {"label": "statistikkvariabel", "category": {"index": contents}},
            "Tid": {"label": "år", "category": {"index": years}},
        },
        "value": values,
        "status": status,
    }
    return json.dumps(document).encode()


def parse_only(data: bytes) -> int:
    dataset = jsonstat.parse_dataset(jsonstat.load(data))
    return sum(1 for _cell in dataset.cells())


def care_setup(units: int, indicators: int):
    vl = Role.objects.get_or_create(code="VL", defaults={"name": "Virksomhetsleder"})[0]
    department = OrgUnit.objects.create(name="Bench helse", kind=OrgUnit.Kind.DEPARTMENT)
    unit_rows = OrgUnit.objects.bulk_create(
        OrgUnit(name=f"Bench enhet {n:03d}", kind=OrgUnit.Kind.UNIT, parent=department)
        for n in range(units)
    )
    people = User.objects.bulk_create(User(username=f"bench.vl.{n:03d}") for n in range(units))
    Membership.objects.bulk_create(
        Membership(user=u, role=vl, org_unit=unit)
        for u, unit in zip(people, unit_rows, strict=True)
    )
    plan = QualityPlan.objects.create(
        title="Bench",
        owner=department,
        first_year=2024,
        last_year=2024,
        status=QualityPlan.Status.ACTIVE,
    )
    goal = Goal.objects.create(plan=plan, position=1, title="Mål")
    columns = {}
    for n in range(indicators):
        measure = Measure.objects.create(
            goal=goal, position=n + 1, title=f"Tiltak {n}", is_continuous=True
        )
        measure.responsible_roles.set([vl])
        MeasureYear.objects.create(measure=measure, year=2024)
        indicator = Indicator.objects.create(
            measure=measure, name=f"Indikator {n}", kind=Indicator.Kind.COUNT
        )
        columns[f"Antall {n}"] = indicator.pk
    for number in (1, 2, 3):
        period_open(plan=plan, year=2024, number=number, deadline=None, user=None)
    mapping = careimport.mapping_save(
        mapping=ImportMapping(
            plan=plan,
            name="Bench rapport",
            unit_column="Enhet",
            period_column="Måned",
            columns=columns,
        ),
        user=None,
    )
    return plan, mapping, unit_rows, list(columns)


def care_export(unit_rows, column_names) -> bytes:
    lines = ["Gerica rapport;", "Enhet;Måned;" + ";".join(column_names)]
    for unit in unit_rows:
        for month in range(1, 13):
            values = ";".join(
                str((unit.pk * 7 + month * 3 + i) % 200) for i in range(len(column_names))
            )
            lines.append(f"{unit.name};2024-{month:02d};{values}")
    lines.append("Sum;;")
    return "\r\n".join(lines).encode("cp1252")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cells", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=300)
    parser.add_argument("--indicators", type=int, default=20)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)

    data = big_response(args.cells)
    print(f"JSON-stat2 response: {len(data) / 1e6:.1f} MB")
    cells = measured("parse and walk every cell", lambda: parse_only(data), trace=True)
    print(f"  {cells} cells")
    measured("store (response, table, every cell)", lambda: jsonstat_store(data=data))
    measured("store the same response again", lambda: jsonstat_store(data=data))

    plan, mapping, unit_rows, names = care_setup(args.units, args.indicators)
    export = care_export(unit_rows, names)
    print(
        f"Care-record export: {len(export) / 1e6:.1f} MB, {len(unit_rows) * 12} rows × "
        f"{len(names)} indicators"
    )
    preview = measured(
        "import preview",
        lambda: careimport.import_preview(mapping=mapping, data=export, file_name="bench.csv"),
    )
    print(f"  {len(preview.changes)} values to change, {len(preview.unmatched)} unmatched names")
    upload = careimport.import_upload(
        plan=plan, mapping=mapping, data=export, file_name="bench.csv", user=None
    )
    changed = measured(
        "import apply (preview again + write all)",
        lambda: careimport.import_apply(upload=upload, user=None, versions=preview.versions),
    )
    print(f"  {changed} values written")
    again = measured(
        "the same file again: preview",
        lambda: careimport.import_preview(mapping=mapping, data=export, file_name="bench.csv"),
    )
    print(f"  {len(again.changes)} values to change, {again.unchanged} unchanged")
    print(f"Process peak resident size: {rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
