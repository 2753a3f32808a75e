"""The security log: what is recorded, the office's page, the downloads, the purge and
the JSON lines for the log collector."""

import io
import json
import logging
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from qualityplan.logformat import JsonFormatter
from qualityplan.models import SecurityEvent
from qualityplan.security import client_ip, security_event_record, security_events_purge
from qualityplan.tasks import purge_security_events
from tests.deviations.factories import DeviationFactory

Kind = SecurityEvent.Kind
PASSWORD = "correct horse battery staple"


def kinds() -> list[str]:
    return list(SecurityEvent.objects.order_by("pk").values_list("kind", flat=True))


def login(client, username, password=PASSWORD, address="10.0.0.5"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


# --- What is recorded ---------------------------------------------------------------------


def test_login_logout_and_a_failed_login_are_recorded_with_name_and_address(client, users):
    assert login(client, "leader_a", "wrong password").status_code == 200
    assert login(client, "leader_a").status_code == 302
    client.post(reverse("logout"), REMOTE_ADDR="10.0.0.5")
    failed, ok, out = SecurityEvent.objects.order_by("pk")
    assert (failed.kind, failed.username, failed.user, failed.ip_address) == (
        Kind.LOGIN_FAILED,
        "leader_a",
        None,
        "10.0.0.5",
    )
    assert (ok.kind, ok.user, ok.ip_address) == (Kind.LOGIN, users.leader_a, "10.0.0.5")
    assert (out.kind, out.user) == (Kind.LOGOUT, users.leader_a)


def test_a_typed_identity_number_as_username_is_masked(client, db):
    login(client, "14038512324", "whatever")
    assert SecurityEvent.objects.get().username == "*" * 11


def test_a_deliberate_404_outside_the_persons_units_is_recorded(client, users, org):
    deviation = DeviationFactory(org_unit=org.unit_a)
    client.force_login(users.leader_b)
    url = reverse("deviation_detail", args=[deviation.pk])
    assert client.get(url, REMOTE_ADDR="10.1.1.1").status_code == 404
    event = SecurityEvent.objects.get(kind=Kind.ACCESS_REFUSED)
    assert (event.kind, event.user, event.ip_address, event.path) == (
        Kind.ACCESS_REFUSED,
        users.leader_b,
        "10.1.1.1",
        url,
    )
    assert event.detail == "404: The deviation is outside the units the person may read."


def test_a_403_is_recorded_with_why(client, users, org):
    deviation = DeviationFactory(org_unit=org.unit_a)
    client.force_login(users.area_leader)
    response = client.post(reverse("deviation_start_treatment", args=[deviation.pk]), {})
    assert response.status_code == 403
    event = SecurityEvent.objects.get(kind=Kind.ACCESS_REFUSED)
    assert event.user == users.area_leader
    assert event.detail.startswith("403: ")


def test_every_read_of_a_deviation_is_recorded(client, users, org):
    deviation = DeviationFactory(org_unit=org.unit_a)
    client.force_login(users.leader_a)
    url = reverse("deviation_detail", args=[deviation.pk])
    client.get(url)
    client.get(url)
    reads = SecurityEvent.objects.filter(kind=Kind.DEVIATION_READ)
    assert reads.count() == 2
    read = reads.first()
    assert (read.user, read.object_type, read.object_id) == (
        users.leader_a,
        "deviations.deviation",
        str(deviation.pk),
    )


def test_an_export_is_recorded_with_its_file_name(client, users, org):
    DeviationFactory(org_unit=org.unit_a)
    client.force_login(users.quality_office)
    response = client.get(reverse("deviation_export_csv"))
    assert response.status_code == 200
    event = SecurityEvent.objects.get(kind=Kind.EXPORT)
    assert event.user == users.quality_office
    assert event.detail.endswith(".csv")


def test_an_anonymous_404_is_not_a_refusal(client, db):
    assert client.get("/no/such/page/").status_code == 404
    assert not SecurityEvent.objects.exists()


def test_the_address_behind_a_trusted_proxy(rf, settings):
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 5.6.7.8")
    assert client_ip(request) == "10.0.0.1"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "5.6.7.8"
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request) == "1.2.3.4"


# --- The JSON lines -----------------------------------------------------------------------


def test_each_event_is_one_json_line_on_the_security_logger(users, caplog):
    with caplog.at_level(logging.INFO, logger="kvalitetsplan.security"):
        security_event_record(kind=Kind.EXPORT, user=users.leader_a, detail="x.csv")
    (record,) = [r for r in caplog.records if r.name == "kvalitetsplan.security"]
    line = JsonFormatter().format(record)
    assert "\n" not in line
    data = json.loads(line)
    assert (data["kind"], data["username"], data["detail"], data["logger"]) == (
        "export",
        "leader_a",
        "x.csv",
        "kvalitetsplan.security",
    )
    assert data["user_id"] == users.leader_a.pk and data["at"]


def test_settings_send_the_security_logger_through_the_json_formatter(settings):
    logger = settings.LOGGING["loggers"]["kvalitetsplan.security"]
    handler = settings.LOGGING["handlers"][logger["handlers"][0]]
    assert settings.LOGGING["formatters"][handler["formatter"]]["()"].endswith("JsonFormatter")


# --- Retention --------------------------------------------------------------------------------


def test_the_purge_keeps_the_retention_time_and_runs_at_night(users, settings, db):
    settings.SECURITY_LOG_RETENTION_DAYS = 30
    old = security_event_record(kind=Kind.LOGIN, user=users.leader_a)
    SecurityEvent.objects.filter(pk=old.pk).update(at=timezone.now() - timedelta(days=31))
    kept = security_event_record(kind=Kind.LOGIN, user=users.leader_a)
    assert purge_security_events() == 1
    assert list(SecurityEvent.objects.all()) == [kept]
    assert security_events_purge() == 0
    schedule = settings.CELERY_BEAT_SCHEDULE["purge-security-events"]
    assert schedule["task"] == "qualityplan.tasks.purge_security_events"


