"""How fast the quality staircase's pages are at the issue's bench size, beside their floor.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kvalitetsplan_dev \\
        .venv/bin/python bench/bench_staircase.py [--runs 15]

Needs the municipality of `manage.py seed_bench --units 300` (made here if missing).
It adds, once, the staircase bench data (`demo.staircase.bench_seed`): a framework of
11 areas × 7 steps × 3 criteria and four years of rounds, every unit assessed every
year, half of them reviewed, a third of those certified.

Each page is fetched with Django's test client as the bench quality office user
(`bench.kuk`): the median of `--runs` requests after two warm-ups. The floor of the
overview (the heat map) is the sum of the medians of the two value queries it cannot
do without (the self-assessed and the reviewed steps of every unit, area and year),
run bare on the cursor. The query count is the page's whole count; the memory is the
peak Python allocation of one request (tracemalloc).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qualityplan.settings")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.signals import request_started  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from demo.qualityplan import BENCH_USER_PREFIX, bench_department  # noqa: E402
from demo.qualityplan import bench_seed as municipality_seed  # noqa: E402
from demo.staircase import BENCH_FRAMEWORK, bench_seed  # noqa: E402
from staircase import overview as ov  # noqa: E402
from staircase.models import Framework, SelfAssessment  # noqa: E402
from staircase.permissions import staircase_rights  # noqa: E402


def timed(function, runs: int) -> float:
    for _ in range(2):
        function()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def bare(queryset):
    sql, params = queryset.query.sql_with_params()

    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()

    return run


def page(client: Client, url: str):
    def run():
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        return response

    return run


def measure(name: str, run, runs: int) -> tuple[str, float, int, float]:
    reset_queries()  # the log keeps 9 000 queries; a full one counts nothing new
    with CaptureQueriesContext(connection) as queries:
        run()
    count = len(queries)
    tracemalloc.start()
    run()
    _size, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return name, timed(run, runs), count, peak / 1024 / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    # Static file names without collectstatic's manifest: same cost, no build step.
    plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    override_settings(STORAGES={**settings.STORAGES, "staticfiles": plain}).enable()
    department = bench_department()
    if department is None:
        print("Seeding the bench municipality (300 units)…")
        municipality_seed(units=300, measures=100, years=4)
        department = bench_department()
    started = time.perf_counter()
    counts = bench_seed(department=department)
    print(f"Staircase bench data: {counts} ({time.perf_counter() - started:.1f} s)")
    framework = Framework.objects.get(name=BENCH_FRAMEWORK)
    office = get_user_model().objects.get(username=f"{BENCH_USER_PREFIX}kuk")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    # The captured queries of a request are cleared when the request starts otherwise.
    request_started.disconnect(reset_queries)
    client = Client()
    client.force_login(office)
    rights = staircase_rights(user=office)
    today = timezone.localdate()
    result = ov.staircase_overview(rights=rights, framework=framework, year=None, today=today)
    unit_ids = [row.unit.pk for row in result.rows]
    floor = sum(
        timed(bare(query(framework, unit_ids)), args.runs)
        for query in (ov.own_steps_query, ov.review_steps_query)
    )
    assessment = SelfAssessment.objects.filter(framework_version__framework=framework).last()
    round_id = assessment.round_id
    overview_url = f"{reverse('staircase:overview')}?framework={framework.pk}"
    pages = [
        ("overview (heat map)", page(client, overview_url)),
        ("overview XLSX", page(client, overview_url + "&format=xlsx&table=heatmap")),
        ("round", page(client, reverse("staircase:round_detail", args=[round_id]))),
        ("self-assessment", page(client, reverse("staircase:assessment", args=[assessment.pk]))),
        ("certification", page(client, reverse("staircase:certificates"))),
    ]
    print(f"\n{connection.vendor}, {len(unit_ids)} units, median of {args.runs} runs\n")
    print(f"{'page':24} {'ms':>8} {'queries':>8} {'peak MiB':>9}")
    with override_settings(DEBUG=False):
        for name, run in pages:
            name, ms, queries, mib = measure(name, run, args.runs)
            print(f"{name:24} {ms:8.1f} {queries:8d} {mib:9.1f}")
    print(f"\nheat map floor (the two step queries, bare): {floor:.1f} ms")


if __name__ == "__main__":
    main()
