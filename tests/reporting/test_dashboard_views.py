import gzip
from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from measures import tasks
from measures.models import ReportingPeriod
from tests.deviations.factories import DeviationFactory, category
from tests.factories import OrgUnitFactory, QualityPlanFactory
from tests.reporting.dashboard_data import build_plan, fill_reports, grow


@pytest.fixture
def data(org, users, plan):
    data = build_plan(org=org, users=users, plan=plan)
    fill_reports(data, org)
    return data


@pytest.fixture
def queued(monkeypatch):
    """The reminders the chase queues (period id, unit id), instead of a broker."""
    calls = []
    monkeypatch.setattr(
        tasks.send_status_reminder_to_unit, "delay", lambda *args: calls.append(args)
    )
    return calls


def _pages(data) -> dict[str, str]:
    plan = data.plan.pk
    return {
        "overview": reverse("dashboard_plan", args=[plan]) + "?year=2022",
        "matrix": reverse("dashboard_matrix", args=[plan]) + "?year=2022",
        "completeness": reverse("dashboard_completeness", args=[data.t2.pk]),
        "indicators": reverse("dashboard_indicators", args=[plan]),
        "indicator": reverse("dashboard_indicator", args=[data.indicators.summed.pk]),
        "deviations": reverse("dashboard_deviations", args=[plan]) + "?year=2022",
    }


# --- Access ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["quality_office", "director", "area_leader", "leader_a"])
def test_leaders_and_the_office_open_every_dashboard(client, data, users, who):
    client.force_login(getattr(users, who))
    for name, url in _pages(data).items():
        assert client.get(url).status_code == 200, name


@pytest.mark.parametrize("who", ["employee", "stranger"])
def test_people_who_read_no_follow_up_are_refused(client, data, users, who):
    client.force_login(getattr(users, who))
    for name, url in _pages(data).items():
        assert client.get(url).status_code == 403, name
    assert client.get(reverse("dashboard_index")).status_code == 403


def test_logged_out_visitors_are_sent_to_log_in(client, data):
    response = client.get(_pages(data)["overview"])
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize(
    ("who", "where"), [("area_leader", "unit_c"), ("leader_b", "unit_a"), ("leader_a", "area")]
)
def test_drilling_outside_ones_units_is_not_found(client, data, users, org, who, where):
    client.force_login(getattr(users, who))
    unit = getattr(org, where).pk
    for name in ("overview", "matrix", "completeness", "indicator", "deviations"):
        url = _pages(data)[name]
        joiner = "&" if "?" in url else "?"
        assert client.get(f"{url}{joiner}unit={unit}").status_code == 404, name


def test_a_plan_of_another_organisation_is_not_found(client, data, users):
    elsewhere = OrgUnitFactory(name="Annen kommune", kind="department")
    other = QualityPlanFactory(owner=elsewhere, first_year=2021, last_year=2024)
    client.force_login(users.quality_office)
    assert client.get(reverse("dashboard_plan", args=[other.pk])).status_code == 404
    assert client.get(reverse("dashboard_plan", args=[99999])).status_code == 404


# --- What each person sees ---------------------------------------------------------------


def test_office_dashboard_shows_the_department_with_rule_and_chart(client, data, users):
    client.force_login(users.quality_office)
    page = client.get(_pages(data)["overview"]).content.decode()
    assert "Dashboard: Helse og omsorg" in page
    assert "Sykehjemmet" not in page  # units show one level down: the areas
    assert "Område Institusjon" in page
    assert "at least" not in page and "or more of the units that reported" in page
    assert 'role="img"' in page and "<desc" in page and "Show the numbers" in page
    assert "Figures for 2022." in page and "latest period of the year" in page
    assert reverse("measure_history", args=[data.summed.pk]) in page


def test_area_leader_sees_only_their_area(client, data, users, org):
    client.force_login(users.area_leader)
    page = client.get(_pages(data)["overview"]).content.decode()
    assert "Dashboard: Område Hjemme" in page
    assert "Sykehjemmet" not in page and "Område Institusjon" not in page
    assert f"?year=2022&amp;unit={org.unit_a.pk}" in page  # drill down to a unit
    assert "a sum is held against them only for the whole" in page


def test_drilling_down_to_a_unit_shows_the_way_back(client, data, users, org):
    client.force_login(users.quality_office)
    page = client.get(_pages(data)["overview"] + f"&unit={org.unit_a.pk}").content.decode()
    assert "Dashboard: Hjemmetjenesten Nord" in page
    assert f"unit={org.department.pk}" in page and f"unit={org.area.pk}" in page
    assert 'aria-current="location">Hjemmetjenesten Nord' in page


def test_a_year_without_periods_says_so(client, data, users):
    client.force_login(users.quality_office)
    url = reverse("dashboard_plan", args=[data.plan.pk]) + "?year=2024"
    assert "No reporting period has been opened for 2024" in client.get(url).content.decode()


