import pytest
from django.apps import apps

from demo import sources
from demo.measures import demo_statuses_load
from demo.qualityplan import demo_load
from measures.models import Indicator, Measure, MeasureStatus
from qualityplan.models import QualityPlan
from sources.models import ImportedValue, StatisticLink
from sources.selectors import comparison


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _counts() -> dict[str, int]:
    return {m._meta.label: m.objects.count() for m in apps.get_models(include_auto_created=True)}


@pytest.mark.django_db
def test_sources_demo_links_compares_imports_and_loads_once():
    demo_load()
    plan = QualityPlan.objects.get(status=QualityPlan.Status.ACTIVE, owner__parent=None)
    demo_statuses_load(plan=plan)
    measures = Measure.objects.filter(goal__plan=plan).count()
    summary = sources.load(plan=plan)
    # The plan keeps its own measures: statistics and imports feed its indicators.
    assert Measure.objects.filter(goal__plan=plan).count() == measures
    assert summary.cells == 36 and summary.linked and summary.imported > 0
    link = StatisticLink.objects.get()
    result = comparison(link=link)
    assert [line.label for line in result.lines] == [
        "Demo kommune",
        "KOSTRA-gruppe 13 (demo)",
        "Landet (demo)",
    ]
    assert result.years == list(range(2019, 2025))
    imported = Indicator.objects.get(name=sources.IMPORT_INDICATOR, measure__goal__plan=plan)
    assert imported.source == Indicator.Source.IMPORTED
    stored = ImportedValue.objects.filter(indicator=imported).select_related("org_unit")
    assert len(stored) >= summary.imported
    for value in stored:
        row = MeasureStatus.objects.get(
            measure=imported.measure,
            org_unit=value.org_unit,
            period__starts_on__lte=value.day,
            period__ends_on__gte=value.day,
        )
        assert row.value_number == value.value
    before = _counts()
    again = sources.load(plan=plan)
    assert (again.cells, again.linked, again.imported) == (0, False, 0)
    assert _counts() == before
