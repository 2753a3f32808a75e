"""The demo surveys: loaded once, answered across units, some units held back."""

from datetime import date

import pytest

from demo import surveys as demo_surveys
from demo.qualityplan import demo_load
from surveys.models import Survey, SurveyResponse
from surveys.results import survey_results


@pytest.fixture
def demo(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo_load()


def test_load_gives_a_user_survey_two_years_running_and_a_staff_survey(demo):
    summary = demo_surveys.load(today=date(2026, 5, 1))
    assert summary.created == [
        "Brukerundersøkelse 2024",
        "Brukerundersøkelse 2025",
        "Medarbeiderundersøkelse 2025",
    ]
    user = Survey.objects.get(title_nb="Brukerundersøkelse 2025")
    staff = Survey.objects.get(title_nb="Medarbeiderundersøkelse 2025")
    assert user.previous.title_nb == "Brukerundersøkelse 2024"
    assert staff.audience == "staff" and staff.uses_codes
    assert user.status == staff.status == "closed"
    results = survey_results(survey=user)
    names = {g.name for g in results.groups}
    assert "Hjemmetjenesten Nord" in names
    assert "Tildelingskontoret" not in names and "Korttidsavdelingen" not in names
    assert results.held_back >= 2
    assert "Dagsenteret" not in {g.name for g in survey_results(survey=staff).groups}
    assert summary.responses == SurveyResponse.objects.count()


def test_load_twice_changes_nothing(demo):
    demo_surveys.load(today=date(2026, 5, 1))
    counts = (Survey.objects.count(), SurveyResponse.objects.count())
    again = demo_surveys.load(today=date(2026, 5, 1))
    assert again.created == [] and len(again.present) == 3
    assert (Survey.objects.count(), SurveyResponse.objects.count()) == counts
