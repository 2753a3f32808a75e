from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from qualityplan.models import QualityPlan
from reporting import pdf
from staircase.models import AreaAssessment, ReviewerAssignment, SelfAssessment
from staircase.report import pdf_section
from staircase.reviews import reviewer_appoint
from staircase.services import assessment_start

from .factories import make_round

pytestmark = pytest.mark.django_db


def test_the_annual_report_gets_a_staircase_chapter_through_the_hook(stair, org, users, plan):
    round_ = make_round(version=stair.version, owner=org.department, year=2024)
    assessment = assessment_start(round=round_, unit=org.unit_a, user=users.leader_a)
    AreaAssessment.objects.filter(assessment=assessment).update(step_reached=3)
    SelfAssessment.objects.filter(pk=assessment.pk).update(status="approved")
    QualityPlan.objects.filter(pk=plan.pk).update(status="active")
    report = pdf.report_data(
        plan=plan, year=2024, scope_unit=org.department, user=users.quality_office
    )
    html = pdf.report_html(data=report)
    assert 'id="staircase"' in html and "The quality staircase" in html
    assert "0 of 3 units quality-certified" in html
    assert "2 units had not submitted their self-assessment." in html
    assert pdf_section(plan=plan, year=2019, unit_ids={org.unit_a.pk}) is None


def test_the_menu_shows_the_staircase_to_members_and_appointed_reviewers_only(
    client, stair, org, users
):
    client.force_login(users.leader_a)
    assert 'href="/staircase/"' in client.get(reverse("plan_list")).content.decode()
    client.force_login(users.stranger)
    assert 'href="/staircase/"' not in client.get(reverse("plan_list")).content.decode()
    assignment, _new = reviewer_appoint(
        round=stair.round,
        unit=org.unit_a,
        username="stranger",
        access_until=timezone.localdate() + timedelta(days=5),
        user=users.quality_office,
    )
    assert 'href="/staircase/"' in client.get(reverse("plan_list")).content.decode()
    ReviewerAssignment.objects.filter(pk=assignment.pk).update(
        access_until=timezone.localdate() - timedelta(days=1)
    )
    assert 'href="/staircase/"' not in client.get(reverse("plan_list")).content.decode()
