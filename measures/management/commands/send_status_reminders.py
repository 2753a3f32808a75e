from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from measures.reminders import status_reminders_send


class Command(BaseCommand):
    help = (
        "Email the people with unreported status rows a week before a period's deadline "
        "and on the day. Each person hears once per period and kind, however often it runs."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", dest="day", help="Run as if today were this day (YYYY-MM-DD). Default: today."
        )

    def handle(self, *args, day: str | None, **options):
        today = self._day(day) if day else timezone.localdate()
        sent = status_reminders_send(today=today)
        self.stdout.write(f"Sent {sent} reminder{'' if sent == 1 else 's'} for {today}.")

    def _day(self, value: str) -> date:
        try:
            return date.fromisoformat(value)
        except ValueError as error:
            raise CommandError(f"--date wants a day as YYYY-MM-DD, not “{value}”.") from error
