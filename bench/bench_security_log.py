"""Bench: the security log at a year of events.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kvalitetsplan_dev \
        .venv/bin/python bench/bench_security_log.py [--events 200000] [--runs 20]

Gives the log `--events` events spread over the last year when it holds fewer
(bulk insert, marked "bench" in their detail), then times: writing one event (the
row and its JSON line, as a read of a deviation does on every opening), the
security page unfiltered, filtered by user, and filtered by kind and a week, and
the CSV download of one day. Prints median and 90th percentile in milliseconds
and each page's query count.
"""

import argparse
import logging
import os
import random
import statistics
import sys
import time
import warnings
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qualityplan.settings")
warnings.filterwarnings("ignore", message="No directory at")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from qualityplan.models import SecurityEvent  # noqa: E402
from qualityplan.security import security_event_record  # noqa: E402

KINDS = [kind for kind, _label in SecurityEvent.Kind.choices]


def _fill(events: int) -> None:
    have = SecurityEvent.objects.count()
    if have >= events:
        return
    users = list(User.objects.values_list("pk", "username")[:500]) or [(None, "someone")]
    now = timezone.now()
    rng = random.Random(9)
    batch = []
    for number in range(events - have):
        user_id, username = rng.choice(users)
        batch.append(
            SecurityEvent(
                at=now - timedelta(seconds=rng.randrange(365 * 24 * 3600)),
                kind=rng.choice(KINDS),
                user_id=user_id,
                username=username,
                ip_address=f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}",
                path=f"/deviations/{rng.randrange(1, 50000)}/",
                object_type="deviations.deviation",
                object_id=str(rng.randrange(1, 50000)),
                detail="bench",
            )
        )
        if len(batch) == 5000:
            SecurityEvent.objects.bulk_create(batch)
            batch = []
            print(f"  {have + number + 1} events", file=sys.stderr)
    SecurityEvent.objects.bulk_create(batch)


def _time(runs: int, action) -> tuple[float, float, int]:
    timings, queries = [], 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            action()
            timings.append((time.perf_counter() - start) * 1000)
        queries = len(captured)
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.9) - 1], queries


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["*"]
    logging.getLogger("kvalitetsplan.security").handlers = [logging.NullHandler()]
    _fill(args.events)
    office = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser(
        "bench-security", "bench@example.org", "bench-security-password"
    )
    client = Client()
    client.force_login(office)
    url = reverse("security_log")
    today = timezone.localdate()
    week = {"kind": "login_failed", "date_from": (today - timedelta(days=7)).isoformat()}
    day = {"date_from": today.isoformat(), "date_to": today.isoformat()}
    name = User.objects.exclude(pk=office.pk).values_list("username", flat=True).first() or "x"
    cases = [
        ("write one event", lambda: security_event_record(kind="deviation_read", user=office)),
        ("page, unfiltered", lambda: client.get(url)),
        ("page, one user", lambda: client.get(url, {"username": name})),
        ("page, failures this week", lambda: client.get(url, week)),
        ("CSV of today", lambda: client.get(reverse("security_csv"), day)),
    ]
    print(f"{SecurityEvent.objects.count()} events on {connection.vendor}")
    for label, action in cases:
        action()
        median, p90, queries = _time(args.runs, action)
        print(f"{label:28} median {median:7.1f} ms   p90 {p90:7.1f} ms   {queries} queries")
    SecurityEvent.objects.filter(kind="deviation_read", user=office).delete()


if __name__ == "__main__":
    main()
