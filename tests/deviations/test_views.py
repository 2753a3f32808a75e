import csv
import io
from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from deviations.models import Deviation, QualityCouncilMeeting
from tests.qualityplan.test_validators import VALID_NO

from .factories import DeviationFactory, MeetingFactory, category

Status = Deviation.Status
IN_A_WEEK = timezone.localdate() + timedelta(days=7)


def report_data(org, **fields) -> dict:
    happened = timezone.localtime() - timedelta(hours=1)
    return {
        "org_unit": org.unit_a.pk,
        "occurred_at": happened.strftime("%Y-%m-%dT%H:%M"),
        "kind": "incident",
        "category": category().pk,
        "description": "Beboer falt i gangen på vei til toalettet.",
        "immediate_action": "Sjekket for skader, tilkalte sykepleier.",
        "consequence": "3",
        "probability": "4",
        **fields,
    }


@pytest.fixture
def deviation(org, users):
    return DeviationFactory(org_unit=org.unit_a, reporter=users.employee)


# --- Reporting ---------------------------------------------------------------------------


def test_login_is_required(client, org):
    response = client.get(reverse("deviation_create"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_report_form_preselects_the_employees_unit(client, users, org):
    client.force_login(users.employee)
    response = client.get(reverse("deviation_create"))
    assert response.status_code == 200
    assert f'<option value="{org.unit_a.pk}" selected>' in response.text
    assert 'aria-live="polite"' in response.text


def test_section_leader_gets_the_section_preselected(client, users, org):
    client.force_login(users.section_leader)
    response = client.get(reverse("deviation_create"))
    assert f'<option value="{org.section_a.pk}" selected>' in response.text


def test_report_leads_to_a_receipt_with_the_number(
    client, users, org, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(users.employee)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("deviation_create"), report_data(org))
    deviation = Deviation.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("deviation_receipt", args=[deviation.pk])
    assert deviation.kind == Deviation.Kind.INCIDENT
    assert (deviation.consequence, deviation.probability) == (3, 4)
    receipt = client.get(response.url)
    assert deviation.reference in receipt.text
    assert "12 (high)" in receipt.text
    assert len(mailoutbox) == 1


def test_refused_report_keeps_what_was_typed_and_says_why(client, users, org):
    client.force_login(users.employee)
    typed = f"Feil medisin gitt til beboer {VALID_NO} på rom 3."
    data = report_data(org, description=typed, probability="")
    response = client.post(reverse("deviation_create"), data)
    assert response.status_code == 200
    assert not Deviation.objects.exists()
    assert "identity number" in response.text
    assert typed in response.text
    assert 'name="consequence" value="3" id="id_consequence_2" checked' in response.text
    assert 'id="id_probability_error"' in response.text
    assert "ds-error-summary" in response.text


def test_report_in_the_future_or_without_category_is_refused(client, users, org):
    client.force_login(users.employee)
    later = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("deviation_create"), report_data(org, occurred_at=later, category="")
    )
    assert response.status_code == 200
    assert 'id="id_occurred_at_error"' in response.text
    assert 'id="id_category_error"' in response.text
    assert not Deviation.objects.exists()


def test_risk_is_shown_without_javascript_after_a_refused_post(client, users, org):
    client.force_login(users.employee)
    response = client.post(reverse("deviation_create"), report_data(org, description=""))
    assert "Risk: 12 (high)" in response.text


def test_employee_cannot_report_for_another_unit(client, users, org):
    client.force_login(users.employee)
    response = client.post(reverse("deviation_create"), report_data(org, org_unit=org.unit_b.pk))
    assert response.status_code == 200
    assert 'id="id_org_unit_error"' in response.text
    assert not Deviation.objects.exists()


def test_person_without_a_unit_is_told_what_to_do(client, users):
    client.force_login(users.stranger)
    response = client.get(reverse("deviation_create"))
    assert "not registered in any unit" in response.text
    assert '<form method="post" class="stack"' not in response.text


# --- Reading and acting ---------------------------------------------------------------


@pytest.mark.parametrize("username", ["employee", "leader_a", "area_leader", "director"])
def test_reporter_and_readers_see_the_deviation(client, users, deviation, username):
    client.force_login(getattr(users, username))
    response = client.get(reverse("deviation_detail", args=[deviation.pk]))
    assert response.status_code == 200
    assert deviation.reference in response.text


@pytest.mark.parametrize("username", ["leader_b", "section_leader", "stranger"])
def test_outsiders_get_404(client, users, deviation, username):
    client.force_login(getattr(users, username))
    assert client.get(reverse("deviation_detail", args=[deviation.pk])).status_code == 404
    assert client.get(reverse("deviation_receipt", args=[deviation.pk])).status_code == 404
    response = client.post(reverse("deviation_reject", args=[deviation.pk]), {})
    assert response.status_code == 404


def test_missing_deviation_is_404(client, users):
    client.force_login(users.leader_a)
    assert client.get(reverse("deviation_detail", args=[999999])).status_code == 404


def test_readers_see_no_action_forms(client, users, deviation):
    client.force_login(users.area_leader)
    response = client.get(reverse("deviation_detail", args=[deviation.pk]))
    assert reverse("deviation_start_treatment", args=[deviation.pk]) not in response.text


@pytest.mark.parametrize("username", ["employee", "area_leader", "director"])
def test_readers_who_do_not_handle_get_403(client, users, deviation, username):
    client.force_login(getattr(users, username))
    url = reverse("deviation_start_treatment", args=[deviation.pk])
    data = {"start_treatment-handler": users.leader_a.pk, "start_treatment-due_date": IN_A_WEEK}
    assert client.post(url, data).status_code == 403
    assert Deviation.objects.get().status == Status.REPORTED


@pytest.mark.parametrize(
    "name", ["deviation_start_treatment", "deviation_close", "deviation_reject", "deviation_reopen"]
)
def test_get_on_an_action_is_405(client, users, deviation, name):
    client.force_login(users.leader_a)
    assert client.get(reverse(name, args=[deviation.pk])).status_code == 405


def test_post_on_the_list_is_405(client, users):
    client.force_login(users.leader_a)
    assert client.post(reverse("deviation_list")).status_code == 405


def test_leader_follows_up_to_closure(client, users, deviation):
    client.force_login(users.leader_a)
    detail = client.get(reverse("deviation_detail", args=[deviation.pk]))
    assert reverse("deviation_start_treatment", args=[deviation.pk]) in detail.text
    response = client.post(
        reverse("deviation_start_treatment", args=[deviation.pk]),
        {
            "start_treatment-handler": users.leader_a.pk,
            "start_treatment-due_date": IN_A_WEEK.isoformat(),
            "start_treatment-note": "",
        },
    )
    assert response.status_code == 302
    response = client.post(
        reverse("deviation_close", args=[deviation.pk]),
        {
            "close-cause": "Glatt gulv",
            "close-corrective_action": "Skilting ved vask",
            "close-closing_note": "",
        },
    )
    assert response.status_code == 302
    deviation.refresh_from_db()
    assert deviation.status == Status.CLOSED
    page = client.get(reverse("deviation_detail", args=[deviation.pk]))
    assert "Glatt gulv" in page.text
    assert reverse("deviation_reopen", args=[deviation.pk]) in page.text


def test_invalid_action_keeps_typed_values_at_the_field(client, users, deviation):
    deviation.status, deviation.handler, deviation.due_date = (
        Status.IN_TREATMENT,
        users.leader_a,
        IN_A_WEEK,
    )
    deviation.save()
    client.force_login(users.leader_a)
    typed = f"Journal til {VALID_NO} ble åpnet ved en feil"
    response = client.post(
        reverse("deviation_close", args=[deviation.pk]),
        {"close-cause": typed, "close-corrective_action": "", "close-closing_note": "Notat"},
    )
    assert response.status_code == 200
    assert typed in response.text
    assert 'id="id_close-cause_error"' in response.text
    assert 'id="id_close-corrective_action_error"' in response.text
    deviation.refresh_from_db()
    assert deviation.status == Status.IN_TREATMENT


def test_step_that_is_no_longer_allowed_says_why(client, users, deviation):
    client.force_login(users.leader_a)
    response = client.post(
        reverse("deviation_close", args=[deviation.pk]),
        {"close-cause": "x", "close-corrective_action": "y"},
    )
    assert response.status_code == 200
    assert "cannot be closed" in response.text


def test_reject_without_a_reason_shows_the_message(client, users, deviation):
    client.force_login(users.leader_a)
    response = client.post(reverse("deviation_reject", args=[deviation.pk]), {})
    assert response.status_code == 200
    assert 'id="id_reject-rejection_reason_error"' in response.text


def test_detail_page_takes_a_fixed_number_of_queries(
    client, users, deviation, django_assert_max_num_queries
):
    client.force_login(users.leader_a)
    with django_assert_max_num_queries(22):
        assert client.get(reverse("deviation_detail", args=[deviation.pk])).status_code == 200


# --- The list, its filters and exports ----------------------------------------------


@pytest.fixture
def mixed(org, users):
    now = timezone.now()
    return {
        "late": DeviationFactory(
            org_unit=org.unit_a,
            status=Status.IN_TREATMENT,
            handler=users.leader_a,
            due_date=timezone.localdate() - timedelta(days=3),
            consequence=5,
            probability=4,
        ),
        "section": DeviationFactory(org_unit=org.section_a, category=category("Legemiddel")),
        "old": DeviationFactory(org_unit=org.unit_a, created_at=now - timedelta(days=400)),
        "closed": DeviationFactory(
            org_unit=org.unit_a,
            status=Status.CLOSED,
            closed_at=now,
            cause="=SUM(A1:A9)",
            corrective_action="y",
            consequence=1,
            probability=1,
        ),
        "other_unit": DeviationFactory(org_unit=org.unit_b),
    }


def _listed(response) -> set[str]:
    return {row.record.reference for row in response.context["table"].page.object_list}


@pytest.mark.parametrize(
    "query, expected",
    [
        ({}, {"late", "section", "old", "closed"}),
        ({"status": "in_treatment"}, {"late"}),
        ({"overdue": "on"}, {"late"}),
        ({"risk": "high"}, {"late"}),
        ({"risk": "low"}, {"closed"}),
        ({"category": "Legemiddel"}, {"section"}),
        ({"unit": "section_a"}, {"section"}),
        ({"unit": "unit_a"}, {"late", "section", "old", "closed"}),
        ({"reported_from": "recent"}, {"late", "section", "closed"}),
        ({"reported_to": "long_ago"}, {"old"}),
    ],
)
def test_list_filters(client, users, org, mixed, query, expected):
    resolved = dict(query)
    if "category" in resolved:
        resolved["category"] = category(resolved["category"]).pk
    if "unit" in resolved:
        resolved["unit"] = getattr(org, resolved["unit"]).pk
    if resolved.get("reported_from") == "recent":
        resolved["reported_from"] = (timezone.localdate() - timedelta(days=30)).isoformat()
    if resolved.get("reported_to") == "long_ago":
        resolved["reported_to"] = (timezone.localdate() - timedelta(days=300)).isoformat()
    client.force_login(users.leader_a)
    response = client.get(reverse("deviation_list"), resolved)
    assert response.status_code == 200
    assert _listed(response) == {mixed[name].reference for name in expected}


def test_invalid_filter_is_shown_and_kept(client, users, mixed):
    client.force_login(users.leader_a)
    response = client.get(reverse("deviation_list"), {"reported_from": "not a date"})
    assert response.status_code == 200
    assert 'value="not a date"' in response.text
    assert 'id="id_reported_from_error"' in response.text


def test_employee_lists_only_own_reports(client, users, mixed, deviation):
    client.force_login(users.employee)
    response = client.get(reverse("deviation_list"))
    assert _listed(response) == {deviation.reference}
    assert "My reports" in response.text


def test_list_marks_the_main_menu(client, users, mixed):
    client.force_login(users.leader_a)
    response = client.get(reverse("deviation_list"))
    assert f'href="{reverse("deviation_list")}" aria-current="page"' in response.text


@pytest.mark.parametrize("rows", [3, 60])
def test_list_query_count_does_not_grow_with_rows(
    client, users, org, rows, django_assert_max_num_queries
):
    DeviationFactory.create_batch(
        rows, org_unit=org.unit_a, handler=users.leader_a, reporter=users.employee
    )
    client.force_login(users.leader_a)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("deviation_list"), {"status": "reported"})
    assert len(response.context["table"].page.object_list) == min(rows, 50)


