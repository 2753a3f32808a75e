from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from demo.qualityplan import BENCH_DEPARTMENT, bench_department, bench_seed
from qualityplan.models import QualityPlan


class Command(BaseCommand):
    help = "Build a large municipality for benchmarks (bulk inserts; idempotent without --reset)."

    def add_arguments(self, parser):
        parser.add_argument("--units", type=int, default=300, help="Number of units (default 300).")
        parser.add_argument("--measures", type=int, default=100, help="Number of measures.")
        parser.add_argument("--years", type=int, default=4, help="Plan years from 2025 (1–10).")
        parser.add_argument(
            "--reset", action="store_true", help="Delete the previous benchmark data first."
        )
        parser.add_argument(
            "--deviations",
            type=int,
            default=None,
            help="Number of deviations (default 50 000 for 300 units, in proportion).",
        )

    def handle(self, *args, units, measures, years, reset, **options):
        if units < 1 or measures < 1 or not 1 <= years <= 10:
            raise CommandError("Give at least one unit and one measure, and 1 to 10 years.")
        from demo.deviations import bench_deviations_delete, bench_deviations_seed

        if reset:
            bench_deviations_delete()  # they hold on to the units bench_seed deletes
        result = bench_seed(units=units, measures=measures, years=years, reset=reset)
        if result.created:
            self.stdout.write(f"Built “{BENCH_DEPARTMENT}” in {result.seconds:.1f} s:")
        else:
            self.stdout.write(
                f"“{BENCH_DEPARTMENT}” already exists; nothing changed (--reset rebuilds it):"
            )
        for name, count in result.counts.items():
            self.stdout.write(f"  {name:<14} {count:>8}")
        wanted = options["deviations"]
        count = round(50_000 * units / 300) if wanted is None else wanted
        made = bench_deviations_seed(count=count)
        self.stdout.write(f"  {'deviations':<14} {made:>8}" + ("" if made else "  (kept)"))
        self._seed_statuses()
        self._analyze()

    def _analyze(self) -> None:
        """Bulk inserts leave PostgreSQL's planner statistics empty until autovacuum
        comes by; a bench run before that measures plans no live database would use
        (a sort of 25 000 rows where a hash does, estimated at 38 rows)."""
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            self.stdout.write("  statistics     updated (ANALYZE)")

    def _seed_statuses(self) -> None:
        from demo.measures import bench_statuses_seed

        plan = QualityPlan.objects.filter(owner=bench_department()).order_by("pk").first()
        statuses = bench_statuses_seed(plan=plan)
        for period, count in [
            (statuses.previous, statuses.previous_rows),
            (statuses.current, statuses.current_rows),
        ]:
            self.stdout.write(
                f"  {'statuses':<14} {count:>8}  "
                f"({period.year} period {period.number}, {period.status})"
            )
