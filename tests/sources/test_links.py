import urllib.error
from decimal import Decimal

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse

from measures.models import Indicator
from sources import fetch, links
from sources.models import Provider, RegionChange, StatisticLink
from sources.selectors import comparison

SSB = "https://data.ssb.no/api/pxwebapi/v2/tables/"


@pytest.fixture
def table_12209(db, fake_source, data_file):
    fake_source.serve(SSB + "12209/metadata", data_file("ssb_12209_kokkommuneregion.json"))
    fake_source.serve(SSB + "12209/data", data_file("ssb_12209_kokkommuneregion.json"))
    return links.table_metadata_fetch(table="12209")


def _link(indicator, table, **extra):
    fields = {
        "contents": "KOShjtj80aarover0001",
        "region": "1804",
        "comparison_regions": ["EKG13", "EAK"],
        "first_year": 2019,
        **extra,
    }
    return links.statistic_link_save(indicator=indicator, table=table, **fields)


def test_metadata_drives_the_code_lists(table_12209):
    assert [d["id"] for d in table_12209.dimensions] == [
        "KOKkommuneregion0000",
        "ContentsCode",
        "Tid",
    ]
    regions = dict(map(tuple, table_12209.dimension("KOKkommuneregion0000")["codes"]))
    assert regions["EKG13"] == "Kostragruppe 13"


def test_refresh_asks_for_exactly_the_selection_and_stores_it(linked, table_12209, fake_source):
    link = _link(linked, table_12209)
    linked.refresh_from_db()
    assert linked.source == Indicator.Source.STATISTICS
    assert links.statistic_link_refresh(link_id=link.pk).cells == 40
    url = fake_source.urls[-1]
    assert "outputFormat=json-stat2" in url
    assert "valueCodes%5BContentsCode%5D=KOShjtj80aarover0001" in url
    assert "valueCodes%5BKOKkommuneregion0000%5D=1804,EKG13,EAK" in url
    assert "valueCodes%5BTid%5D=2019,2020,2021,2022,2023" in url
    result = comparison(link=StatisticLink.objects.get())
    assert result.years == [2019, 2020, 2021, 2022, 2023]
    assert [line.label for line in result.lines] == ["Bodø", "Kostragruppe 13", "Landet"]
    assert result.lines[1].values[0] is None and result.lines[1].marks[0] == "."
    assert result.lines[0].values[0] == Decimal("29.0")


def test_region_codes_go_back_in_the_tables_own_spelling(linked, fake_source, data_file):
    fake_source.serve(SSB + "12003/", data_file("ssb_12003_region.json"))
    table = links.table_metadata_fetch(table="12003")
    RegionChange.objects.create(old_code="0805", new_code="3806", year=2020)
    RegionChange.objects.create(old_code="3806", new_code="4001", year=2024)
    link = links.statistic_link_save(
        indicator=linked,
        table=table,
        contents="Mottakere",
        region="4001",
        comparison_regions=["0"],
        filters={"Alder": "080+", "HjemmeTjeneste": "01"},
        first_year=2019,
    )
    links.statistic_link_refresh(link_id=link.pk)
    assert "valueCodes%5BRegion%5D=K-4001,0" in fake_source.urls[-1]
    result = comparison(link=link)
    # Porsgrunn's own figures under the number of each year: 0805, 3806, then 4001.
    assert result.years == [2019, 2020, 2023, 2024]
    assert all(value is not None for value in result.lines[0].values)


def test_a_code_the_table_does_not_have_is_refused(linked, table_12209):
    with pytest.raises(ValidationError, match="no region 9999"):
        _link(linked, table_12209, region="9999")
    with pytest.raises(ValidationError, match="no contents code"):
        _link(linked, table_12209, contents="KOSgone")


