from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from measures.models import MeasureStatus
from measures.periods import period_close, period_open
from measures.permissions import status_may_edit
from measures.selectors import status_history, status_with_details
from measures.statuses import (
    StatusConflict,
    measure_status_copy_previous,
    measure_status_update,
    statuses_copy_previous,
)


def _save(row, user, version=None, **changes):
    changes = {"status": "on_track", "progress": 40, **changes}
    return measure_status_update(
        row=row, user=user, version=row.version if version is None else version, **changes
    )


def test_saving_raises_the_version_and_records_who(reporting, users):
    row = _save(reporting.row_a, users.leader_a, value_number=Decimal("3"))
    assert (row.version, row.updated_by, row.status) == (2, users.leader_a, "on_track")
    assert row.reported_at is not None


def test_a_save_from_a_stale_page_is_a_conflict_showing_the_other_value(reporting, users):
    stale_version = reporting.row_a.version
    _save(reporting.row_a, users.leader_a, status="at_risk")
    with pytest.raises(StatusConflict) as conflict:
        _save(reporting.row_a, users.quality_office, version=stale_version, status="done")
    assert conflict.value.current.status == "at_risk"
    assert MeasureStatus.objects.get(pk=reporting.row_a.pk).status == "at_risk"


def test_a_double_submit_saves_once(reporting, users):
    version = reporting.row_a.version
    _save(reporting.row_a, users.leader_a, version=version, comment="Godt i gang")
    again = _save(reporting.row_a, users.leader_a, version=version, comment="Godt i gang")
    assert again.version == version + 1
    assert MeasureStatus.history.filter(id=reporting.row_a.pk).count() == 1


def test_progress_over_100_is_refused(reporting, users):
    with pytest.raises(ValidationError):
        _save(reporting.row_a, users.leader_a, progress=120)
    assert MeasureStatus.objects.get(pk=reporting.row_a.pk).version == 1


def test_history_keeps_old_and_new_values(reporting, users):
    row = _save(reporting.row_a, users.leader_a, status="on_track")
    _save(row, users.leader_a, status="delayed", comment="Sykefravær")
    with translation.override("en"):
        history = status_history(status_ids=[row.pk])[row.pk]
    newest = {change.label: (change.old, change.new) for change in history[0].changes}
    assert newest["status"] == ("On track", "Delayed")
    assert newest["comment"] == ("–", "Sykefravær")
    assert history[0].who == users.leader_a
    first = {change.label: (change.old, change.new) for change in history[1].changes}
    assert first["status"] == ("Not started", "On track")


def test_unit_leader_may_edit_own_unit_only_while_open(reporting, users):
    row_a = status_with_details(pk=reporting.row_a.pk)
    row_b = status_with_details(pk=reporting.row_b.pk)
    assert status_may_edit(user=users.leader_a, status=row_a)
    assert not status_may_edit(user=users.leader_a, status=row_b)
    period_close(period=reporting.period, user=None)
    row_a = status_with_details(pk=reporting.row_a.pk)
    assert not status_may_edit(user=users.leader_a, status=row_a)
    assert status_may_edit(user=users.quality_office, status=row_a)


@pytest.mark.parametrize("username", ["area_leader", "director", "employee", "section_leader"])
def test_others_may_not_edit_a_units_row(reporting, users, username):
    row = status_with_details(pk=reporting.row_a.pk)
    assert not status_may_edit(user=getattr(users, username), status=row)


def test_section_leader_edits_rows_given_to_their_section(org, users, plan):
    from tests.factories import GoalFactory, MeasureFactory

    measure = MeasureFactory(goal=GoalFactory(plan=plan), roles=["AL"])
    period, _ = period_open(plan=plan, year=2022, number=2, deadline=None, user=None)
    row = status_with_details(pk=period.statuses.get(measure=measure).pk)
    assert row.org_unit == org.section_a
    assert status_may_edit(user=users.section_leader, status=row)
    assert not status_may_edit(user=users.leader_a, status=row)


def test_copy_from_last_period(reporting, users, plan):
    _save(reporting.row_a, users.leader_a, status="continuous", progress=None, comment="Som før")
    period_close(period=reporting.period, user=None)
    period, _ = period_open(plan=plan, year=2022, number=2, deadline=None, user=None)
    row = period.statuses.get(measure=reporting.counted, org_unit=reporting.row_a.org_unit)
    copied = measure_status_copy_previous(status=row, user=users.leader_a, version=row.version)
    assert (copied.status, copied.comment) == ("continuous", "Som før")


def test_copy_for_the_page_fills_only_unreported_rows(reporting, users, plan):
    _save(reporting.row_a, users.leader_a, comment="Forrige")
    _save(reporting.plain_a, users.leader_a, comment="Forrige plan")
    period, _ = period_open(plan=plan, year=2022, number=2, deadline=None, user=None)
    rows = {
        row.measure_id: row for row in period.statuses.filter(org_unit=reporting.row_a.org_unit)
    }
    _save(rows[reporting.plain.pk], users.leader_a, comment="Allerede rapportert")
    rows = list(period.statuses.filter(org_unit=reporting.row_a.org_unit))
    assert statuses_copy_previous(statuses=rows, user=users.leader_a) == 1
    comments = dict(
        period.statuses.filter(org_unit=reporting.row_a.org_unit).values_list(
            "measure_id", "comment"
        )
    )
    assert comments == {reporting.counted.pk: "Forrige", reporting.plain.pk: "Allerede rapportert"}


def test_copy_without_an_earlier_report_says_so(reporting, users):
    with pytest.raises(ValidationError):
        measure_status_copy_previous(
            status=reporting.row_a, user=users.leader_a, version=reporting.row_a.version
        )
