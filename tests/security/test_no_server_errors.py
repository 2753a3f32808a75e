"""No 500 on malformed input: every URL pattern, with real ids resolved from fixtures,
is asked with garbage query strings (GET) and garbage form values (POST) as every
standing role and as nobody, and must answer below 500.

A new URL pattern is walked without anyone adding it here; one whose parameters the
walker cannot resolve fails the test, so it is added to `_value` below.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from reporting.models import ReportJob
from tests.deviations.factories import DeviationFactory, MeetingFactory
from tests.factories import SubGoalFactory
from tests.reporting.dashboard_data import build_plan, fill_reports

ROLES = [
    None,
    "leader_a",
    "leader_b",
    "section_leader",
    "area_leader",
    "quality_office",
    "director",
    "employee",
    "stranger",
]
# Logging out ends the walk; health answers 503 when no worker runs (its job); None is
# the DEBUG media server.
SKIPPED = {"logout", "health", None}
HUGE = "9" * 25

GARBAGE = {
    "unit": "abc",
    "unit_id": "1;DROP TABLE",
    "plan": "x",
    "period": "-1",
    "year": "twenty",
    "page": "-7",
    "per_page": "NaN",
    "sort": "nonexistent__field",
    "q": "x" * 3000,
    "status": "<script>",
    "kind": "\x00",
    "from": "2022-13-45",
    "to": "31.02.2022",
    "risk": "high;low",
    "category": "abc",
    "org_unit": HUGE,
    "version": "v2",
    "value": "1e999",
    "progress": "-5",
    "comment": "x" * 200,
    "next": "https://evil.example/",
    "language": "xx",
    "token": "../../etc/passwd",
    "occurred_at": "31.02.2022 25:61",
    "held_on": "yesterday",
    "due_date": "soon",
    "consequence": "abc",
    "probability": HUGE,
    "handler": "abc",
    "measure": "[]",
    "description": "",
    "title": "",
    "first_year": "abc",
    "last_year": HUGE,
    "position": "abc",
    "direction": "sideways",
    "goal": "abc",
    "scope_unit": "abc",
    "file": "not a file",
    "confirm": "maybe",
    "went_well": "",
    "to_improve": "",
    "format": "pdf",
}


def _patterns(patterns=None, prefix="", namespace=""):
    """(route, pattern, name with its namespace) of every URL but the admin's."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            if str(entry.pattern).startswith("admin/"):
                continue
            inner = entry.namespace or namespace
            yield from _patterns(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield prefix + str(entry.pattern), entry, name


@pytest.fixture
def world(org, users, plan):
    data = build_plan(org=org, users=users, plan=plan)
    fill_reports(data, org)
    data.subgoal = SubGoalFactory(goal=data.safety)
    data.deviation = DeviationFactory(org_unit=org.unit_a, reporter=users.employee)
    data.meeting = MeetingFactory(org_unit=org.unit_a)
    data.row = data.t2.statuses.filter(org_unit=org.unit_a).first()
    data.job = ReportJob.objects.create(
        requested_by=users.director,
        plan=plan,
        year=2022,
        scope_unit=org.department,
        language="nb",
        dedupe_key="walk",
    )
    data.org = org
    # Improvement work: a project with a cycle, a point and a review decision.
    from datetime import date as _date

    from improvement import services as improvement_services

    data.project = improvement_services.project_create(
        user=users.leader_a, units=[org.unit_a], ideas=["Idé"], title="Prosjekt"
    )
    data.cycle = improvement_services.cycle_create(
        project=data.project, user=users.leader_a, starts_on=_date(2022, 1, 1)
    )
    data.point = improvement_services.data_point_save(
        project=data.project, measured_on=_date(2022, 1, 1), value=1
    )
    review = improvement_services.review_save(
        unit=org.unit_a, year=2022, user=users.leader_a, version=None, summary="."
    )
    data.decision = improvement_services.decision_add(review=review, text="Beslutning")
    return data


NOT_BUILT = (
    "survey", "section_", "question_", "statistic_", "indicator_import", "security_",
    "password_reset", "membership_", "role_",
)  # fmt: skip


def _value(name: str, key: str, world) -> str:
    """A real value for the parameter `key` of the URL named `name`."""
    by_key = {
        "period_pk": world.t2.pk,
        "period_id": world.t2.pk,
        "plan_pk": world.plan.pk,
        "plan_id": world.plan.pk,
        "goal_pk": world.safety.pk,
        "indicator_id": world.indicators.summed.pk,
        "unit_pk": world.org.unit_a.pk,
        "year": 2022,
        "action": "approve" if name == "annual_decide" else "close",
        "cycle_pk": world.cycle.pk,
        "point_pk": world.point.pk,
        "decision_pk": world.decision.pk,
    }
    if name.startswith("improvement:") and key == "pk":
        return str(world.project.pk)
    if key in by_key:
        return str(by_key[key])
    if name == "org_unit" and key == "pk":
        return str(world.org.unit_a.pk)
    if ":" in name or name.startswith(NOT_BUILT):
        # The staircase's, the surveys' and the statistics' own objects are not built
        # here: the garbage goes to an id or token that does not exist, a 404 path.
        return "999999" if key.endswith(("pk", "id")) else "unknown"
    assert key == "pk", f"{name}: no value for <{key}>; add it to _value"
    prefixes = [
        (("goal_create", "plan_"), world.plan),
        (("subgoal_create", "goal_"), world.safety),
        (("subgoal_",), world.subgoal),
        (("measure_",), world.summed),
        (("deviation_",), world.deviation),
        (("meeting_",), world.meeting),
        (("status_",), world.row),
        (("period_",), world.t2),
        (("report_job_",), world.job),
    ]
    for names, obj in prefixes:
        if name.startswith(names):
            return str(obj.pk)
    raise AssertionError(f"{name}: no object for <pk>; add it to _value")


def _url(route: str, name: str, world, huge: bool = False) -> str:
    import re

    def replace(match):
        key = match.group(2)
        if huge and match.group(1) == "int":
            return HUGE
        return _value(name, key, world)

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", lambda m: replace(m), route)


def _row_garbage(world) -> dict:
    rows = {}
    for row in world.t2.statuses.all():
        prefix = f"s{row.pk}-"
        rows |= {
            prefix + "version": "abc",
            prefix + "status": "nope",
            prefix + "value": HUGE,
            prefix + "progress": "1e3",
            prefix + "comment": "x",
        }
    return rows


@pytest.mark.parametrize("role", ROLES, ids=[str(role) for role in ROLES])
def test_no_url_answers_5xx_to_garbage(client, users, world, role):
    client.raise_request_exception = False
    if role:
        client.force_login(getattr(users, role))
    form = GARBAGE | _row_garbage(world)
    query = "&".join(f"{key}={value}" for key, value in GARBAGE.items() if len(value) < 100)
    failures = []
    for route, pattern, name in _patterns():
        if pattern.name in SKIPPED or name in SKIPPED:
            continue
        url = _url(route, name, world)
        requests = [("get", f"{url}?{query}", None), ("post", url, form)]
        if role == "quality_office" and "<int:" in route:
            requests.append(("get", _url(route, name, world, huge=True), None))
        for method, target, data in requests:
            response = (
                getattr(client, method)(target, data) if data else getattr(client, method)(target)
            )
            if response.status_code >= 500:
                error = getattr(response, "exc_info", None)
                why = f"{error[0].__name__}: {str(error[1])[:120]}" if error else ""
                failures.append(f"{method.upper()} {target[:100]} -> {response.status_code} {why}")
    assert failures == [], "\n".join(failures)
