"""The unit annual report: once a year each unit leader reports on follow-up and goal
achievement, and the area leader or the quality office approves it or sends it back.
The reads live here; the writes (save, submit, approve, send back) in `reporting.services`.

Who does what follows from memberships: a unit's report is written by whoever reports
status for the unit (its leader), approved by the holders of a role that approves unit
reports (`Role.approves_reports`) whose reach covers the unit, and read by everyone who
reads the unit's follow-up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth.models import User
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from deviations.selectors import deviation_statistics
from qualityplan.access import OrgTree, get_access
from qualityplan.models import Goal, OrgUnit, QualityPlan, Role

from . import selectors
from .models import UnitAnnualReport, UnitAnnualReportEvent, UnitAnnualReportGoal

Status = UnitAnnualReport.Status
Action = UnitAnnualReportEvent.Action
_RIGHTS_ATTR = "_reporting_unit_report_rights"


# --- Who may do what ------------------------------------------------------------------


@dataclass(frozen=True)
class ReportRights:
    is_superuser: bool = False
    read_unit_ids: frozenset[int] = frozenset()
    edit_unit_ids: frozenset[int] = frozenset()
    approve_unit_ids: frozenset[int] = frozenset()

    def can_read(self, unit_id: int) -> bool:
        return self.is_superuser or unit_id in self.read_unit_ids or self.can_approve(unit_id)

    def can_edit(self, unit_id: int) -> bool:
        return self.is_superuser or unit_id in self.edit_unit_ids

    def can_approve(self, unit_id: int) -> bool:
        return self.is_superuser or unit_id in self.approve_unit_ids

    @property
    def uses_annual_reports(self) -> bool:
        return bool(self.is_superuser or self.read_unit_ids or self.edit_unit_ids)


def report_rights(*, user: User) -> ReportRights:
    """What `user` may do with unit reports; worked out once per user object (two queries)."""
    cached = getattr(user, _RIGHTS_ATTR, None)
    if cached is not None:
        return cached
    access = get_access(user)
    approving = dict(Role.objects.filter(approves_reports=True).values_list("pk", "scope"))
    approve: set[int] = set()
    if any(role_id in approving for _unit, role_id in access.unit_roles):
        tree = OrgTree.load()
        for unit_id, role_id in access.unit_roles:
            if role_id not in approving:
                continue
            top = tree.root(unit_id) if approving[role_id] == Role.Scope.ORGANISATION else unit_id
            approve |= tree.subtree(top)
    rights = ReportRights(
        is_superuser=access.is_superuser,
        read_unit_ids=access.read_unit_ids,
        edit_unit_ids=access.report_unit_ids,
        approve_unit_ids=frozenset(approve),
    )
    setattr(user, _RIGHTS_ATTR, rights)
    return rights


# --- Reads ------------------------------------------------------------------------------


def reporting_units(*, plan: QualityPlan) -> QuerySet[OrgUnit]:
    """The units that write an annual report for the plan: the active units under its owner."""
    unit_ids = OrgTree.load().subtree(plan.owner_id)
    return OrgUnit.objects.filter(
        pk__in=unit_ids, kind=OrgUnit.Kind.UNIT, is_active=True
    ).select_related("parent")


def default_year(*, plan: QualityPlan, today: date | None = None) -> int:
    """The year a report is written for now: last year, kept inside the plan's years."""
    year = (today or timezone.localdate()).year - 1
    return min(max(year, plan.first_year), plan.last_year)


def plans_for_annual_reports(*, user: User) -> QuerySet[QualityPlan]:
    """Active and archived plans the user may read, newest first."""
    access = get_access(user)
    plans = QualityPlan.objects.exclude(status=QualityPlan.Status.DRAFT).select_related("owner")
    if not access.is_superuser:
        plans = plans.filter(owner_id__in=access.member_org_unit_ids)
    return plans.order_by("-status", "-first_year", "title")


@dataclass
class OverviewRow:
    unit: OrgUnit
    report: UnitAnnualReport | None
    can_edit: bool
    can_approve: bool

    @property
    def status(self) -> str:
        return self.report.status if self.report else ""


@dataclass
class Overview:
    rows: list[OverviewRow] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    @property
    def not_started(self) -> int:
        return sum(1 for row in self.rows if row.report is None)

    @property
    def submitted(self) -> int:
        return self.count(Status.SUBMITTED)

    @property
    def approved(self) -> int:
        return self.count(Status.APPROVED)

    @property
    def drafts(self) -> int:
        return self.count(Status.DRAFT)


