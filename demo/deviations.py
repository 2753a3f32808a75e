"""Deviations for the demo municipality and for the benchmark municipality.

`demo_deviations_load` gives the demo units two realistic years (2025, 2026) of deviations
and quality council meetings; `bench_deviations_seed` bulk-loads a large number
of deviations over the benchmark units for `bench/`. Both write rows directly
(with numbers taken from the same per-year counter the report form uses) and
send no emails. Both leave existing deviations alone.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from deviations.models import (
    Deviation,
    DeviationCategory,
    DeviationEvent,
    QualityCouncilMeeting,
)
from deviations.services import deviation_numbers_take
from measures.models import Measure
from qualityplan.dataversion import deviations_changed
from qualityplan.models import Membership, OrgUnit, QualityPlan

from .qualityplan import BENCH_DEPARTMENT, DEMO_AREAS, DEPARTMENT

User = get_user_model()
Status = Deviation.Status
Action = DeviationEvent.Action
# Two years, so that the annual report of the last whole year has deviations too.
DEMO_YEARS = (2025, 2026)

# What happens, per category: description, what was done at once, cause, corrective
# action, and the usual consequence and probability. No names, no identity numbers.
STORIES: dict[str, list[tuple[str, str, str, str, int, int]]] = {
    "Legemiddel": [
        (
            "Kveldsdosen ble ikke gitt. Dosetten var urørt da nattevakten kom.",
            "Kontaktet lege, som sa at dosen skulle gis straks. Gitt kl. 23.10.",
            "Oppgaven falt mellom to vakter da en kollega ble syk.",
            "Signering av hver utdeling i legemiddelmodulen er gjort obligatorisk.",
            3,
            3,
        ),
        (
            "Feil dosett ble satt fram hos bruker; to brukere har lik dosett.",
            "Oppdaget før inntak. Riktig dosett funnet og gitt.",
            "Dosettene var merket bare med romnummer.",
            "Dosetter merkes med navn og fødselsdato på etikett fra apoteket.",
            4,
            2,
        ),
        (
            "Insulin ble gitt en time for sent på grunn av mange oppdrag på morgenrunden.",
            "Blodsukker målt og fulgt opp utover dagen; verdiene var greie.",
            "Kjørelisten tok ikke hensyn til tidskritiske oppdrag.",
            "Tidskritiske legemidler er merket i kjørelisten og legges først.",
            3,
            3,
        ),
        (
            "Avvik mellom legemiddelliste og det som var i multidosen etter sykehusopphold.",
            "Fastlegen kontaktet, ny liste sendt til apoteket.",
            "Epikrisen kom etter at multidosen var bestilt.",
            "Legemiddelgjennomgang innen ett døgn etter utskriving.",
            3,
            4,
        ),
        (
            "Narkotikaregnskapet stemte ikke ved vaktskifte; én tablett manglet.",
            "Meldt til avdelingsleder, telling gjentatt sammen med to sykepleiere.",
            "Svinn ble ikke ført da en tablett falt i gulvet.",
            "Rutine for føring av svinn er gjennomgått i personalmøte.",
            2,
            2,
        ),
    ],
    "Fall": [
        (
            "Beboer ble funnet sittende på gulvet ved sengen om natten.",
            "Undersøkt for skader, hjulpet opp med løftestol, sykepleier tilsyn.",
            "Beboer sto opp alene i mørket; nattlyset var slått av.",
            "Nattlys og sengealarm er satt opp; fallrisiko vurdert på nytt.",
            2,
            4,
        ),
        (
            "Bruker falt på badet under morgenstell og slo hodet lett.",
            "Tilsyn hver time første døgn, lege varslet.",
            "Gulvet var vått og badematten manglet.",
            "Sklisikker matte er kjøpt inn; stell gjøres med to ansatte.",
            3,
            3,
        ),
        (
            "Beboer falt i gangen på vei til fellesstua og fikk brudd i håndleddet.",
            "Ringte legevakt, beboer sendt til røntgen.",
            "Rullatoren var ikke innstilt etter ny høyde.",
            "Fysioterapeut går gjennom hjelpemidler ved innflytting og ved endring.",
            4,
            2,
        ),
        (
            "Bruker falt ute på glatt trapp da hjemmetjenesten kom.",
            "Hjulpet inn, ingen synlige skader. Pårørende varslet.",
            "Det var ikke strødd; avtalen om snømåking var uklar.",
            "Strøing avtalt med vaktmestertjenesten; vedtaket er oppdatert.",
            2,
            3,
        ),
    ],
    "Infeksjon": [
        (
            "Tre beboere på samme avdeling fikk oppkast og diaré samme døgn.",
            "Isolering på rom, kontakt med smittevernlege, prøver tatt.",
            "Trolig norovirus fra besøkende.",
            "Skilting om håndhygiene ved inngangen; besøksrutine ved utbrudd.",
            3,
            3,
        ),
        (
            "Kateter ble skiftet uten at sterilt utstyr var tilgjengelig.",
            "Sykepleier kontaktet, observert for tegn på infeksjon.",
            "Utstyrslageret ble ikke fylt opp etter helgen.",
            "Ansvar for påfylling av lager er lagt til fast oppgaveliste.",
            3,
            2,
        ),
        (
            "Ansatt kom på jobb med luftveissymptomer under influensautbrudd.",
            "Sendt hjem, vakten dekket med vikar.",
            "Usikkerhet om hvilke symptomer som skal holde en hjemme.",
            "Plakat med råd om når man skal holde seg hjemme er hengt opp.",
            2,
            3,
        ),
    ],
    "Informasjonssikkerhet": [
        (
            "Utskrift med opplysninger om brukere ble funnet i printeren på fellesrommet.",
            "Utskriften makulert; meldt til personvernombudet.",
            "Utskriften ble sendt til feil skriver.",
            "Sikker utskrift med kort er innført på alle skrivere.",
            2,
            3,
        ),
        (
            "PC stod ulåst og pålogget journalsystemet på vaktrommet.",
            "Logget ut, snakket med den ansatte.",
            "Hastverk ved alarm fra beboer.",
            "Automatisk skjermlås etter to minutter er satt opp.",
            2,
            4,
        ),
        (
            "Melding med helseopplysninger ble sendt til feil fastlege.",
            "Mottaker bedt om å slette meldingen; personvernombudet varslet.",
            "To leger med likt navn i adresselisten.",
            "Kontroll av mottaker før sending er lagt inn i rutinen.",
            3,
            2,
        ),
    ],
    "Tjenestesvikt": [
        (
            "Planlagt morgenbesøk ble ikke gjennomført; bruker fikk ikke frokost og medisiner.",
            "Besøk gjennomført kl. 11.30, bruker var i god behold.",
            "Besøket falt ut av kjørelisten etter endring i vedtaket.",
            "Endringer i vedtak kontrolleres mot kjørelisten samme dag.",
            3,
            3,
        ),
        (
            "Trygghetsalarm ble ikke besvart innen 15 minutter på natt.",
            "Nattpatruljen rykket ut, bruker hadde falt, ingen alvorlige skader.",
            "Nattpatruljen var opptatt med et annet oppdrag, ingen back-up.",
            "Avtale om bistand fra sykehjemmet ved samtidige utrykninger.",
            4,
            2,
        ),
        (
            "Bruker ble sendt hjem fra korttidsopphold uten at hjemmetjenesten var varslet.",
            "Hjemmetjenesten kom samme kveld; nødvendig utstyr ble levert dagen etter.",
            "Utskrivningen skjedde på fredag ettermiddag uten samhandlingsmelding.",
            "Sjekkliste for utskriving tatt i bruk på korttidsavdelingen.",
            3,
            3,
        ),
        (
            "Vedtak om praktisk bistand ble ikke iverksatt innen fristen.",
            "Bruker kontaktet og informert; tjenesten startet uken etter.",
            "Saken ble liggende under ferieavvikling.",
            "Fristoversikt gjennomgås i ukentlig saksbehandlermøte.",
            2,
            3,
        ),
    ],
    "HMS": [
        (
            "Ansatt ble truet med kniv av beboer i forbindelse med stell.",
            "Ansatt trakk seg ut, kollega tilkalt, politiet varslet.",
            "Økt uro hos beboer etter medisinendring; tiltaksplan ikke oppdatert.",
            "Tiltaksplan revidert; to ansatte ved stell; debrief for ansatte.",
            4,
            3,
        ),
        (
            "Ansatt fikk vondt i ryggen ved forflytning uten takheis.",
            "Ansatt sykmeldt to dager, bedriftshelsetjenesten kontaktet.",
            "Takheisen var til reparasjon og ingen erstatning var skaffet.",
            "Mobil personløfter kjøpt inn som reserve.",
            2,
            3,
        ),
        (
            "Bilen til hjemmetjenesten sklei av veien på glatt føre.",
            "Ingen personskader; bilen hentet av bergingsselskap.",
            "Sommerdekk på én bil etter dekkskiftet.",
            "Dekkskift følges opp med sjekkliste for hele bilparken.",
            3,
            2,
        ),
        (
            "Ansatt ble slått i armen av bruker under besøk.",
            "Besøket avsluttet, leder ringt, samtale med ansatt etterpå.",
            "Bruker hadde fått dårlige nyheter samme dag.",
            "Risikovurdering av besøk hos brukeren; to ansatte ved behov.",
            2,
            3,
        ),
    ],
    "Annet": [
        (
            "Nøkkel til brukers bolig var borte fra nøkkelskapet.",
            "Låsesmed tilkalt, lås skiftet samme dag.",
            "Nøkkelen ble ikke kvittert ut.",
            "Elektronisk nøkkelskap med logg er bestilt.",
            2,
            2,
        ),
        (
            "Brannalarmen gikk på grunn av matlaging; evakueringen tok for lang tid.",
            "Brannvesenet kom, ingen skade.",
            "Nye ansatte kjente ikke rømningsveiene.",
            "Brannøvelse for alle nyansatte innen første måned.",
            2,
            2,
        ),
    ],
}
# How many of the year's deviations each unit has, and its typical mix.
UNIT_PROFILES: dict[str, tuple[int, dict[str, int]]] = {
    "Hjemmetjenesten Nord": (22, {"Legemiddel": 5, "Tjenestesvikt": 3, "Fall": 2, "HMS": 2}),
    "Hjemmetjenesten Sør": (20, {"Legemiddel": 5, "Tjenestesvikt": 3, "Fall": 2, "HMS": 2}),
    "Tildelingskontoret": (5, {"Tjenestesvikt": 4, "Informasjonssikkerhet": 2}),
    "Fysio- og ergoterapi": (5, {"Fall": 3, "HMS": 1, "Tjenestesvikt": 1}),
    "Sykehjemmet Solgløtt": (30, {"Fall": 5, "Legemiddel": 4, "Infeksjon": 3, "HMS": 2}),
    "Bo- og aktivitetssenteret": (14, {"Fall": 4, "Legemiddel": 3, "HMS": 2}),
    "Korttidsavdelingen": (16, {"Legemiddel": 4, "Tjenestesvikt": 3, "Fall": 3, "Infeksjon": 2}),
    "Rehabiliteringsenheten": (8, {"Fall": 4, "Legemiddel": 2, "Infeksjon": 1}),
    "Psykisk helseteam": (8, {"Informasjonssikkerhet": 3, "HMS": 3, "Tjenestesvikt": 2}),
    "Rustjenesten": (8, {"HMS": 4, "Legemiddel": 2, "Informasjonssikkerhet": 1}),
    "Boliger med bemanning": (12, {"HMS": 5, "Legemiddel": 3, "Annet": 1}),
    "Dagsenteret": (4, {"Fall": 2, "Annet": 2, "HMS": 1}),
}
ATTENDEES = "Virksomhetsleder\nFagutviklingssykepleier\nAvdelingsledere\nVerneombud\nTillitsvalgt"
MINUTES = (
    "Gjennomgang av avvik siden forrige møte. Flest meldinger om {top}. "
    "Tiltakene virker for de fleste; {open_count} avvik er fortsatt under behandling. "
    "Enheten fortsetter med jevnlig gjennomgang i personalmøtene, og neste møte "
    "følger opp de tiltakene som ikke er lukket."
)


def _local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


def _number_in_order(deviations: list[Deviation]) -> None:
    """Give rows their numbers in the order they were reported, year by year."""
    deviations.sort(key=lambda row: row.created_at)
    by_year: dict[int, list[Deviation]] = {}
    for row in deviations:
        row.year = timezone.localtime(row.created_at).year
        by_year.setdefault(row.year, []).append(row)
    for year, rows in by_year.items():
        numbers = deviation_numbers_take(year=year, count=len(rows))
        for row, number in zip(rows, numbers, strict=True):
            row.number = number


# --- The demo municipality ---------------------------------------------------------------


@dataclass
class DemoDeviationsSummary:
    deviations: int = 0
    meetings: int = 0
    skipped: bool = False


def _demo_units() -> dict[str, OrgUnit]:
    """The demo's units by name, with their sections under "unit / section"."""
    department = OrgUnit.objects.filter(parent=None, name=DEPARTMENT).first()
    if department is None:
        return {}
    names = [row[0] for rows in DEMO_AREAS.values() for row in rows]
    units = OrgUnit.objects.filter(parent__parent=department, name__in=names)
    found = {unit.name: unit for unit in units}
    for section in OrgUnit.objects.filter(parent__in=units).select_related("parent"):
        found[f"{section.parent.name} / {section.name}"] = section
    return found


