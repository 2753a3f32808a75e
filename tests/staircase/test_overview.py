import pytest
from django.urls import reverse

from qualityplan.models import OrgUnit
from staircase.models import AreaAssessment, AreaReview, ExternalReview, SelfAssessment
from tests.factories import OrgUnitFactory

from .factories import make_framework, make_round

pytestmark = pytest.mark.django_db


def _fill(org, *, units: int, areas: int, per_step: int, years: int):
    """`units` extra units under the area, each assessed every year, reviewed in the last."""
    version = make_framework(areas=areas, per_step=per_step)
    extra = [OrgUnitFactory(name=f"Enhet {n}", parent=org.area) for n in range(units)]
    all_units = [org.unit_a, org.unit_b, *extra, org.unit_c]
    area_rows = list(version.areas.all())
    for offset in range(years):
        round_ = make_round(version=version, owner=org.department, year=2022 + offset)
        assessments = SelfAssessment.objects.bulk_create(
            SelfAssessment(
                round=round_,
                framework_version=version,
                org_unit=u,
                year=round_.year,
                status="approved",
            )
            for u in all_units[:-1]
        )
        AreaAssessment.objects.bulk_create(
            AreaAssessment(
                assessment=a, area=area, step_reached=(a.org_unit_id + area.position + offset) % 8
            )
            for a in assessments
            for area in area_rows
        )
        reviews = ExternalReview.objects.bulk_create(
            ExternalReview(round=round_, org_unit=u, status="completed") for u in all_units[:4]
        )
        AreaReview.objects.bulk_create(
            AreaReview(review=r, area=area, step=3, justification="ok")
            for r in reviews
            for area in area_rows
        )
    return version


@pytest.mark.parametrize("units,areas,per_step,years", [(2, 2, 1, 1), (297, 11, 3, 4)])
def test_overview_runs_a_fixed_number_of_queries(
    client, org, users, django_assert_max_num_queries, units, areas, per_step, years
):
    version = _fill(org, units=units, areas=areas, per_step=per_step, years=years)
    client.force_login(users.quality_office)
    url = reverse("staircase:overview")
    with django_assert_max_num_queries(20):
        response = client.get(url, {"framework": version.framework_id})
    assert response.status_code == 200
    overview = response.context["overview"]
    assert len(overview.rows) == OrgUnit.objects.filter(kind="unit").count()
    assert [row.unit.name for row in overview.not_assessed] == ["Sykehjemmet"]
    with django_assert_max_num_queries(20):
        assert client.get(url, {"format": "xlsx", "table": "heatmap"}).status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(reverse("staircase:certificates")).status_code == 200


def test_overview_scope_follows_the_role_and_exports_what_the_page_shows(client, org, users):
    _fill(org, units=0, areas=2, per_step=1, years=2)
    client.force_login(users.area_leader)
    response = client.get(reverse("staircase:overview"))
    names = [row.unit.name for row in response.context["overview"].rows]
    assert names == ["Hjemmetjenesten Nord", "Hjemmetjenesten Sør"]
    csv = client.get(
        reverse("staircase:overview"), {"format": "csv", "table": "heatmap"}
    ).content.decode("utf-8-sig")
    assert "Hjemmetjenesten Nord" in csv and "Sykehjemmet" not in csv
    trend = client.get(
        reverse("staircase:overview"), {"format": "csv", "table": "trend"}
    ).content.decode("utf-8-sig")
    assert "2022" in trend and "2023" in trend
    client.force_login(users.employee)
    assert client.get(reverse("staircase:overview")).status_code in (200, 404)
    client.force_login(users.stranger)
    assert client.get(reverse("staircase:overview")).status_code == 404


@pytest.mark.parametrize(
    "language,words",
    [
        ("nb", ["Kvalitetstrapp: oversikt", "kvalitetssertifisert"]),
        ("sv", ["Kvalitetstrappa: översikt", "kvalitetscertifierade"]),
    ],
)
def test_the_overview_speaks_norwegian_and_swedish(client, org, users, language, words):
    from django.utils import translation

    _fill(org, units=0, areas=2, per_step=1, years=1)
    client.force_login(users.quality_office)
    with translation.override(language):
        text = client.get(
            reverse("staircase:overview"), HTTP_ACCEPT_LANGUAGE=language
        ).content.decode()
    assert all(word in text for word in words)
