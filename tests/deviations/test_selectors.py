from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from deviations import selectors
from deviations.models import Deviation
from measures.models import Indicator

from .factories import DeviationFactory, MeetingFactory, category

Status = Deviation.Status
YEAR = 2026


def at(month: int, day: int, hour: int = 12) -> datetime:
    return datetime(YEAR, month, day, hour, tzinfo=timezone.get_current_timezone())


def closed(unit, *, reported: datetime, days: float, **fields) -> Deviation:
    return DeviationFactory(
        org_unit=unit,
        created_at=reported,
        occurred_at=reported - timedelta(hours=1),
        status=Status.CLOSED,
        closed_at=reported + timedelta(days=days),
        cause="Årsak",
        corrective_action="Tiltak",
        **fields,
    )


def opened(unit, *, reported: datetime, due: date | None = None, **fields) -> Deviation:
    return DeviationFactory(
        org_unit=unit,
        created_at=reported,
        occurred_at=reported - timedelta(hours=1),
        status=Status.IN_TREATMENT if due else Status.REPORTED,
        due_date=due,
        **fields,
    )


# --- The list ---------------------------------------------------------------------------


def _visible(user) -> set[int]:
    return set(selectors.deviation_list_for_user(user=user).values_list("pk", flat=True))


def test_list_is_scoped_to_what_each_user_may_read(users, org):
    in_a = DeviationFactory(org_unit=org.unit_a, reporter=users.leader_a)
    in_section = DeviationFactory(org_unit=org.section_a, reporter=users.section_leader)
    in_b = DeviationFactory(org_unit=org.unit_b, reporter=users.leader_b)
    in_c = DeviationFactory(org_unit=org.unit_c)
    by_employee = DeviationFactory(org_unit=org.unit_a, reporter=users.employee)
    assert _visible(users.leader_a) == {in_a.pk, in_section.pk, by_employee.pk}
    assert _visible(users.section_leader) == {in_section.pk}
    assert _visible(users.leader_b) == {in_b.pk}
    assert _visible(users.area_leader) == {in_a.pk, in_section.pk, in_b.pk, by_employee.pk}
    assert _visible(users.director) == {in_a.pk, in_section.pk, in_b.pk, in_c.pk, by_employee.pk}
    assert _visible(users.quality_office) == _visible(users.director)
    assert _visible(users.employee) == {by_employee.pk}
    assert _visible(users.stranger) == set()


def test_reporter_reads_own_report_in_a_unit_they_cannot_otherwise_read(users, org):
    mine = DeviationFactory(org_unit=org.unit_c, reporter=users.leader_b)
    assert mine.pk in _visible(users.leader_b)


def test_list_rows_carry_risk_and_overdue(users, org):
    late = opened(org.unit_a, reported=timezone.now(), due=timezone.localdate() - timedelta(1))
    opened(org.unit_a, reported=timezone.now(), consequence=5, probability=5)
    rows = {row.pk: row for row in selectors.deviation_list_for_user(user=users.leader_a)}
    assert rows[late.pk].overdue is True
    assert [(row.risk_value, row.overdue) for pk, row in rows.items() if pk != late.pk] == [
        (25, False)
    ]


# --- Statistics --------------------------------------------------------------------------


@pytest.fixture
def year_of_deviations(org):
    fall, medicine = category("Fall"), category("Legemiddel")
    closed(org.unit_a, reported=at(1, 10), days=2, category=fall, consequence=1, probability=2)
    closed(org.unit_a, reported=at(2, 1), days=4, category=fall, consequence=3, probability=3)
    closed(org.unit_a, reported=at(3, 1), days=9, category=medicine, consequence=4, probability=4)
    closed(org.section_a, reported=at(2, 15), days=1, category=medicine)
    # Reported last year, closed this year: counts as closed, not as reported.
    closed(org.unit_a, reported=at(1, 1) - timedelta(days=20), days=30, category=fall)
    # Reported this year, closed next year: counts as reported only.
    closed(org.unit_b, reported=at(12, 20), days=30, category=fall)
    opened(org.unit_b, reported=at(6, 1), due=date(YEAR, 6, 30), category=medicine)
    opened(org.unit_b, reported=at(7, 1), category=fall)
    opened(org.unit_c, reported=at(8, 1), due=date(YEAR, 8, 30), category=fall)
    # Rejected: reported, never closed.
    DeviationFactory(
        org_unit=org.unit_a,
        created_at=at(4, 4),
        status=Status.REJECTED,
        rejection_reason="Dobbelt",
        closed_at=at(4, 5),
        category=fall,
    )


def _stats(user, **kwargs):
    return selectors.deviation_statistics(
        user=user, start=date(YEAR, 1, 1), end=date(YEAR, 12, 31), **kwargs
    )


