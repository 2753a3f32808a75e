"""Demo and bench data for the quality staircase.

`load` imports the two frameworks we wrote (demo/data: health and care in Norwegian,
preschool in Swedish) through the framework importer, and gives the demo
municipality's units two years of self-assessments against the health and care
framework, external reviews by an outside reviewer, certificates (one unit for the
second time), an improvement measure and a learning network with meetings. It only
adds what is missing: running it again changes nothing.

`bench_seed` gives the bench municipality (`seed_bench`) the bench size of the issue:
a framework of 11 areas × 7 steps × 3 criteria and four years of assessments.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from demo.qualityplan import DEPARTMENT, OFFICE
from qualityplan.models import OrgUnit
from staircase.framework_import import framework_import_apply, parse_framework
from staircase.models import (
    AreaAssessment,
    AreaMeasure,
    AreaReview,
    AssessmentRound,
    Certification,
    Criterion,
    ExternalReview,
    Framework,
    FrameworkVersion,
    LearningNetwork,
    NetworkMeeting,
    Perspective,
    QualityArea,
    ReviewerAssignment,
    SelfAssessment,
    SelfAssessmentEvent,
)
from staircase.reviews import add_years

User = get_user_model()
DATA = Path(__file__).parent / "data"
FRAMEWORKS = [
    ("Kvalitetstrapp helse og omsorg", "kvalitetstrapp-helse-og-omsorg.csv"),
    ("Kvalitetstrappa förskola", "kvalitetstrappa-forskola.csv"),
]
REVIEWER = "granskar.ekstern"
EVIDENCE = (
    "Vi gikk gjennom kriteriene på personalmøtet og i ledergruppen. Rutinene ligger i "
    "kvalitetssystemet, og vi har sett på avviksmeldinger og resultatene fra "
    "brukerundersøkelsen."
)


@dataclass
class StaircaseSummary:
    frameworks_created: int = 0
    assessments: int = 0
    reviews: int = 0
    certificates: int = 0
    skipped: bool = False

    @property
    def line(self) -> str:
        if self.skipped:
            return "Quality staircase: the demo rounds were already there; left as they were."
        return (
            f"Quality staircase: {self.frameworks_created} frameworks imported, "
            f"{self.assessments} self-assessments, {self.reviews} external reviews, "
            f"{self.certificates} certificates."
        )


def _score(*parts) -> int:
    return zlib.crc32("|".join(str(p) for p in parts).encode())


def frameworks_load() -> tuple[list[FrameworkVersion], int]:
    versions, created = [], 0
    for name, filename in FRAMEWORKS:
        version = FrameworkVersion.objects.filter(framework__name=name).order_by("-number").first()
        if version is None:
            path = DATA / filename
            parsed = parse_framework(data=path.read_bytes(), filename=path.name)
            version = framework_import_apply(
                parsed=parsed, name=name, user=None, source_name=filename
            )
            created += 1
        versions.append(version)
    return versions, created


@transaction.atomic
def load(*, today: date | None = None) -> StaircaseSummary:
    today = today or timezone.localdate()
    (care, _preschool), created = frameworks_load()
    summary = StaircaseSummary(frameworks_created=created)
    department = OrgUnit.objects.filter(parent=None, name=DEPARTMENT).first()
    if department is None:
        return summary
    if AssessmentRound.objects.filter(
        owner=department, framework_version__framework=care.framework
    ).exists():
        summary.skipped = True
        return summary
    units = list(
        OrgUnit.objects.filter(
            parent__parent=department, kind=OrgUnit.Kind.UNIT, is_active=True
        ).order_by("name")
    )
    office_user = User.objects.filter(memberships__org_unit__name=OFFICE).first()
    reviewer = _reviewer()
    first, second = today.year - 2, today.year - 1
    early = _round(care, department, today.year - 5, office_user)
    rounds = {year: _round(care, department, year, office_user) for year in (first, second)}
    # Year one: every unit but the last; year two: all but one, and one still in draft.
    plan = {first: units[:-1], second: [u for u in units if u != units[3]]}
    for year, round_ in rounds.items():
        for index, unit in enumerate(plan[year]):
            status = "draft" if (year == second and index == 0) else "approved"
            _assessment(round_, unit, status, bonus=1 if year == second else 0)
            summary.assessments += 1
    # Two units were certified long ago, so their new certificate is their second.
    for unit in units[:2]:
        review = _review(early, unit, reviewer, step_floor=4, completed_on=date(early.year, 11, 1))
        _certify(review, office_user, date(early.year, 12, 1))
        summary.reviews += 1
    for index, unit in enumerate(units[:8]):
        floor = 4 if index < 5 else None
        review = _review(
            rounds[first], unit, reviewer, step_floor=floor, completed_on=date(first, 11, 20)
        )
        summary.reviews += 1
        if all(row.step >= care.framework.required_step for row in review.areas.all()):
            _certify(review, office_user, date(first, 12, 10))
    for unit in units[8:10]:  # reviews of last year, still under way
        _review(
            rounds[second],
            unit,
            reviewer,
            step_floor=None,
            completed_on=None,
            access_until=today + timedelta(days=60),
        )
        summary.reviews += 1
    summary.certificates = Certification.objects.filter(framework=care.framework).count()
    _improvement(units[:3], rounds[second])
    _network(care.framework, units, office_user, today)
    return summary


def _reviewer() -> User:
    user, created = User.objects.get_or_create(
        username=REVIEWER,
        defaults={"first_name": "Eva", "last_name": "Granskare", "email": f"{REVIEWER}@example.se"},
    )
    if created:
        from demo.qualityplan import DEMO_PASSWORD

        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


def _round(version: FrameworkVersion, owner: OrgUnit, year: int, user) -> AssessmentRound:
    return AssessmentRound.objects.get_or_create(
        framework_version=version,
        owner=owner,
        year=year,
        defaults={"deadline": date(year, 11, 15), "created_by": user},
    )[0]


def _target_step(unit: OrgUnit, area: QualityArea, bonus: int) -> int:
    return min(7, 2 + _score(unit.name, area.position) % 5 + bonus)


def _assessment(round_: AssessmentRound, unit: OrgUnit, status: str, bonus: int) -> SelfAssessment:
    version = round_.framework_version
    when = timezone.make_aware(datetime(round_.year, 10, 20, 12, 0))
    assessment = SelfAssessment.objects.create(
        round=round_,
        framework_version=version,
        org_unit=unit,
        year=round_.year,
        status=status,
        summary="Vi ser framgang i de fleste områdene, men har mer å gjøre med dokumentasjonen.",
        submitted_at=when if status != "draft" else None,
        approved_at=when if status == "approved" else None,
    )
    areas = list(version.areas.all())
    criteria = list(
        Criterion.objects.filter(area__version=version).values_list("pk", "area_id", "step")
    )
    perspectives = list(Perspective.objects.filter(version=version).values_list("pk", flat=True))
    rows = AreaAssessment.objects.bulk_create(
        AreaAssessment(
            assessment=assessment,
            area=area,
            evidence=EVIDENCE,
            step_reached=_target_step(unit, area, bonus),
        )
        for area in areas
    )
    met, seen = AreaAssessment.met_criteria.through, AreaAssessment.perspectives.through
    met_rows, seen_rows = [], []
    for row in rows:
        met_rows += [
            met(areaassessment_id=row.pk, criterion_id=pk)
            for pk, area_id, step in criteria
            if area_id == row.area_id
            and (step <= row.step_reached or (step == row.step_reached + 1 and pk % 2))
        ]
        seen_rows += [
            seen(areaassessment_id=row.pk, perspective_id=pk)
            for pk in perspectives[: 2 + row.pk % 3]
        ]
    met.objects.bulk_create(met_rows)
    seen.objects.bulk_create(seen_rows)
    SelfAssessmentEvent.objects.create(assessment=assessment, action="create", to_status="draft")
    if status != "draft":
        SelfAssessmentEvent.objects.create(
            assessment=assessment, action="submit", from_status="draft", to_status="submitted"
        )
    if status == "approved":
        SelfAssessmentEvent.objects.create(
            assessment=assessment, action="approve", from_status="submitted", to_status="approved"
        )
    return assessment


def _review(
    round_, unit, reviewer, *, step_floor, completed_on, access_until=None
) -> ExternalReview:
    done = completed_on is not None
    review = ExternalReview.objects.create(
        round=round_,
        org_unit=unit,
        status="completed" if done else "appointed",
        report=(
            "Enheten arbeider systematisk og har god kjennskap til egne resultater. Vi "
            "anbefaler å involvere brukerne mer i evalueringen av tiltakene."
        )
        if done
        else "",
        completed_at=timezone.make_aware(
            datetime(completed_on.year, completed_on.month, completed_on.day, 12)
        )
        if done
        else None,
        completed_by=reviewer if done else None,
    )
    ReviewerAssignment.objects.create(
        review=review,
        user=reviewer,
        access_until=access_until or (completed_on + timedelta(days=30)),
    )
    own = dict(
        AreaAssessment.objects.filter(
            assessment__round=round_, assessment__org_unit=unit
        ).values_list("area_id", "step_reached")
    )
    rows = []
    for area in round_.framework_version.areas.all():
        step = own.get(area.pk, 4) + (_score("review", unit.name, area.position) % 3) - 1
        step = max(step_floor or 1, min(7, step)) if done else None
        justification = (
            "Bekreftet i intervju med ansatte og ved gjennomgang av dokumentasjonen."
            if done
            else ""
        )
        rows.append(AreaReview(review=review, area=area, step=step, justification=justification))
    AreaReview.objects.bulk_create(rows)
    return review


def _certify(review: ExternalReview, user, issued_on: date) -> Certification:
    framework = review.round.framework_version.framework
    earlier = Certification.objects.filter(
        framework=framework, org_unit_id=review.org_unit_id
    ).count()
    return Certification.objects.create(
        framework=framework,
        org_unit_id=review.org_unit_id,
        review=review,
        issued_on=issued_on,
        valid_until=add_years(issued_on, framework.certificate_years),
        sequence=earlier + 1,
        issued_by=user,
    )


def _improvement(units, round_) -> None:
    from measures.models import Measure

    measures = list(
        Measure.objects.filter(
            goal__plan__owner=round_.owner, goal__plan__status="active"
        ).order_by("goal__position", "position")[:3]
    )
    for unit, measure in zip(units, measures, strict=False):
        row = (
            AreaAssessment.objects.filter(assessment__round=round_, assessment__org_unit=unit)
            .order_by("step_reached")
            .first()
        )
        if row is not None:
            AreaMeasure.objects.get_or_create(
                org_unit=unit, area=row.area, measure=measure, defaults={"year": round_.year}
            )


def _network(framework: Framework, units, user, today: date) -> None:
    network, created = LearningNetwork.objects.get_or_create(
        framework=framework,
        name="Læringsnettverk hjemme og institusjon",
        defaults={
            "description": (
                "Enheter fra ulike områder som møtes hvert kvartal for å lære av "
                "hverandres forbedringsarbeid."
            )
        },
    )
    if not created:
        return
    network.units.set(units[::3])
    areas = list(framework.versions.order_by("-number").first().areas.order_by("position"))
    for offset, notes, worked in (
        (
            200,
            "Vi delte erfaringer med brukermedvirkning i tiltaksplaner. "
            "To enheter prøver ut felles samtaleguide.",
            areas[:1],
        ),
        (
            110,
            "Gjennomgang av legemiddelavvik på tvers av enhetene. "
            "Vi ble enige om å teste dobbeltkontroll på kveld.",
            areas[2:4],
        ),
        (
            20,
            "Hvordan holde på det som virker: hver enhet presenterte "
            "ett tiltak som har vart i over ett år.",
            areas[7:8],
        ),
    ):
        meeting = NetworkMeeting.objects.create(
            network=network,
            date=today - timedelta(days=offset),
            notes=notes,
            attendees="Lederne og en kvalitetskontakt fra hver enhet",
            created_by=user,
        )
        meeting.areas.set(worked)


# --- The bench municipality ------------------------------------------------------------------

BENCH_FRAMEWORK = "Bench-trapp"


@transaction.atomic
def bench_seed(
    *, department: OrgUnit, years: int = 4, criteria_per_step: int = 3
) -> dict[str, int]:
    """11 areas × 7 steps × `criteria_per_step` criteria, a round a year for `years` years,
    every unit assessed every year, half reviewed each year, a third certified. Kept if
    it is there already."""
    framework, created = Framework.objects.get_or_create(name=BENCH_FRAMEWORK)
    if created:
        version = FrameworkVersion.objects.create(framework=framework, number=1)
        areas = QualityArea.objects.bulk_create(
            QualityArea(version=version, position=p, name=f"Område {p}") for p in range(1, 12)
        )
        Criterion.objects.bulk_create(
            Criterion(area=a, step=s, position=n, text=f"{a.name}, trinn {s}, krav {n}")
            for a in areas
            for s in range(1, 8)
            for n in range(1, criteria_per_step + 1)
        )
        units = list(OrgUnit.objects.filter(parent__parent=department, kind=OrgUnit.Kind.UNIT))
        this_year = timezone.localdate().year
        for year in range(this_year - years, this_year):
            _bench_year(version, department, units, year, first=this_year - years)
    return {
        "areas": QualityArea.objects.filter(version__framework=framework).count(),
        "criteria": Criterion.objects.filter(area__version__framework=framework).count(),
        "assessments": SelfAssessment.objects.filter(
            framework_version__framework=framework
        ).count(),
        "area rows": AreaAssessment.objects.filter(
            assessment__framework_version__framework=framework
        ).count(),
        "reviews": ExternalReview.objects.filter(
            round__framework_version__framework=framework
        ).count(),
        "certificates": Certification.objects.filter(framework=framework).count(),
    }


def _bench_year(version, department, units, year, first) -> None:
    round_ = AssessmentRound.objects.create(
        framework_version=version, owner=department, year=year, deadline=date(year, 11, 15)
    )
    assessments = SelfAssessment.objects.bulk_create(
        SelfAssessment(
            round=round_, framework_version=version, org_unit=u, year=year, status="approved"
        )
        for u in units
    )
    areas = list(version.areas.all())
    criteria = list(
        Criterion.objects.filter(area__version=version).values_list("pk", "area_id", "step")
    )
    rows = AreaAssessment.objects.bulk_create(
        (
            AreaAssessment(
                assessment=a, area=area, step_reached=_score(a.org_unit_id, area.position, year) % 8
            )
            for a in assessments
            for area in areas
        ),
        batch_size=2000,
    )
    met = AreaAssessment.met_criteria.through
    met.objects.bulk_create(
        (
            met(areaassessment_id=row.pk, criterion_id=pk)
            for row in rows
            for pk, area_id, step in criteria
            if area_id == row.area_id and step <= row.step_reached
        ),
        batch_size=5000,
    )
    reviewed = units[year % 2 :: 2]
    reviews = ExternalReview.objects.bulk_create(
        ExternalReview(round=round_, org_unit=u, status="completed", report="ok") for u in reviewed
    )
    AreaReview.objects.bulk_create(
        (
            AreaReview(
                review=r,
                area=area,
                step=3 + _score(r.org_unit_id, area.position) % 5,
                justification="ok",
            )
            for r in reviews
            for area in areas
        ),
        batch_size=2000,
    )
    Certification.objects.bulk_create(
        Certification(
            framework=version.framework,
            org_unit_id=r.org_unit_id,
            review=r,
            issued_on=date(year, 12, 1),
            valid_until=date(year + 3, 12, 1),
            sequence=(year - first) // 2 + 1,
        )
        for r in reviews[::3]
    )