@dataclass
class _People:
    members: dict[int, list[User]]
    leaders: dict[int, User]


def _demo_people(units: dict[str, OrgUnit]) -> _People:
    """Who works where, and who leads each unit."""
    people = _People(members={}, leaders={})
    memberships = (
        Membership.objects.filter(org_unit__in=units.values())
        .select_related("user", "role")
        .order_by("pk")
    )
    for membership in memberships:
        people.members.setdefault(membership.org_unit_id, []).append(membership.user)
        if membership.role.reports_status:
            people.leaders.setdefault(membership.org_unit_id, membership.user)
    return people


@transaction.atomic
def demo_deviations_load(*, today: date | None = None) -> DemoDeviationsSummary:
    """A year of deviations and meetings for the demo units; nothing if they have some."""
    units = _demo_units()
    if not units or Deviation.objects.filter(org_unit__in=units.values()).exists():
        return DemoDeviationsSummary(skipped=True)
    today = today or timezone.localdate()
    categories = {category.name: category for category in DeviationCategory.objects.all()}
    people = _demo_people(units)
    measures = _demo_measures()
    deviations, steps, meetings = [], [], 0
    for year in DEMO_YEARS:
        end = min(today, date(year, 12, 31))
        rng = random.Random(year)
        for unit_name, (count, mix) in UNIT_PROFILES.items():
            if unit_name not in units:
                continue
            for _ in range(count):
                row, row_steps = _demo_deviation(
                    rng, units, unit_name, mix, categories, people, measures, (year, end), today
                )
                deviations.append(row)
                steps.append(row_steps)
    _number_in_order_keeping(deviations, steps)
    Deviation.objects.bulk_create(deviations)
    deviations_changed()  # bulk writes send no signals
    DeviationEvent.objects.bulk_create(
        DeviationEvent(deviation=row, **step)
        for row, row_steps in zip(deviations, steps, strict=True)
        for step in row_steps
    )
    for year in DEMO_YEARS:
        end = min(today, date(year, 12, 31))
        meetings += _demo_meetings(random.Random(year), units, deviations, people, (year, end))
    return DemoDeviationsSummary(deviations=len(deviations), meetings=meetings)


