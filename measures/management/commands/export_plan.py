from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from measures.plan_export import plan_export_xlsx
from qualityplan.models import QualityPlan


class Command(BaseCommand):
    help = "Export a quality plan as an XLSX in the shape of the published plan table."

    def add_arguments(self, parser):
        parser.add_argument("plan_id", type=int, help="Id of the plan.")
        parser.add_argument("--output", required=True, help="Where to write the .xlsx file.")

    def handle(self, *args, plan_id, output, **options):
        plan = QualityPlan.objects.filter(pk=plan_id).first()
        if plan is None:
            raise CommandError(_("There is no plan with id %(id)s.") % {"id": plan_id})
        path = Path(output)
        try:
            path.write_bytes(plan_export_xlsx(plan=plan))
        except OSError as error:
            raise CommandError(
                _("Cannot write %(path)s: %(error)s") % {"path": path, "error": error}
            ) from error
        self.stdout.write(
            self.style.SUCCESS(
                _("Wrote “%(title)s” to %(path)s.") % {"title": plan.title, "path": path}
            )
        )
