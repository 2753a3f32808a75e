"""Improvement work: projects with PDSA cycles and their data, the quality regulation's
duties in each unit's yearly report, and the yearly management review.

A project belongs to one or more units and is linked to what prompted it (deviations, a
measure in the plan). Its data points make the run chart; the rules live in
`runrules.py`. The regulation's duties are data the office edits, so a Swedish
installation lists SOSFS 2011:9's chapters where a Norwegian one lists §§ 6–9.
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from deviations.models import Deviation
from measures.models import Indicator, Measure
from qualityplan.models import OrgUnit
from qualityplan.validators import no_national_identity_number
from reporting.models import UnitAnnualReport

TITLE_LENGTH = 200
TEXT_LENGTH = 4000


def _title(label, **kwargs) -> models.CharField:
    return models.CharField(
        label, max_length=TITLE_LENGTH, validators=[no_national_identity_number], **kwargs
    )


def _text(label, length: int = TEXT_LENGTH, **kwargs) -> models.TextField:
    return models.TextField(
        label,
        blank=True,
        max_length=length,
        validators=[no_national_identity_number],
        **kwargs,
    )


class ImprovementProject(models.Model):
    """What we try to accomplish, how we will know, and what changes we test."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ACTIVE = "active", _("Under way")
        COMPLETED = "completed", _("Completed")
        STOPPED = "stopped", _("Stopped")

    title = _title(_("title"))
    units = models.ManyToManyField(OrgUnit, verbose_name=_("units"), related_name="projects")
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    problem = _text(_("the problem"))
    aim = _text(_("aim: what are we trying to accomplish?"), length=1000)
    aim_value = models.DecimalField(
        _("aim: the number"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    aim_date = models.DateField(_("aim: by when"), null=True, blank=True)
    measure_name = _title(
        _("measure of success"),
        blank=True,
        help_text=_("How will we know that a change is an improvement?"),
    )
    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("indicator in the plan"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="projects",
    )
    higher_is_better = models.BooleanField(_("a higher value is better"), default=True)
    team = _text(_("the team"), length=1000)
    measure = models.ForeignKey(
        Measure,
        verbose_name=_("measure in the plan"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="projects",
    )
    deviations = models.ManyToManyField(
        Deviation, verbose_name=_("deviations"), blank=True, related_name="projects"
    )
    started_on = models.DateField(_("started"), null=True, blank=True)
    ended_on = models.DateField(_("ended"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("improvement project")
        verbose_name_plural = _("improvement projects")
        ordering = ["-started_on", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(ended_on__gte=F("started_on")),
                name="project_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.title


class ChangeIdea(models.Model):
    project = models.ForeignKey(
        ImprovementProject, on_delete=models.CASCADE, related_name="change_ideas"
    )
    text = _title(_("change idea"))
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("change idea")
        verbose_name_plural = _("change ideas")
        ordering = ["project", "position", "pk"]

    def __str__(self) -> str:
        return self.text


class PdsaCycle(models.Model):
    """One test of a change: plan (with a prediction), do, study, act."""

    class Decision(models.TextChoices):
        ADOPT = "adopt", _("Adopt")
        ADAPT = "adapt", _("Adapt")
        ABANDON = "abandon", _("Abandon")

    project = models.ForeignKey(
        ImprovementProject,
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        related_name="cycles",
    )
    change_idea = models.ForeignKey(
        ChangeIdea,
        verbose_name=_("change idea"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cycles",
    )
    number = models.PositiveSmallIntegerField(_("number"), editable=False)
    plan = _text(_("plan: what do we test, who, where, when?"))
    prediction = _text(_("prediction: what do we expect to happen?"), length=1000)
    do = _text(_("do: what happened?"))
    study = _text(_("study: what do the data say against the prediction?"))
    act = models.CharField(_("act"), max_length=10, choices=Decision.choices, blank=True)
    act_note = _text(_("act: what next?"), length=1000)
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("PDSA cycle")
        verbose_name_plural = _("PDSA cycles")
        ordering = ["project", "starts_on", "number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="pdsacycle_number_unique"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="pdsacycle_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"PDSA {self.number}"

    @property
    def stage(self) -> str:
        """Where the cycle stands, from what has been written."""
        if self.act:
            return "act"
        if self.study:
            return "study"
        if self.do:
            return "do"
        return "plan"


class DataPoint(models.Model):
    """A value of the project's measure on a date; with a denominator for p and u charts."""

    project = models.ForeignKey(
        ImprovementProject, on_delete=models.CASCADE, related_name="data_points"
    )
    cycle = models.ForeignKey(
        PdsaCycle,
        verbose_name=_("PDSA cycle"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="data_points",
    )
    measured_on = models.DateField(_("date"))
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2)
    denominator = models.DecimalField(
        _("out of"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("For a share or a rate: how many the value is counted among."),
    )
    note = _title(_("note"), blank=True)

    class Meta:
        verbose_name = _("data point")
        verbose_name_plural = _("data points")
        ordering = ["project", "measured_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "measured_on"], name="datapoint_one_per_date"
            )
        ]

    def __str__(self) -> str:
        return f"{self.measured_on}: {self.value}"


# --- The quality regulation's duties in the unit's yearly report --------------------


class RegulationDuty(models.Model):
    """A duty of the quality regulation, as the office words it for its installation."""

    code = models.CharField(_("code"), max_length=20, help_text=_("For example § 6."))
    title = _title(_("title"))
    description = _text(_("what the duty asks"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("regulation duty")
        verbose_name_plural = _("regulation duties")
        ordering = ["position", "code"]
        constraints = [models.UniqueConstraint(fields=["code"], name="regulationduty_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class DutyStatement(models.Model):
    """How a unit met one duty in a year: its words, its assessment, its evidence."""

    class Assessment(models.TextChoices):
        # "Met" alone means a reached target elsewhere in the app: these have a context.
        MET = "met", pgettext_lazy("regulation duty", "Met")
        PARTLY = "partly", pgettext_lazy("regulation duty", "Partly met")
        NOT_MET = "not_met", pgettext_lazy("regulation duty", "Not met")

    report = models.ForeignKey(
        UnitAnnualReport, on_delete=models.CASCADE, related_name="duty_statements"
    )
    duty = models.ForeignKey(RegulationDuty, on_delete=models.PROTECT, related_name="statements")
    how = _text(_("how the unit meets it"))
    evidence = _text(_("evidence"), length=2000)
    assessment = models.CharField(
        _("assessment"), max_length=10, choices=Assessment.choices, blank=True
    )
    projects = models.ManyToManyField(
        ImprovementProject, verbose_name=_("improvement projects"), blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("duty statement")
        verbose_name_plural = _("duty statements")
        ordering = ["report", "duty__position"]
        constraints = [
            models.UniqueConstraint(fields=["report", "duty"], name="dutystatement_unique")
        ]

    def __str__(self) -> str:
        return f"{self.report} – {self.duty.code}"


# --- Management review -----------------------------------------------------------------


class ManagementReview(models.Model):
    """The yearly management review (ledelsens gjennomgang) of a unit or the department."""

    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="reviews"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    held_on = models.DateField(_("held on"), null=True, blank=True)
    participants = _text(_("participants"), length=1000)
    summary = _text(_("what was reviewed and concluded"))
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("management review")
        verbose_name_plural = _("management reviews")
        ordering = ["-year", "org_unit__name"]
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "year"], name="review_one_per_year"),
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2100), name="review_year_sane"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.org_unit} – {self.year}"


class ReviewDecision(models.Model):
    """A decision of a management review and its follow-up measure in the plan."""

    review = models.ForeignKey(ManagementReview, on_delete=models.CASCADE, related_name="decisions")
    text = _text(_("decision"), length=1000)
    responsible = _title(_("responsible"), blank=True)
    due_on = models.DateField(_("due"), null=True, blank=True)
    measure = models.ForeignKey(
        Measure,
        verbose_name=_("follow-up measure"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="review_decisions",
    )
    done = models.BooleanField(_("done"), default=False)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["review", "pk"]

    def __str__(self) -> str:
        return self.text[:60]