def _number_in_order_keeping(deviations: list[Deviation], steps: list[list[dict]]) -> None:
    pairs = sorted(zip(deviations, steps, strict=True), key=lambda pair: pair[0].created_at)
    deviations[:], steps[:] = [pair[0] for pair in pairs], [pair[1] for pair in pairs]
    _number_in_order(deviations)


def _demo_measures() -> list[Measure]:
    """Measures of the active demo plan that deviations typically lead to."""
    plan = QualityPlan.objects.filter(
        owner__parent=None, owner__name=DEPARTMENT, status=QualityPlan.Status.ACTIVE
    ).first()
    if plan is None:
        return []
    wanted = Q(title__icontains="avvik") | Q(title__icontains="opplæring")
    wanted |= Q(title__icontains="kvalitetsr")
    return list(Measure.objects.filter(wanted, goal__plan=plan).order_by("pk"))


def _pick_unit(rng, units, unit_name: str) -> OrgUnit:
    """The unit itself, or now and then one of its sections."""
    sections = [unit for name, unit in units.items() if name.startswith(f"{unit_name} / ")]
    if sections and rng.random() < 0.4:
        return rng.choice(sections)
    return units[unit_name]


def _demo_deviation(rng, units, unit_name, mix, categories, people, measures, year_end, today):
    """One deviation of a demo year and the steps of its history."""
    year, end = year_end
    unit = _pick_unit(rng, units, unit_name)
    names = [name for name in mix if name in categories] or list(categories)
    category_name = rng.choices(names, weights=[mix.get(name, 1) for name in names])[0]
    story = rng.choice(STORIES.get(category_name, STORIES["Annet"]))
    description, immediate, cause, corrective, consequence, probability = story
    # Up to the day before `end`, so nothing happens later than now.
    days = max(1, (end - date(year, 1, 1)).days)
    day = date(year, 1, 1) + timedelta(days=rng.randrange(days))
    occurred = _local(day, rng.choice([2, 7, 8, 9, 11, 14, 15, 19, 21, 23]), rng.randrange(60))
    created = min(occurred + timedelta(minutes=rng.randrange(20, 60 * 30)), timezone.now())
    handler = people.leaders.get(unit.pk) or people.leaders.get(unit.parent_id)
    here = people.members.get(unit.pk, []) + people.members.get(unit.parent_id, [])
    reporter = rng.choice(here) if here else handler
    row = Deviation(
        org_unit=unit,
        reporter=reporter,
        occurred_at=occurred,
        category=categories[category_name],
        kind=Deviation.Kind.INCIDENT if rng.random() < 0.3 else Deviation.Kind.DEVIATION,
        description=description,
        immediate_action=immediate,
        consequence=max(1, min(5, consequence + rng.choice([-1, 0, 0, 0, 1]))),
        probability=max(1, min(5, probability + rng.choice([-1, 0, 0, 1]))),
        created_at=created,
    )
    steps = [_step(Action.REPORT, "", Status.REPORTED, reporter, created)]
    _demo_follow_up(rng, row, steps, handler, (cause, corrective), measures, today)
    return row, steps


