"""The dashboard's roll-ups are cached under the plan's data stamp, and every write to
the figures moves the stamp when it commits: the dashboard is never stale."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from deviations.indicators import counted_values_refresh
from deviations.models import Deviation
from measures.models import IndicatorTarget, MeasureStatus
from measures.periods import obligations_refresh, period_close
from measures.statuses import measure_status_update
from qualityplan.dataversion import plan_data_version
from qualityplan.models import OrgUnit
from qualityplan.municipality import municipality_settings
from qualityplan.services import position_move
from tests.deviations.factories import DeviationFactory
from tests.factories import IndicatorFactory, MeasureFactory, OrgUnitFactory
from tests.reporting.dashboard_data import build_plan, fill_reports, grow


@pytest.fixture
def data(org, users, plan):
    data = build_plan(org=org, users=users, plan=plan)
    fill_reports(data, org)
    return data


def _url(data, **extra) -> str:
    query = "&".join(f"{key}={value}" for key, value in {"year": 2022, **extra}.items())
    return reverse("dashboard_plan", args=[data.plan.pk]) + "?" + query


def _totals(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.context["rollup"].totals


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_a_saved_status_shows_on_the_dashboard_at_once(
    client, data, users, org, django_capture_on_commit_callbacks
):
    client.force_login(users.quality_office)
    url = _url(data)
    before = _totals(client, url)
    assert _totals(client, url).status_counts == before.status_counts  # from the cache
    page = client.get(url).content.decode()  # the figures' HTML, kept: not escaped again
    assert "<table" in page and "&lt;table" not in page and "Trygge tjenester" in page
    row = MeasureStatus.objects.get(period=data.t2, measure=data.plain, org_unit=org.unit_a)
    with django_capture_on_commit_callbacks(execute=True):
        measure_status_update(
            row=row, user=users.leader_a, version=row.version, status="done", progress=100
        )
    after = _totals(client, url)
    assert after.status_counts["done"] == before.status_counts["done"] + 1
    assert after.status_counts["at_risk"] == before.status_counts["at_risk"] - 1


def test_the_area_leader_sees_a_save_at_once(
    client, data, users, org, django_capture_on_commit_callbacks
):
    client.force_login(users.area_leader)
    url = _url(data)
    before = _totals(client, url)
    row = MeasureStatus.objects.get(period=data.t2, measure=data.summed, org_unit=org.unit_a)
    with django_capture_on_commit_callbacks(execute=True):
        measure_status_update(
            row=row, user=users.leader_a, version=row.version, status="delayed", progress=40
        )
    after = _totals(client, url)
    assert after.status_counts["delayed"] == before.status_counts["delayed"] + 1


def _stamp(data, unit_ids=None) -> str:
    """The stamp of the whole organisation's figures (or of `unit_ids`)."""
    if unit_ids is None:
        unit_ids = OrgUnit.objects.values_list("pk", flat=True)
    return plan_data_version(plan_id=data.plan.pk, unit_ids=unit_ids)


def test_a_write_that_does_not_commit_keeps_the_stamp(data):
    stamp = _stamp(data)
    # Inside the test's transaction, nothing commits: the stamp waits for the commit.
    IndicatorTarget.objects.create(indicator=data.indicators.yes_no, year=2022, value=1)
    assert _stamp(data) == stamp


def _moves(data, django_capture_on_commit_callbacks, write) -> bool:
    stamp = _stamp(data)
    with django_capture_on_commit_callbacks(execute=True):
        write()
    return _stamp(data) != stamp


def test_a_save_moves_the_stamp_of_its_units_scopes_only(
    client, data, users, org, django_capture_on_commit_callbacks
):
    """On the deadline day a save in one area leaves the other areas' dashboards cached;
    a save in the area shows there at once, and on the whole organisation's."""
    area, other_area = (
        sorted(OrgUnit.objects.filter(parent=org.area).values_list("pk", flat=True)),
        [org.unit_c.pk],
    )
    client.force_login(users.area_leader)
    url = _url(data)
    before = _totals(client, url)
    miss_hit = (_queries(client, url), _queries(client, url))
    stamps = (_stamp(data), _stamp(data, [org.area.pk, *area]), _stamp(data, other_area))

    row = MeasureStatus.objects.get(period=data.t2, measure=data.plain, org_unit=org.unit_c)
    with django_capture_on_commit_callbacks(execute=True):
        measure_status_update(row=row, user=None, version=row.version, status="done")
    assert _stamp(data, [org.area.pk, *area]) == stamps[1]
    assert _stamp(data) != stamps[0] and _stamp(data, other_area) != stamps[2]
    assert _queries(client, url) == miss_hit[1]  # still from the cache

    row = MeasureStatus.objects.get(period=data.t2, measure=data.plain, org_unit=org.unit_a)
    with django_capture_on_commit_callbacks(execute=True):
        measure_status_update(row=row, user=users.leader_a, version=row.version, status="done")
    after = _totals(client, url)
    assert after.status_counts["done"] == before.status_counts["done"] + 1


