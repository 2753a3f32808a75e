"""Standing organisation and users, as STYLE.md asks for.

department
├── area (Område Hjemme)          ← OL: area_leader
│   ├── unit_a                    ← VL: leader_a, employee
│   │   └── section_a             ← AL: section_leader
│   └── unit_b                    ← VL: leader_b (the outsider for unit A)
├── other_area
│   └── unit_c
└── office (quality office)       ← KUK: quality_office
director: KD at the department.
"""

from types import SimpleNamespace

import pytest
from django.utils import translation

from qualityplan.models import OrgUnit

from .factories import MembershipFactory, OrgUnitFactory, QualityPlanFactory, UserFactory, role


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Real hashing costs a third of a second a user; tests do not need its strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _english_unless_asked(request, settings):
    """Tests read English messages; the product's default is Norwegian.

    Browser tests keep the default, so they see what a Norwegian user sees; a
    test that wants another language activates it itself.
    """
    if "e2e" in request.keywords:
        yield
        return
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def org(db):
    department = OrgUnitFactory(name="Helse og omsorg", kind=OrgUnit.Kind.DEPARTMENT)
    area = OrgUnitFactory(name="Område Hjemme", kind=OrgUnit.Kind.AREA, parent=department)
    other_area = OrgUnitFactory(
        name="Område Institusjon", kind=OrgUnit.Kind.AREA, parent=department
    )
    return SimpleNamespace(
        department=department,
        area=area,
        other_area=other_area,
        unit_a=(unit_a := OrgUnitFactory(name="Hjemmetjenesten Nord", parent=area)),
        unit_b=OrgUnitFactory(name="Hjemmetjenesten Sør", parent=area),
        unit_c=OrgUnitFactory(name="Sykehjemmet", parent=other_area),
        section_a=OrgUnitFactory(name="Nattpatruljen", kind=OrgUnit.Kind.SECTION, parent=unit_a),
        office=OrgUnitFactory(
            name="Kvalitet- og utviklingskontoret", kind=OrgUnit.Kind.OFFICE, parent=department
        ),
    )


def _member(username: str, code: str, unit: OrgUnit):
    user = UserFactory(username=username)
    MembershipFactory(user=user, role=role(code), org_unit=unit)
    return user


@pytest.fixture
def users(org):
    return SimpleNamespace(
        leader_a=_member("leader_a", "VL", org.unit_a),
        leader_b=_member("leader_b", "VL", org.unit_b),
        section_leader=_member("section_leader", "AL", org.section_a),
        area_leader=_member("area_leader", "OL", org.area),
        quality_office=_member("quality_office", "KUK", org.office),
        director=_member("director", "KD", org.department),
        employee=_member("employee", "ANS", org.unit_a),
        stranger=UserFactory(username="stranger"),
    )


@pytest.fixture
def plan(org):
    return QualityPlanFactory(owner=org.department, first_year=2021, last_year=2024)


@pytest.fixture(autouse=True)
def _empty_cache(request):
    """Each test starts with an empty cache: ids repeat between tests, cached figures must not.

    The municipality's settings, read on every page and cached for minutes in a running
    installation, are read once here, so that a page's query count is its steady one.
    """
    from django.core.cache import cache

    cache.clear()
    if {"db", "transactional_db"} & set(request.fixturenames):
        from qualityplan.municipality import municipality_settings

        request.getfixturevalue(
            "transactional_db" if "transactional_db" in request.fixturenames else "db"
        )
        municipality_settings()
    yield
    cache.clear()
