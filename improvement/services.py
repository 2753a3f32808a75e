"""Writes to improvement work. Each validates, writes in one transaction and keeps the
version checks: a save from a stale page is a conflict that carries the row as it is
now, and the same values sent twice are saved once."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from qualityplan.models import OrgUnit
from reporting.models import UnitAnnualReport

from .models import (
    ChangeIdea,
    DataPoint,
    DutyStatement,
    ImprovementProject,
    ManagementReview,
    PdsaCycle,
    RegulationDuty,
    ReviewDecision,
)

PROJECT_FIELDS = (
    "title", "status", "problem", "aim", "aim_value", "aim_date", "measure_name",
    "indicator", "higher_is_better", "team", "measure", "started_on", "ended_on",
)  # fmt: skip
CYCLE_FIELDS = (
    "change_idea", "plan", "prediction", "do", "study", "act", "act_note", "starts_on",
    "ends_on",
)  # fmt: skip
REVIEW_FIELDS = ("held_on", "participants", "summary")


class EditConflict(ValidationError):
    """Someone else saved the object since the user loaded it."""

    def __init__(self, current) -> None:
        self.current = current
        super().__init__(
            _("Someone else saved this while you were editing it. Their version is shown; "
              "make your changes again on top of it."),
            code="conflict",
        )  # fmt: skip


def _holds(obj, changes: dict) -> bool:
    return all(getattr(obj, name) == value for name, value in changes.items())


def _versioned_save(model, obj, *, version: int, fields: tuple[str, ...], changes: dict):
    unknown = set(changes) - set(fields)
    if unknown:
        raise TypeError(f"Not editable: {', '.join(sorted(unknown))}")
    current = model.objects.select_for_update().get(pk=obj.pk)
    if _holds(current, changes):
        return current  # nothing new: a double submit, or a save without changes
    if current.version != version:
        raise EditConflict(current)
    for name, value in changes.items():
        setattr(current, name, value)
    current.version += 1
    current.full_clean()
    current.save()
    return current


def _change_ideas_set(project: ImprovementProject, ideas: list[str]) -> None:
    """Keep the ideas whose text stays, add new ones, drop those no longer listed
    (their cycles keep running, without an idea)."""
    wanted = [" ".join(text.split()) for text in ideas if text.strip()]
    existing = {idea.text: idea for idea in project.change_ideas.all()}
    for position, text in enumerate(wanted):
        idea = existing.pop(text, None) or ChangeIdea(project=project, text=text)
        idea.position = position
        idea.full_clean(exclude=["project"])
        idea.save()
    for idea in existing.values():
        idea.delete()


@transaction.atomic
def project_create(
    *, user: User, units: list[OrgUnit], ideas: list[str], deviations=(), **fields
) -> ImprovementProject:
    if not units:
        raise ValidationError({"units": _("Choose at least one unit.")})
    project = ImprovementProject(created_by=user, **fields)
    project.full_clean()
    project.save()
    project.units.set(units)
    project.deviations.set(deviations)
    _change_ideas_set(project, ideas)
    return project


@transaction.atomic
def project_update(
    *,
    project: ImprovementProject,
    user: User,
    version: int,
    units: list[OrgUnit],
    ideas: list[str],
    deviations=(),
    **changes,
) -> ImprovementProject:
    if not units:
        raise ValidationError({"units": _("Choose at least one unit.")})
    current = _versioned_save(
        ImprovementProject, project, version=version, fields=PROJECT_FIELDS, changes=changes
    )
    current.units.set(units)
    current.deviations.set(deviations)
    _change_ideas_set(current, ideas)
    return current


@transaction.atomic
def cycle_create(*, project: ImprovementProject, user: User, **fields) -> PdsaCycle:
    # The project row is locked so that two cycles started at once get their own numbers.
    ImprovementProject.objects.select_for_update().get(pk=project.pk)
    last = project.cycles.aggregate(last=Max("number"))["last"] or 0
    cycle = PdsaCycle(project=project, number=last + 1, **fields)
    cycle.full_clean()
    cycle.save()
    return cycle


@transaction.atomic
def cycle_update(*, cycle: PdsaCycle, user: User, version: int, **changes) -> PdsaCycle:
    return _versioned_save(PdsaCycle, cycle, version=version, fields=CYCLE_FIELDS, changes=changes)


@transaction.atomic
def data_point_save(
    *,
    project: ImprovementProject,
    measured_on: date,
    value: Decimal,
    denominator: Decimal | None = None,
    note: str = "",
    cycle: PdsaCycle | None = None,
) -> DataPoint:
    """One value per date: a second save for the same date replaces the value."""
    if cycle is not None and cycle.project_id != project.pk:
        raise ValidationError({"cycle": _("The cycle belongs to another project.")})
    point = DataPoint.objects.filter(project=project, measured_on=measured_on).first()
    point = point or DataPoint(project=project, measured_on=measured_on)
    point.value, point.denominator, point.note, point.cycle = value, denominator, note, cycle
    point.full_clean()
    point.save()
    return point


@transaction.atomic
def data_point_delete(*, point: DataPoint) -> None:
    point.delete()


# --- Duty statements in the unit's yearly report ---------------------------------------


@transaction.atomic
def duty_statements_save(
    *, report: UnitAnnualReport, user: User, statements: dict[int, dict]
) -> list[DutyStatement]:
    """Save the unit's words on each duty (duty id → how, evidence, assessment, projects)."""
    if not report.is_draft:
        raise ValidationError(_("The report is submitted; it can be changed when sent back."))
    duties = {duty.pk: duty for duty in RegulationDuty.objects.filter(is_active=True)}
    saved = []
    for duty_id, fields in statements.items():
        if duty_id not in duties:
            raise ValidationError(_("A duty on the page is no longer in use. Reload the page."))
        projects = fields.pop("projects", [])
        statement = DutyStatement.objects.filter(report=report, duty_id=duty_id).first()
        statement = statement or DutyStatement(report=report, duty_id=duty_id)
        for name, value in fields.items():
            setattr(statement, name, value)
        statement.updated_by = user
        statement.full_clean()
        statement.save()
        statement.projects.set(projects)
        saved.append(statement)
    return saved


