"""Bench: the status page ("My measures") and a row save at the benchmark size.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kvalitetsplan_dev \
        .venv/bin/python bench/bench_status.py [--runs 30]

Builds the benchmark municipality first if it is missing (`seed_bench`: 300 units,
100 measures, 4 years), then, logged in as the first unit leader, times the page
and an htmx row save through Django's test client with DEBUG off, counts their
queries, and times the floor: one bare query reading the same rows with the
measure titles. Prints a small table.
"""

import argparse
import gc
import os
import statistics
import sys
import time
import warnings
from dataclasses import dataclass, field
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

from demo.qualityplan import BENCH_USER_PREFIX, bench_department  # noqa: E402
from measures.models import MeasureStatus, ReportingPeriod  # noqa: E402

LEADER = f"{BENCH_USER_PREFIX}vl.0001"
WARMUP = 3
FLOOR_FIELDS = (
    "id",
    "status",
    "progress",
    "value_number",
    "value_bool",
    "value_text",
    "comment",
    "updated_at",
    "version",
    "measure__title",
    "measure__position",
    "measure__goal__position",
    "measure__goal__title",
)


def bench_data() -> tuple[ReportingPeriod, User]:
    """The open benchmark period and the first unit leader; seeded when missing."""
    if not _open_period():
        print("Benchmark data missing: running seed_bench (a minute or so) …", flush=True)
        call_command("seed_bench", units=300, measures=100, years=4)
    return _open_period(), User.objects.get(username=LEADER)


def _open_period() -> ReportingPeriod | None:
    department = bench_department()
    if department is None:
        return None
    return (
        ReportingPeriod.objects.filter(plan__owner=department, status="open")
        .select_related("plan")
        .order_by("year", "number")
        .first()
    )


@dataclass
class Timings:
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)


def timed(action, runs: int, prepare=lambda: None) -> Timings:
    """Milliseconds per run of `action(prepare())`, after a few runs to warm the caches.
    `prepare` runs outside the timing. CPU time is this process's alone: the database
    server's share of the work shows only in the wall time."""
    timings = Timings()
    for turn in range(WARMUP + runs):
        prepared = prepare()
        wall, cpu = time.perf_counter(), time.process_time()
        action(prepared)
        if turn >= WARMUP:
            timings.wall.append((time.perf_counter() - wall) * 1000)
            timings.cpu.append((time.process_time() - cpu) * 1000)
    return timings


def queries(action) -> int:
    with CaptureQueriesContext(connection) as captured:
        action()
    return len(captured)


class Save:
    """POST one row through htmx, alternating values so every save really writes."""

    def __init__(self, client: Client, row_id: int) -> None:
        self.client, self.row_id, self.turn = client, row_id, 0
        self.url = reverse("status_save", args=[row_id])

    def prepare(self) -> dict:
        """The form as the page would send it, from the row's current version."""
        self.turn += 1
        version = MeasureStatus.objects.values_list("version", flat=True).get(pk=self.row_id)
        prefix = f"s{self.row_id}"
        return {
            f"{prefix}-version": version,
            f"{prefix}-status": "on_track" if self.turn % 2 else "at_risk",
            f"{prefix}-progress": str(self.turn % 100),
            f"{prefix}-comment": f"Benchmark, lagring {self.turn}",
        }

    def __call__(self, data: dict) -> None:
        response = self.client.post(self.url, data, HTTP_HX_REQUEST="true")
        assert response.status_code == 200, response.status_code
        assert b"status-saved" in response.content, "the save did not go through"


def floor(period: ReportingPeriod, unit_id: int):
    return list(
        MeasureStatus.objects.filter(period=period, org_unit_id=unit_id)
        .order_by("measure__goal__position", "measure__position")
        .values(*FLOOR_FIELDS)
    )


def line(name: str, timings: Timings, count: int) -> str:
    wall = timings.wall
    p90 = statistics.quantiles(wall, n=10)[-1] if len(wall) > 1 else wall[0]
    return (
        f"{name:<32} {statistics.median(wall):>9.1f} {p90:>9.1f} "
        f"{statistics.median(timings.cpu):>9.1f} {count:>8}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="Timed runs of each (default 30).")
    runs = parser.parse_args().runs
    period, leader = bench_data()
    unit_id = leader.memberships.get().org_unit_id
    rows = MeasureStatus.objects.filter(period=period, org_unit_id=unit_id)
    settings.DEBUG = False  # as in production: no query log, no template debug data
    client = Client()
    client.force_login(leader)
    page_url = reverse("status_page", args=[period.pk]) + f"?unit={unit_id}"
    assert client.get(page_url).status_code == 200
    save = Save(client, rows.order_by("pk").values_list("pk", flat=True).first())
    # As qualityplan/wsgi.py does in a web worker: what loading made is frozen.
    gc.collect()
    gc.freeze()
    page = timed(lambda _: client.get(page_url), runs)
    saves = timed(save, runs, prepare=save.prepare)
    floor_times = timed(lambda _: floor(period, unit_id), runs)
    print(
        f"Status page bench on {connection.vendor}: period {period.number} {period.year} of "
        f"“{period.plan.title}” ({period.statuses.count()} rows), {LEADER} with "
        f"{rows.count()} rows, {runs} runs, DEBUG off"
    )
    print(f"{'':<32} {'median ms':>9} {'p90 ms':>9} {'cpu ms':>9} {'queries':>8}")
    page_queries = queries(lambda: client.get(page_url))
    print(line("My measures (GET status page)", page, page_queries))
    data = save.prepare()
    print(line("Row save (htmx POST)", saves, queries(lambda: save(data))))
    print(line("Floor: one query, same rows", floor_times, 1))
    ratio = statistics.median(page.wall) / statistics.median(floor_times.wall)
    print(f"Page / floor: {ratio:.1f}×   (aim: within 8× and under 40 ms)")


if __name__ == "__main__":
    main()