# --- The security page ------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["leader_a", "area_leader", "director", "employee"])
def test_only_the_office_and_the_administrator_see_the_page(client, users, who):
    client.force_login(getattr(users, who))
    assert client.get(reverse("security_log")).status_code == 404
    assert client.get(reverse("security_csv")).status_code == 404


def test_the_office_searches_by_user_kind_and_date(client, users):
    security_event_record(kind=Kind.LOGIN, user=users.leader_a)
    security_event_record(kind=Kind.LOGIN_FAILED, username="leader_b")
    old = security_event_record(kind=Kind.LOGIN, user=users.leader_b)
    SecurityEvent.objects.filter(pk=old.pk).update(at=timezone.now() - timedelta(days=10))
    client.force_login(users.quality_office)
    response = client.get(reverse("security_log"))
    assert response.status_code == 200
    assert "Security log" in response.text
    assert len(response.context["table"].data) == 4  # with the office's own login
    page = client.get(reverse("security_log"), {"username": "leader_b"})
    assert [e.pk for e in page.context["table"].data] == list(
        SecurityEvent.objects.filter(username="leader_b").values_list("pk", flat=True)
    )
    page = client.get(reverse("security_log"), {"kind": "login"})
    assert {e.kind for e in page.context["table"].data} == {"login"}
    since = (timezone.localdate() - timedelta(days=1)).isoformat()
    page = client.get(reverse("security_log"), {"username": "leader_b", "date_from": since})
    assert [e.kind for e in page.context["table"].data] == ["login_failed"]


def test_a_superuser_sees_the_page_and_it_is_in_the_menu(client, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "r@example.org", PASSWORD)
    client.force_login(admin)
    page = client.get(reverse("security_log"))
    assert page.status_code == 200
    assert f'href="{reverse("security_log")}"' in page.text


def test_a_bad_filter_shows_nothing_and_no_error_page(client, users):
    security_event_record(kind=Kind.LOGIN, user=users.leader_a)
    client.force_login(users.quality_office)
    page = client.get(reverse("security_log"), {"kind": "nonsense", "date_from": "31.02"})
    assert page.status_code == 200
    assert list(page.context["table"].data) == []


def test_the_office_downloads_the_filtered_log(client, users):
    security_event_record(kind=Kind.LOGIN_FAILED, username="=HYPERLINK(1)")
    security_event_record(kind=Kind.LOGIN, user=users.leader_a)
    client.force_login(users.quality_office)
    response = client.get(reverse("security_csv"), {"kind": "login_failed"})
    text = response.content.decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert len(lines) == 2 and "'=HYPERLINK(1)" in lines[1]
    response = client.get(reverse("security_xlsx"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 1 + 4  # two events, the office's login and the first download
    assert sheet.cell(1, 1).value == "When"
    assert SecurityEvent.objects.filter(kind=Kind.EXPORT, user=users.quality_office).count() == 2


@pytest.mark.parametrize("rows", [3, 30])
def test_the_page_runs_a_fixed_number_of_queries(
    client, users, rows, django_assert_max_num_queries
):
    for _ in range(rows):
        security_event_record(kind=Kind.LOGIN, user=users.leader_a)
    client.force_login(users.quality_office)
    client.get(reverse("security_log"))
    with django_assert_max_num_queries(7):
        assert client.get(reverse("security_log")).status_code == 200


@pytest.mark.parametrize(
    ("disposition", "name"),
    [
        ('attachment; filename="avvik.csv"', "avvik.csv"),
        (
            "attachment; filename*=utf-8''kvalitetsrapport-2022-omr%C3%A5de.pdf",
            "kvalitetsrapport-2022-område.pdf",
        ),
        ("inline; filename=x.pdf", None),
        ("", None),
    ],
)
def test_a_download_is_told_by_its_content_disposition(disposition, name):
    from django.http import HttpResponse

    from qualityplan.security import _attachment_name

    response = HttpResponse()
    if disposition:
        response["Content-Disposition"] = disposition
    assert _attachment_name(response) == name


def test_a_refusal_without_words_names_the_view(client, users, org, plan):
    from measures.periods import period_open
    from tests.factories import GoalFactory, MeasureFactory

    goal = GoalFactory(plan=plan, position=1)
    MeasureFactory(goal=goal, roles=["VL"])
    period, _ = period_open(plan=plan, year=2022, number=1, deadline=None, user=None)
    row = period.statuses.get(org_unit=org.unit_a)
    client.force_login(users.leader_b)
    response = client.post(reverse("status_save", args=[row.pk]), {}, HTTP_HX_REQUEST="true")
    assert response.status_code == 404
    event = SecurityEvent.objects.get(kind=Kind.ACCESS_REFUSED)
    assert event.detail.startswith("404: ")
    assert event.user == users.leader_b


def test_known_details_read_in_the_readers_language(db):
    from django.utils import translation

    locked = SecurityEvent(kind=Kind.LOGIN_FAILED, detail="locked")
    lockout = SecurityEvent(kind=Kind.LOCKOUT, detail="10 failures")
    other = SecurityEvent(kind=Kind.EXPORT, detail="avvik.csv")
    with translation.override("nb"):
        assert locked.detail_display == "avvist: innloggingen er sperret"
        assert lockout.detail_display == "sperret etter 10 feil"
        assert other.detail_display == "avvik.csv"
