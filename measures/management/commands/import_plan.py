from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from measures.plan_import import PlanImportError, PlanTable, parse_plan_table
from measures.plan_write import plan_import_apply
from qualityplan.models import OrgUnit, QualityPlan


def _owner(value: str | None) -> OrgUnit:
    """The org unit given by id or name, or the only department when none is given."""
    if value is None:
        roots = list(OrgUnit.objects.filter(parent__isnull=True, kind=OrgUnit.Kind.DEPARTMENT))
        if len(roots) == 1:
            return roots[0]
        raise CommandError(
            _("There is more than one top org unit, or none: say which owns the plan with --owner.")
        )
    units = (
        OrgUnit.objects.filter(pk=int(value))
        if value.isdigit()
        else OrgUnit.objects.filter(name__iexact=value.strip())
    )
    found = list(units[:2])
    if len(found) != 1:
        message = (
            _("No org unit is called “%(value)s”.")
            if not found
            else _("More than one org unit is called “%(value)s”: give its id instead.")
        )
        raise CommandError(message % {"value": value})
    return found[0]


class Command(BaseCommand):
    help = "Import a quality plan from its published plan table (TSV, CSV or XLSX)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The plan table: .tsv, .csv or .xlsx.")
        parser.add_argument(
            "--plan-title", help="Title of the plan; taken from the file if left out."
        )
        parser.add_argument("--owner", help="Id or name of the owning org unit.")
        parser.add_argument(
            "--frequency",
            choices=QualityPlan.Frequency.values,
            default=QualityPlan.Frequency.TERTIAL,
            help="Reporting frequency.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Read and report; save nothing.")

    def handle(self, *args, file, plan_title, owner, frequency, dry_run, **options):
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(
                _("Cannot read %(path)s: %(error)s") % {"path": path, "error": error}
            ) from error
        try:
            table = parse_plan_table(data=data, filename=path.name)
        except PlanImportError as error:
            raise CommandError(" ".join(error.messages)) from error
        title = plan_title or table.title_hint
        self._summary(table, title)
        if dry_run:
            self.stdout.write(_("Dry run. Nothing saved."))
            return
        unit = _owner(owner)
        try:
            plan = plan_import_apply(table=table, owner=unit, title=title, frequency=frequency)
        except PlanImportError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(
            self.style.SUCCESS(
                _("Created the plan “%(title)s” (id %(id)s), owned by %(owner)s.")
                % {"title": plan.title, "id": plan.pk, "owner": unit.name}
            )
        )

    def _summary(self, table: PlanTable, title: str) -> None:
        write = self.stdout.write
        write(_("Plan: %(title)s") % {"title": title})
        write(
            _("%(goals)d goals, %(subgoals)d sub-goals, %(measures)d measures; years %(years)s.")
            % {
                "goals": table.goal_count,
                "subgoals": table.subgoal_count,
                "measures": table.measure_count,
                "years": ", ".join(str(year) for year in table.years),
            }
        )
        for role in table.roles:
            state = _("exists") if role.exists else _("will be created")
            write(f"  {role.code} – {role.name} ({state})")
        write(_("Notes:") if table.notes else _("No notes: every row was read as it is."))
        for note in table.notes:
            row = _("row %(row)s") % {"row": note.row} if note.row else _("no row")
            kind = _("skipped") if note.kind == "skipped" else _("interpreted")
            write(f"  {row}: {kind}: {note.message}")