def _step(action, from_status, to_status, user, at, note="") -> dict:
    return {
        "action": action,
        "from_status": from_status,
        "to_status": to_status,
        "user": user,
        "at": at,
        "note": note,
    }


def _demo_follow_up(rng, row, steps, handler, texts, measures, today) -> None:
    """Move the deviation on as far as its age allows: most old ones are closed."""
    now = timezone.now()
    age = (now - row.created_at).days
    # The newest wait for their leader, and now and then an older one is still waiting.
    if (age < 7 and rng.random() < 0.7) or rng.random() < 0.02:
        return
    if rng.random() < 0.015:
        row.status, row.rejection_reason = (
            Status.REJECTED,
            "Meldt to ganger; fulgt opp i det første avviket.",
        )
        row.closed_at = min(row.created_at + timedelta(days=2), now)
        steps.append(
            _step(
                Action.REJECT,
                Status.REPORTED,
                Status.REJECTED,
                handler,
                row.closed_at,
                row.rejection_reason,
            )
        )
        return
    started = min(row.created_at + timedelta(hours=rng.randrange(4, 72)), now)
    row.status, row.handler = Status.IN_TREATMENT, handler
    row.due_date = timezone.localtime(started).date() + timedelta(days=rng.choice([14, 21, 30]))
    steps.append(
        _step(Action.START_TREATMENT, Status.REPORTED, Status.IN_TREATMENT, handler, started)
    )
    closes_after = timedelta(days=rng.randrange(3, 45))
    # Some stay open past their due date: those are the overdue ones on the list.
    if started + closes_after > now or rng.random() < 0.06:
        if row.due_date < today and rng.random() < 0.5:
            row.due_date = today + timedelta(days=rng.choice([7, 14]))
        return
    row.status, row.closed_at = Status.CLOSED, started + closes_after
    row.cause, row.corrective_action = texts
    row.closing_note = "Gjennomgått med de ansatte på avdelingen."
    if measures and rng.random() < 0.25:
        row.measure = rng.choice(measures)
    steps.append(
        _step(
            Action.CLOSE,
            Status.IN_TREATMENT,
            Status.CLOSED,
            handler,
            row.closed_at,
            row.closing_note,
        )
    )


