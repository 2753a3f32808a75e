import pytest

from measures.periods import period_open
from tests.factories import GoalFactory, IndicatorFactory, MeasureFactory


@pytest.fixture
def reporting(org, users, plan):
    """An open period with two measures reported by units A and B."""
    goal = GoalFactory(plan=plan, position=1, title="Trygge tjenester")
    counted = MeasureFactory(goal=goal, title="Brukerråd", roles=["VL"])
    IndicatorFactory(measure=counted, name="Antall møter", kind="count")
    plain = MeasureFactory(goal=goal, title="Pårørendeplan", roles=["VL"])
    period, _ = period_open(plan=plan, year=2022, number=1, deadline=None, user=None)
    rows = {(s.measure_id, s.org_unit_id): s for s in period.statuses.all()}
    return type(
        "Reporting",
        (),
        {
            "period": period,
            "counted": counted,
            "plain": plain,
            "row_a": rows[(counted.pk, org.unit_a.pk)],
            "row_b": rows[(counted.pk, org.unit_b.pk)],
            "plain_a": rows[(plain.pk, org.unit_a.pk)],
        },
    )


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Pending uploads are files in the default storage: keep the tests' out of var/."""
    settings.MEDIA_ROOT = tmp_path / "media"
