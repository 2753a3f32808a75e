from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError
from django.utils.translation import gettext as _

from qualityplan.people_import import people_file_read, people_sync_apply, people_sync_plan


class Command(BaseCommand):
    help = (
        "Import or re-import people and their roles (CSV or XLSX: email, name, unit code, "
        "role, optional from/to). Roles in force that the list no longer holds end yesterday."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The list: .csv (; , or tab) or .xlsx.")
        parser.add_argument("--dry-run", action="store_true", help="Show the changes; save none.")

    def handle(self, *args, file, dry_run, **options):
        path = Path(file)
        try:
            rows, errors = people_file_read(data=path.read_bytes(), filename=path.name)
        except OSError as error:
            raise CommandError(
                _("Cannot read %(path)s: %(error)s") % {"path": path, "error": error}
            ) from error
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        plan = people_sync_plan(rows=rows, errors=errors)
        if not plan.ok:
            for error in plan.errors:
                where = _("row %(row)s") % {"row": error.row} if error.row else _("file")
                self.stderr.write(f"{where}: {error.message}")
            raise CommandError(
                _("The file has %(count)d errors (row %(row)s first); nothing was changed.")
                % {"count": len(plan.errors), "row": plan.errors[0].row or "-"}
            )
        for change in plan.changes:
            self.stdout.write(
                f"  {change.label}: {change.email} {change.unit} {change.role} {change.detail}"
            )
        if dry_run:
            self.stdout.write(_("Dry run. Nothing saved."))
            return
        try:
            people_sync_apply(plan=plan, user=None)
        except (ValidationError, IntegrityError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(_("The people and their roles are imported.")))
