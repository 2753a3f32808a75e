"""Running numbers under concurrent reports: the counter row is locked while a number is taken,
and the unique constraint on (year, number) stands behind it."""

import threading
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from deviations import services
from deviations.models import Deviation, DeviationCounter

from .factories import DeviationFactory, category

THREADS = 12
REPORTS_EACH = 5


def _report(user, unit) -> Deviation:
    deviation = Deviation(
        org_unit=unit,
        occurred_at=timezone.now() - timedelta(minutes=5),
        category=category(),
        description="Samtidig meldt avvik",
        consequence=2,
        probability=2,
    )
    return services.deviation_report(deviation=deviation, user=user)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_reports_never_share_a_number(users, org):
    category()  # made before the threads start, so they do not race to create it
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def worker():
        try:
            start.wait()
            for _ in range(REPORTS_EACH):
                _report(users.employee, org.unit_a)
        except BaseException as error:  # noqa: BLE001 -- reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    numbers = sorted(Deviation.objects.values_list("number", flat=True))
    assert numbers == list(range(1, THREADS * REPORTS_EACH + 1))
    year = timezone.localdate().year
    assert DeviationCounter.objects.get(year=year).last_number == THREADS * REPORTS_EACH


def test_numbers_follow_on_in_order(users, org):
    numbers = [_report(users.employee, org.unit_a).number for _ in range(3)]
    assert numbers == [1, 2, 3]


def test_a_new_year_starts_from_one(users, org):
    DeviationCounter.objects.create(year=timezone.localdate().year - 1, last_number=812)
    assert _report(users.employee, org.unit_a).number == 1


def test_duplicate_numbers_are_refused_by_the_database(org):
    DeviationFactory(org_unit=org.unit_a, year=2026, number=7)
    with pytest.raises(IntegrityError), transaction.atomic():
        DeviationFactory(org_unit=org.unit_a, year=2026, number=7)
