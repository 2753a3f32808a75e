"""Defect 1: an imported plan stayed active beside the unit's other active plan."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from qualityplan.models import QualityPlan
from qualityplan.services import plan_activate, plan_save
from tests.factories import QualityPlanFactory

ACTIVE, DRAFT, ARCHIVED = (
    QualityPlan.Status.ACTIVE,
    QualityPlan.Status.DRAFT,
    QualityPlan.Status.ARCHIVED,
)


@pytest.fixture
def active(org):
    return QualityPlanFactory(owner=org.department, first_year=2021, last_year=2024, status=ACTIVE)


@pytest.fixture
def draft(org):
    return QualityPlanFactory(owner=org.department, first_year=2024, last_year=2027, status=DRAFT)


def status_of(plan) -> str:
    return QualityPlan.objects.get(pk=plan.pk).status


def test_activating_archives_the_overlapping_active_plan_of_the_owner(active, draft, users):
    archived = plan_activate(plan=draft, user=users.quality_office, archive_overlapping=True)
    assert archived == [active]
    assert (status_of(draft), status_of(active)) == (ACTIVE, ARCHIVED)


def test_activating_without_leave_to_archive_is_refused_and_changes_nothing(active, draft):
    with pytest.raises(ValidationError) as refused:
        plan_activate(plan=draft, user=None, archive_overlapping=False)
    assert str(active) in refused.value.messages[0]
    assert (status_of(draft), status_of(active)) == (DRAFT, ACTIVE)


def test_plans_of_other_owners_or_other_years_stay_active(active, org):
    other_unit = QualityPlanFactory(
        owner=org.unit_a, first_year=2021, last_year=2024, status=ACTIVE
    )
    later = QualityPlanFactory(owner=org.department, first_year=2025, last_year=2028, status=DRAFT)
    assert plan_activate(plan=later, user=None, archive_overlapping=False) == []
    assert {status_of(active), status_of(other_unit), status_of(later)} == {ACTIVE}


def test_saving_a_second_overlapping_plan_as_active_is_refused(active, draft):
    draft.status = ACTIVE
    with pytest.raises(ValidationError):
        plan_save(plan=draft, user=None)
    assert status_of(draft) == DRAFT


def test_activating_twice_is_harmless(active, draft):
    plan_activate(plan=draft, user=None, archive_overlapping=True)
    assert plan_activate(plan=draft, user=None, archive_overlapping=True) == []
    assert status_of(draft) == ACTIVE


def test_the_office_sees_what_activation_archives_then_activates(client, users, active, draft):
    client.force_login(users.quality_office)
    page = client.get(reverse("plan_activate", args=[draft.pk]))
    assert page.status_code == 200
    assert "will be archived" in page.text and str(active) in page.text
    response = client.post(reverse("plan_activate", args=[draft.pk]), {"archive": "1"})
    assert response.url == reverse("plan_detail", args=[draft.pk])
    assert (status_of(draft), status_of(active)) == (ACTIVE, ARCHIVED)


def test_the_plan_page_offers_activation_to_the_office_only(client, users, draft):
    url = reverse("plan_detail", args=[draft.pk])
    client.force_login(users.quality_office)
    assert reverse("plan_activate", args=[draft.pk]) in client.get(url).text
    client.force_login(users.leader_a)
    assert reverse("plan_activate", args=[draft.pk]) not in client.get(url).text


@pytest.mark.parametrize(("username", "status"), [("leader_a", 403), ("stranger", 404)])
def test_others_may_not_activate(client, users, draft, username, status):
    client.force_login(getattr(users, username))
    assert client.post(reverse("plan_activate", args=[draft.pk])).status_code == status
    assert status_of(draft) == DRAFT


def test_a_post_that_lost_a_race_to_a_new_active_plan_is_refused(client, users, org, draft):
    client.force_login(users.quality_office)
    QualityPlanFactory(owner=org.department, first_year=2026, last_year=2029, status=ACTIVE)
    response = client.post(reverse("plan_activate", args=[draft.pk]))
    assert response.url == reverse("plan_activate", args=[draft.pk])
    assert status_of(draft) == DRAFT


@pytest.mark.parametrize("others", [1, 6])
def test_the_activation_page_runs_a_fixed_number_of_queries(
    client, users, org, draft, others, django_assert_max_num_queries
):
    for year in range(others):
        QualityPlanFactory(
            owner=org.department, first_year=2020 + year, last_year=2024 + year, status=ACTIVE
        )
    client.force_login(users.quality_office)
    with django_assert_max_num_queries(8):
        page = client.get(reverse("plan_activate", args=[draft.pk]))
    assert page.text.count("(20") >= others
