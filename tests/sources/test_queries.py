"""Each page runs a fixed number of queries, at two data sizes."""

import pytest
from django.urls import reverse

from measures.periods import period_open
from sources import careimport, links
from sources.models import ImportMapping
from tests.factories import (
    GoalFactory,
    IndicatorFactory,
    MeasureFactory,
    MembershipFactory,
    OrgUnitFactory,
    UserFactory,
    role,
)

from .test_links import SSB


def _export(units, months) -> bytes:
    lines = ["Rapport;;", "Enhet;Måned;Antall"]
    for unit in units:
        for month in range(1, months + 1):
            lines.append(f"{unit.name};2024-{month:02d};{month + 3}")
    lines.append("Sum;;0")
    return "\r\n".join(lines).encode("utf-8-sig")


@pytest.fixture
def import_setup(org, users):
    from tests.factories import QualityPlanFactory

    plan = QualityPlanFactory(owner=org.department, first_year=2023, last_year=2026)
    goal = GoalFactory(plan=plan, position=1)
    indicator = IndicatorFactory(measure=MeasureFactory(goal=goal, roles=["VL"]), kind="count")
    units = [org.unit_a, org.unit_b]
    for number in range(8):
        unit = OrgUnitFactory(name=f"Enhet {number}", parent=org.area)
        MembershipFactory(user=UserFactory(), role=role("VL"), org_unit=unit)
        units.append(unit)
    period_open(plan=plan, year=2024, number=1, deadline=None, user=None)
    mapping = careimport.mapping_save(
        mapping=ImportMapping(
            plan=plan,
            name="Rapport",
            unit_column="Enhet",
            period_column="Måned",
            columns={"Antall": indicator.pk},
        ),
        user=None,
    )
    return plan, mapping, units


@pytest.mark.parametrize(("units", "months"), [(2, 1), (10, 4)])
def test_import_preview_page_queries(
    client, users, import_setup, units, months, django_assert_max_num_queries
):
    plan, mapping, all_units = import_setup
    upload = careimport.import_upload(
        plan=plan,
        mapping=mapping,
        data=_export(all_units[:units], months),
        file_name="r.csv",
        user=None,
    )
    client.force_login(users.quality_office)
    with django_assert_max_num_queries(17):
        response = client.get(reverse("indicator_import_preview", args=[upload.token]))
    assert response.status_code == 200 and len(response.context["preview"].changes) == units


@pytest.mark.parametrize("uploads", [1, 8])
def test_imports_page_queries(client, users, import_setup, uploads, django_assert_max_num_queries):
    plan, mapping, units = import_setup
    for _ in range(uploads):
        careimport.import_upload(
            plan=plan,
            mapping=mapping,
            data=_export(units[:1], 1),
            file_name="r.csv",
            user=users.quality_office,
        )
    client.force_login(users.quality_office)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("indicator_imports", args=[plan.pk])).status_code == 200


@pytest.mark.parametrize("regions", [["EAK"], ["EKG13", "EKA18", "EAK"]])
def test_indicator_dashboard_with_comparison_queries(
    client, users, linked, fake_source, data_file, regions, django_assert_max_num_queries
):
    fake_source.serve(SSB + "12209/", data_file("ssb_12209_kokkommuneregion.json"))
    table = links.table_metadata_fetch(table="12209")
    link = links.statistic_link_save(
        indicator=linked,
        table=table,
        contents="KOShjtj80aarover0001",
        region="1804",
        comparison_regions=regions,
        first_year=2019,
    )
    links.statistic_link_refresh(link_id=link.pk)
    client.force_login(users.quality_office)
    with django_assert_max_num_queries(40):
        page = client.get(reverse("dashboard_indicator", args=[linked.pk]))
    assert "Comparison with other municipalities" in page.content.decode()
    with django_assert_max_num_queries(12):
        assert client.get(reverse("statistic_link", args=[linked.pk])).status_code == 200
