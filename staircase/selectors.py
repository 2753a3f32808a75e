"""Reads for the staircase pages, each in a fixed number of queries whatever the size."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, QuerySet

from qualityplan.access import OrgTree
from qualityplan.models import OrgUnit

from .models import (
    STEPS,
    AreaAssessment,
    AreaReview,
    AssessmentRound,
    Certification,
    Criterion,
    ExternalReview,
    Framework,
    FrameworkVersion,
    Perspective,
    QualityArea,
    ReviewerAssignment,
    SelfAssessment,
    SelfAssessmentEvent,
)
from .permissions import StaircaseRights
from .steps import StepExplanation, StepLine, step_explained

# --- Frameworks -----------------------------------------------------------------------


def frameworks_with_versions() -> list[Framework]:
    versions = FrameworkVersion.objects.annotate(
        area_count=Count("areas", distinct=True),
        criterion_count=Count("areas__criteria", distinct=True),
    ).order_by("-number")
    return list(Framework.objects.prefetch_related(Prefetch("versions", queryset=versions)))


@dataclass
class StepCell:
    step: int
    criteria: list[Criterion]


@dataclass
class AreaCriteria:
    area: QualityArea
    steps: list[StepCell]

    @property
    def criterion_count(self) -> int:
        return sum(len(cell.criteria) for cell in self.steps)


def version_criteria(*, version: FrameworkVersion) -> list[AreaCriteria]:
    """The version's areas, each with its criteria step by step (three queries)."""
    criteria = (
        Criterion.objects.filter(area__version=version)
        .prefetch_related("perspectives")
        .order_by("step", "position")
    )
    by_area: dict[int, dict[int, list[Criterion]]] = defaultdict(lambda: defaultdict(list))
    for criterion in criteria:
        by_area[criterion.area_id][criterion.step].append(criterion)
    return [
        AreaCriteria(
            area=area,
            steps=[StepCell(step=step, criteria=by_area[area.pk][step]) for step in STEPS],
        )
        for area in QualityArea.objects.filter(version=version).order_by("position")
    ]


# --- Rounds -----------------------------------------------------------------------


def unit_ids_under(owner_id: int, tree: OrgTree | None = None) -> set[int]:
    tree = tree or OrgTree.load()
    return tree.subtree(owner_id)


def round_units(*, round: AssessmentRound, tree: OrgTree | None = None) -> QuerySet[OrgUnit]:
    """The units that assess themselves in the round: the active units under its owner."""
    ids = unit_ids_under(round.owner_id, tree)
    return OrgUnit.objects.filter(
        pk__in=ids, kind=OrgUnit.Kind.UNIT, is_active=True
    ).select_related("parent")


def rounds_for_user(*, rights: StaircaseRights) -> list[AssessmentRound]:
    """Rounds the user takes part in, reads or reviews in, newest first (three queries)."""
    rounds = list(
        AssessmentRound.objects.select_related("framework_version__framework", "owner").order_by(
            "-year", "owner__name"
        )
    )
    if rights.is_superuser:
        return rounds
    tree = OrgTree.load()
    reviewed = {round_id for round_id, _unit in rights.reviews}
    seen = (
        rights.read_unit_ids
        | rights.edit_unit_ids
        | rights.approve_unit_ids
        | rights.office_unit_ids
    )
    return [r for r in rounds if r.pk in reviewed or tree.subtree(r.owner_id) & seen]


@dataclass
class RoundRow:
    unit: OrgUnit
    assessment: SelfAssessment | None
    teams: list[SelfAssessment]
    review: ExternalReview | None
    can_edit: bool
    can_approve: bool

    @property
    def status(self) -> str:
        return self.assessment.status if self.assessment else ""


