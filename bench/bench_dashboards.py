"""How fast the dashboards are on the benchmark municipality, beside their floors.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kvalitetsplan_dev \\
        .venv/bin/python bench/bench_dashboards.py [--runs 15] [--year 2025]

Needs the municipality of `manage.py seed_bench --units 300 --measures 100 --years 4`.
Before measuring it makes sure the bench plan has reports: it opens tertials 1 and 2
of the year if they are missing (measures.periods.period_open) and, in a period
where nobody has reported, marks a realistic share of the rows reported with a few
bulk UPDATEs (all rows in the first tertial, seven in ten in the second). A period
with any report is left as it is.

Each page is fetched with Django's test client as the bench quality office user
(`bench.kuk`; the area leader `bench.ol.01` for the area page): the median of
`--runs` requests after two warm-ups is the page's server time. The floor is the
median time of the one aggregate query the page cannot do without, run bare on
the cursor: what the page would cost if it did nothing else. The query count is
the page's whole count, access checks and session included.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qualityplan.settings")
# Measure the production shape: no debug (cached templates, no query log) unless asked.
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.signals import request_started  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.db.models import Case, Count, Q, Value, When  # noqa: E402
from django.db.models.functions import Mod  # noqa: E402
from django.db.models.lookups import LessThan  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from demo.qualityplan import BENCH_USER_PREFIX, bench_department  # noqa: E402
from deviations.models import Deviation  # noqa: E402
from measures.models import Indicator, MeasureStatus, ReportingPeriod  # noqa: E402
from measures.periods import period_open  # noqa: E402
from measures.statuses import measure_status_update  # noqa: E402
from qualityplan.access import OrgTree  # noqa: E402
from qualityplan.models import QualityPlan  # noqa: E402
from reporting import selectors  # noqa: E402

# Per tertial: how many in a hundred rows are reported when the bench fills it.
REPORTED_SHARE = {1: 100, 2: 70, 3: 40}


def bench_plan() -> QualityPlan:
    department = bench_department()
    if department is None:
        sys.exit("No benchmark municipality: run manage.py seed_bench first.")
    return QualityPlan.objects.filter(owner=department).order_by("-first_year").first()


def ensure_reports(plan: QualityPlan, year: int) -> list[str]:
    """Open tertials 1 and 2 of `year` and fill any period nobody has reported in."""
    notes = []
    for number in (1, 2):
        period, created = period_open(plan=plan, year=year, number=number, deadline=None, user=None)
        if created:
            notes.append(f"opened {period.label}: {created} rows")
        rows = MeasureStatus.objects.filter(period=period)
        if rows.filter(reported_at__isnull=False).exists():
            continue
        filled = _fill(rows, share=REPORTED_SHARE[number], step=number)
        notes.append(f"filled {filled} of {rows.count()} rows of {period.label}")
    if notes and connection.vendor == "postgresql":
        # What autovacuum would soon do: planner statistics that know the new rows.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE measures_measurestatus")
    return notes


def _fill(rows, *, share: int, step: int) -> int:
    """A realistic spread of statuses, progress and values, decided by the row's id."""
    now = timezone.now()
    chosen = rows.filter(LessThan(Mod("id", 100), share))
    bucket = Mod("id", 20)
    status = Case(
        When(LessThan(bucket, 10), then=Value("on_track")),
        When(LessThan(bucket, 13), then=Value("done")),
        When(LessThan(bucket, 15), then=Value("continuous")),
        When(LessThan(bucket, 17), then=Value("at_risk")),
        When(LessThan(bucket, 19), then=Value("delayed")),
        default=Value("not_started"),
    )
    filled = chosen.update(
        status=status,
        progress=Mod("id", 50) + 25 * step,
        reported_at=now,
        updated_at=now,
    )
    for kind, value in (
        (Indicator.Kind.COUNT, Mod("id", 12)),
        (Indicator.Kind.PERCENTAGE, Mod("id", 40) + 55),
    ):
        chosen.filter(measure__indicators__kind=kind).update(value_number=value)
    chosen.filter(measure__indicators__kind=Indicator.Kind.YES_NO).update(
        value_bool=Case(When(LessThan(Mod("id", 3), 2), then=Value(True)), default=Value(False))
    )
    return filled


def timed(function, runs: int) -> float:
    """Median milliseconds of `function()` after two warm-ups."""
    return timed_cpu(function, runs)[0]


def timed_cpu(function, runs: int, prepare=None) -> tuple[float, float]:
    """Median wall and CPU milliseconds of `function()` after two warm-ups. The CPU time
    (this process's) says more than the wall time on a machine others are loading.
    `prepare()`, when given, runs before each call, outside the timing."""
    for _ in range(2):
        if prepare:
            prepare()
        function()
    samples, cpu = [], []
    for _ in range(runs):
        if prepare:
            prepare()
        started, started_cpu = time.perf_counter(), time.process_time()
        function()
        samples.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return statistics.median(samples), statistics.median(cpu)


