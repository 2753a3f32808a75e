"""Imported and statistical values are shown with their source and are not typed over:
a change is a correction with a reason, kept in history."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from measures.forms import StatusRowForm
from measures.models import Indicator, MeasureStatus
from measures.selectors import status_history, status_with_details
from measures.statuses import StatusConflict, measure_status_correct_value


@pytest.fixture
def imported(reporting):
    indicator = reporting.counted.indicators.get()
    indicator.source = Indicator.Source.IMPORTED
    indicator.save()
    row = reporting.row_a
    MeasureStatus.objects.filter(pk=row.pk).update(value_number=Decimal(14), version=2)
    return status_with_details(pk=row.pk)


def test_status_row_form_has_no_value_input_for_an_imported_indicator(imported):
    form = StatusRowForm(row=imported)
    assert "value" not in form.fields and form.value_is_outside


def test_status_page_shows_the_source_and_a_correction_link(client, users, imported):
    client.force_login(users.leader_a)
    response = client.get(reverse("status_page", args=[imported.period_id]))
    page = response.content.decode()
    assert "imported from a file" in page
    assert reverse("status_correct", args=[imported.pk]) in page


def test_saving_the_row_does_not_change_an_imported_value(client, users, imported):
    client.force_login(users.leader_a)
    prefix = f"s{imported.pk}"
    client.post(
        reverse("status_save", args=[imported.pk]),
        {f"{prefix}-version": 2, f"{prefix}-status": "on_track", f"{prefix}-value": "99"},
    )
    imported.refresh_from_db()
    assert imported.status == "on_track" and imported.value_number == 14


def test_correction_keeps_who_when_and_why(client, users, imported):
    client.force_login(users.leader_a)
    url = reverse("status_correct", args=[imported.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"version": 2, "value": "12", "reason": "Two double entries"})
    assert response.status_code == 302
    imported.refresh_from_db()
    assert imported.value_number == 12 and imported.version == 3
    entry = status_history(status_ids=[imported.pk])[imported.pk][0]
    assert entry.who == users.leader_a and entry.reason == "Two double entries"


def test_correction_needs_a_reason(client, users, imported):
    client.force_login(users.leader_a)
    url = reverse("status_correct", args=[imported.pk])
    response = client.post(url, {"version": 2, "value": "12", "reason": ""})
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    imported.refresh_from_db()
    assert imported.value_number == 14


def test_outsider_does_not_see_and_reader_cannot_correct(client, users, imported):
    url = reverse("status_correct", args=[imported.pk])
    client.force_login(users.leader_b)
    assert client.post(url, {"version": 2, "value": "1", "reason": "x"}).status_code == 404
    client.force_login(users.area_leader)
    assert client.post(url, {"version": 2, "value": "1", "reason": "x"}).status_code == 403


def test_a_manual_indicator_has_no_correction_page(client, users, reporting):
    client.force_login(users.leader_a)
    url = reverse("status_correct", args=[reporting.plain_a.pk])
    assert client.get(url).status_code == 404


def test_correction_from_a_stale_version_is_a_conflict(users, imported):
    with pytest.raises(StatusConflict):
        measure_status_correct_value(
            row=imported, user=users.leader_a, version=1, reason="x", value_number=Decimal(3)
        )
    with pytest.raises(ValidationError, match="same as the value"):
        measure_status_correct_value(
            row=imported, user=users.leader_a, version=2, reason="x", value_number=Decimal(14)
        )


def test_statistics_source_allows_a_percentage(reporting):
    indicator = reporting.counted.indicators.get()
    indicator.kind, indicator.source = "percentage", Indicator.Source.STATISTICS
    indicator.full_clean()
    indicator.save()
