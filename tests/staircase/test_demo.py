import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from demo import staircase as staircase_demo
from staircase.models import (
    AssessmentRound,
    Certification,
    Criterion,
    ExternalReview,
    Framework,
    NetworkMeeting,
    SelfAssessment,
)

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_framework_in_use_and_loading_again_changes_nothing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_demo", "--quiet", skip_checks=True)
    assert sorted(Framework.objects.values_list("name", flat=True)) == [
        "Kvalitetstrapp helse og omsorg",
        "Kvalitetstrappa förskola",
    ]
    for framework in Framework.objects.all():
        assert framework.versions.get().areas.count() == 11
        steps = set(
            Criterion.objects.filter(area__version__framework=framework).values_list(
                "step", flat=True
            )
        )
        assert steps == {1, 2, 3, 4, 5, 6, 7}
    years = sorted(AssessmentRound.objects.values_list("year", flat=True))
    assert len(years) == 3
    last_two = SelfAssessment.objects.filter(year__in=years[1:])
    assert (
        last_two.filter(year=years[1]).count() == 11
        and last_two.filter(year=years[2]).count() == 11
    )
    assert ExternalReview.objects.filter(status="completed").exists()
    assert ExternalReview.objects.filter(status="appointed").count() == 2
    assert Certification.objects.filter(sequence=2).count() >= 2
    assert NetworkMeeting.objects.count() == 3
    counts = (
        SelfAssessment.objects.count(),
        Certification.objects.count(),
        Criterion.objects.count(),
    )
    assert staircase_demo.load().skipped
    assert (
        SelfAssessment.objects.count(),
        Certification.objects.count(),
        Criterion.objects.count(),
    ) == counts


def test_every_demo_page_shows_something_as_the_office_and_the_reviewer(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("load_demo", "--quiet", skip_checks=True)
    client = Client()
    client.login(username="kuk", password="demo-passord-2026")
    overview = client.get(reverse("staircase:overview"))
    assert overview.status_code == 200
    assert "units quality-certified" in overview.content.decode()
    assessment = SelfAssessment.objects.filter(status="approved").first()
    assert client.get(reverse("staircase:assessment", args=[assessment.pk])).status_code == 200
    assert client.get(reverse("staircase:certificates")).status_code == 200
    client.login(username=staircase_demo.REVIEWER, password="demo-passord-2026")
    home = client.get(reverse("staircase:home")).content.decode()
    assert home.count("/staircase/reviews/") == 2