@dataclass
class RoundOverview:
    round: AssessmentRound
    rows: list[RoundRow] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    @property
    def not_started(self) -> int:
        return sum(1 for row in self.rows if row.assessment is None)

    @property
    def submitted(self) -> int:
        return self.count(SelfAssessment.Status.SUBMITTED)

    @property
    def approved(self) -> int:
        return self.count(SelfAssessment.Status.APPROVED)

    @property
    def drafts(self) -> int:
        return self.count(SelfAssessment.Status.DRAFT)


def round_overview(*, round: AssessmentRound, rights: StaircaseRights) -> RoundOverview:
    """Every unit of the round the user may see, with its assessments and review (four queries)."""
    units = [
        unit
        for unit in round_units(round=round)
        if rights.can_read_unit(unit.pk) or rights.reviews_unit(round.pk, unit.pk)
    ]
    assessments = defaultdict(list)
    for a in SelfAssessment.objects.filter(round=round, org_unit__in=[u.pk for u in units]):
        assessments[a.org_unit_id].append(a)
    reviews = {r.org_unit_id: r for r in ExternalReview.objects.filter(round=round)}
    rows = []
    for unit in units:
        own = assessments.get(unit.pk, [])
        main = next((a for a in own if a.kind == SelfAssessment.Kind.UNIT), None)
        rows.append(
            RoundRow(
                unit=unit,
                assessment=main,
                teams=[a for a in own if a is not main],
                review=reviews.get(unit.pk),
                can_edit=rights.can_edit_unit(unit.pk),
                can_approve=rights.can_approve_unit(unit.pk),
            )
        )
    rows.sort(key=lambda row: (not row.can_edit, row.unit.parent.name, row.unit.name))
    return RoundOverview(round=round, rows=rows)


# --- One self-assessment --------------------------------------------------------------------------


@dataclass
class StepView:
    line: StepLine
    criteria: list[Criterion]


@dataclass
class AreaView:
    area: QualityArea
    row: AreaAssessment
    met: set[int]
    perspectives: set[int]
    explanation: StepExplanation
    steps: list[StepView]
    review: AreaReview | None = None
    # What the evidence box shows: the saved text, or what was sent with an error.
    evidence_text: str = ""
    evidence_errors: list[str] = field(default_factory=list)

    @property
    def reached(self) -> int:
        return self.explanation.reached

    @property
    def difference(self) -> int | None:
        if self.review is None or self.review.step is None:
            return None
        return self.review.step - self.reached


@dataclass
class AssessmentPage:
    assessment: SelfAssessment
    areas: list[AreaView]
    perspectives: list[Perspective]
    events: list[SelfAssessmentEvent]


def assessment_for_page(pk: int) -> SelfAssessment | None:
    return (
        SelfAssessment.objects.select_related(
            "round__owner", "framework_version__framework", "org_unit__parent", "updated_by"
        )
        .filter(pk=pk)
        .first()
    )


def assessment_page(
    *, assessment: SelfAssessment, met_override: dict[int, set[int]] | None = None
) -> AssessmentPage:
    """The assessment's areas with criteria step by step, what is met, and why the step
    reached is what it is (eight queries). `met_override` shows a form's unsaved ticks."""
    version = assessment.framework_version
    criteria = {area.area.pk: area for area in version_criteria(version=version)}
    rows = AreaAssessment.objects.filter(assessment=assessment).prefetch_related(
        Prefetch("met_criteria", queryset=Criterion.objects.only("pk")),
        Prefetch("perspectives", queryset=Perspective.objects.only("pk")),
        "attachments",
    )
    areas = []
    for row in sorted(rows, key=lambda r: criteria[r.area_id].area.position):
        area_criteria = criteria[row.area_id]
        met = {c.pk for c in row.met_criteria.all()}
        if met_override is not None:
            met = met_override.get(row.area_id, set())
        pairs = [(c.pk, cell.step) for cell in area_criteria.steps for c in cell.criteria]
        explanation = step_explained(criteria=pairs, met=met)
        row.area = area_criteria.area
        areas.append(
            AreaView(
                area=area_criteria.area,
                row=row,
                met=met,
                perspectives={p.pk for p in row.perspectives.all()},
                explanation=explanation,
                evidence_text=row.evidence,
                steps=[
                    StepView(line=line, criteria=cell.criteria)
                    for line, cell in zip(explanation.lines, area_criteria.steps, strict=True)
                ],
            )
        )
    events = list(SelfAssessmentEvent.objects.filter(assessment=assessment).select_related("user"))
    return AssessmentPage(
        assessment=assessment,
        areas=areas,
        perspectives=list(version.perspectives.all()),
        events=events,
    )


