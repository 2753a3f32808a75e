"""Unit annual reports (each unit's yearly narrative) and the PDF report jobs."""

import secrets

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from qualityplan.fields import FreeTextField, SystemTextField
from qualityplan.models import Goal, OrgUnit, QualityPlan


class UnitAnnualReport(models.Model):
    """A unit's yearly report on follow-up and goal achievement for one plan.

    draft → submitted → approved; an approver may send it back to draft with a
    comment. Every step is kept in `events`.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")

    plan = models.ForeignKey(
        QualityPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="unit_reports"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="annual_reports"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    went_well = FreeTextField(_("what went well"), max_length=10000, blank=True)
    to_improve = FreeTextField(_("what to improve next year"), max_length=10000, blank=True)
    return_comment = FreeTextField(_("comment when sent back"), max_length=4000, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)

    class Meta:
        verbose_name = _("unit annual report")
        verbose_name_plural = _("unit annual reports")
        ordering = ["plan", "year", "org_unit__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "year", "org_unit"], name="unitannualreport_unique"
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2100), name="unitannualreport_year_sane"
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(approved_at__isnull=False),
                name="unitannualreport_approved_has_date",
            ),
        ]
        indexes = [models.Index(fields=["plan", "year", "status"])]

    def __str__(self) -> str:
        return f"{self.org_unit} – {self.year}"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class UnitAnnualReportGoal(models.Model):
    """The unit's assessment of one goal of the plan, and its words on it."""

    class Assessment(models.TextChoices):
        ACHIEVED = "achieved", _("Achieved")
        PARTLY = "partly", _("Partly achieved")
        NOT_ACHIEVED = "not_achieved", _("Not achieved")

    report = models.ForeignKey(
        UnitAnnualReport, verbose_name=_("report"), on_delete=models.CASCADE, related_name="goals"
    )
    goal = models.ForeignKey(
        Goal, verbose_name=_("goal"), on_delete=models.CASCADE, related_name="unit_assessments"
    )
    assessment = models.CharField(
        _("achievement"), max_length=20, choices=Assessment.choices, blank=True
    )
    text = FreeTextField(_("assessment"), max_length=6000, blank=True)

    class Meta:
        verbose_name = _("goal assessment")
        verbose_name_plural = _("goal assessments")
        ordering = ["report", "goal__position"]
        constraints = [
            models.UniqueConstraint(fields=["report", "goal"], name="unitannualreportgoal_unique")
        ]

    def __str__(self) -> str:
        return f"{self.report} – {self.goal.number}"


class UnitAnnualReportEvent(models.Model):
    """One step in a unit report's life: who moved it from which status to which, and why."""

    class Action(models.TextChoices):
        CREATE = "create", _("Started")
        SUBMIT = "submit", _("Submitted")
        APPROVE = "approve", _("Approved")
        SEND_BACK = "send_back", _("Sent back")

    report = models.ForeignKey(
        UnitAnnualReport, verbose_name=_("report"), on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    from_status = models.CharField(
        _("from status"), max_length=20, choices=UnitAnnualReport.Status.choices, blank=True
    )
    to_status = models.CharField(
        _("to status"), max_length=20, choices=UnitAnnualReport.Status.choices
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("when"), auto_now_add=True)
    comment = FreeTextField(_("comment"), max_length=4000, blank=True)

    class Meta:
        verbose_name = _("unit report event")
        verbose_name_plural = _("unit report history")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.report}: {self.from_status or '–'} → {self.to_status}"


def report_storage():
    """Where report PDFs are kept: the storage named by REPORT_STORAGE (media by default)."""
    return storages[settings.REPORT_STORAGE]


def _new_token() -> str:
    return secrets.token_urlsafe(12)


class ReportJob(models.Model):
    """One request for the annual quality report as a PDF, and how it went.

    `dedupe_key` holds the request's parameters: while a job for them is queued
    or running, the database refuses a second one, so the same request twice
    returns the job already under way.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Stage(models.TextChoices):
        WAITING = "waiting", _("Waiting for a free worker")
        FIGURES = "figures", _("Collecting the figures")
        LAYOUT = "layout", _("Laying out the pages")
        WRITING = "writing", _("Writing the PDF file")
        FINISHED = "finished", _("Finished")

    ACTIVE_STATUSES = (Status.QUEUED, Status.RUNNING)

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="report_jobs",
    )
    plan = models.ForeignKey(
        QualityPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="report_jobs"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    scope_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("scope"), on_delete=models.CASCADE, related_name="report_jobs"
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices, default="waiting")
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    duration = models.DurationField(_("duration"), null=True, blank=True)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to="reports/", storage=report_storage, blank=True)
    # Part of the file's name, so that a name cannot be guessed from the job's number.
    token = models.CharField(max_length=32, default=_new_token, editable=False)
    error = SystemTextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    notified_at = models.DateTimeField(_("people told"), null=True, blank=True)
    dedupe_key = models.CharField(max_length=100, editable=False)

    class Meta:
        verbose_name = _("report job")
        verbose_name_plural = _("report jobs")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key"],
                condition=Q(status__in=["queued", "running"]),
                name="reportjob_one_active_per_request",
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2100), name="reportjob_year_sane"
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | ~Q(file=""), name="reportjob_done_has_file"
            ),
        ]
        indexes = [models.Index(fields=["plan", "year", "-requested_at"])]

    def __str__(self) -> str:
        return f"{self.plan.title} {self.year} – {self.scope_unit}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES

    @property
    def is_done(self) -> bool:
        return self.status == self.Status.DONE

    @property
    def is_failed(self) -> bool:
        return self.status == self.Status.FAILED

    @staticmethod
    def key_for(*, plan_id: int, year: int, scope_unit_id: int, language: str) -> str:
        return f"{plan_id}:{year}:{scope_unit_id}:{language}"
