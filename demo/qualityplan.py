"""Services that build the demo municipality and the large benchmark municipality.

`demo_load` is what `make run` calls (through `manage.py load_demo`): a small,
realistic health and care department with one login per role and the real
2021–2024 plan. It only ever adds what is missing, keyed on natural keys, so
running it again changes nothing, not even a password a user has changed.

`bench_seed` builds a large municipality with bulk inserts, for `bench/`.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from measures.models import Indicator, IndicatorTarget, Measure, MeasureYear
from measures.plan_import import PlanTable, parse_plan_table
from measures.plan_write import plan_import_apply
from qualityplan.models import Goal, Membership, OrgUnit, QualityPlan, Role, SubGoal

User = get_user_model()

DEMO_PASSWORD = "demo-passord-2026"  # noqa: S105 -- printed for everyone; demo data only
DEMO_EMAIL_DOMAIN = "demo.kommune.no"
DEPARTMENT = "Helse og omsorg"
OFFICE = "Kvalitet- og utviklingskontoret"
MUNICIPALITY_CODE = "4601"

# area → units: (name, slug for the leader's username, sections, leader's name)
DEMO_AREAS: dict[str, list[tuple[str, str, tuple[str, ...], str]]] = {
    "Hjemmebaserte tjenester": [
        ("Hjemmetjenesten Nord", "nord", ("Nattpatruljen", "Dagteam Nord"), "Vigdis Nordli"),
        ("Hjemmetjenesten Sør", "sor", ("Dagteam Sør", "Kveldsteam"), "Sindre Sørlie"),
        ("Tildelingskontoret", "tildeling", ("Saksbehandling",), "Tone Berg"),
        ("Fysio- og ergoterapi", "fysio", ("Fysioterapi", "Ergoterapi"), "Fredrik Aas"),
    ],
    "Institusjon og rehabilitering": [
        (
            "Sykehjemmet Solgløtt",
            "solglott",
            ("Avdeling 1. etasje", "Avdeling 2. etasje", "Skjermet enhet"),
            "Solveig Moen",
        ),
        (
            "Bo- og aktivitetssenteret",
            "bas",
            ("Avdeling 1. etasje", "Aktivitetsavdelingen"),
            "Bjørn Strand",
        ),
        ("Korttidsavdelingen", "korttid", ("Korttid", "Lindrende enhet"), "Kari Lie"),
        ("Rehabiliteringsenheten", "rehab", ("Døgnrehabilitering",), "Ragnhild Vik"),
    ],
    "Psykisk helse og rus": [
        ("Psykisk helseteam", "psykisk", ("Voksne", "Barn og unge"), "Per Solberg"),
        ("Rustjenesten", "rus", ("Oppfølgingsteamet",), "Rune Eide"),
        ("Boliger med bemanning", "boliger", ("Bolig Øst", "Bolig Vest"), "Berit Haugen"),
        ("Dagsenteret", "dagsenter", ("Aktivitetsgruppa",), "Dag Nygård"),
    ],
}

# username, first name, last name, role code, unit ("unit / section" for a section)
DEMO_PEOPLE = [
    ("kd", "Kristin", "Dahl", "KD", DEPARTMENT),
    ("kuk", "Karianne", "Ulvestad", "KUK", OFFICE),
    ("ol.hjemme", "Ole", "Hammer", "OL", "Hjemmebaserte tjenester"),
    ("al.natt", "Anne", "Lunde", "AL", "Hjemmetjenesten Nord / Nattpatruljen"),
    ("ansatt", "Amir", "Nilsen", "ANS", "Hjemmetjenesten Nord"),
]
# The logins `load_demo` prints, in this order; the README lists the same.
DEMO_LOGINS = ["kd", "kuk", "ol.hjemme", "vl.nord", "vl.sor", "al.natt", "ansatt", "admin"]


@dataclass
class DemoLogin:
    username: str
    role: str
    unit: str


@dataclass
class DemoSummary:
    org_units: dict[str, int] = field(default_factory=dict)
    users: int = 0
    logins: list[DemoLogin] = field(default_factory=list)
    other_leaders: int = 0
    plans_created: list[QualityPlan] = field(default_factory=list)
    plans_present: list[QualityPlan] = field(default_factory=list)


def _unit(*, name: str, kind: str, parent: OrgUnit | None, code: str = "") -> OrgUnit:
    unit, _created = OrgUnit.objects.get_or_create(
        parent=parent, name=name, defaults={"kind": kind, "external_code": code}
    )
    return unit


def demo_org_create() -> dict[str, OrgUnit]:
    """The demo org tree, by name ("unit / section" for sections)."""
    department = _unit(name=DEPARTMENT, kind=OrgUnit.Kind.DEPARTMENT, parent=None)
    units = {
        DEPARTMENT: department,
        OFFICE: _unit(name=OFFICE, kind=OrgUnit.Kind.OFFICE, parent=department),
    }
    number = 0
    for area_name, unit_rows in DEMO_AREAS.items():
        area = _unit(name=area_name, kind=OrgUnit.Kind.AREA, parent=department)
        units[area_name] = area
        for unit_name, _slug, sections, _leader in unit_rows:
            number += 1
            code = f"{MUNICIPALITY_CODE}-HO-{number:02d}"
            unit = _unit(name=unit_name, kind=OrgUnit.Kind.UNIT, parent=area, code=code)
            units[unit_name] = unit
            for section in sections:
                units[f"{unit_name} / {section}"] = _unit(
                    name=section, kind=OrgUnit.Kind.SECTION, parent=unit
                )
    return units


def _demo_people() -> list[tuple[str, str, str, str, str]]:
    """Everyone with a membership: the named people and a leader for every unit."""
    people = list(DEMO_PEOPLE)
    for unit_rows in DEMO_AREAS.values():
        for unit_name, slug, _sections, leader in unit_rows:
            first, last = leader.split(" ", 1)
            people.append((f"vl.{slug}", first, last, "VL", unit_name))
    return people


def _user_ensure(*, username: str, first: str, last: str, password: str, **extra) -> User:
    """The user, created if missing; an existing user is left exactly as it is."""
    user, _created = User.objects.get_or_create(
        username=username,
        defaults={
            "first_name": first,
            "last_name": last,
            "email": f"{username}@{DEMO_EMAIL_DOMAIN}",
            "password": password,
            **extra,
        },
    )
    return user


def demo_users_create(*, units: dict[str, OrgUnit]) -> list[DemoLogin]:
    """The demo users and their memberships; returns one login row per user."""
    people = _demo_people()
    wanted = {row[0] for row in people} | {"admin"}
    present = set(User.objects.filter(username__in=wanted).values_list("username", flat=True))
    # Hashing is slow on purpose: do it once, and only if a user is missing.
    password = make_password(DEMO_PASSWORD) if wanted - present else ""
    roles = {role.code: role for role in Role.objects.all()}
    logins = []
    for username, first, last, code, unit_name in people:
        user = _user_ensure(username=username, first=first, last=last, password=password)
        Membership.objects.get_or_create(user=user, role=roles[code], org_unit=units[unit_name])
        logins.append(DemoLogin(username=username, role=code, unit=unit_name))
    _user_ensure(
        username="admin",
        first="Systemadministrator",
        last="Demo",
        password=password,
        is_staff=True,
        is_superuser=True,
    )
    logins.append(DemoLogin(username="admin", role="superuser", unit="—"))
    return logins


DEMO_PLAN_FILE = Path(__file__).resolve().parent / "data" / "ho-kvalitetsplan-2021-2024.tsv"
# title, years added to the table's years, status
DEMO_PLANS = [
    ("Kvalitetsplan for helse og omsorg 2021–2024", 0, QualityPlan.Status.ARCHIVED),
    ("Kvalitetsplan for helse og omsorg 2025–2028", 4, QualityPlan.Status.ACTIVE),
]
# indicator name as in the table → source, kind, target per plan year. Higher is better for
# all of them (more deviations reported means a better reporting culture); counts add up
# across units, yes/no answers are averaged into a share.
DEMO_INDICATORS = {
    "Antall meldte/ lukkede avvik": ("deviations_reported", "count", (150, 170, 190, 200)),
    "Antall gjennomførte møter i kvalitetsrisikoen": ("meetings_held", "count", (48, 48, 48, 48)),
    "Antall innkomstsamtaler gjennomført": ("manual", "count", (120, 140, 150, 160)),
    "Antall primærkonsultasjoner gjennomført": ("manual", "count", (80, 90, 100, 100)),
    "Antall gjennomførte møter": ("manual", "count", (8, 12, 12, 12)),
    "Antall brukere med primærkontakter/primærgrupper": ("manual", "count", (300, 320, 340, 350)),
    "Politikk beslutning": ("manual", "yes_no", ()),
    "Gjennomført oppfølging": ("manual", "yes_no", ()),
}


def demo_load() -> DemoSummary:
    """The whole demo municipality; adds only what is missing."""
    with transaction.atomic():
        units = demo_org_create()
        logins = demo_users_create(units=units)
        summary = DemoSummary(
            org_units=dict(Counter(unit.kind for unit in units.values())),
            users=len(logins),
            logins=logins,
            other_leaders=sum(1 for login in logins if login.username not in DEMO_LOGINS),
        )
        user = User.objects.get(username="kuk")
        for title, shift, status in DEMO_PLANS:
            present = QualityPlan.objects.filter(owner=units[DEPARTMENT], title=title).first()
            if present is not None:
                summary.plans_present.append(present)
                continue
            plan = demo_plan_import(
                owner=units[DEPARTMENT], title=title, shift=shift, status=status, user=user
            )
            demo_indicators_configure(plan=plan)
            summary.plans_created.append(plan)
    return summary


def demo_plan_import(
    *, owner: OrgUnit, title: str, shift: int, status: str, user: User | None
) -> QualityPlan:
    """Import the real plan table, moved `shift` years later."""
    table = parse_plan_table(data=DEMO_PLAN_FILE.read_bytes(), filename=DEMO_PLAN_FILE.name)
    _table_shift(table, years=shift)
    return plan_import_apply(
        table=table,
        owner=owner,
        title=title,
        user=user,
        frequency=QualityPlan.Frequency.TERTIAL,
        status=status,
    )


def _table_shift(table: PlanTable, *, years: int) -> None:
    """Move a parsed table `years` later: the plan's years, and each measure's years and dates."""
    table.years = [year + years for year in table.years]
    for measure in table.measures:
        measure.years = [year + years for year in measure.years]
        measure.start_date = _date_shift(measure.start_date, years=years)
        measure.end_date = _date_shift(measure.end_date, years=years)


def _date_shift(value: date | None, *, years: int) -> date | None:
    if value is None:
        return None
    try:
        return value.replace(year=value.year + years)
    except ValueError:  # 29 February in a year without one
        return value.replace(year=value.year + years, day=28)


def demo_indicators_configure(*, plan: QualityPlan) -> None:
    """Give the plan's counted indicators a source, a kind and yearly targets."""
    indicators = Indicator.objects.filter(measure__goal__plan=plan).prefetch_related(
        "measure__years"
    )
    for indicator in indicators:
        setting = DEMO_INDICATORS.get(" ".join(indicator.name.split()))
        if setting is None:
            continue
        indicator.source, indicator.kind, targets = setting
        indicator.direction = Indicator.Direction.HIGHER
        indicator.aggregation = (
            Indicator.Aggregation.SUM
            if indicator.kind == Indicator.Kind.COUNT
            else Indicator.Aggregation.AVERAGE
        )
        indicator.full_clean()
        indicator.save()
        run_years = {row.year for row in indicator.measure.years.all()}
        IndicatorTarget.objects.bulk_create(
            IndicatorTarget(indicator=indicator, year=year, value=Decimal(value))
            for year, value in zip(plan.years, targets, strict=False)
            if year in run_years
        )