def test_every_kind_of_write_moves_the_stamp(
    data, org, users, plan, django_capture_on_commit_callbacks
):
    def moves(write):
        return _moves(data, django_capture_on_commit_callbacks, write)

    row = MeasureStatus.objects.get(period=data.t2, measure=data.plain, org_unit=org.unit_a)
    assert moves(
        lambda: measure_status_update(
            row=row, user=users.leader_a, version=row.version, comment="Ny rutine."
        )
    )
    target = data.indicators.summed.targets.get(year=2022)
    target.value = Decimal(12)
    assert moves(target.save)  # a target
    assert moves(lambda: MeasureFactory(goal=data.care, position=9, roles=["VL"]))  # structure
    assert moves(lambda: position_move(obj=data.care, direction="up", user=None))  # order
    assert moves(lambda: obligations_refresh(period=data.t2))  # new rows, in bulk
    assert moves(lambda: period_close(period=data.t1, user=None))  # a period closed
    unit = org.unit_c
    unit.name = "Nytt navn"
    assert moves(unit.save)  # a unit renamed
    assert moves(data.lower.delete)  # a measure deleted


def test_counted_indicator_refresh_moves_the_stamp(
    data, org, users, django_capture_on_commit_callbacks
):
    measure = MeasureFactory(goal=data.care, position=20, roles=["VL"])
    IndicatorFactory(
        measure=measure, name="Meldte avvik", kind="count", source="deviations_reported"
    )
    obligations_refresh(period=data.t2)
    MeasureStatus.objects.filter(period=data.t2, measure=measure).update(value_number=5)
    assert _moves(
        data, django_capture_on_commit_callbacks, lambda: counted_values_refresh(period=data.t2)
    )


def test_a_cache_hit_makes_fewer_queries_and_both_stay_fixed(client, data, users, org):
    client.force_login(users.quality_office)
    url = _url(data)
    # The municipality's settings are cached for every page; read them once first, so
    # that the first measured request counts only what the dashboard itself asks.
    municipality_settings()
    small = (_queries(client, url), _queries(client, url))
    grow(data, org, units=15, measures=20)
    other = OrgUnitFactory(name="Enda en", parent=org.area)  # a new unit: a new key
    assert other.pk
    large = (_queries(client, url), _queries(client, url))
    assert small == large
    miss, hit = small
    assert hit < miss <= 20, small


def _deviation_counts(client, data) -> tuple[int, int]:
    url = reverse("dashboard_deviations", args=[data.plan.pk]) + "?year=2022"
    response = client.get(url)
    assert response.status_code == 200
    total = response.context["stats"].total
    return total.reported, total.closed


def test_deviation_statistics_are_cached_and_a_new_or_closed_deviation_shows_at_once(
    client, data, users, org, django_capture_on_commit_callbacks
):
    when = datetime(2022, 3, 1, tzinfo=timezone.get_current_timezone())
    with django_capture_on_commit_callbacks(execute=True):
        first = DeviationFactory(year=2022, org_unit=org.unit_a, created_at=when)
    client.force_login(users.quality_office)
    url = reverse("dashboard_deviations", args=[data.plan.pk]) + "?year=2022"
    miss, hit = _queries(client, url), _queries(client, url)
    assert hit < miss  # the second view reads the figures from the cache
    assert _deviation_counts(client, data) == (1, 0)

    with django_capture_on_commit_callbacks(execute=True):
        DeviationFactory(year=2022, org_unit=org.unit_b, created_at=when)
    assert _deviation_counts(client, data) == (2, 0)

    with django_capture_on_commit_callbacks(execute=True):
        first.status, first.closed_at = Deviation.Status.CLOSED, when + timedelta(days=3)
        first.save()
    assert _deviation_counts(client, data) == (2, 1)


def test_deviation_statistics_are_cached_per_reader(
    client, data, users, org, django_capture_on_commit_callbacks
):
    """Two people with different reach never share an entry: the area leader does not
    see the other area's deviation, whoever looked first."""
    when = datetime(2022, 3, 1, tzinfo=timezone.get_current_timezone())
    with django_capture_on_commit_callbacks(execute=True):
        DeviationFactory(year=2022, org_unit=org.unit_a, created_at=when)
        DeviationFactory(year=2022, org_unit=org.unit_c, created_at=when)
    client.force_login(users.quality_office)
    assert _deviation_counts(client, data) == (2, 0)
    client.force_login(users.area_leader)
    assert _deviation_counts(client, data) == (1, 0)
