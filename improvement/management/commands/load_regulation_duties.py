from django.core.management.base import BaseCommand

from improvement.services import DEFAULT_DUTIES, duties_load_defaults


class Command(BaseCommand):
    help = (
        "Add the quality regulation's duties in our own short wording: the Norwegian "
        "regulation's §§ 6–9 (no) or SOSFS 2011:9's chapters (se). Duties already there are "
        "left as the office worded them."
    )

    def add_arguments(self, parser):
        parser.add_argument("--country", choices=sorted(DEFAULT_DUTIES), default="no")

    def handle(self, *args, country, **options):
        added = duties_load_defaults(country=country)
        self.stdout.write(f"Regulation duties ({country}): {added} added.")
