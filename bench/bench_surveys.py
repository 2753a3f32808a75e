"""Bench: a survey with 20 000 responses across 300 units — the results page, the export
and the refresh of the indicator it feeds.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kvalitetsplan_dev \
        .venv/bin/python bench/bench_surveys.py [--runs 10]

Builds the benchmark municipality when it is missing (`seed_bench`: 300 units) and the
benchmark survey when it is missing (`demo.surveys.bench_survey_seed`: one unit in ten
with too few answers). Then, as the benchmark quality office, it times the results page
for the whole department and for one area (the answer counts cached, as on every view
but the first after new answers), the first view with an empty cache, the CSV export,
the results computed without a page (the floor: the aggregate queries and the anonymity
rule), and the refresh of the indicator's 300 status rows. Prints median and 90th
percentile milliseconds, queries and peak memory (tracemalloc) of each.
"""

import argparse
import os
import statistics
import sys
import time
import tracemalloc
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qualityplan.settings")
warnings.filterwarnings("ignore", message="No directory at")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from demo.qualityplan import BENCH_USER_PREFIX, bench_department  # noqa: E402
from demo.surveys import BENCH_PLAN_TITLE, bench_survey_seed  # noqa: E402
from measures.models import ReportingPeriod  # noqa: E402
from surveys.indicators import survey_values_refresh  # noqa: E402
from surveys.results import survey_results  # noqa: E402

OFFICE = f"{BENCH_USER_PREFIX}kuk"
WARMUP = 2


def timed(action, runs: int) -> list[float]:
    times = []
    for turn in range(WARMUP + runs):
        began = time.perf_counter()
        action()
        if turn >= WARMUP:
            times.append((time.perf_counter() - began) * 1000)
    return times


def query_count(action) -> int:
    with CaptureQueriesContext(connection) as captured:
        action()
    return len(captured)


def peak_memory(action) -> float:
    tracemalloc.start()
    action()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 1024 / 1024


def get(client: Client, url: str):
    def action():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response

    return action


def line(name: str, times: list[float], queries: int, memory: float) -> str:
    p90 = statistics.quantiles(times, n=10)[-1] if len(times) > 1 else times[0]
    return f"{name:<36} {statistics.median(times):>9.1f} {p90:>9.1f} {queries:>8} {memory:>8.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="Timed runs of each (default 10).")
    runs = parser.parse_args().runs
    if bench_department() is None:
        print("Benchmark municipality missing: running seed_bench …", flush=True)
        call_command("seed_bench", units=300)
    started = time.perf_counter()
    survey = bench_survey_seed(responses=20000)
    print(f"Benchmark survey ready in {time.perf_counter() - started:.1f} s.", flush=True)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE surveys_surveyresponse")
            cursor.execute("ANALYZE surveys_answer")
    settings.DEBUG = False
    client = Client()
    client.force_login(User.objects.get(username=OFFICE))
    results = survey_results(survey=survey)
    area = next(g for g in results.groups if g.kind == "area")
    period = ReportingPeriod.objects.get(plan__title=BENCH_PLAN_TITLE)
    page = reverse("survey_results", args=[survey.pk])
    first_view = get(client, page)

    def uncached():
        cache.clear()
        return first_view()

    cases = [
        ("Results page, first view (no cache)", uncached),
        ("Results page, department", get(client, page)),
        ("Results page, one area", get(client, f"{page}?unit={area.unit_id}")),
        ("Export, CSV", get(client, reverse("survey_results_export", args=[survey.pk, "csv"]))),
        (
            "Floor: results, no page, no cache",
            lambda: (cache.clear(), survey_results(survey=survey)),
        ),
        ("Indicator refresh, 300 rows", lambda: survey_values_refresh(period=period)),
    ]
    print(
        f"Survey bench on {connection.vendor}: {results.respondents} responses over "
        f"{len(survey.links.all())} units ({results.held_back} held back), "
        f"{survey.questions.count()} questions, {runs} runs, DEBUG off"
    )
    print(f"{'':<36} {'median ms':>9} {'p90 ms':>9} {'queries':>8} {'peak MB':>8}")
    for name, action in cases:
        print(line(name, timed(action, runs), query_count(action), peak_memory(action)), flush=True)


if __name__ == "__main__":
    main()