def test_statistics_add_up(users, org, year_of_deviations, today_after_the_due_dates):
    stats = _stats(users.director)
    total = stats.total
    assert (total.reported, total.closed, total.open_overdue) == (9, 5, 2)
    # Days to close of the five closed in the year: 2, 4, 9, 1, 30 → median 4.
    assert total.median_days == 4.0
    by_unit = {row.label: row for row in stats.by_unit}
    assert set(by_unit) == {
        "Hjemmetjenesten Nord",
        "Hjemmetjenesten Nord / Nattpatruljen",
        "Hjemmetjenesten Sør",
        "Sykehjemmet",
    }
    nord = by_unit["Hjemmetjenesten Nord"]
    assert (nord.reported, nord.closed, nord.open_overdue, nord.median_days) == (4, 4, 0, 6.5)
    sor = by_unit["Hjemmetjenesten Sør"]
    assert (sor.reported, sor.closed, sor.open_overdue, sor.median_days) == (3, 0, 1, None)
    by_category = {row.label: (row.reported, row.closed) for row in stats.by_category}
    assert by_category == {"Fall": (6, 3), "Legemiddel": (3, 2)}
    by_risk = [(row.key, row.reported, row.closed) for row in stats.by_risk]
    assert by_risk == [("low", 1, 1), ("medium", 7, 3), ("high", 1, 1)]
    assert [row.reported for row in stats.by_month] == [1, 2, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1]
    assert sum(row.closed for row in stats.by_month) == 5


def test_statistics_are_scoped_and_filtered_by_unit(users, org, year_of_deviations):
    assert _stats(users.leader_b).total.reported == 3
    only_a = _stats(users.director, unit_ids=[org.unit_a.pk])
    assert only_a.total.reported == 5  # the unit and its section
    assert {row.label for row in only_a.by_unit} == {
        "Hjemmetjenesten Nord",
        "Hjemmetjenesten Nord / Nattpatruljen",
    }


def test_statistics_take_a_fixed_number_of_queries(
    users, org, year_of_deviations, django_assert_max_num_queries
):
    selectors.readable_units(user=users.director)  # the user's access, worked out once
    # Four grouped counts, two months' counts, two lookups of names, and on SQLite the
    # durations for the medians.
    with django_assert_max_num_queries(9):
        _stats(users.director)


@pytest.fixture
def today_after_the_due_dates():
    """The overdue counts compare with today; every due date above lies before today."""
    assert timezone.localdate() > date(YEAR, 8, 30)


# --- Indicator counts -------------------------------------------------------------------


def test_indicator_counts_include_units_below(org, year_of_deviations):
    counts = selectors.indicator_counts(
        source=Indicator.Source.DEVIATIONS_REPORTED,
        org_unit_ids=[org.unit_a.pk, org.section_a.pk, org.area.pk, org.department.pk],
        start=date(YEAR, 1, 1),
        end=date(YEAR, 12, 31),
    )
    assert counts == {org.unit_a.pk: 5, org.section_a.pk: 1, org.area.pk: 8, org.department.pk: 9}


def test_indicator_counts_closed_in_the_period(org, year_of_deviations):
    counts = selectors.indicator_counts(
        source=Indicator.Source.DEVIATIONS_CLOSED,
        org_unit_ids=[org.unit_a.pk, org.unit_b.pk],
        start=date(YEAR, 1, 1),
        end=date(YEAR, 3, 31),
    )
    # Closed in Q1: 11 Jan (reported last year), 12 Jan, 5 Feb, 16 Feb (section), 10 Mar.
    assert counts == {org.unit_a.pk: 5, org.unit_b.pk: 0}


def test_indicator_counts_meetings_held(org):
    MeetingFactory(org_unit=org.unit_a, held_on=date(YEAR, 3, 1))
    MeetingFactory(org_unit=org.section_a, held_on=date(YEAR, 9, 1))
    MeetingFactory(org_unit=org.unit_a, held_on=date(YEAR - 1, 12, 31))
    MeetingFactory(org_unit=org.unit_b, held_on=date(YEAR, 1, 1))
    counts = selectors.indicator_counts(
        source=Indicator.Source.MEETINGS_HELD,
        org_unit_ids=[org.unit_a.pk, org.area.pk, org.unit_c.pk],
        start=date(YEAR, 1, 1),
        end=date(YEAR, 12, 31),
    )
    assert counts == {org.unit_a.pk: 2, org.area.pk: 3, org.unit_c.pk: 0}


def test_indicator_period_edges_are_local_days(org):
    opened(org.unit_a, reported=at(1, 1, hour=0))
    opened(org.unit_a, reported=at(12, 31, hour=23))
    opened(org.unit_a, reported=at(1, 1, hour=0) - timedelta(minutes=1))
    counts = selectors.indicator_counts(
        source=Indicator.Source.DEVIATIONS_REPORTED,
        org_unit_ids=[org.unit_a.pk],
        start=date(YEAR, 1, 1),
        end=date(YEAR, 12, 31),
    )
    assert counts == {org.unit_a.pk: 2}


@pytest.mark.parametrize("unit_count", [1, 4])
def test_indicator_counts_take_two_queries_however_many_units(
    org, year_of_deviations, django_assert_num_queries, unit_count
):
    units = [org.unit_a, org.unit_b, org.area, org.department][:unit_count]
    with django_assert_num_queries(2):
        selectors.indicator_counts(
            source=Indicator.Source.DEVIATIONS_CLOSED,
            org_unit_ids=[unit.pk for unit in units],
            start=date(YEAR, 1, 1),
            end=date(YEAR, 12, 31),
        )


def test_unknown_indicator_source_is_an_error(org):
    with pytest.raises(ValueError):
        selectors.indicator_counts(
            source="manual", org_unit_ids=[org.unit_a.pk], start=date(YEAR, 1, 1), end=date.today()
        )
