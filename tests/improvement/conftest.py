import pytest

from improvement import services
from tests.deviations.factories import DeviationFactory


@pytest.fixture
def project(org, users):
    return make_project(org, users)


def make_project(org, users):
    """A project of unit A with two ideas, a deviation that prompted it and no cycles yet."""
    deviation = DeviationFactory(org_unit=org.unit_a)
    return services.project_create(
        user=users.leader_a,
        units=[org.unit_a],
        ideas=["Fast tid for tilsyn", "Sjekkliste ved vaktskifte"],
        deviations=[deviation],
        title="Færre fall om natten",
        problem="Mange fall mellom kl. 02 og 05.",
        aim="Halvere antall fall innen utgangen av året.",
        measure_name="Fall per måned",
    )
