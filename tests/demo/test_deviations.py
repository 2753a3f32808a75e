import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.utils import timezone

from demo.deviations import (
    bench_deviations_delete,
    bench_deviations_seed,
    bench_units,
    demo_deviations_load,
)
from demo.qualityplan import bench_delete, bench_seed, demo_load
from deviations.models import Deviation, DeviationEvent, QualityCouncilMeeting

Status = Deviation.Status


@pytest.fixture
def demo(db):
    demo_load()


def test_demo_years_of_deviations(demo):
    summary = demo_deviations_load()
    deviations = list(Deviation.objects.select_related("org_unit"))
    assert summary.deviations == len(deviations) >= 280
    statuses = Counter(row.status for row in deviations)
    assert statuses[Status.CLOSED] > len(deviations) / 2
    assert statuses[Status.IN_TREATMENT] >= 3
    assert 1 <= statuses[Status.REJECTED] <= 10
    assert (
        sum(
            1
            for row in deviations
            if row.is_open and row.due_date and row.due_date < timezone.localdate()
        )
        >= 2
    )
    assert len({row.category_id for row in deviations}) >= 6
    assert Deviation.objects.filter(measure__isnull=False).exists()
    # Every row would pass the model's own checks, identity numbers included.
    for row in deviations:
        row.full_clean()
    for year in (2025, 2026):
        numbers = sorted(row.number for row in deviations if row.year == year)
        assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) >= 140
    assert DeviationEvent.objects.filter(action="close").count() == statuses[Status.CLOSED]
    assert summary.meetings == QualityCouncilMeeting.objects.count() >= 40
    assert QualityCouncilMeeting.objects.filter(deviations__isnull=False).exists()


def test_demo_deviations_are_loaded_once(demo):
    demo_deviations_load()
    count = Deviation.objects.count()
    assert demo_deviations_load().skipped
    assert Deviation.objects.count() == count


def test_demo_without_the_demo_municipality_does_nothing(db):
    assert demo_deviations_load().skipped


def test_bench_deviations(db):
    bench_seed(units=5, measures=3, years=2)
    assert bench_deviations_seed(count=600) == 600
    assert bench_deviations_seed(count=600) == 0
    rows = Deviation.objects.filter(org_unit__in=bench_units())
    assert rows.count() == 600
    statuses = Counter(rows.values_list("status", flat=True))
    assert set(statuses) == set(Status.values)
    assert QualityCouncilMeeting.objects.count() >= 10

    bench_deviations_delete()
    bench_delete()
    assert not Deviation.objects.exists()


def test_seed_bench_adds_deviations_and_reset_removes_them_first(db):
    args = ["--units", "3", "--measures", "2", "--years", "1"]
    call_command("seed_bench", *args, "--deviations", "40", stdout=io.StringIO())
    assert Deviation.objects.count() == 40
    call_command("seed_bench", *args, "--reset", "--deviations", "25", stdout=io.StringIO())
    assert Deviation.objects.count() == 25


def test_load_demo_adds_the_deviations(db):
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert Deviation.objects.count() > 100
    assert "quality council meetings" in out.getvalue()
