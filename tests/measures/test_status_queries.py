"""The status page and a row save cost the same number of queries at any size."""

from types import SimpleNamespace

import pytest
from django import forms
from django.contrib.auth.models import User
from django.urls import reverse

from demo.measures import bench_statuses_seed
from demo.qualityplan import BENCH_USER_PREFIX, bench_department, bench_seed
from measures import widgets
from measures.models import IndicatorTarget, MeasureStatus
from measures.periods import period_close, period_open
from measures.statuses import measure_status_update
from qualityplan.models import QualityPlan
from tests.factories import (
    GoalFactory,
    IndicatorFactory,
    MeasureFactory,
    MembershipFactory,
    OrgUnitFactory,
    SubGoalFactory,
    UserFactory,
    role,
)

# Counted, then fixed here; they hold for 3 rows and for 300.
# Page: session, user, period, access (memberships, org tree), units, rows with their
# measures' roles and indicators (3), counts, periods, goals and roles for the filters.
PAGE_QUERIES = 13
# Save: session, user, row with roles and indicators (3), access (2), the update in a
# savepoint (lock, updated-by check, constraint check in its own savepoint, update,
# history), the row again (3) and the counts.
SAVE_QUERIES = 20
KINDS = ["count", "percentage", "yes_no", "milestone", None]


def _build(*, org, plan, saver, measures: int, extra_units: int):
    """`measures` measures over two goals (with sub-goals), every indicator kind, reported
    by unit A and B and `extra_units` more units; the previous period reported in full."""
    goals = [GoalFactory(plan=plan, position=n + 1) for n in range(2)]
    subgoals = [SubGoalFactory(goal=goal, position=1) for goal in goals]
    for number in range(measures):
        goal = goals[number % 2]
        measure = MeasureFactory(
            goal=goal,
            subgoal=subgoals[number % 2] if number % 3 else None,
            position=number + 1,
            roles=["VL", "KUK"] if number % 4 == 0 else ["VL"],
        )
        kind = KINDS[number % len(KINDS)]
        if kind is not None:
            indicator = IndicatorFactory(measure=measure, kind=kind)
            IndicatorTarget.objects.create(indicator=indicator, year=2022, value=10)
    for number in range(extra_units):
        unit = OrgUnitFactory(name=f"Enhet {number}", parent=org.area)
        MembershipFactory(user=UserFactory(), role=role("VL"), org_unit=unit)
    previous, _created = period_open(plan=plan, year=2022, number=1, deadline=None, user=None)
    for row in previous.statuses.all():
        measure_status_update(row=row, user=saver, version=row.version, status="on_track")
    period_close(period=previous, user=None)
    period, _created = period_open(plan=plan, year=2022, number=2, deadline=None, user=None)
    # Half the rows reported already, so the page shows names and values.
    rows = list(period.statuses.order_by("pk"))
    for row in rows[::2]:
        measure_status_update(row=row, user=saver, version=row.version, status="at_risk")
    return period


def _bench_shaped():
    """The benchmark municipality, smaller: every role and indicator kind it has."""
    bench_seed(units=20, measures=100, years=1)
    plan = QualityPlan.objects.get(owner=bench_department())
    period = bench_statuses_seed(plan=plan).current
    leader = User.objects.get(username=f"{BENCH_USER_PREFIX}vl.0001")
    unit = leader.memberships.get().org_unit
    for row in period.statuses.filter(org_unit=unit).order_by("pk")[::2]:
        measure_status_update(row=row, user=leader, version=row.version, status="on_track")
    return SimpleNamespace(period=period, unit=unit, leader=leader)


@pytest.fixture(params=[(3, 0), (30, 6), "bench"], ids=["small", "larger", "bench-shaped"])
def sized(request, org, users, plan):
    if request.param == "bench":
        return _bench_shaped()
    measures, extra_units = request.param
    period = _build(
        org=org, plan=plan, saver=users.quality_office, measures=measures, extra_units=extra_units
    )
    assert period.statuses.filter(org_unit=org.unit_a).count() == measures
    return SimpleNamespace(period=period, unit=org.unit_a, leader=users.leader_a)


def test_the_status_page_costs_the_same_queries_at_any_size(
    client, sized, django_assert_max_num_queries
):
    client.force_login(sized.leader)
    url = reverse("status_page", args=[sized.period.pk]) + f"?unit={sized.unit.pk}"
    with django_assert_max_num_queries(PAGE_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    rows = sized.period.statuses.filter(org_unit=sized.unit).count()
    assert response.content.count(b"data-status-row") == rows


def test_a_row_save_costs_the_same_queries_at_any_size(
    client, sized, django_assert_max_num_queries
):
    client.force_login(sized.leader)
    # A row saved before: its "updated by" is checked on save, the dearest case.
    row = sized.period.statuses.filter(org_unit=sized.unit, reported_at__isnull=False).last()
    prefix = f"s{row.pk}"
    data = {
        f"{prefix}-version": row.version,
        f"{prefix}-status": "delayed",
        f"{prefix}-progress": "35",
        f"{prefix}-comment": "Forsinket av sykefravær.",
    }
    with django_assert_max_num_queries(SAVE_QUERIES):
        response = client.post(reverse("status_save", args=[row.pk]), data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    saved = MeasureStatus.objects.get(pk=row.pk)
    assert (saved.status, saved.version) == ("delayed", row.version + 1)


@pytest.mark.parametrize(
    ("fast", "django_widget", "value"),
    [
        (widgets.HiddenInput(), forms.HiddenInput(), 3),
        (widgets.NumberInput({"inputmode": "numeric"}), forms.NumberInput(), None),
        (widgets.TextInput({"inputmode": "decimal"}), forms.TextInput(), 'a "<b>" & c'),
        (widgets.Textarea({"rows": 2}), forms.Textarea(), "Linje 1\n<script>x</script>"),
        (widgets.Textarea(), forms.Textarea(), ""),
        (widgets.Select(choices=MeasureStatus.Status.choices), forms.Select(), "at_risk"),
        (widgets.Select(choices=[("", "–"), ("yes", 'Ja "<>"')]), forms.Select(), None),
    ],
)
def test_the_python_drawn_widgets_write_what_djangos_templates_write(fast, django_widget, value):
    django_widget.attrs, django_widget.choices = fast.attrs, getattr(fast, "choices", [])
    attrs = {"id": "id_s1-x", "class": "ds-input", "required": True, "disabled": False}
    assert fast.render("s1-x", value, attrs) == django_widget.render("s1-x", value, attrs)