def _demo_meetings(rng, units, deviations, people, year_end: tuple[int, date]) -> int:
    """Two quality council meetings a unit: spring and autumn, each reviewing what was new."""
    year, end = year_end
    meetings = 0
    for unit_name in UNIT_PROFILES:
        unit = units.get(unit_name)
        if unit is None:
            continue
        ours = [
            row
            for row in deviations
            if row.org_unit_id == unit.pk or row.org_unit.parent_id == unit.pk
        ]
        for month in (4, 10):
            held_on = date(year, month, rng.randrange(5, 25))
            if held_on > end:
                continue
            since = held_on - timedelta(days=183)
            reviewed = [
                row for row in ours if since <= timezone.localtime(row.created_at).date() < held_on
            ]
            top = _most_common_category(reviewed)
            open_count = sum(1 for row in reviewed if row.status in Deviation.OPEN_STATUSES)
            meeting = QualityCouncilMeeting.objects.create(
                org_unit=unit,
                held_on=held_on,
                attendees=ATTENDEES,
                minutes=MINUTES.format(top=top.lower(), open_count=open_count),
                created_by=people.leaders.get(unit.pk),
            )
            meeting.deviations.set(reviewed[:8])
            meetings += 1
    return meetings


def _most_common_category(rows: list[Deviation]) -> str:
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.category.name] = counts.get(row.category.name, 0) + 1
    return max(counts, key=counts.get) if counts else "ingen"


