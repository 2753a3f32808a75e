"""Bench: the deviation list and the deviation statistics at 50 000 deviations.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kvalitetsplan_dev \
        .venv/bin/python bench/bench_deviations.py [--runs 20]

Builds the benchmark municipality when it is missing (`seed_bench`: 300 units), and
gives its units 50 000 deviations when they have none. Then, logged in as the
benchmark quality office (who reads every unit), it times the list page (first
page, and filtered), the statistics page for this year, and their floors: the bare
queries each page cannot do without. Prints median and 90th percentile server time
in milliseconds and the query count of each.
"""

import argparse
import os
import statistics
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qualityplan.settings")
# WhiteNoise looks for STATIC_ROOT, which only collectstatic creates.
warnings.filterwarnings("ignore", message="No directory at")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from demo.deviations import bench_deviations_seed, bench_units  # noqa: E402
from demo.qualityplan import BENCH_USER_PREFIX  # noqa: E402
from deviations import selectors  # noqa: E402
from deviations.models import Deviation  # noqa: E402

OFFICE = f"{BENCH_USER_PREFIX}kuk"
COUNT = 50_000
UNITS = 300
WARMUP = 3


def bench_data() -> User:
    """The benchmark office user, with the units and their deviations made if missing."""
    if not bench_units():
        print("Benchmark municipality missing: running seed_bench …", flush=True)
        call_command("seed_bench", units=UNITS)
    started = time.perf_counter()
    made = bench_deviations_seed(count=COUNT)
    if made:
        print(f"Made {made} deviations in {time.perf_counter() - started:.1f} s.", flush=True)
        if connection.vendor == "postgresql":
            # Fresh bulk rows: give the planner their statistics now, as autovacuum soon would.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE deviations_deviation")
    return User.objects.get(username=OFFICE)


def timed(action, runs: int) -> list[float]:
    """Milliseconds per run, after a few runs that warm the caches."""
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


def get(client: Client, url: str):
    def action():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response

    return action


def list_floor(user: User):
    """What the first page of the list needs from the database: the count and 50 rows."""

    def action():
        rows = selectors.deviation_list_for_user(user=user)
        rows.count()
        return list(rows[:50])

    return action


def statistics_floor(user: User, start, end):
    def action():
        return selectors.deviation_statistics(user=user, start=start, end=end)

    return action


def line(name: str, times: list[float], queries: int) -> str:
    p90 = statistics.quantiles(times, n=10)[-1] if len(times) > 1 else times[0]
    return f"{name:<40} {statistics.median(times):>9.1f} {p90:>9.1f} {queries:>8}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="Timed runs of each (default 20).")
    runs = parser.parse_args().runs
    office = bench_data()
    settings.DEBUG = False  # as in production: no query log, no template debug data
    client = Client()
    client.force_login(office)
    today = timezone.localdate()
    start = today.replace(month=1, day=1)
    unit = bench_units()[0]
    list_url = reverse("deviation_list")
    cases = [
        ("List page, first 50", get(client, list_url)),
        (
            "List page, in treatment + overdue",
            get(client, f"{list_url}?status=in_treatment&overdue=on"),
        ),
        ("List page, one unit, high risk", get(client, f"{list_url}?unit={unit.pk}&risk=high")),
        ("Floor: list count + 50 rows", list_floor(office)),
        (
            "Statistics page, this year",
            get(client, reverse("deviation_statistics") + f"?start={start}&end={today}"),
        ),
        ("Floor: statistics queries only", statistics_floor(office, start, today)),
    ]
    total = Deviation.objects.filter(org_unit__in=bench_units()).count()
    print(
        f"Deviation bench on {connection.vendor}: {total} deviations over "
        f"{len(bench_units())} units, as {OFFICE}, {runs} runs, DEBUG off"
    )
    print(f"{'':<40} {'median ms':>9} {'p90 ms':>9} {'queries':>8}")
    for name, action in cases:
        print(line(name, timed(action, runs), query_count(action)), flush=True)
    print("Aim: the list page under 300 ms.")


if __name__ == "__main__":
    main()