def test_failure_is_recorded_in_words_and_mailed_once_per_streak(
    linked, table_12209, fake_source, users
):
    users.quality_office.email = "kuk@example.no"
    users.quality_office.save()
    link = _link(linked, table_12209)
    gone = urllib.error.HTTPError(SSB, 404, "Not found", {}, None)
    fake_source.serve(SSB + "12209/data", gone)
    for _night in range(3):
        assert links.statistic_link_refresh(link_id=link.pk) is None
    link.refresh_from_db()
    assert "no longer exists" in link.last_error and link.failing_since
    assert len(mail.outbox) == 1 and "kuk@example.no" in mail.outbox[0].to
    assert "no longer exists" in mail.outbox[0].body
    fake_source.routes.pop(0)
    assert links.statistic_link_refresh(link_id=link.pk) is not None
    link.refresh_from_db()
    assert link.last_error == "" and link.last_success_at and link.failing_since is None
    fake_source.serve(SSB + "12209/data", urllib.error.URLError("timed out"))
    links.statistic_link_refresh(link_id=link.pk)
    assert len(mail.outbox) == 2 and "could not be reached" in mail.outbox[1].body


def test_throttle_waits_when_the_minute_is_full(fake_source, settings):
    settings.STATISTICS_QUERIES_PER_MINUTE = 2
    cache.clear()
    waits = []

    def sleep(seconds):
        # The next minute: the count starts again.
        waits.append(seconds)
        cache.clear()

    fake_source.serve("https://x.test/", b"{}")
    for _ in range(3):
        fetch.http_get("https://x.test/a", sleep=sleep)
    assert len(waits) == 1 and 0 < waits[0] <= 60.1


def test_large_selections_are_split_by_years():
    selection = {"Region": ["a", "b"], "ContentsCode": ["c"], "Tid": [str(y) for y in range(10)]}
    parts = fetch.split_by_years(selection, "Tid", limit=6)
    assert [p["Tid"] for p in parts] == [["0", "1", "2"], ["3", "4", "5"], ["6", "7", "8"], ["9"]]
    assert all(fetch.cell_count(p) <= 6 for p in parts)


def test_only_https_is_fetched(fake_source):
    with pytest.raises(fetch.FetchError):
        fetch.http_get("file:///etc/passwd")


def test_kolada_link_follows_every_page(linked, fake_source, data_file):
    from django.utils import timezone

    from sources.models import StatisticTable

    fake_source.serve(
        "https://api.kolada.se/v3/data/kpi/N21704/municipality/2184,0000/year/2021,2022,2023?page=2",
        data_file("kolada_n21704_page2.json"),
    )
    fake_source.serve(
        "https://api.kolada.se/v3/data/kpi/N21704/municipality/2184,0000/year/2019",
        data_file("kolada_n21704_page1.json"),
    )
    table = StatisticTable.objects.create(
        provider=Provider.KOLADA, table="N21704", title="N21704", fetched_at=timezone.now()
    )
    link = links.statistic_link_save(
        indicator=linked,
        table=table,
        contents="N21704",
        region="2184",
        comparison_regions=["0000"],
        filters={"gender": "T"},
        first_year=2019,
    )
    assert links.statistic_link_refresh(link_id=link.pk) is not None
    assert len(fake_source.urls) == 2
    result = comparison(link=link)
    assert result.years == [2022, 2023]
    assert result.lines[0].values == [Decimal("7.4"), None]
    assert result.lines[1].values == [Decimal("8.1"), Decimal("7.9")]
    assert result.source_label == "Source: Kolada"


