"""Import a care-record export dropped in a folder, with a report mapping saved in the app."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from sources import careimport
from sources.models import ImportMapping


class Command(BaseCommand):
    help = "Import indicator values from a care-record export with a saved report mapping."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--mapping", required=True, help="The report's name in the app.")
        parser.add_argument(
            "--plan", type=int, help="The plan's id, if several plans have a report of that name."
        )
        parser.add_argument("--dry-run", action="store_true", help="Show what would change.")

    def handle(self, *args, file: Path, mapping: str, plan: int | None, dry_run: bool, **options):
        mappings = ImportMapping.objects.filter(name=mapping).select_related("plan")
        if plan:
            mappings = mappings.filter(plan_id=plan)
        if len(mappings) != 1:
            raise CommandError(
                f"No report mapping named {mapping!r}."
                if not mappings
                else f"Several plans have a report named {mapping!r}: give --plan."
            )
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}") from None
        try:
            self._run(mappings[0], data, file.name, dry_run)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None

    def _run(self, mapping, data, name, dry_run):
        preview = careimport.import_preview(mapping=mapping, data=data, file_name=name)
        for change in preview.changes:
            before = "–" if change.before is None else change.before
            self.stdout.write(
                f"{change.unit} | {change.period} | {change.indicator}: {before} → {change.after}"
            )
        for item in preview.unmatched:
            self.stdout.write(f"No unit: {item.name!r} (lines {', '.join(map(str, item.lines))})")
        for problem in [*preview.outside, *preview.problems]:
            self.stdout.write(f"Line {problem.line}: {problem.message}")
        if dry_run:
            self.stdout.write(f"Dry run: {len(preview.changes)} values would change.")
            return
        upload = careimport.import_upload(
            plan=mapping.plan, mapping=mapping, data=data, file_name=name, user=None
        )
        changed = careimport.import_apply(upload=upload, user=None, versions=preview.versions)
        self.stdout.write(f"{changed} values changed, {preview.unchanged} already there.")