def test_nonsense_parameters_fall_back_to_defaults(client, data, users):
    client.force_login(users.quality_office)
    url = reverse("dashboard_plan", args=[data.plan.pk])
    response = client.get(url, {"year": "1999", "period": "abc", "since": "2030"})
    assert response.status_code == 200
    assert "Figures for 2022." in response.content.decode()  # the latest period's year


def test_choosing_a_period_moves_to_its_year(client, data, users):
    client.force_login(users.quality_office)
    url = reverse("dashboard_plan", args=[data.plan.pk])
    page = client.get(url, {"year": 2021, "period": data.t1.pk}).content.decode()
    assert f"Figures from {data.t1.label}." in page


def test_matrix_cells_link_to_the_units_row(client, data, users, org):
    client.force_login(users.quality_office)
    page = client.get(_pages(data)["matrix"]).content.decode()
    row = data.t2.statuses.get(measure=data.summed, org_unit=org.unit_a)
    status_page = reverse("status_page", args=[data.t2.pk])
    assert f'href="{status_page}?unit={org.unit_a.pk}#status-{row.pk}"' in page
    assert 'title="On track"><span class="ds-sr-only">On track</span>' in page
    assert '<span class="ds-sr-only">Not reported</span>' in page
    assert reverse("measure_history", args=[data.summed.pk]) in page