def bare(queryset):
    """Run a queryset's SQL on the cursor and fetch every row: the floor."""
    sql, params = queryset.query.sql_with_params()

    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()

    return run


def _cold(fetch):
    """The fetch after emptying the cache: what the first view after a write costs."""

    def run():
        cache.clear()
        return fetch()

    return run


def save_in(period: ReportingPeriod, area_leader, *, inside: bool):
    """A status save in a unit of the area leader's area (or outside it), committed (this
    script runs in autocommit): what the deadline day does between two views of a
    dashboard. It moves that unit's data stamp only (qualityplan/dataversion.py)."""
    area = area_leader.memberships.get().org_unit
    rows = MeasureStatus.objects.filter(period=period)
    in_area = Q(org_unit__parent=area) | Q(org_unit=area)
    rows = rows.filter(in_area) if inside else rows.exclude(in_area)
    row_id = rows.order_by("pk").values_list("pk", flat=True).first()
    turn = iter(range(10**6))

    def run():
        row = MeasureStatus.objects.get(pk=row_id)
        measure_status_update(
            row=row, user=None, version=row.version, comment=f"Benchmark {next(turn)}"
        )

    return run


def deviation_written():
    """A deviation saved (and committed), as a handler moving it on does."""
    deviation = Deviation.objects.order_by("-pk").first()

    def run():
        deviation.save(update_fields=["description"])

    return run


def page(client: Client, url: str):
    def run():
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        return response

    return run


