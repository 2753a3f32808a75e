"""Prepares a database for the load test and writes what the simulated users need.

    python bench/load/setup_data.py OUT.json [--units 300 --measures 100]

`seed_bench` builds the benchmark municipality (units, leaders, a plan, an open
period with status rows, deviations); this adds employees (one per unit for the first
hundred units) who report deviations, and writes the logins, the plan and the period.
"""

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qualityplan.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402

from demo.qualityplan import BENCH_USER_PREFIX, DEMO_PASSWORD, bench_department  # noqa: E402
from measures.models import ReportingPeriod  # noqa: E402
from qualityplan.models import Membership, OrgUnit, Role  # noqa: E402

EMPLOYEES = 100


def employees(units: list[OrgUnit]) -> list[str]:
    role = Role.objects.get(code="ANS")
    password = make_password(DEMO_PASSWORD)
    names = []
    for number, unit in enumerate(units[:EMPLOYEES], start=1):
        username = f"{BENCH_USER_PREFIX}ansatt.{number:04d}"
        user, created = User.objects.get_or_create(
            username=username, defaults={"password": password, "first_name": "Ansatt"}
        )
        if created:
            Membership.objects.create(user=user, role=role, org_unit=unit)
        names.append(username)
    return names


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--units", type=int, default=300)
    parser.add_argument("--measures", type=int, default=100)
    args = parser.parse_args()
    if bench_department() is None:
        call_command("seed_bench", units=args.units, measures=args.measures, years=4)
    department = bench_department()
    period = (
        ReportingPeriod.objects.filter(plan__owner=department, status="open")
        .order_by("year", "number")
        .first()
    )
    if period is None:
        sys.exit("The benchmark plan has no open period: seed_bench --reset rebuilds it.")
    units = list(
        OrgUnit.objects.filter(kind=OrgUnit.Kind.UNIT, parent__parent=department).order_by("pk")
    )
    leaders = list(
        User.objects.filter(username__startswith=f"{BENCH_USER_PREFIX}vl.")
        .order_by("username")
        .values_list("username", flat=True)
    )
    data = {
        "password": DEMO_PASSWORD,
        "plan": period.plan_id,
        "period": period.pk,
        "leaders": leaders,
        "office": [f"{BENCH_USER_PREFIX}kuk", f"{BENCH_USER_PREFIX}kd"],
        "employees": employees(units),
    }
    Path(args.out).write_text(json.dumps(data))
    print(
        f"Load test data: {len(units)} units, {len(leaders)} unit leaders, "
        f"{len(data['employees'])} employees, period {period}"
    )


if __name__ == "__main__":
    main()
