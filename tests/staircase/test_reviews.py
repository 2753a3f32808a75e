from datetime import date, timedelta

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from staircase import notify
from staircase.models import AreaAssessment, Certification, ExternalReview, ReviewerAssignment
from staircase.reviews import (
    AreaVerdict,
    certificate_issue,
    certification_shortfalls,
    review_complete,
    review_save,
    reviewer_appoint,
)
from staircase.services import assessment_start

from .factories import criteria_up_to, make_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def appointed(stair, org, users, django_capture_on_commit_callbacks):
    assessment = assessment_start(round=stair.round, unit=org.unit_a, user=users.leader_a)
    for row in AreaAssessment.objects.filter(assessment=assessment).select_related("area"):
        row.met_criteria.set(criteria_up_to(row.area, 3))
        AreaAssessment.objects.filter(pk=row.pk).update(step_reached=3)
    with django_capture_on_commit_callbacks(execute=True):
        assignment, created = reviewer_appoint(
            round=stair.round,
            unit=org.unit_a,
            username="ekstern.granskare",
            full_name="Eva Granskare",
            email="eva@example.se",
            access_until=timezone.localdate() + timedelta(days=30),
            user=users.quality_office,
        )
    assert created
    return assignment


def _verdicts(stair, step):
    return {
        area.pk: AreaVerdict(step=step, justification="Sett i praksis.") for area in stair.areas
    }


def test_a_new_outside_reviewer_gets_an_account_and_a_welcome_link(appointed):
    user = appointed.user
    assert not user.has_usable_password() and not user.memberships.exists()
    assert len(mail.outbox) == 1
    assert "/staircase/reviewer/welcome/" in mail.outbox[0].body


def test_the_reviewer_sees_only_the_assigned_unit_and_only_until_the_end_date(
    client, appointed, stair, org, users
):
    own = assessment_start(round=stair.round, unit=org.unit_a, user=users.leader_a)
    other = assessment_start(round=stair.round, unit=org.unit_b, user=users.leader_b)
    client.force_login(appointed.user)
    assert client.get(reverse("staircase:assessment", args=[own.pk])).status_code == 200
    assert client.get(reverse("staircase:assessment", args=[other.pk])).status_code == 404
    assert client.get(reverse("staircase:review", args=[appointed.review_id])).status_code == 200
    assert client.get(reverse("plan_list")).status_code == 200  # nothing in it for them
    ReviewerAssignment.objects.filter(pk=appointed.pk).update(access_until=date(2020, 1, 1))
    client.force_login(User.objects.get(pk=appointed.user_id))
    assert client.get(reverse("staircase:assessment", args=[own.pk])).status_code == 404
    assert client.get(reverse("staircase:review", args=[appointed.review_id])).status_code == 404


def test_the_reviewer_sets_steps_and_completes_then_the_unit_sees_both_side_by_side(
    client, appointed, stair, users
):
    client.force_login(appointed.user)
    url = reverse("staircase:review", args=[appointed.review_id])
    data = {"revision": 1, "report": "Ett gott arbete.", "action": "complete"}
    for area in stair.areas:
        data[f"step_{area.pk}"] = "4" if area.position == 1 else "3"
        data[f"justification_{area.pk}"] = "Sett i praksis."
    assert client.post(url, data).status_code == 302
    review = ExternalReview.objects.get()
    assert review.status == "completed"
    client.force_login(users.leader_a)
    text = client.get(url).content.decode()
    assert "Differs" in text and "Ett gott arbete." in text
    assert client.post(url, data).status_code == 403


def test_the_unit_does_not_see_the_review_before_it_is_completed(client, appointed, users):
    client.force_login(users.leader_a)
    assert client.get(reverse("staircase:review", args=[appointed.review_id])).status_code == 404


def test_completion_needs_every_area_and_a_report(appointed, stair):
    review = appointed.review
    with pytest.raises(ValidationError) as caught:
        review_complete(review=review, user=appointed.user)
    assert len(caught.value.messages) == 3


def test_certification_follows_the_rule_and_counts_the_times(appointed, stair, org, users):
    review = review_save(
        review=appointed.review,
        user=appointed.user,
        revision=1,
        report="Bra",
        areas=_verdicts(stair, 3),
    )
    review = review_complete(review=review, user=appointed.user)
    assert certification_shortfalls(review=review) == [
        "Område 1 is at step 3; step 4 is required.",
        "Område 2 is at step 3; step 4 is required.",
    ]
    framework = stair.version.framework
    framework.required_step = 3
    framework.save()
    first = certificate_issue(review=review, user=users.quality_office, issued_on=date(2025, 6, 1))
    assert (first.valid_until, first.sequence) == (date(2028, 6, 1), 1)
    assert certificate_issue(review=review, user=users.quality_office).pk == first.pk
    later = make_round(version=stair.version, owner=org.department, year=2028)
    second_review = ExternalReview.objects.create(
        round=later, org_unit=org.unit_a, status="completed"
    )
    for area in stair.areas:
        second_review.areas.create(area=area, step=5, justification="Ok")
    second = certificate_issue(
        review=second_review, user=users.quality_office, issued_on=date(2028, 5, 1)
    )
    assert second.sequence == 2


def test_certificate_pdf_and_count_page(client, appointed, stair, users):
    review = review_save(
        review=appointed.review,
        user=appointed.user,
        revision=1,
        report="Bra",
        areas=_verdicts(stair, 5),
    )
    review_complete(review=review, user=appointed.user)
    client.force_login(users.quality_office)
    client.post(reverse("staircase:review_certify", args=[review.pk]))
    certificate = Certification.objects.get()
    response = client.get(reverse("staircase:certificate_pdf", args=[certificate.pk]))
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    text = client.get(reverse("staircase:certificates")).content.decode()
    assert "1 of 3 units quality-certified" in text
    client.force_login(users.leader_b)
    assert (
        client.get(reverse("staircase:certificate_pdf", args=[certificate.pk])).status_code == 404
    )


def test_chase_and_deadline_reminders_are_sent_once(client, stair, org, users):
    users.leader_a.email, users.leader_b.email = "a@example.no", "b@example.no"
    users.leader_a.save()
    users.leader_b.save()
    client.force_login(users.quality_office)
    client.post(reverse("staircase:round_chase", args=[stair.round.pk]))
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.no", "b@example.no"]
    client.post(reverse("staircase:round_chase", args=[stair.round.pk]))
    assert len(mail.outbox) == 2
    client.force_login(users.leader_a)
    assert client.post(reverse("staircase:round_chase", args=[stair.round.pk])).status_code == 403
    stair.round.deadline = timezone.localdate() + timedelta(days=3)
    stair.round.save()
    assert notify.deadline_reminders_send() == 2
    assert notify.deadline_reminders_send() == 0


def test_expiry_reminder_goes_once_to_the_units_leaders(appointed, stair, users):
    users.leader_a.email = "a@example.no"
    users.leader_a.save()
    review = ExternalReview.objects.get()
    Certification.objects.create(
        framework=stair.version.framework,
        org_unit=review.org_unit,
        review=review,
        issued_on=timezone.localdate() - timedelta(days=1000),
        valid_until=timezone.localdate() + timedelta(days=30),
    )
    mail.outbox.clear()
    assert notify.expiry_reminders_send() == 1
    assert notify.expiry_reminders_send() == 0
    assert "expires soon" in mail.outbox[0].subject