# --- Reviews -----------------------------------------------------------------------


def review_for_page(pk: int) -> ExternalReview | None:
    return (
        ExternalReview.objects.select_related(
            "round__framework_version__framework", "round__owner", "org_unit__parent"
        )
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=ReviewerAssignment.objects.select_related("user").order_by("pk"),
            )
        )
        .filter(pk=pk)
        .first()
    )


def review_areas(*, review: ExternalReview) -> dict[int, AreaReview]:
    return {row.area_id: row for row in AreaReview.objects.filter(review=review)}


def reviews_for_reviewer(*, rights: StaircaseRights) -> QuerySet[ExternalReview]:
    return (
        ExternalReview.objects.filter(pk__in=rights.review_ids)
        .select_related("round__framework_version__framework", "org_unit__parent")
        .order_by("-round__year", "org_unit__name")
    )


def unit_assessment_in_round(*, round_id: int, unit_id: int) -> SelfAssessment | None:
    return (
        SelfAssessment.objects.select_related(
            "round__owner", "framework_version__framework", "org_unit__parent", "updated_by"
        )
        .filter(round_id=round_id, org_unit_id=unit_id, kind=SelfAssessment.Kind.UNIT)
        .first()
    )


def unit_review(*, assessment: SelfAssessment) -> ExternalReview | None:
    """The external review of the unit in the assessment's round, with its areas."""
    if assessment.kind != SelfAssessment.Kind.UNIT:
        return None
    return (
        ExternalReview.objects.filter(
            round_id=assessment.round_id, org_unit_id=assessment.org_unit_id
        )
        .prefetch_related("areas")
        .first()
    )


@dataclass
class CertificationRow:
    unit: OrgUnit
    current: Certification | None
    times: int
    latest: Certification | None

    @property
    def state(self) -> str:
        if self.current is not None:
            return "certified"
        return "expired" if self.latest is not None else "never"


@dataclass
class CertificationStatus:
    framework: Framework
    rows: list[CertificationRow]

    @property
    def certified(self) -> int:
        return sum(1 for row in self.rows if row.current is not None)

    @property
    def recertified(self) -> int:
        return sum(1 for row in self.rows if row.current is not None and row.current.sequence > 1)

    @property
    def expiring(self) -> list[CertificationRow]:
        return sorted(
            (row for row in self.rows if row.current is not None),
            key=lambda row: row.current.valid_until,
        )


def certification_status(*, framework: Framework, unit_ids: set[int], today) -> CertificationStatus:
    """Every unit in scope with its valid certificate (if any) and how often it has been
    certified in the framework (two queries)."""
    units = OrgUnit.objects.filter(
        pk__in=unit_ids, kind=OrgUnit.Kind.UNIT, is_active=True
    ).select_related("parent")
    by_unit: dict[int, list[Certification]] = defaultdict(list)
    for cert in Certification.objects.filter(framework=framework, org_unit_id__in=unit_ids):
        by_unit[cert.org_unit_id].append(cert)
    rows = []
    for unit in units.order_by("parent__name", "name"):
        certs = sorted(by_unit.get(unit.pk, []), key=lambda c: c.issued_on)
        current = next((c for c in reversed(certs) if c.issued_on <= today <= c.valid_until), None)
        rows.append(
            CertificationRow(
                unit=unit, current=current, times=len(certs), latest=certs[-1] if certs else None
            )
        )
    return CertificationStatus(framework=framework, rows=rows)
