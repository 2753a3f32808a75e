import logging

from django.core.management.base import BaseCommand

from demo.qualityplan import (
    DEMO_LOGINS,
    DEMO_PASSWORD,
    DEMO_PLANS,
    DEPARTMENT,
    DemoSummary,
    demo_load,
)
from qualityplan.models import QualityPlan


class Command(BaseCommand):
    help = "Create the demo municipality, its users and plans. Running it again changes nothing."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="Print nothing but errors.")

    def handle(self, *args, quiet, **options):
        from demo import staircase as staircase_demo
        from demo import surveys as demo_surveys
        from demo.deviations import demo_deviations_load
        from demo.improvement import demo_improvement_load
        from demo.measures import demo_statuses_load
        from demo.reporting import demo_reports_load
        from demo.sources import load as demo_sources_load
        from deviations.indicators import counted_values_refresh_plan

        if not quiet:
            self._print(demo_load())
            self._print_statuses(demo_statuses_load(plan=self._active_plan()))
            self._print_deviations(demo_deviations_load())
            counted_values_refresh_plan(plan=self._active_plan())
            self.stdout.write(demo_sources_load(plan=self._active_plan()).line)
            self.stdout.write(demo_reports_load(plan=self._active_plan()).line)
            self.stdout.write(demo_improvement_load())
            self.stdout.write(staircase_demo.load().line)
            self.stdout.write(demo_surveys.load().line)
            return
        # The importer logs each plan it creates at INFO; quiet means errors only.
        previous = logging.root.manager.disable
        logging.disable(logging.INFO)
        try:
            demo_load()
            demo_statuses_load(plan=self._active_plan())
            demo_deviations_load()
            counted_values_refresh_plan(plan=self._active_plan())
            demo_sources_load(plan=self._active_plan())
            demo_reports_load(plan=self._active_plan())
            demo_improvement_load()
            staircase_demo.load()
            demo_surveys.load()
        finally:
            logging.disable(previous)

    def _active_plan(self) -> QualityPlan:
        title = next(title for title, _shift, status in DEMO_PLANS if status == "active")
        return QualityPlan.objects.get(owner__parent=None, owner__name=DEPARTMENT, title=title)

    def _print_statuses(self, summary) -> None:
        line = f"Status reporting: {summary.periods} periods, {summary.rows_filled} rows filled."
        if summary.skipped:
            line += f" Already reported, left as they were: {', '.join(summary.skipped)}."
        self.stdout.write(line)

    def _print_deviations(self, summary) -> None:
        if summary.skipped:
            self.stdout.write("Deviations: the demo units have some already; left as they were.")
        else:
            self.stdout.write(
                f"Deviations: {summary.deviations} over the demo years, "
                f"{summary.meetings} quality council meetings."
            )

    def _print(self, summary: DemoSummary) -> None:
        for plan in summary.plans_created:
            self.stdout.write(f"Imported “{plan.title}” ({plan.get_status_display()}).")
        for plan in summary.plans_present:
            self.stdout.write(f"“{plan.title}” was already there; left as it is.")
        kinds = summary.org_units
        self.stdout.write(
            f"Demo municipality “{DEPARTMENT}”: {kinds.get('area', 0)} areas, "
            f"{kinds.get('unit', 0)} units, {kinds.get('section', 0)} sections, "
            f"{summary.users} users. Log in with:\n"
        )
        logins = {login.username: login for login in summary.logins}
        rows = [("username", "role", "unit", "password")]
        rows += [
            (name, logins[name].role, logins[name].unit, DEMO_PASSWORD) for name in DEMO_LOGINS
        ]
        widths = [max(len(row[column]) for row in rows) for column in range(4)]
        for row in rows:
            cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            self.stdout.write("  ".join(cells).rstrip())
        self.stdout.write(
            f"\n…and {summary.other_leaders} more unit leaders (vl.<unit>), same password."
        )
