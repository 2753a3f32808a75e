"""Bench: the annual quality report (PDF) for 30, 100 and 300 units.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kvalitetsplan_dev \
        .venv/bin/python bench/bench_report.py [--sizes 30,100,300] [--year 2025] [--keep DIR]

Builds the benchmark municipality first if it is missing (`seed_bench`: 300 units,
100 measures, 4 years). Each size is rendered by `reporting.pdf.report_render`, the
function the report jobs call, for the whole department as a reader of that many units:
the director (bench.kd) for all 300, and an area leader of the first 3 or 10 areas
(10 units each) for 30 and 100. Every render runs in a fresh process, as on the reports
worker (one report per child), and reports its pages, its time split into figures and
HTML / layout / writing the PDF, its queries, and the process's peak memory (RSS).

Each size is rendered twice: as the benchmark data stands (no unit has written its
annual report), and with every unit's report approved and in the appendix, about a
page each. Those reports are written inside a transaction that is rolled back after
the render, so the benchmark data is left as it was.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import warnings
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qualityplan.settings")
# WhiteNoise looks for STATIC_ROOT, which only collectstatic creates.
warnings.filterwarnings("ignore", message="No directory at")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone, translation  # noqa: E402

from demo.qualityplan import BENCH_USER_PREFIX, bench_department  # noqa: E402
from qualityplan.models import Membership, OrgUnit, QualityPlan, Role  # noqa: E402
from reporting import pdf, pdf_chunks, selectors, unit_reports  # noqa: E402
from reporting.models import ReportJob, UnitAnnualReport, UnitAnnualReportGoal  # noqa: E402

UNITS_PER_AREA = 10
MODE = "single"
WIDTHS = [6, 8, 6, 6, 8, 13, 7, 6, 8, 9, 10, 8]


def bench_plan() -> QualityPlan:
    if bench_department() is None:
        print("Benchmark data missing: running seed_bench (a minute or so) …", flush=True)
        call_command("seed_bench", units=300, measures=100, years=4)
    return QualityPlan.objects.filter(owner=bench_department()).order_by("pk").first()


def reader_of(units: int) -> User:
    """The director for the whole department, else an area leader of enough areas."""
    department = bench_department()
    areas = list(OrgUnit.objects.filter(parent=department, kind="area").order_by("name"))
    if units >= len(areas) * UNITS_PER_AREA:
        return User.objects.get(username=f"{BENCH_USER_PREFIX}kd")
    user, created = User.objects.get_or_create(username=f"{BENCH_USER_PREFIX}report{units}")
    if created:
        role = Role.objects.get(code="OL")
        Membership.objects.bulk_create(
            Membership(user=user, role=role, org_unit=area)
            for area in areas[: max(1, units // UNITS_PER_AREA)]
        )
    return user


GOAL_TEXT = (
    "Tiltakene under målet er i hovedsak gjennomført som planlagt. Opplæringen ble "
    "fullført i andre tertial, og rutinen følges i alle team. To tiltak ble forsinket "
    "fordi ressurspersonen var i permisjon; de fullføres i første tertial neste år."
)


def unit_reports_seed(*, plan: QualityPlan, year: int, user: User) -> int:
    """An approved report, with a text for every goal, from every unit the user reads."""
    unit_ids = selectors.dashboard_scope(user=user, plan=plan).unit_ids
    units = unit_reports.reporting_units(plan=plan).filter(pk__in=unit_ids)
    now = timezone.now()
    reports = UnitAnnualReport.objects.bulk_create(
        UnitAnnualReport(
            plan=plan,
            year=year,
            org_unit=unit,
            status=UnitAnnualReport.Status.APPROVED,
            went_well=GOAL_TEXT,
            to_improve=GOAL_TEXT,
            submitted_at=now,
            approved_at=now,
        )
        for unit in units
    )
    goals = list(plan.goals.all())
    UnitAnnualReportGoal.objects.bulk_create(
        UnitAnnualReportGoal(report=report, goal=goal, assessment="partly", text=GOAL_TEXT)
        for report in reports
        for goal in goals
    )
    return len(reports)


def render_once(units: int, year: int, keep: str | None, appendix: bool) -> dict:
    """One render, in this process; what the parent prints."""
    with transaction.atomic():
        plan = bench_plan()
        user = reader_of(units)
        reports = unit_reports_seed(plan=plan, year=year, user=user) if appendix else 0
        row = _render(plan, user, units, year, keep, appendix)
        transaction.set_rollback(True)
    return {**row, "reports": reports}


def _render(plan, user, units: int, year: int, keep: str | None, appendix: bool) -> dict:
    marks: dict[str, float] = {}
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries, translation.override("nb"):
        render = partial(pdf.report_render, mode="single")
        if MODE == "chunked":
            render = pdf_chunks.report_render_chunked
        rendered = render(
            plan=plan,
            year=year,
            scope_unit=plan.owner,
            user=user,
            progress=lambda stage: marks.setdefault(stage, time.perf_counter()),
        )
    ended = time.perf_counter()
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        name = f"report-{units}{'-appendix' if appendix else ''}-{MODE}.pdf"
        (Path(keep) / name).write_bytes(rendered.pdf)
    stage = ReportJob.Stage
    return {
        "units": units,
        "pages": rendered.pages,
        "kib": len(rendered.pdf) // 1024,
        "seconds": ended - started,
        "figures": marks[stage.LAYOUT] - marks[stage.FIGURES],
        "layout": marks[stage.WRITING] - marks[stage.LAYOUT],
        "writing": ended - marks[stage.WRITING],
        "queries": len(queries),
        # ru_maxrss is in KiB on Linux.
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        # The largest of the report worker processes (chunked only).
        "worker_mib": getattr(rendered, "worker_peak_mib", 0),
        "parts": getattr(rendered, "part_seconds", {}),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="30,100,300", help="Units per report.")
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--keep", help="Write the PDFs to this folder.")
    parser.add_argument(
        "--modes",
        default="single",
        help="single, chunked or both (single,chunked): one process, or in parts on "
        "REPORT_RENDER_WORKERS worker processes (reporting.pdf_chunks).",
    )
    parser.add_argument("--appendix-only", action="store_true", help="Only with unit reports.")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--mode", default="single", help=argparse.SUPPRESS)
    parser.add_argument("--appendix", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        global MODE
        MODE = args.mode
        print(json.dumps(render_once(args.child, args.year, args.keep, args.appendix)))
        return
    bench_plan()
    heads = ["units", "reports", "pages", "KiB", "seconds", "figures+html", "layout", "pdf"]
    heads += ["queries", "peak MiB", "worker MiB", "mode"]
    print(" ".join(f"{head:>{WIDTHS[n]}}" for n, head in enumerate(heads)))
    for mode in args.modes.split(","):
        for appendix in (True,) if args.appendix_only else (False, True):
            for size in [int(size) for size in args.sizes.split(",")]:
                _child(size, args, appendix, mode)


def _child(size: int, args, appendix: bool, mode: str) -> None:
    command = [sys.executable, __file__, "--child", str(size), "--year", str(args.year)]
    command += ["--mode", mode]
    command += ["--keep", args.keep] if args.keep else []
    command += ["--appendix"] if appendix else []
    # This script runs itself again, with arguments it built: nothing from outside.
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout  # noqa: S603
    row = json.loads(output.strip().splitlines()[-1])
    print(
        f"{row['units']:>6} {row['reports']:>8} {row['pages']:>6} {row['kib']:>6} "
        f"{row['seconds']:>8.1f} {row['figures']:>13.1f} {row['layout']:>7.1f} "
        f"{row['writing']:>6.1f} {row['queries']:>8} {row['peak_mib']:>9.0f} "
        f"{row['worker_mib']:>10.0f} {mode:>8}",
        flush=True,
    )
    if row["parts"]:
        parts = ", ".join(f"{name} {seconds:.1f}" for name, seconds in row["parts"].items())
        print(f"       seconds by part (both passes): {parts}", flush=True)


if __name__ == "__main__":
    main()
