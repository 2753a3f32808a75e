from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from qualityplan.municipality import municipality_setup


class Command(BaseCommand):
    help = (
        "Set up the municipality on an empty installation: its name, the top org unit and "
        "the default language. Running it again with the same values changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="The municipality, e.g. “Bodø kommune”.")
        parser.add_argument(
            "--department", required=True, help="The top org unit, e.g. “Helse og omsorg”."
        )
        parser.add_argument(
            "--language",
            choices=["nb", "sv", "en"],
            default="nb",
            help="Default language for new users and emails.",
        )
        parser.add_argument("--logo", help="Logo for the report cover: a PNG or SVG file.")

    def handle(self, *args, name, department, language, logo, **options):
        logo_data = None
        if logo:
            try:
                logo_data = Path(logo).read_bytes()
            except OSError as error:
                raise CommandError(
                    _("Cannot read %(path)s: %(error)s") % {"path": logo, "error": error}
                ) from error
        try:
            municipality = municipality_setup(
                name=name,
                department=department,
                language=language,
                logo=logo_data,
                logo_filename=Path(logo).name if logo else "",
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(
            self.style.SUCCESS(
                _("%(name)s is set up: top unit “%(unit)s” (id %(id)s), language %(language)s.")
                % {
                    "name": municipality.name,
                    "unit": municipality.top_unit.name,
                    "id": municipality.top_unit_id,
                    "language": municipality.language,
                }
            )
        )