def unit_report_overview(*, user: User, plan: QualityPlan, year: int) -> Overview:
    """Every unit of the plan the user may read or write for, with its report (or none):
    the user's own units first. Four queries, however many units."""
    rights = report_rights(user=user)
    units = [
        u for u in reporting_units(plan=plan) if rights.can_read(u.pk) or rights.can_edit(u.pk)
    ]
    reports = {
        report.org_unit_id: report
        for report in UnitAnnualReport.objects.filter(
            plan=plan, year=year, org_unit__in=[u.pk for u in units]
        )
    }
    rows = [
        OverviewRow(
            unit=unit,
            report=reports.get(unit.pk),
            can_edit=rights.can_edit(unit.pk),
            can_approve=rights.can_approve(unit.pk),
        )
        for unit in units
    ]
    rows.sort(key=lambda row: (not row.can_edit, row.unit.parent.name, row.unit.name))
    return Overview(rows=rows)


def unit_report_detail(*, plan: QualityPlan, year: int, unit: OrgUnit) -> UnitAnnualReport | None:
    """The unit's report with its goal assessments and history, or None if not begun."""
    return (
        UnitAnnualReport.objects.filter(plan=plan, year=year, org_unit=unit)
        .select_related("plan", "org_unit", "updated_by")
        .prefetch_related(
            Prefetch("goals", queryset=UnitAnnualReportGoal.objects.select_related("goal")),
            Prefetch("events", queryset=UnitAnnualReportEvent.objects.select_related("user")),
        )
        .first()
    )


@dataclass
class UnitFigures:
    """The unit's figures for the year, shown beside the report so the leader writes only
    the words: the dashboard's roll-up for the unit and its deviation counts."""

    rollup: object | None  # selectors.PlanRollup
    deviations: object | None  # deviations.selectors.StatRow

    def goal(self, goal_id: int) -> GoalFigures | None:
        if self.rollup is None:
            return None
        rollup = next((g for g in self.rollup.goals if g.goal.pk == goal_id), None)
        if rollup is None:
            return None
        lines = [MeasureFigures(m, selectors.light_label(m.light)) for m in rollup.measures]
        return GoalFigures(
            rollup=rollup, light_label=selectors.light_label(rollup.light), lines=lines
        )


@dataclass
class MeasureFigures:
    rollup: object  # selectors.MeasureRollup
    light_label: str


@dataclass
class GoalFigures:
    rollup: object  # selectors.GoalRollup
    light_label: str
    lines: list[MeasureFigures]


def unit_report_figures(*, user: User, plan: QualityPlan, year: int, unit: OrgUnit) -> UnitFigures:
    """The unit's (and its sections') figures as `user` reads them; none where they read
    nothing of it."""
    try:
        scope = selectors.dashboard_scope(user=user, unit_id=unit.pk, plan=plan)
    except Http404:
        return UnitFigures(rollup=None, deviations=None)
    rollup = selectors.plan_rollup(plan=plan, year=year, unit_ids=scope.unit_ids)
    stats = deviation_statistics(
        user=user, start=date(year, 1, 1), end=date(year, 12, 31), unit_ids=[unit.pk]
    )
    return UnitFigures(rollup=rollup, deviations=stats.total)


def unit_reports_for_appendix(
    *, plan: QualityPlan, year: int, unit_ids
) -> QuerySet[UnitAnnualReport]:
    """Submitted and approved reports of the given units, for the PDF's appendix."""
    return (
        UnitAnnualReport.objects.filter(
            plan=plan,
            year=year,
            org_unit_id__in=unit_ids,
            status__in=[Status.SUBMITTED, Status.APPROVED],
        )
        .select_related("org_unit__parent")
        .prefetch_related(
            Prefetch(
                "goals",
                queryset=UnitAnnualReportGoal.objects.select_related("goal").order_by(
                    "goal__position"
                ),
            )
        )
        .order_by("org_unit__parent__name", "org_unit__name")
    )


# --- Before submitting -------------------------------------------------------------


def missing_for_submit(*, report: UnitAnnualReport) -> list[str]:
    """What the unit still has to write before the report can be submitted."""
    missing = []
    written = {row.goal_id: row for row in report.goals.all()}
    for goal in Goal.objects.filter(plan_id=report.plan_id).order_by("position"):
        row = written.get(goal.pk)
        if row is None or not row.assessment:
            missing.append(
                _("Goal %(number)s: choose how far it was achieved.") % {"number": goal.number}
            )
        if row is None or not row.text.strip():
            missing.append(_("Goal %(number)s: write the assessment.") % {"number": goal.number})
    if not report.went_well.strip():
        missing.append(_("Write what went well."))
    if not report.to_improve.strip():
        missing.append(_("Write what to improve next year."))
    return missing
