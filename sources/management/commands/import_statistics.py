"""Read a saved statistics file (JSON-stat2 from ssb.no, or a Kolada v3 response) into
the store, for servers that cannot reach the statistics APIs themselves."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from sources.statistics import statistics_file_store


class Command(BaseCommand):
    help = (
        "Import a saved JSON-stat2 dataset (SSB) or Kolada v3 response into the statistics store."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--table", default="", help="The table id, if the file does not say.")

    def handle(self, *args, file: Path, table: str, **options):
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}") from None
        try:
            result = statistics_file_store(data=data, file_name=file.name, table=table)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(
            f"Table {result.table}: {result.cells} cells, {result.with_value} with a value, "
            f"{result.missing} missing or confidential."
        )
