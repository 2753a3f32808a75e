"""Unit annual reports and one finished PDF report for the demo municipality.

`demo_reports_load` writes the 2025 reports of a few units through the services, as
their leaders and approvers, so each report carries a real history: some approved,
some submitted, one sent back and one draft. It then renders one quality report for
the whole department, synchronously, so the report page has a file to download.
Running it again adds nothing that is already there.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.utils import timezone

from qualityplan.models import OrgUnit, QualityPlan
from reporting import pdf_jobs, services, unit_reports
from reporting.models import ReportJob, UnitAnnualReport

logger = logging.getLogger(__name__)

DEMO_YEAR = 2025
Assessment = "achieved", "partly", "not_achieved"

# unit name, leader, final state, approver ("" for none)
DEMO_REPORTS = [
    ("Hjemmetjenesten Nord", "vl.nord", "approved", "ol.hjemme"),
    ("Hjemmetjenesten Sør", "vl.sor", "submitted", ""),
    ("Tildelingskontoret", "vl.tildeling", "sent_back", "ol.hjemme"),
    ("Sykehjemmet Solgløtt", "vl.solglott", "approved", "kuk"),
    ("Korttidsavdelingen", "vl.korttid", "submitted", ""),
    ("Psykisk helseteam", "vl.psykisk", "draft", ""),
]

GOAL_TEXTS = {
    "achieved": [
        "Rutinen er innført i alle team, og internrevisjonen i oktober fant at den følges. "
        "Målet for året er nådd.",
        "Alle ansatte har gjennomført opplæringen, og tiltaket er nå en del av den faste "
        "driften. Vi evaluerer på nytt i andre tertial.",
    ],
    "partly": [
        "Dagteamene har tatt rutinen i bruk, men kveldsteamet mangler fortsatt opplæring "
        "på grunn av høyt sykefravær i høst. Vi fullfører i første tertial.",
        "Vi kom godt i gang, men to av tiltakene ble forsinket fordi ressurspersonen "
        "var i permisjon. Tallene viser fremgang, men målverdien er ikke nådd.",
    ],
    "not_achieved": [
        "Tiltaket ble utsatt fordi omorganiseringen av tjenesten tok mer tid enn planlagt. "
        "Det er satt opp en ny plan med oppstart i februar.",
    ],
}
WENT_WELL = (
    "Samarbeidet med brukerrådet har gitt gode innspill, og avviksmeldingene er blitt "
    "flere og bedre: vi lærer mer av dem enn før. Kvalitetsrådet har møttes hver måned."
)
TO_IMPROVE = (
    "Vi må bli bedre på å følge opp tiltak på tvers av avdelingene og på å dokumentere "
    "det vi gjør. Neste år prioriterer vi opplæring av nyansatte og faste "
    "evalueringsmøter hvert tertial."
)
SEND_BACK_COMMENT = (
    "Takk for rapporten. Kan dere skrive litt mer om hvorfor mål 4 ikke ble nådd, og hva "
    "dere gjør annerledes neste år?"
)


@dataclass
class ReportDemoSummary:
    reports_created: list[str] = field(default_factory=list)
    job: ReportJob | None = None

    @property
    def line(self) -> str:
        reports = f"Annual reports {DEMO_YEAR}: {len(self.reports_created)} units written."
        if self.job is None or not self.job.is_done:
            return reports
        return f"{reports} Quality report {DEMO_YEAR} for the department: {self.job.pages} pages."


def _goal_values(goals, unit_number: int) -> dict[int, tuple[str, str]]:
    values = {}
    for index, goal in enumerate(goals):
        assessment = Assessment[(index + unit_number) % 4 % 3]
        texts = GOAL_TEXTS[assessment]
        values[goal.pk] = (assessment, texts[(index + unit_number) % len(texts)])
    return values


def _demo_report(*, plan: QualityPlan, unit: OrgUnit, number: int, people: dict, row) -> None:
    _name, leader, state, approver = row
    goals = list(plan.goals.order_by("position"))
    report = services.unit_report_save(
        plan=plan,
        year=DEMO_YEAR,
        unit=unit,
        user=people[leader],
        went_well=WENT_WELL,
        to_improve=TO_IMPROVE if state != "draft" else "",
        goals=_goal_values(goals, number),
    )
    if state == "draft":
        return
    report = services.unit_report_submit(report=report, user=people[leader])
    if state == "approved":
        services.unit_report_approve(report=report, user=people[approver])
    elif state == "sent_back":
        services.unit_report_send_back(
            report=report, user=people[approver], comment=SEND_BACK_COMMENT
        )


def demo_reports_load(*, plan: QualityPlan, render: bool = True) -> ReportDemoSummary:
    """The demo's unit reports for 2025 and one rendered department report."""
    summary = ReportDemoSummary()
    usernames = {row[1] for row in DEMO_REPORTS} | {row[3] for row in DEMO_REPORTS} | {"kd"}
    people = {user.username: user for user in User.objects.filter(username__in=usernames)}
    units = {unit.name: unit for unit in unit_reports.reporting_units(plan=plan)}
    done = set(
        UnitAnnualReport.objects.filter(plan=plan, year=DEMO_YEAR).values_list(
            "org_unit__name", flat=True
        )
    )
    for number, row in enumerate(DEMO_REPORTS):
        name = row[0]
        if name in done or name not in units or not {row[1], row[3]} - {""} <= set(people):
            continue
        _demo_report(plan=plan, unit=units[name], number=number, people=people, row=row)
        summary.reports_created.append(name)
    if render and "kd" in people:
        summary.job = demo_report_job(plan=plan, director=people["kd"])
    return summary


def demo_report_job(*, plan: QualityPlan, director: User) -> ReportJob | None:
    """One finished quality report for the department, made right here (no worker)."""
    existing = ReportJob.objects.filter(plan=plan, year=DEMO_YEAR, status=ReportJob.Status.DONE)
    if existing.exists():
        return existing.first()
    key = ReportJob.key_for(
        plan_id=plan.pk, year=DEMO_YEAR, scope_unit_id=plan.owner_id, language="nb"
    )
    job = ReportJob.objects.create(
        requested_by=director,
        plan=plan,
        year=DEMO_YEAR,
        scope_unit=plan.owner,
        language="nb",
        dedupe_key=key,
        # Nobody is emailed about the demo's report.
        notified_at=timezone.now(),
    )
    return pdf_jobs.report_job_run(job_id=job.pk)
