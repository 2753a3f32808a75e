from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from staircase.framework_import import (
    FrameworkImportError,
    ParsedFramework,
    framework_import_apply,
    parse_framework,
)


class Command(BaseCommand):
    help = "Import a quality staircase framework (areas, steps, criteria) from XLSX or CSV."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The framework sheet: .xlsx or .csv.")
        parser.add_argument(
            "--name",
            help="The framework's name; taken from the sheet's title row if left out. "
            "A framework of that name gets a new version.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Read and report; save nothing.")

    def handle(self, *args, file, name, dry_run, **options):
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(
                _("Cannot read %(path)s: %(error)s") % {"path": path, "error": error}
            ) from error
        try:
            parsed = parse_framework(data=data, filename=path.name)
        except FrameworkImportError as error:
            raise CommandError("\n".join(error.messages)) from error
        name = name or parsed.title or path.stem
        self._summary(parsed, name)
        if dry_run:
            self.stdout.write(_("Dry run. Nothing saved."))
            return
        version = framework_import_apply(parsed=parsed, name=name, user=None, source_name=path.name)
        self.stdout.write(
            self.style.SUCCESS(
                _("Saved “%(name)s”, version %(number)d.")
                % {"name": version.framework.name, "number": version.number}
            )
        )

    def _summary(self, parsed: ParsedFramework, name: str) -> None:
        self.stdout.write(
            _("“%(name)s”: %(areas)d areas, %(criteria)d criteria, %(perspectives)d perspectives.")
            % {
                "name": name,
                "areas": len(parsed.areas),
                "criteria": parsed.criterion_count,
                "perspectives": len(parsed.perspectives),
            }
        )
        for area in parsed.areas:
            counts = " ".join(f"{step}:{count}" for step, count in enumerate(area.step_counts, 1))
            self.stdout.write(f"  {area.name} — {counts}")