@transaction.atomic
def duty_save(*, duty: RegulationDuty | None, **fields) -> RegulationDuty:
    duty = duty or RegulationDuty()
    for name, value in fields.items():
        setattr(duty, name, value)
    duty.full_clean()
    duty.save()
    return duty


# Our own short wording of each regulation's duties, in the language of the country whose
# regulation it is (the list is data: the office rewords it as it likes).
DEFAULT_DUTIES = {
    "no": [
        ("§ 6", "Planlegge", "Kjenne tjenestens mål, organisering, risiko og plikter; ha "
         "skriftlige rutiner der det trengs, og en plan for kompetanse."),
        ("§ 7", "Gjennomføre", "Gjøre rutinene kjent og fulgt, gi de ansatte opplæringen de "
         "trenger, og melde og følge opp avvik og uønskede hendelser."),
        ("§ 8", "Evaluere", "Kontrollere at rutinene virker og følges, bruke avvik, klager og "
         "brukernes erfaringer til å lære, og gå gjennom helheten hvert år."),
        ("§ 9", "Korrigere", "Endre rutiner og praksis der evalueringen viser behov, og sørge "
         "for at endringen blir gjennomført."),
    ],
    "se": [
        ("3 kap.", "Ledningssystem och processer", "Identifiera, beskriva och koppla ihop de "
         "processer och rutiner verksamheten behöver för att säkra kvaliteten."),
        ("4 kap. 2–4 §§", "Riskanalys", "Bedöma risken för händelser som kan leda till brister "
         "i verksamhetens kvalitet."),
        ("5 kap. 1–3 §§", "Egenkontroll", "Följa upp verksamheten mot processer och rutiner "
         "och jämföra resultaten med andra verksamheter."),
        ("5 kap. 4–6 §§", "Avvikelser och klagomål", "Ta emot och utreda rapporter, klagomål "
         "och synpunkter och använda dem för att förbättra (lex Sarah och lex Maria)."),
        ("5 kap. 7 §", "Förbättringsåtgärder", "Vidta de åtgärder som egenkontrollen och "
         "utredningarna visar behövs, och följa upp dem."),
    ],
}  # fmt: skip


@transaction.atomic
def duties_load_defaults(*, country: str) -> int:
    """Add the default duties of a country's regulation that are not there yet."""
    added = 0
    for position, (code, title, description) in enumerate(DEFAULT_DUTIES[country]):
        _duty, created = RegulationDuty.objects.get_or_create(
            code=code,
            defaults={"title": title, "description": description, "position": position},
        )
        added += created
    return added


# --- Management review -------------------------------------------------------------------


@transaction.atomic
def review_save(
    *, unit: OrgUnit, year: int, user: User, version: int | None, **changes
) -> ManagementReview:
    review = ManagementReview.objects.filter(org_unit=unit, year=year).first()
    if review is None:
        review = ManagementReview(org_unit=unit, year=year, updated_by=user, **changes)
        review.full_clean()
        review.save()
        return review
    review = _versioned_save(
        ManagementReview, review, version=version or 0, fields=REVIEW_FIELDS, changes=changes
    )
    review.updated_by = user
    review.save(update_fields=["updated_by"])
    return review


@transaction.atomic
def decision_add(*, review: ManagementReview, **fields) -> ReviewDecision:
    duplicate = review.decisions.filter(text=fields.get("text", "")).first()
    if duplicate is not None:
        return duplicate  # the same decision sent twice is one decision
    decision = ReviewDecision(review=review, **fields)
    decision.full_clean()
    decision.save()
    return decision


@transaction.atomic
def decision_set_done(*, decision: ReviewDecision, done: bool) -> ReviewDecision:
    decision.done = done
    decision.save(update_fields=["done"])
    return decision