def test_csv_export_has_the_filtered_rows(client, users, mixed):
    client.force_login(users.leader_a)
    response = client.get(reverse("deviation_export_csv"), {"status": "closed"})
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:3] == ["Number", "Reported", "When it happened"]
    assert [row[0] for row in rows[1:]] == [mixed["closed"].reference]
    # A cell that a spreadsheet would run as a formula is kept as text.
    assert rows[1][rows[0].index("Cause")] == "'=SUM(A1:A9)"


def test_xlsx_export_has_real_dates(client, users, mixed):
    client.force_login(users.leader_a)
    response = client.get(reverse("deviation_export_xlsx"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert len(rows) == 5
    assert {row[0] for row in rows[1:]} == {
        mixed[name].reference for name in ("late", "section", "old", "closed")
    }
    reported = header.index("Reported")
    assert all(isinstance(row[reported], datetime | date) for row in rows[1:])
    late = next(row for row in rows if row[0] == mixed["late"].reference)
    assert late[header.index("Risk")] == 20
    assert late[header.index("Due date")].date() == mixed["late"].due_date
    closed = next(row for row in rows if row[0] == mixed["closed"].reference)
    assert closed[header.index("Cause")] == "=SUM(A1:A9)"


def test_outsider_export_has_none_of_unit_a(client, users, mixed):
    client.force_login(users.leader_b)
    text = b"".join(client.get(reverse("deviation_export_csv")).streaming_content).decode()
    assert mixed["late"].reference not in text
    assert mixed["other_unit"].reference in text


# --- Statistics ----------------------------------------------------------------------------


def test_statistics_page(client, users, mixed):
    client.force_login(users.leader_a)
    response = client.get(reverse("deviation_statistics"))
    assert response.status_code == 200
    assert response.context["stats"].total.reported == 3


def test_statistics_bad_period_is_refused_at_the_field(client, users, mixed):
    client.force_login(users.leader_a)
    response = client.get(
        reverse("deviation_statistics"), {"start": "2026-05-01", "end": "2026-01-01"}
    )
    assert response.status_code == 200
    assert response.context["stats"] is None
    assert 'id="id_end_error"' in response.text
    assert 'value="2026-05-01"' in response.text


def test_employee_gets_no_statistics(client, users):
    client.force_login(users.employee)
    assert client.get(reverse("deviation_statistics")).status_code == 403


@pytest.mark.parametrize("rows", [2, 40])
def test_statistics_query_count_is_fixed(client, users, org, rows, django_assert_max_num_queries):
    DeviationFactory.create_batch(rows, org_unit=org.unit_a)
    client.force_login(users.director)
    with django_assert_max_num_queries(14):
        client.get(reverse("deviation_statistics"))


# --- Quality council meetings -------------------------------------------------------------


def test_leader_records_a_meeting(client, users, org, deviation):
    client.force_login(users.leader_a)
    form = client.get(reverse("meeting_create"))
    assert deviation.reference in form.text
    response = client.post(
        reverse("meeting_create") + f"?unit={org.unit_a.pk}",
        {
            "held_on": timezone.localdate().isoformat(),
            "attendees": "VL, fagsykepleier, verneombud",
            "minutes": "Gikk gjennom fallene.",
            "deviations": [deviation.pk],
        },
    )
    meeting = QualityCouncilMeeting.objects.get()
    assert response.status_code == 302
    assert list(meeting.deviations.all()) == [deviation]
    detail = client.get(reverse("meeting_detail", args=[meeting.pk]))
    assert deviation.reference in detail.text
    page = client.get(reverse("deviation_detail", args=[deviation.pk]))
    assert reverse("meeting_detail", args=[meeting.pk]) in page.text


def test_quality_office_chooses_the_unit_first(client, users, org):
    client.force_login(users.quality_office)
    response = client.get(reverse("meeting_create"))
    assert response.status_code == 200
    assert 'name="unit"' in response.text
    assert client.get(reverse("meeting_create"), {"unit": org.unit_b.pk}).status_code == 200


def test_invalid_meeting_keeps_what_was_typed(client, users, org):
    client.force_login(users.leader_a)
    response = client.post(
        reverse("meeting_create"),
        {"held_on": IN_A_WEEK.isoformat(), "attendees": "", "minutes": "Referat skrevet her"},
    )
    assert response.status_code == 200
    assert "Referat skrevet her" in response.text
    assert 'id="id_held_on_error"' in response.text
    assert 'id="id_attendees_error"' in response.text
    assert not QualityCouncilMeeting.objects.exists()


@pytest.mark.parametrize("username", ["employee", "stranger"])
def test_employee_may_not_record_meetings(client, users, username):
    client.force_login(getattr(users, username))
    assert client.get(reverse("meeting_create")).status_code == 403


def test_outsider_gets_404_on_a_meeting_and_reader_403_on_edit(client, users, org):
    meeting = MeetingFactory(org_unit=org.unit_a)
    client.force_login(users.leader_b)
    assert client.get(reverse("meeting_detail", args=[meeting.pk])).status_code == 404
    client.force_login(users.area_leader)
    assert client.get(reverse("meeting_detail", args=[meeting.pk])).status_code == 200
    assert client.post(reverse("meeting_edit", args=[meeting.pk]), {}).status_code == 403


def test_meeting_list_shows_readable_meetings(client, users, org):
    mine = MeetingFactory(org_unit=org.unit_a)
    MeetingFactory(org_unit=org.unit_b)
    client.force_login(users.leader_a)
    response = client.get(reverse("meeting_list"))
    assert [row.record for row in response.context["table"].page.object_list] == [mine]


def test_leader_edits_a_meeting(client, users, org):
    meeting = MeetingFactory(org_unit=org.unit_a)
    client.force_login(users.leader_a)
    response = client.post(
        reverse("meeting_edit", args=[meeting.pk]),
        {"held_on": meeting.held_on.isoformat(), "attendees": "Alle", "minutes": "Nytt referat"},
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.minutes == "Nytt referat"


def test_admin_refuses_an_identity_number_too(client, deviation, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "pw")
    client.force_login(admin)
    url = reverse("admin:deviations_deviation_change", args=[deviation.pk])
    page = client.get(url)
    assert page.status_code == 200
    data = {
        "org_unit": deviation.org_unit_id,
        "reporter": deviation.reporter_id,
        "occurred_at_0": timezone.localtime(deviation.occurred_at).strftime("%Y-%m-%d"),
        "occurred_at_1": timezone.localtime(deviation.occurred_at).strftime("%H:%M:%S"),
        "category": deviation.category_id,
        "kind": deviation.kind,
        "description": f"Gjelder {VALID_NO}",
        "consequence": 3,
        "probability": 2,
        "status": deviation.status,
        "events-TOTAL_FORMS": 0,
        "events-INITIAL_FORMS": 0,
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "identity number" in response.text
    deviation.refresh_from_db()
    assert VALID_NO not in deviation.description


def test_xlsx_export_fits_columns_wraps_long_text_and_filters_the_header(client, users, mixed):
    """Defect 4: no filter, every column the default width, long text on one line."""
    mixed["late"].description = "Beboer falt i badet. " * 10
    mixed["late"].save()
    client.force_login(users.leader_a)
    sheet = load_workbook(io.BytesIO(client.get(reverse("deviation_export_xlsx")).content)).active
    header = [cell.value for cell in sheet[1]]
    what = header.index("What happened") + 1
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:U{sheet.max_row}"
    assert sheet.cell(1, what).column_letter in sheet.column_dimensions
    assert sheet.column_dimensions[sheet.cell(1, what).column_letter].width == 60
    long_cells = [row[what - 1] for row in sheet.iter_rows(min_row=2) if row[what - 1].value]
    assert any(cell.alignment.wrap_text for cell in long_cells)


def test_the_handler_select_offers_people_only(client, users, deviation):
    """Defect 8: the handler select began with an empty "---------" choice."""
    client.force_login(users.leader_a)
    detail = client.get(reverse("deviation_detail", args=[deviation.pk]))
    assert 'name="start_treatment-handler"' in detail.text
    assert "---------" not in detail.text