# --- The benchmark municipality --------------------------------------------------------

BENCH_BATCH = 5000
BENCH_FIRST_DAY = date(2025, 1, 1)


def bench_units() -> list[OrgUnit]:
    return list(
        OrgUnit.objects.filter(
            parent__parent__parent=None,
            parent__parent__name=BENCH_DEPARTMENT,
            kind=OrgUnit.Kind.UNIT,
        ).order_by("pk")
    )


def bench_deviations_delete() -> None:
    """Remove the benchmark units' deviations and meetings (before the units go)."""
    units = OrgUnit.objects.filter(
        Q(parent__parent__name=BENCH_DEPARTMENT, parent__parent__parent=None)
        | Q(parent__name=BENCH_DEPARTMENT, parent__parent=None)
    )
    QualityCouncilMeeting.objects.filter(org_unit__in=units).delete()
    Deviation.objects.filter(org_unit__in=units).delete()
    deviations_changed()


@transaction.atomic
def bench_deviations_seed(*, count: int = 50000, today: date | None = None) -> int:
    """`count` deviations spread over the benchmark units since 1 January 2025, with two
    quality council meetings a year per unit. Returns how many deviations were made (0 when
    the units already have some). No history rows: the benchmarks read lists and counts."""
    units = bench_units()
    if not units or Deviation.objects.filter(org_unit__in=units).exists():
        return 0
    today = today or timezone.localdate()
    leaders = dict(
        Membership.objects.filter(org_unit__in=units, role__reports_status=True).values_list(
            "org_unit_id", "user_id"
        )
    )
    categories = list(DeviationCategory.objects.filter(is_active=True))
    rng = random.Random(count)
    span = (today - BENCH_FIRST_DAY).days
    rows = [
        _bench_deviation(rng, units[n % len(units)], leaders, categories, span, today)
        for n in range(count)
    ]
    _number_in_order(rows)
    Deviation.objects.bulk_create(rows, batch_size=BENCH_BATCH)
    deviations_changed()
    QualityCouncilMeeting.objects.bulk_create(
        QualityCouncilMeeting(
            org_unit=unit, held_on=date(year, month, 15), attendees=ATTENDEES, minutes=""
        )
        for unit in units
        for year in range(BENCH_FIRST_DAY.year, today.year + 1)
        for month in (4, 10)
        if date(year, month, 15) <= today
    )
    return count


def _bench_deviation(rng, unit, leaders, categories, span, today) -> Deviation:
    day = BENCH_FIRST_DAY + timedelta(days=rng.randrange(span))
    created = _local(day, rng.randrange(24), rng.randrange(60))
    leader = leaders.get(unit.pk)
    row = Deviation(
        org_unit=unit,
        reporter_id=leader,
        occurred_at=created - timedelta(hours=rng.randrange(1, 12)),
        category=rng.choice(categories),
        description="Benchmark: hendelse under stell, fulgt opp av avdelingen.",
        consequence=rng.randint(1, 5),
        probability=rng.randint(1, 5),
        created_at=created,
    )
    _bench_follow_up(rng, row, leader, age=(today - day).days)
    return row


def _bench_follow_up(rng, row: Deviation, leader: int | None, *, age: int) -> None:
    """Old deviations are mostly closed; recent ones mostly still open."""
    roll = rng.random()
    closed, rejected, treated = (0.85, 0.9, 0.97) if age > 45 else (0.3, 0.35, 0.8)
    now = timezone.now()
    if roll < rejected and roll >= closed:
        row.status, row.rejection_reason = Status.REJECTED, "Ikke et avvik."
        row.closed_at = min(row.created_at + timedelta(days=1), now)
        return
    if roll >= treated:
        return
    row.handler_id = leader
    row.due_date = timezone.localtime(row.created_at).date() + timedelta(days=30)
    row.status = Status.IN_TREATMENT
    if roll < closed:
        after = timedelta(days=rng.randrange(1, 40), hours=rng.randrange(24))
        row.status, row.closed_at = Status.CLOSED, min(row.created_at + after, now)
        row.cause, row.corrective_action = "Rutinen ble ikke fulgt.", "Rutinen er gjennomgått."