def floors(plan: QualityPlan, year: int, period: ReportingPeriod, area_leader) -> dict:
    """The bare aggregate queries each page cannot do without, built as the selectors
    build them: the page's floor is the sum of their times."""
    tree = OrgTree.load()
    whole = tree.subtree(plan.owner_id)
    area = selectors.dashboard_scope(user=area_leader, plan=plan).unit_ids
    periods = list(ReportingPeriod.objects.filter(plan=plan, year=year).order_by("number"))
    all_periods = list(ReportingPeriod.objects.filter(plan=plan).order_by("year", "number"))
    figures = selectors.status_figures()

    def rollup(unit_ids, chosen=None):
        selection = selectors.row_selection(
            plan=plan, years=[year], unit_ids=unit_ids, period=chosen
        )
        rows = MeasureStatus.objects.filter(selection.q).order_by()
        probe = (
            [] if chosen else [selectors.reported_in_periods(periods=periods, unit_ids=unit_ids)]
        )
        return [
            *probe,
            rows.values("measure_id").annotate(**figures).order_by(),
            rows.values("org_unit_id").annotate(**figures).order_by(),
        ]

    selection = selectors.row_selection(plan=plan, years=[year], unit_ids=whole)
    cells = MeasureStatus.objects.filter(selection.q).order_by()
    first_goal = plan.goals.order_by("position").first()
    probe = selectors.reported_in_periods(periods=periods, unit_ids=whole)
    indicator = Indicator.objects.filter(measure__goal__plan=plan, kind="count").first()
    years = selectors.row_selection(plan=plan, years=plan.years, unit_ids=whole)
    indicator_rows = MeasureStatus.objects.filter(measure_id=indicator.measure_id)
    deviations = Deviation.objects.filter(org_unit_id__in=sorted(whole))
    in_year = Q(created_at__year=year)
    return {
        "rollup": rollup(whole),
        "rollup of a period": rollup(whole, period),
        "rollup of an area": rollup(area),
        "cells of a goal": [probe, cells.filter(measure__goal=first_goal).values_list("pk")],
        "cells": [probe, cells.values_list("pk", "measure_id", "org_unit_id", "period_id")],
        "completeness": [
            MeasureStatus.objects.filter(period=period)
            .values("org_unit_id")
            .annotate(**figures)
            .order_by()
        ],
        "indicator": [
            selectors.reported_in_periods(periods=all_periods, unit_ids=whole),
            indicator_rows.filter(years.q)
            .values("org_unit_id", "period__year")
            .annotate(**figures)
            .order_by(),
            indicator_rows.filter(period__in=all_periods, org_unit_id__in=sorted(whole))
            .values("org_unit_id", "period_id")
            .annotate(**figures)
            .order_by(),
        ],
        "deviations": [
            deviations.filter(in_year).values("org_unit_id").annotate(n=Count("pk")).order_by(),
            deviations.filter(in_year).values("category_id").annotate(n=Count("pk")).order_by(),
        ],
    }, indicator


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--year", type=int, default=None)
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    # Static file names without collectstatic's manifest: same cost, no build step.
    plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    override_settings(STORAGES={**settings.STORAGES, "staticfiles": plain}).enable()
    # Django empties the query log when a request starts; keep it, to count a page's queries.
    request_started.disconnect(reset_queries)
    plan = bench_plan()
    year = args.year or plan.first_year
    for note in ensure_reports(plan, year):
        print(note)
    period = ReportingPeriod.objects.filter(plan=plan, year=year).order_by("-number").first()
    users = get_user_model().objects
    office = users.get(username=f"{BENCH_USER_PREFIX}kuk")
    area_leader = users.get(username=f"{BENCH_USER_PREFIX}ol.01")
    floor_queries, indicator = floors(plan, year, period, area_leader)
    first_goal = plan.goals.order_by("position").first()
    dashboard = reverse("dashboard_plan", args=[plan.pk])
    matrix = reverse("dashboard_matrix", args=[plan.pk])
    indicator_page = reverse("dashboard_indicator", args=[indicator.pk])
    pages = [
        ("plan dashboard, one year", office, f"{dashboard}?year={year}", "rollup"),
        ("  same, after a save", office, f"{dashboard}?year={year}", "rollup"),
        ("  same, cache emptied first", office, f"{dashboard}?year={year}", "rollup"),
        (
            "plan dashboard, chosen period",
            office,
            f"{dashboard}?year={year}&period={period.pk}",
            "rollup of a period",
        ),
        (
            "plan dashboard, area leader",
            area_leader,
            f"{dashboard}?year={year}",
            "rollup of an area",
        ),
        (
            "  same, after a save in the area",
            area_leader,
            f"{dashboard}?year={year}",
            "rollup of an area",
        ),
        (
            "  same, after a save elsewhere",
            area_leader,
            f"{dashboard}?year={year}",
            "rollup of an area",
        ),
        (
            "matrix, one goal",
            office,
            f"{matrix}?year={year}&goal={first_goal.pk}",
            "cells of a goal",
        ),
        ("matrix, whole plan", office, f"{matrix}?year={year}&goal=all", "cells"),
        (
            "  one goal's piece of it",
            office,
            f"{matrix}?year={year}&goal=all&piece={first_goal.pk}",
            "cells of a goal",
        ),
        (
            "completeness",
            office,
            reverse("dashboard_completeness", args=[period.pk]),
            "completeness",
        ),
        ("indicator, per area", office, f"{indicator_page}?by=area", "indicator"),
        (
            "deviations",
            office,
            reverse("dashboard_deviations", args=[plan.pk]) + f"?year={year}",
            "deviations",
        ),
        (
            "  same, after a deviation saved",
            office,
            reverse("dashboard_deviations", args=[plan.pk]) + f"?year={year}",
            "deviations",
        ),
    ]
    floor_ms = {
        name: sum(timed(bare(query), args.runs) for query in queries)
        for name, queries in floor_queries.items()
    }
    rows = MeasureStatus.objects.filter(period__plan=plan, period__year=year).count()
    print(
        f"\n{connection.vendor}, {plan.title}, {year}: {rows} status rows, "
        f"median of {args.runs} runs\n"
    )
    header = (
        f"{'page':<32} {'server ms':>10} {'cpu ms':>7} {'floor ms':>9} {'× floor':>8} "
        f"{'queries':>8} {'KB':>7}"
    )
    print(header)
    print("-" * len(header))
    for label, user, url, floor_name in pages:
        client = Client(HTTP_ACCEPT_ENCODING="gzip")  # as a browser asks; KB as sent
        client.force_login(user)
        fetch = page(client, url)
        prepare = None
        if label.strip().startswith("same, cache emptied"):
            fetch = _cold(fetch)
        if label.strip().startswith("same, after a save"):
            # The office's whole organisation holds every unit: any save will do.
            prepare = save_in(period, area_leader, inside=not label.endswith("elsewhere"))
            fetch()  # in the cache before the first save
            prepare()
        if label.strip().startswith("same, after a deviation"):
            prepare = deviation_written()
            fetch()
            prepare()
        reset_queries()  # the log keeps at most 9000 queries: start it empty
        with CaptureQueriesContext(connection) as queries:
            response = fetch()
        query_count = len(queries)
        ms, cpu = timed_cpu(fetch, args.runs, prepare)
        floor = floor_ms[floor_name]
        print(
            f"{label:<32} {ms:>10.1f} {cpu:>7.1f} {floor:>9.1f} {ms / floor:>8.1f} "
            f"{query_count:>8} {len(response.content) / 1024:>7.0f}"
        )
    print("\nfloors (sum of the bare aggregate queries each page needs):")
    for name, ms in floor_ms.items():
        print(f"  {name:<20} {ms:6.1f} ms  ({len(floor_queries[name])} queries)")


if __name__ == "__main__":
    main()