# --- The benchmark municipality -------------------------------------------------

BENCH_DEPARTMENT = "Bench kommune helse og omsorg"
BENCH_USER_PREFIX = "bench."
BENCH_FIRST_YEAR = 2025
BENCH_GOALS = 6
BENCH_SUBGOALS_PER_GOAL = 2
BENCH_UNITS_PER_AREA = 10
# name, kind, direction, aggregation: cycled over the measures for a realistic mix
BENCH_INDICATORS = [
    ("Antall gjennomførte samtaler, tiltak {}", "count", "higher", "sum"),
    ("Andel brukere med oppdatert plan, tiltak {}", "percentage", "higher", "average"),
    ("Antall fall, tiltak {}", "count", "lower", "sum"),
    ("Rutine er implementert, tiltak {}", "yes_no", "higher", "average"),
    ("Milepæl for tiltak {}", "milestone", "none", "sum"),
]


@dataclass
class BenchResult:
    created: bool
    counts: dict[str, int]
    seconds: float


def bench_department() -> OrgUnit | None:
    return OrgUnit.objects.filter(parent=None, name=BENCH_DEPARTMENT).first()


def bench_seed(*, units: int, measures: int, years: int, reset: bool = False) -> BenchResult:
    """The benchmark municipality; an existing one is kept unless `reset` is given."""
    started = time.perf_counter()
    with transaction.atomic():
        if reset:
            bench_delete()
        department = bench_department()
        created = department is None
        if created:
            department, unit_list = _bench_org(units=units)
            _bench_plan(owner=department, measures=measures, years=years)
            # Statuses and deviations will be further calls here, over unit_list.
        counts = bench_counts(department=department)
    return BenchResult(created=created, counts=counts, seconds=time.perf_counter() - started)


