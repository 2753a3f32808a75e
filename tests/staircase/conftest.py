from types import SimpleNamespace

import pytest

from .factories import make_framework, make_round


@pytest.fixture
def stair(org):
    version = make_framework()
    round_ = make_round(version=version, owner=org.department)
    areas = list(version.areas.order_by("position"))
    return SimpleNamespace(version=version, round=round_, areas=areas)
