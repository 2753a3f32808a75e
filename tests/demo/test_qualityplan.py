import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import RequestFactory

from demo.qualityplan import BENCH_USER_PREFIX, DEMO_LOGINS, DEMO_PASSWORD, bench_department
from measures.models import Indicator, IndicatorTarget, Measure
from qualityplan.models import Goal, Membership, OrgUnit, QualityPlan, SubGoal

User = get_user_model()


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    # The commands hash the password once; logging in checks it. Neither needs to be slow here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _row_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models(include_auto_created=True)
    }


def _load_demo():
    call_command("load_demo", "--quiet", skip_checks=True)


def _seed_bench(*args: str, stdout=None):
    call_command("seed_bench", *args, skip_checks=True, stdout=stdout)


@pytest.mark.django_db
def test_load_demo_creates_the_demo_municipality():
    _load_demo()

    department = OrgUnit.objects.get(parent=None, name="Helse og omsorg")
    assert department.children.filter(kind=OrgUnit.Kind.AREA).count() == 3
    assert department.children.filter(kind=OrgUnit.Kind.OFFICE).count() == 1
    units = OrgUnit.objects.filter(kind=OrgUnit.Kind.UNIT, parent__parent=department)
    assert units.count() == 12
    assert not units.filter(external_code="").exists()
    for unit in units:
        assert unit.children.filter(kind=OrgUnit.Kind.SECTION).exists()
        assert Membership.objects.filter(org_unit=unit, role__code="VL").exists()
    assert set(DEMO_LOGINS) <= set(User.objects.values_list("username", flat=True))
    assert User.objects.get(username="admin").is_superuser
    assert Membership.objects.get(user__username="al.natt").org_unit.name == "Nattpatruljen"

    plans = QualityPlan.objects.filter(owner=department)
    assert {(p.first_year, p.last_year, p.status) for p in plans} == {
        (2021, 2024, QualityPlan.Status.ARCHIVED),
        (2025, 2028, QualityPlan.Status.ACTIVE),
    }
    for plan in plans:
        assert plan.frequency == QualityPlan.Frequency.TERTIAL
        assert Goal.objects.filter(plan=plan).count() == 6
        assert SubGoal.objects.filter(goal__plan=plan).count() == 8
        assert Measure.objects.filter(goal__plan=plan).count() == 18


@pytest.mark.django_db
def test_load_demo_gives_counted_indicators_a_source_and_targets():
    _load_demo()

    current = QualityPlan.objects.get(first_year=2025)
    deviations = Indicator.objects.get(
        measure__goal__plan=current, name="Antall meldte/ lukkede avvik"
    )
    assert deviations.source == Indicator.Source.DEVIATIONS_REPORTED
    assert deviations.kind == Indicator.Kind.COUNT
    assert list(deviations.targets.values_list("year", flat=True)) == [2025, 2026, 2027, 2028]
    meetings = Indicator.objects.get(
        measure__goal__plan=current, name="Antall gjennomførte møter i kvalitetsrisikoen"
    )
    assert meetings.source == Indicator.Source.MEETINGS_HELD
    assert IndicatorTarget.objects.filter(indicator__measure__goal__plan=current).count() > 6


@pytest.mark.django_db
def test_load_demo_twice_changes_nothing():
    _load_demo()
    before = _row_counts()
    user = User.objects.get(username="vl.nord")
    user.set_password("changed-by-the-user")
    user.save()

    _load_demo()

    assert _row_counts() == before
    user.refresh_from_db()
    assert user.check_password("changed-by-the-user")


@pytest.mark.django_db
def test_demo_users_can_log_in(client):
    _load_demo()

    for username in DEMO_LOGINS:
        # Login throttling (django-axes) needs the request the login comes with.
        request = RequestFactory().post("/login/")
        assert client.login(request=request, username=username, password=DEMO_PASSWORD), username
        client.logout()


@pytest.mark.django_db
def test_load_demo_prints_the_logins(capsys):
    call_command("load_demo", skip_checks=True)

    out = capsys.readouterr().out
    for username in DEMO_LOGINS:
        assert username in out
    assert DEMO_PASSWORD in out


@pytest.mark.django_db
def test_seed_bench_small():
    _seed_bench("--units", "5", "--measures", "10", "--years", "2")

    department = bench_department()
    assert OrgUnit.objects.filter(parent__parent=department, kind=OrgUnit.Kind.UNIT).count() == 5
    plan = QualityPlan.objects.get(owner=department)
    assert (plan.first_year, plan.last_year) == (2025, 2026)
    assert Goal.objects.filter(plan=plan).count() == 6
    assert SubGoal.objects.filter(goal__plan=plan).count() == 12
    measures = Measure.objects.filter(goal__plan=plan)
    assert measures.count() == 10
    assert Indicator.objects.filter(measure__goal__plan=plan).count() == 10
    assert not measures.filter(responsible_roles=None).exists()
    assert not measures.filter(years=None).exists()
    leaders = Membership.objects.filter(org_unit__parent__parent=department, role__code="VL")
    assert leaders.count() == 5
    assert leaders.first().user.username.startswith(BENCH_USER_PREFIX)


@pytest.mark.django_db
def test_seed_bench_twice_changes_nothing():
    _seed_bench("--units", "5", "--measures", "10", "--years", "2")
    before = _row_counts()

    _seed_bench("--units", "5", "--measures", "10", "--years", "2")

    assert _row_counts() == before


@pytest.mark.django_db
def test_seed_bench_reset_rebuilds_with_new_sizes():
    _seed_bench("--units", "5", "--measures", "10", "--years", "2")

    _seed_bench("--reset", "--units", "12", "--measures", "7", "--years", "3")

    department = bench_department()
    assert OrgUnit.objects.filter(parent__parent=department, kind=OrgUnit.Kind.UNIT).count() == 12
    assert Measure.objects.filter(goal__plan__owner=department).count() == 7
    assert QualityPlan.objects.get(owner=department).last_year == 2027
    assert User.objects.filter(username__startswith=BENCH_USER_PREFIX).count() == 12 + 2 + 2
