import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from qualityplan.models import OrgUnit, QualityPlan
from reporting.pdf import report_render
from reporting.pdf_jobs import ReportError

User = get_user_model()


class Command(BaseCommand):
    help = (
        "Render the annual quality report to a PDF file, synchronously, through the same "
        "code as the report jobs (for scripts and benchmarks)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--plan", type=int, required=True, help="The plan's id.")
        parser.add_argument("--year", type=int, required=True, help="The reporting year.")
        parser.add_argument(
            "--unit", type=int, help="The scope: an org unit's id (default: the plan's owner)."
        )
        parser.add_argument("--output", required=True, help="The PDF file to write.")
        parser.add_argument(
            "--user",
            help="Render as this user, with what they may read (default: the first superuser).",
        )
        parser.add_argument("--language", default="nb", help="nb (default), sv or en.")

    def handle(self, *args, plan, year, unit, output, user, language, **options):
        plan_obj = QualityPlan.objects.select_related("owner").filter(pk=plan).first()
        if plan_obj is None:
            raise CommandError(f"No plan with id {plan}.")
        if not plan_obj.first_year <= year <= plan_obj.last_year:
            raise CommandError(
                f"The plan runs {plan_obj.first_year}–{plan_obj.last_year}; {year} is outside it."
            )
        scope = plan_obj.owner if unit is None else OrgUnit.objects.filter(pk=unit).first()
        if scope is None:
            raise CommandError(f"No org unit with id {unit}.")
        person = self._user(user)
        started = time.perf_counter()
        try:
            with translation.override(language):
                rendered = report_render(plan=plan_obj, year=year, scope_unit=scope, user=person)
        except ReportError as error:
            raise CommandError(str(error)) from error
        Path(output).write_bytes(rendered.pdf)
        self.stdout.write(
            f"Wrote {output}: {rendered.pages} pages, {len(rendered.pdf) / 1024:.0f} KiB, "
            f"{time.perf_counter() - started:.1f} s."
        )

    def _user(self, username: str | None):
        if username:
            person = User.objects.filter(username=username, is_active=True).first()
            if person is None:
                raise CommandError(f"No active user {username!r}.")
            return person
        person = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
        if person is None:
            raise CommandError("There is no superuser; name a user with --user.")
        return person