def test_matrix_of_a_large_organisation_starts_with_one_goal(client, data, users, org):
    grow(data, org, units=60, measures=1)
    client.force_login(users.quality_office)
    url = reverse("dashboard_matrix", args=[data.plan.pk])
    page = client.get(url, {"year": 2022}).content.decode()
    assert "Nattrutiner" not in page  # goal 2 is not shown
    page = client.get(url, {"year": 2022, "goal": "all"}).content.decode()
    # The whole plan comes in pieces, a goal each, loaded as the page scrolls: each
    # goal's heading with a link to it alone (without JavaScript) and its piece's address.
    assert "Nattrutiner" not in page
    assert "Goal 2: Gode overganger" in page
    assert f"?year=2022&amp;goal={data.care.pk}" in page
    piece_url = f"?year=2022&amp;goal=all&amp;piece={data.care.pk}"
    assert f'hx-get="{piece_url}" hx-trigger="intersect once"' in page
    piece = client.get(url, {"year": 2022, "goal": "all", "piece": data.care.pk})
    assert piece.content.decode().lstrip().startswith("<tbody>")
    assert "Nattrutiner" in piece.content.decode() and "Samtaler" not in piece.content.decode()
    assert "csrf" not in piece.content.decode().lower()
    zipped = client.get(
        url, {"year": 2022, "goal": "all", "piece": data.care.pk}, HTTP_ACCEPT_ENCODING="gzip"
    )
    assert zipped["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.content) == piece.content
    page = client.get(url, {"year": 2022, "goal": "all", "pieces": "no"}).content.decode()
    assert "Nattrutiner" in page and "Samtaler" in page  # the whole table at once, if asked
    assert client.get(url, {"year": 2022, "goal": "all", "piece": 99999}).status_code == 404


def test_indicator_page_has_chart_and_tables(client, data, users):
    client.force_login(users.quality_office)
    page = client.get(_pages(data)["indicator"], {"by": "area"}).content.decode()
    assert "Indikator for Samtaler per year" in page
    assert "Values per year" in page and "Values per period" in page
    assert "Område Hjemme" in page


def test_deviations_page_counts_per_period_and_unit(client, data, users, org):
    zone = timezone.get_current_timezone()
    for month, unit in ((2, org.unit_a), (3, org.unit_b), (6, org.unit_c)):
        DeviationFactory(
            year=2022,
            org_unit=unit,
            category=category("Fall"),
            created_at=datetime(2022, month, 10, 12, tzinfo=zone),
            due_date=date(2022, month, 20),
        )
    client.force_login(users.quality_office)
    response = client.get(_pages(data)["deviations"], {"format": "csv", "table": "periods"})
    lines = response.content.decode("utf-8-sig").splitlines()
    assert [line.split(",")[:4] for line in lines[1:]] == [
        ["Tertial 1 2022", "2", "0", "2"],
        ["Tertial 2 2022", "1", "0", "1"],
        ["Tertial 3 2022", "0", "0", "0"],
    ]
    response = client.get(_pages(data)["deviations"], {"format": "csv", "table": "units"})
    lines = response.content.decode("utf-8-sig").splitlines()
    assert [line.split(",")[:2] for line in lines[1:]] == [
        ["Område Hjemme", "2"],
        ["Område Institusjon", "1"],
    ]


def test_dashboard_index_goes_to_the_active_plan(client, data, users):
    client.force_login(users.quality_office)
    response = client.get(reverse("dashboard_index"))
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard_plan", args=[data.plan.pk])


def test_nav_link_is_shown_to_those_who_read_follow_up(client, data, users):
    client.force_login(users.leader_a)
    assert reverse("dashboard_index") in client.get(reverse("plan_list")).content.decode()
    client.force_login(users.employee)
    assert reverse("dashboard_index") not in client.get(reverse("plan_list")).content.decode()


# --- Chasing the late units ---------------------------------------------------------------


def _chase(client, data, **post):
    return client.post(reverse("dashboard_chase", args=[data.t2.pk]), post, follow=True)


def test_office_chases_one_unit(
    client, data, users, org, queued, django_capture_on_commit_callbacks
):
    client.force_login(users.quality_office)
    with django_capture_on_commit_callbacks(execute=True):
        response = _chase(client, data, unit=org.unit_b.pk)
    assert queued == [(data.t2.pk, org.unit_b.pk)]
    assert "A reminder is on its way" in response.content.decode()
    assert response.redirect_chain[-1][0].startswith(
        reverse("dashboard_completeness", args=[data.t2.pk])
    )


def test_office_chases_every_unit_that_has_not_finished(
    client, data, users, org, queued, django_capture_on_commit_callbacks
):
    client.force_login(users.quality_office)
    with django_capture_on_commit_callbacks(execute=True):
        response = _chase(client, data, all="1")
    assert sorted(queued) == sorted([(data.t2.pk, org.unit_b.pk), (data.t2.pk, org.unit_c.pk)])
    assert "2 units that have not finished" in response.content.decode()


def test_chasing_a_finished_unit_sends_nothing(client, data, users, org, queued):
    client.force_login(users.quality_office)
    response = _chase(client, data, unit=org.unit_a.pk)
    assert queued == []
    assert "nothing left to report" in response.content.decode()


def test_chasing_in_a_closed_period_sends_nothing(client, data, users, org, queued):
    ReportingPeriod.objects.filter(pk=data.t2.pk).update(status="closed")
    client.force_login(users.quality_office)
    response = _chase(client, data, unit=org.unit_b.pk)
    assert queued == []
    assert "The period is closed" in response.content.decode()


def test_chase_sends_the_reminder_email(
    client, data, users, org, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(
        tasks.send_status_reminder_to_unit,
        "delay",
        lambda *args: tasks.send_status_reminder_to_unit.apply(args=args),
    )
    client.force_login(users.quality_office)
    with django_capture_on_commit_callbacks(execute=True):
        _chase(client, data, unit=org.unit_b.pk)
    assert [message.to for message in mailoutbox] == [[users.leader_b.email]]


@pytest.mark.parametrize("who", ["director", "area_leader", "leader_b"])
def test_only_the_office_chases(client, data, users, org, queued, who):
    client.force_login(getattr(users, who))
    assert _chase(client, data, unit=org.unit_b.pk).status_code == 403
    assert queued == []


def test_chase_is_post_only(client, data, users):
    client.force_login(users.quality_office)
    assert client.get(reverse("dashboard_chase", args=[data.t2.pk])).status_code == 405


def test_chase_button_shown_to_the_office_only(client, data, users):
    client.force_login(users.quality_office)
    assert "Send reminder" in client.get(_pages(data)["completeness"]).content.decode()
    client.force_login(users.director)
    assert "Send reminder" not in client.get(_pages(data)["completeness"]).content.decode()


def test_completeness_shows_the_deadline(client, data, users):
    client.force_login(users.quality_office)
    page = client.get(_pages(data)["completeness"]).content.decode()
    assert data.t2.deadline.strftime("%m/%d/%Y") in page or str(data.t2.deadline.year) in page
    assert "Late" in page  # the 2022 deadline is long past


# --- A fixed number of queries per page -----------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_every_page_makes_the_same_number_of_queries_at_two_sizes(client, data, users, org):
    DeviationFactory(
        year=2022,
        org_unit=org.unit_a,
        created_at=datetime(2022, 2, 1, tzinfo=timezone.get_current_timezone()),
    )
    client.force_login(users.quality_office)
    pages = _pages(data)
    pages["compare"] = pages["overview"] + "&since=2021"
    pages["matrix, whole plan"] = pages["matrix"] + "&goal=all"
    pages["matrix, a piece"] = pages["matrix"] + f"&goal=all&piece={data.care.pk}"
    small = {name: _queries(client, url) for name, url in pages.items()}
    grow(data, org, units=15, measures=20)
    for n in range(10):
        DeviationFactory(
            year=2022,
            org_unit=org.unit_b,
            created_at=datetime(2022, 3, 1, tzinfo=timezone.get_current_timezone())
            + timedelta(days=n),
        )
    large = {name: _queries(client, url) for name, url in pages.items()}
    print("queries per page:", small)
    assert small == large
    assert max(small.values()) <= 40, small
