from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError
from django.utils.translation import gettext as _

from qualityplan.org_import import OrgSyncPlan, org_file_read, org_sync_apply, org_sync_plan


class Command(BaseCommand):
    help = (
        "Import or re-import the organisation from an HR or finance export (CSV or XLSX). "
        "Keyed on the unit code: renames and moves in place, adds new units, deactivates "
        "units no longer in the file."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The export: .csv (; , or tab) or .xlsx.")
        parser.add_argument("--dry-run", action="store_true", help="Show the changes; save none.")

    def handle(self, *args, file, dry_run, **options):
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(
                _("Cannot read %(path)s: %(error)s") % {"path": path, "error": error}
            ) from error
        try:
            plan = org_sync_plan(rows=org_file_read(data=data, filename=path.name))
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        if not plan.ok:
            for error in plan.errors:
                where = _("row %(row)s") % {"row": error.row} if error.row else _("file")
                self.stderr.write(f"{where}: {error.message}")
            raise CommandError(
                _("The file has %(count)d errors (row %(row)s first); nothing was changed.")
                % {"count": len(plan.errors), "row": plan.errors[0].row or "-"}
            )
        self._summary(plan)
        if dry_run:
            self.stdout.write(_("Dry run. Nothing saved."))
            return
        try:
            org_sync_apply(plan=plan, user=None)
        except (ValidationError, IntegrityError) as error:
            raise CommandError(
                _("The organisation could not be saved: %(error)s") % {"error": error}
            ) from error
        self.stdout.write(self.style.SUCCESS(_("The organisation is imported.")))

    def _summary(self, plan: OrgSyncPlan) -> None:
        self.stdout.write(
            _("%(units)d units in the file, %(changes)d changes, %(same)d unchanged.")
            % {"units": len(plan.rows), "changes": len(plan.changes), "same": plan.unchanged}
        )
        for change in plan.changes:
            detail = f" ({change.old} → {change.new})" if change.old or change.new else ""
            self.stdout.write(f"  {change.label}: {change.code} {change.name}{detail}")
