"""Improvement work for the demo municipality.

Four projects in demo units, each with two or three PDSA cycles, linked to deviations
and to a measure of the active plan, and with monthly data whose run chart shows the
change (a shift after the change was adopted); the quality regulation's duties in our
own words, the units' statements on them in their 2025 yearly reports, and management
reviews with decisions. Written through the services; running it again adds nothing.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction

from deviations.models import Deviation
from improvement import services
from improvement.models import DutyStatement, ImprovementProject, ManagementReview, RegulationDuty
from measures.models import Measure
from qualityplan.models import OrgUnit, QualityPlan
from reporting.models import UnitAnnualReport

DEMO_YEAR = 2025

# title, unit, leader, measure words, problem, aim, measure of success, ideas, monthly
# values from January 2024 (the change is adopted where the values move), cycles as
# (idea index, start, plan, do, study, act, act note).
PROJECTS = [
    (
        "Færre fall om natten",
        "Sykehjemmet Solgløtt",
        "vl.solglott",
        "avvik",
        "Beboerne faller oftest mellom klokken to og fem om natten, ofte på vei til toalettet.",
        "Halvere fallene om natten innen utgangen av 2025.",
        "Fall om natten per måned",
        ["Fast tilsynsrunde kl. 02 og 04", "Nattlys på rommene"],
        [9, 8, 10, 9, 8, 9, 10, 8, 9, 9, 8, 9, 5, 4, 5, 4, 3, 4, 5, 4, 3, 4, 4, 3],
        [
            (
                0,
                date(2024, 11, 4),
                "Teste fast tilsynsrunde på én avdeling i fire uker.",
                "Runden ble gått 26 av 28 netter; to netter var det for få på vakt.",
                "Fire fall mot ni i snitt før: bedre enn vi spådde.",
                "adapt",
                "Runden flyttes til 02.30 og tas på alle avdelinger.",
            ),
            (
                1,
                date(2025, 1, 6),
                "Teste nattlys på ti rom der beboerne har falt før.",
                "Nattlysene kom på plass i uke 2; én beboer ville ikke ha lys.",
                "Ingen fall på rommene med lys i seks uker.",
                "adopt",
                "Nattlys på alle rom innen mars.",
            ),
        ],
    ),
    (
        "Raskere oppfølging av avvik",
        "Hjemmetjenesten Nord",
        "vl.nord",
        "avvik",
        "Avvik ble liggende i snitt 40 dager før de ble lukket, og de ansatte fikk sjelden "
        "vite hva som skjedde med dem.",
        "Lukke avvik innen 14 dager i snitt innen sommeren 2025.",
        "Dager til lukking (snitt)",
        ["Fast gjennomgang i kvalitetsrådet hver måned", "Tilbakemelding til melder"],
        [
            41,
            38,
            44,
            39,
            42,
            40,
            37,
            43,
            40,
            41,
            39,
            42,
            30,
            26,
            21,
            18,
            15,
            14,
            13,
            12,
            14,
            12,
            11,
            12,
        ],
        [
            (
                0,
                date(2024, 12, 2),
                "Gå gjennom alle åpne avvik i hvert kvalitetsrådsmøte.",
                "Tre møter holdt; 31 avvik gjennomgått.",
                "Snittet falt fra 40 til 30 dager.",
                "adopt",
                "Fast punkt på agendaen.",
            ),
            (
                1,
                date(2025, 2, 3),
                "Gi melder en kort tilbakemelding når avviket lukkes.",
                "Malen ble brukt i 80 % av lukkingene.",
                "Flere meldte avvik, kortere liggetid.",
                "adapt",
                "Malen gjøres kortere.",
            ),
            (
                1,
                date(2025, 4, 7),
                "Teste den korte malen i fire uker.",
                "Brukt i alle lukkinger.",
                "Snittet under 15 dager.",
                "adopt",
                "",
            ),
        ],
    ),
    (
        "Innkomstsamtale for alle nye brukere",
        "Hjemmetjenesten Sør",
        "vl.sor",
        "innkomstsamtale",
        "Bare halvparten av de nye brukerne fikk en innkomstsamtale den første uken.",
        "Alle nye brukere får samtalen innen sju dager.",
        "Andel med samtale innen sju dager",
        ["Samtalen inn i vedtaksrutinen", "Sjekkliste i journalen"],
        [
            48,
            52,
            50,
            47,
            55,
            49,
            51,
            50,
            53,
            48,
            50,
            52,
            58,
            63,
            70,
            74,
            79,
            83,
            86,
            88,
            90,
            91,
            90,
            93,
        ],
        [
            (
                0,
                date(2024, 12, 9),
                "Legge samtalen inn som et fast steg når vedtaket fattes.",
                "Rutinen ble endret; to team fulgte den.",
                "Andelen steg til 63 %.",
                "adapt",
                "Alle team får opplæring.",
            ),
            (
                1,
                date(2025, 3, 3),
                "Sjekkliste i journalen for nye brukere.",
                "Sjekklisten ble tatt i bruk av alle team.",
                "Over 80 % etter to måneder.",
                "adopt",
                "",
            ),
        ],
    ),
    (
        "Forbedringsmodellen i kvalitetsrådet",
        "Korttidsavdelingen",
        "vl.korttid",
        "forberedingsmodellen",
        "Tiltak ble satt i gang uten at noen målte om de virket.",
        "Alle nye tiltak testes i en PDSA-sirkel med måling før de spres.",
        "Tiltak testet med måling (antall per måned)",
        ["Mal for PDSA i kvalitetsrådet", "Opplæring av ressurspersoner"],
        [0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 1, 0, 1, 2, 2, 3, 2, 3, 3, 4, 3, 4, 3, 4],
        [
            (
                0,
                date(2024, 12, 16),
                "Bruke en enkel PDSA-mal på neste tiltak.",
                "Malen ble brukt på tiltaket om måltider.",
                "Enkel å bruke; målingen manglet.",
                "adapt",
                "Måling legges inn i malen.",
            ),
            (
                1,
                date(2025, 2, 10),
                "To ressurspersoner læres opp og hjelper de andre.",
                "Opplæring holdt i uke 8.",
                "Tre tiltak testet med måling i mars.",
                "adopt",
                "",
            ),
        ],
    ),
]

STATEMENTS = {
    "§ 6": ("met", "Mål, risiko og ansvar er beskrevet i kvalitetsplanen og i "
                   "virksomhetens årsplan; rutinene ligger i kvalitetssystemet."),
    "§ 7": ("met", "Avvik meldes og følges opp i kvalitetsrådet hver måned; nyansatte får "
                   "opplæring i rutinene den første uken."),
    "§ 8": ("partly", "Vi følger med på avvik og brukerundersøkelsen, men har ennå ikke "
                      "en fast årlig gjennomgang av alle rutinene."),
    "§ 9": ("met", "Forbedringsprosjektene over viser hvordan vi retter opp: endringene "
                   "testes i små sirkler og tas i bruk når dataene viser effekt."),
}  # fmt: skip


@transaction.atomic
def demo_improvement_load() -> str:
    """Load the demo's improvement work once; returns a line saying what was done."""
    services.duties_load_defaults(country="no")
    plan = QualityPlan.objects.filter(status=QualityPlan.Status.ACTIVE, owner__parent=None).first()
    if plan is None:
        return "Improvement work: no active plan, nothing loaded."
    created = sum(_project_load(plan, *spec) for spec in PROJECTS)
    statements = _statements_load(plan)
    reviews = _reviews_load()
    return (
        f"Improvement work: {created} projects with PDSA cycles and run charts, "
        f"{statements} duty statements, {reviews} management reviews."
    )