def bench_delete() -> None:
    """Delete the benchmark municipality: its plans, users and org units."""
    User.objects.filter(username__startswith=BENCH_USER_PREFIX).delete()
    department = bench_department()
    if department is None:
        return
    QualityPlan.objects.filter(owner=department).delete()
    # Org units protect their parents: delete from the deepest level up.
    for lookup in ("parent__parent__parent", "parent__parent", "parent"):
        OrgUnit.objects.filter(**{lookup: department}).delete()
    department.delete()


def bench_counts(*, department: OrgUnit) -> dict[str, int]:
    plans = QualityPlan.objects.filter(owner=department)
    measures = Measure.objects.filter(goal__plan__in=plans)
    return {
        "areas": OrgUnit.objects.filter(parent=department, kind=OrgUnit.Kind.AREA).count(),
        "units": OrgUnit.objects.filter(parent__parent=department, kind=OrgUnit.Kind.UNIT).count(),
        "users": User.objects.filter(username__startswith=BENCH_USER_PREFIX).count(),
        "memberships": Membership.objects.filter(
            user__username__startswith=BENCH_USER_PREFIX
        ).count(),
        "plans": plans.count(),
        "goals": Goal.objects.filter(plan__in=plans).count(),
        "sub-goals": SubGoal.objects.filter(goal__plan__in=plans).count(),
        "measures": measures.count(),
        "measure years": MeasureYear.objects.filter(measure__in=measures).count(),
        "indicators": Indicator.objects.filter(measure__in=measures).count(),
        "targets": IndicatorTarget.objects.filter(indicator__measure__in=measures).count(),
    }


