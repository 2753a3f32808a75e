import importlib

import factory
from django.contrib.auth import get_user_model

from measures.models import Indicator, Measure, MeasureYear
from qualityplan.models import Goal, Membership, OrgUnit, QualityPlan, Role, SubGoal


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.django.Password("correct horse battery staple")


class OrgUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrgUnit

    name = factory.Sequence(lambda n: f"Unit {n}")
    kind = OrgUnit.Kind.UNIT


_default_roles = importlib.import_module("qualityplan.migrations.0002_default_roles")
DEFAULT_ROLES = {row[0]: row[1:] for row in _default_roles.DEFAULT_ROLES}


def role(code: str) -> Role:
    """A default role by code, as the data migration makes it.

    Browser tests empty the database between tests, data migration rows included,
    so the role is made again when it is missing.
    """
    name, scope, reports, manages, approves = DEFAULT_ROLES[code]
    defaults = {
        "name": name,
        "scope": scope,
        "reports_status": reports,
        "manages_plan": manages,
        "approves_reports": approves,
        "reads_security_log": code == "KUK",  # as migration 0005 sets it
    }
    return Role.objects.get_or_create(code=code, defaults=defaults)[0]


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = factory.LazyFunction(lambda: role("VL"))
    org_unit = factory.SubFactory(OrgUnitFactory)


class QualityPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QualityPlan

    title = factory.Sequence(lambda n: f"Kvalitetsplan {n}")
    first_year = 2025
    last_year = 2028
    status = QualityPlan.Status.ACTIVE


class GoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Goal

    plan = factory.SubFactory(QualityPlanFactory)
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Mål {n}")


class SubGoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SubGoal

    goal = factory.SubFactory(GoalFactory)
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Delmål {n}")


class MeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Measure
        skip_postgeneration_save = True

    goal = factory.SubFactory(GoalFactory)
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Tiltak {n}")
    is_continuous = True

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create:
            self.responsible_roles.set([role(code) for code in (extracted or ["VL"])])

    @factory.post_generation
    def years(self, create, extracted, **kwargs):
        if create:
            years = extracted if extracted is not None else self.goal.plan.years
            MeasureYear.objects.bulk_create(MeasureYear(measure=self, year=y) for y in years)


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    measure = factory.SubFactory(MeasureFactory)
    name = factory.Sequence(lambda n: f"Antall {n}")
    kind = Indicator.Kind.COUNT