def _project_load(plan, title, unit_name, leader, measure_words, problem, aim, name, ideas,
                  values, cycles) -> int:  # fmt: skip
    unit = OrgUnit.objects.filter(name=unit_name).first()
    user = User.objects.filter(username=leader).first()
    if unit is None or user is None or ImprovementProject.objects.filter(title=title).exists():
        return 0
    measure = Measure.objects.filter(goal__plan=plan, title__icontains=measure_words).first()
    deviations = list(Deviation.objects.filter(org_unit=unit).order_by("created_at")[:3])
    project = services.project_create(
        user=user, units=[unit], ideas=ideas, deviations=deviations, title=title,
        problem=problem, aim=aim, measure_name=name, measure=measure,
        status=ImprovementProject.Status.ACTIVE, started_on=date(2024, 10, 1),
        higher_is_better=name.startswith(("Andel", "Tiltak")),
    )  # fmt: skip
    idea_rows = list(project.change_ideas.all())
    for idea, starts, plan_text, do, study, act, act_note in cycles:
        services.cycle_create(
            project=project, user=user, change_idea=idea_rows[idea], starts_on=starts,
            ends_on=date(starts.year, starts.month, 28), plan=plan_text, do=do, study=study,
            act=act, act_note=act_note, prediction="Vi venter en tydelig bedring.",
        )  # fmt: skip
    for month, value in enumerate(values):
        services.data_point_save(
            project=project,
            measured_on=date(2024 + month // 12, month % 12 + 1, 28),
            value=Decimal(value),
        )
    return 1


def _statements_load(plan) -> int:
    reports = UnitAnnualReport.objects.filter(plan=plan, year=DEMO_YEAR).select_related(
        "org_unit", "updated_by"
    )
    duties = {duty.code: duty for duty in RegulationDuty.objects.all()}
    written = 0
    for report in reports:
        if DutyStatement.objects.filter(report=report).exists():
            continue
        for code, (assessment, how) in STATEMENTS.items():
            if code in duties:
                # Written directly: most demo reports are already approved, and the
                # service only writes to drafts.
                statement = DutyStatement(
                    report=report, duty=duties[code], assessment=assessment, how=how,
                    updated_by=report.updated_by,
                )  # fmt: skip
                statement.full_clean()
                statement.save()
                written += 1
    return written


def _reviews_load() -> int:
    made = 0
    for unit_name, leader in [("Hjemmetjenesten Nord", "vl.nord"),
                              ("Sykehjemmet Solgløtt", "vl.solglott")]:  # fmt: skip
        unit = OrgUnit.objects.filter(name=unit_name).first()
        user = User.objects.filter(username=leader).first()
        if unit is None or ManagementReview.objects.filter(org_unit=unit, year=DEMO_YEAR).exists():
            continue
        review = services.review_save(
            unit=unit, year=DEMO_YEAR, user=user, version=None, held_on=date(2026, 1, 20),
            participants="Virksomhetsleder, avdelingsledere, kvalitetsrådgiver, verneombud",
            summary="Gikk gjennom avvikene for 2025, brukerundersøkelsen og "
            "forbedringsprosjektene. Fallprosjektet viser varig bedring; opplæringen av "
            "kveldsteamet må prioriteres.",
        )  # fmt: skip
        services.decision_add(
            review=review,
            text="Opplæring av kveldsteamet i første kvartal",
            responsible="Avdelingsleder",
            due_on=date(2026, 3, 31),
        )
        services.decision_add(
            review=review,
            text="Spre nattlys og tilsynsrunde til alle avdelinger",
            responsible="Virksomhetsleder",
            due_on=date(2026, 6, 30),
        )
        made += 1
    return made