def _bench_org(*, units: int) -> tuple[OrgUnit, list[OrgUnit]]:
    department = OrgUnit.objects.create(name=BENCH_DEPARTMENT, kind=OrgUnit.Kind.DEPARTMENT)
    office = OrgUnit.objects.create(
        name="Bench kvalitetskontor", kind=OrgUnit.Kind.OFFICE, parent=department
    )
    area_count = max(1, -(-units // BENCH_UNITS_PER_AREA))
    areas = OrgUnit.objects.bulk_create(
        OrgUnit(name=f"Bench område {n + 1:02d}", kind=OrgUnit.Kind.AREA, parent=department)
        for n in range(area_count)
    )
    unit_list = OrgUnit.objects.bulk_create(
        OrgUnit(
            name=f"Bench virksomhet {n + 1:04d}",
            kind=OrgUnit.Kind.UNIT,
            parent=areas[n // BENCH_UNITS_PER_AREA],
            external_code=f"BENCH-{n + 1:04d}",
        )
        for n in range(units)
    )
    leaders = [("kd", "KD", department), ("kuk", "KUK", office)]
    leaders += [(f"ol.{n + 1:02d}", "OL", area) for n, area in enumerate(areas)]
    leaders += [(f"vl.{n + 1:04d}", "VL", unit) for n, unit in enumerate(unit_list)]
    _bench_users(leaders=leaders)
    return department, unit_list


def _bench_users(*, leaders: list[tuple[str, str, OrgUnit]]) -> None:
    """One user per (name, role code, unit), all with the demo password hashed once."""
    password = make_password(DEMO_PASSWORD)
    users = User.objects.bulk_create(
        User(
            username=f"{BENCH_USER_PREFIX}{name}",
            email=f"{BENCH_USER_PREFIX}{name}@{DEMO_EMAIL_DOMAIN}",
            first_name=code,
            last_name=unit.name,
            password=password,
        )
        for name, code, unit in leaders
    )
    roles = {role.code: role for role in Role.objects.all()}
    Membership.objects.bulk_create(
        Membership(user=user, role=roles[code], org_unit=unit)
        for user, (_name, code, unit) in zip(users, leaders, strict=True)
    )


def _bench_plan(*, owner: OrgUnit, measures: int, years: int) -> QualityPlan:
    last_year = BENCH_FIRST_YEAR + years - 1
    plan = QualityPlan.objects.create(
        title=f"Bench kvalitetsplan {BENCH_FIRST_YEAR}–{last_year}",
        owner=owner,
        first_year=BENCH_FIRST_YEAR,
        last_year=last_year,
        status=QualityPlan.Status.ACTIVE,
    )
    goals = Goal.objects.bulk_create(
        Goal(plan=plan, position=n + 1, title=f"Mål {n + 1}") for n in range(BENCH_GOALS)
    )
    subgoals = SubGoal.objects.bulk_create(
        SubGoal(goal=goal, position=n + 1, title=f"Delmål {goal.position}.{n + 1}")
        for goal in goals
        for n in range(BENCH_SUBGOALS_PER_GOAL)
    )
    rows = Measure.objects.bulk_create(
        _bench_measure(number=n, goals=goals, subgoals=subgoals, plan=plan) for n in range(measures)
    )
    _bench_measure_roles(measures=rows)
    _bench_indicators(measures=rows, plan=plan)
    return plan


def _bench_measure(*, number: int, goals: list[Goal], subgoals: list[SubGoal], plan) -> Measure:
    """Measure `number` (from 0): goals in turn, each goal's sub-goals in turn."""
    goal_index, round_ = number % len(goals), number // len(goals)
    subgoal = subgoals[goal_index * BENCH_SUBGOALS_PER_GOAL + round_ % BENCH_SUBGOALS_PER_GOAL]
    measure = Measure(
        goal=goals[goal_index],
        subgoal=subgoal,
        position=round_ + 1,
        title=f"Tiltak {number + 1}: forbedre rutiner og opplæring",
        is_continuous=number % 3 != 0,
    )
    if not measure.is_continuous:
        last_year = plan.first_year + number % len(plan.years)
        measure.start_date = date(plan.first_year, 1, 1)
        measure.end_date = date(last_year, 12, 31)
    return measure


def _bench_role_codes(number: int) -> list[str]:
    """Mostly unit leaders; some section leaders, the quality office, area leaders."""
    if number % 10 == 3:
        return ["AL"]
    if number % 10 == 7:
        return ["VL", "KUK"]
    if number % 20 == 9:
        return ["OL"]
    return ["VL"]


def _bench_measure_roles(*, measures: list[Measure]) -> None:
    roles = {role.code: role.pk for role in Role.objects.all()}
    through = Measure.responsible_roles.through
    through.objects.bulk_create(
        through(measure_id=measure.pk, role_id=roles[code])
        for n, measure in enumerate(measures)
        for code in _bench_role_codes(n)
    )


def _measure_years(measure: Measure, plan: QualityPlan) -> list[int]:
    if measure.is_continuous:
        return plan.years
    return list(range(measure.start_date.year, measure.end_date.year + 1))


def _bench_indicators(*, measures: list[Measure], plan: QualityPlan) -> None:
    years = {measure.pk: _measure_years(measure, plan) for measure in measures}
    MeasureYear.objects.bulk_create(
        MeasureYear(measure=measure, year=year)
        for measure in measures
        for year in years[measure.pk]
    )
    specs = [BENCH_INDICATORS[n % len(BENCH_INDICATORS)] for n in range(len(measures))]
    indicators = Indicator.objects.bulk_create(
        Indicator(measure=m, name=name.format(n + 1), kind=kind, direction=way, aggregation=agg)
        for n, (m, (name, kind, way, agg)) in enumerate(zip(measures, specs, strict=True))
    )
    IndicatorTarget.objects.bulk_create(
        IndicatorTarget(indicator=indicator, year=year, value=_bench_target(indicator, step))
        for indicator in indicators
        if indicator.kind in (Indicator.Kind.COUNT, Indicator.Kind.PERCENTAGE)
        for step, year in enumerate(years[indicator.measure.pk])
    )


def _bench_target(indicator: Indicator, step: int) -> Decimal:
    if indicator.kind == Indicator.Kind.PERCENTAGE:
        return Decimal(min(100, 70 + 5 * step))
    if indicator.direction == Indicator.Direction.LOWER:
        return Decimal(max(0, 40 - 5 * step))
    return Decimal(100 + 20 * step)