def test_office_links_an_indicator_from_the_tables_codes(
    client, users, linked, fake_source, data_file, django_capture_on_commit_callbacks
):
    fake_source.serve(SSB + "12209/", data_file("ssb_12209_kokkommuneregion.json"))
    client.force_login(users.quality_office)
    url = reverse("statistic_link", args=[linked.pk])
    page = client.get(url, {"provider": "ssb", "table": "12209"}).content.decode()
    assert "Kostragruppe 13 (EKG13)" in page and "KOShjtj80aarover0001" in page
    data = {
        "link": "1",
        "provider": "ssb",
        "table": "12209",
        "contents": "KOShjtj80aarover0001",
        "region": "1804",
        "comparison_regions": ["EKG13", "EAK"],
        "first_year": "2019",
        "target_relation": "at_or_above",
        "target_region": "EKG13",
    }
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(url, data)
    # The first fetch is queued on commit (beside the dashboards' new data stamp).
    queued = [c for c in callbacks if "_queue_refresh" in getattr(c, "__qualname__", "")]
    assert response.status_code == 302 and len(queued) == 1
    link = StatisticLink.objects.get(indicator=linked)
    assert link.comparison_regions == ["EKG13", "EAK"] and link.target_region == "EKG13"


def test_link_page_is_for_the_office(client, users, linked):
    url = reverse("statistic_link", args=[linked.pk])
    client.force_login(users.leader_a)
    assert client.get(url).status_code == 403
    client.force_login(users.stranger)
    assert client.get(url).status_code == 404
    client.force_login(users.quality_office)
    assert client.get(reverse("statistic_link_refresh", args=[linked.pk])).status_code == 405


def test_indicator_dashboard_shows_the_comparison(client, users, linked, table_12209):
    link = _link(linked, table_12209, target_relation="at_or_above", target_region="EKG13")
    links.statistic_link_refresh(link_id=link.pk)
    client.force_login(users.director)
    page = client.get(reverse("dashboard_indicator", args=[linked.pk])).content.decode()
    assert "Comparison with other municipalities" in page
    assert "Kostragruppe 13" in page and "Statistics Norway (SSB): 12209: Utvalgte" in page
    assert "<svg" in page and "Change the link" not in page


def test_pdf_section_lists_the_linked_figures_with_source_and_year(linked, table_12209, plan):
    from sources.reporting import pdf_section

    link = _link(linked, table_12209, target_relation="at_or_above", target_region="EKG13")
    links.statistic_link_refresh(link_id=link.pk)
    section = pdf_section(plan=plan, year=2022)
    assert section.anchor == "key-figures"
    assert section.title == "Service production and key figures"
    assert "Source: Statistics Norway, table 12209, latest year 2022" in section.html
    assert "2023" not in section.html.split("<table")[1]
    assert (
        pdf_section(
            plan=plan.__class__.objects.create(
                title="Tom", owner=plan.owner, first_year=2021, last_year=2024
            ),
            year=2022,
        )
        is None
    )


def test_the_annual_report_carries_the_section(linked, table_12209, plan, org, users):
    from reporting.pdf import report_data, report_html

    link = _link(linked, table_12209)
    links.statistic_link_refresh(link_id=link.pk)
    data = report_data(plan=plan, year=2023, scope_unit=org.department, user=users.director)
    html = report_html(data=data)
    assert 'href="#key-figures"' in html and 'id="key-figures"' in html


def test_comparisons_of_a_plan_take_a_fixed_number_of_queries(
    linked, table_12209, plan, django_assert_max_num_queries
):
    from sources.selectors import comparisons_of_plan
    from tests.factories import IndicatorFactory, MeasureFactory

    links.statistic_link_refresh(link_id=_link(linked, table_12209).pk)
    with django_assert_max_num_queries(4):
        assert len(comparisons_of_plan(plan=plan)) == 1
    for number in range(3):
        other = IndicatorFactory(
            measure=MeasureFactory(goal=linked.measure.goal), kind="percentage", name=f"x{number}"
        )
        _link(other, table_12209, contents="KOSsykhjand80aar0000")
    with django_assert_max_num_queries(4):
        assert len(comparisons_of_plan(plan=plan)) == 4


def test_monthly_task_refreshes_every_link(linked, table_12209, fake_source):
    from sources.tasks import refresh_statistic_link, refresh_statistics

    link = _link(linked, table_12209)
    assert refresh_statistics() == 1
    assert refresh_statistic_link(link.pk) is True
    link.refresh_from_db()
    assert link.last_success_at is not None
