from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from measures.models import Measure
from qualityplan.fields import FreeCharField, FreeTextField
from qualityplan.models import OrgUnit

RISK_SCALE = [MinValueValidator(1), MaxValueValidator(5)]
# How late an "occurred at" may lie after the report, for clocks that are a little off.
CLOCK_SLACK = timedelta(minutes=10)


class RiskLevel(models.TextChoices):
    """Consequence × probability in three bands, as in the usual 5 × 5 matrix."""

    LOW = "low", _("low")
    MEDIUM = "medium", _("medium")
    HIGH = "high", _("high")

    @classmethod
    def of(cls, risk: int) -> "RiskLevel":
        if risk <= 4:
            return cls.LOW
        return cls.MEDIUM if risk <= 9 else cls.HIGH

    @classmethod
    def bounds(cls, level: str) -> tuple[int, int]:
        return {cls.LOW: (1, 4), cls.MEDIUM: (5, 9), cls.HIGH: (10, 25)}[level]


class DeviationCategory(models.Model):
    """What kind of thing went wrong. Data, not code: each municipality keeps its own list."""

    name = FreeCharField(_("name"), max_length=100, unique=True)
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("deviation category")
        verbose_name_plural = _("deviation categories")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class DeviationCounter(models.Model):
    """The last running number given out in a year; its row is locked while a number is taken."""

    year = models.PositiveSmallIntegerField(_("year"), primary_key=True)
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("deviation counter")
        verbose_name_plural = _("deviation counters")

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


def _text_field(label, *, max_length: int = 4000, **kwargs) -> FreeTextField:
    return FreeTextField(label, blank=True, max_length=max_length, **kwargs)


class Deviation(models.Model):
    """A deviation or unwanted incident (avvik / uønsket hendelse) and its follow-up."""

    class Kind(models.TextChoices):
        DEVIATION = "deviation", _("Deviation")
        INCIDENT = "incident", _("Unwanted incident")

    class Status(models.TextChoices):
        REPORTED = "reported", _("Reported")
        IN_TREATMENT = "in_treatment", _("In treatment")
        CLOSED = "closed", _("Closed")
        REJECTED = "rejected", _("Rejected")

    class LegalClass(models.TextChoices):
        # Swedish installations: the two reporting regimes a handler must recognise.
        NONE = "", _("Not classified")
        LEX_SARAH = "lex_sarah", _("Lex Sarah: a wrong or a risk of one in care or support")
        LEX_MARIA = "lex_maria", _("Lex Maria: an injury or a risk of one in health care")

    OPEN_STATUSES = (Status.REPORTED, Status.IN_TREATMENT)

    year = models.PositiveSmallIntegerField(_("year"), editable=False)
    number = models.PositiveIntegerField(_("number"), editable=False)
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="deviations"
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deviations_reported",
    )
    occurred_at = models.DateTimeField(_("when it happened"))
    category = models.ForeignKey(
        DeviationCategory, verbose_name=_("category"), on_delete=models.PROTECT
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.DEVIATION)
    description = FreeTextField(_("what happened"), max_length=4000)
    immediate_action = _text_field(_("what was done at once"))
    consequence = models.PositiveSmallIntegerField(_("consequence"), validators=RISK_SCALE)
    probability = models.PositiveSmallIntegerField(_("probability"), validators=RISK_SCALE)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.REPORTED
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handler"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deviations_handled",
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    cause = _text_field(_("cause"))
    corrective_action = _text_field(_("corrective action"))
    closing_note = _text_field(_("closing note"))
    rejection_reason = _text_field(_("reason for rejecting"))
    measure = models.ForeignKey(
        Measure,
        verbose_name=_("improvement measure"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deviations",
    )
    legal_class = models.CharField(
        _("reporting regime"), max_length=20, choices=LegalClass.choices, blank=True, default=""
    )
    created_at = models.DateTimeField(_("reported"), default=timezone.now, editable=False)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("deviation")
        verbose_name_plural = _("deviations")
        ordering = ["-year", "-number"]
        constraints = [
            # Also the index for filtering and ordering by year.
            models.UniqueConstraint(fields=["year", "number"], name="deviation_number_unique"),
            models.CheckConstraint(
                condition=Q(consequence__gte=1) & Q(consequence__lte=5),
                name="deviation_consequence_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(probability__gte=1) & Q(probability__lte=5),
                name="deviation_probability_1_to_5",
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="deviation_number_positive"),
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_at__isnull=False),
                name="deviation_closed_has_closed_at",
            ),
        ]
        indexes = [
            models.Index(fields=["org_unit", "created_at"], name="deviation_unit_created"),
            models.Index(fields=["status", "due_date"], name="deviation_status_due"),
            models.Index(fields=["closed_at"], name="deviation_closed_at"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        """The running number as people write it: 2026-0042."""
        return f"{self.year}-{self.number:04d}" if self.number else ""

    @property
    def risk(self) -> int:
        return (self.consequence or 0) * (self.probability or 0)

    @property
    def risk_level(self) -> RiskLevel:
        return RiskLevel.of(self.risk)

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    def clean(self) -> None:
        errors = {}
        reported = self.created_at or timezone.now()
        if self.occurred_at and self.occurred_at > reported + CLOCK_SLACK:
            errors["occurred_at"] = _("The time it happened cannot be in the future.")
        if self.status == self.Status.IN_TREATMENT:
            if not self.handler_id:
                errors["handler"] = _("Choose who handles the deviation.")
            if not self.due_date:
                errors["due_date"] = _("Give a date by which it should be dealt with.")
        if self.status == self.Status.CLOSED:
            for name in ("cause", "corrective_action"):
                if not getattr(self, name).strip():
                    errors[name] = _("Fill this in before the deviation is closed.")
        if self.status == self.Status.REJECTED and not self.rejection_reason.strip():
            errors["rejection_reason"] = _("Say why the deviation is rejected.")
        if errors:
            raise ValidationError(errors)


class DeviationEvent(models.Model):
    """One step in a deviation's history: who moved it from which status to which, and why."""

    class Action(models.TextChoices):
        REPORT = "report", _("Reported")
        START_TREATMENT = "start_treatment", _("Treatment started")
        CLOSE = "close", _("Closed")
        REJECT = "reject", _("Rejected")
        REOPEN = "reopen", _("Reopened")
        LINK_MEASURE = "link_measure", _("Linked to a measure")
        CLASSIFY = "classify", _("Reporting regime set")

    deviation = models.ForeignKey(
        Deviation, verbose_name=_("deviation"), on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    from_status = models.CharField(
        _("from status"), max_length=20, choices=Deviation.Status.choices, blank=True
    )
    to_status = models.CharField(_("to status"), max_length=20, choices=Deviation.Status.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    note = _text_field(_("note"), max_length=2000)

    class Meta:
        verbose_name = _("deviation event")
        verbose_name_plural = _("deviation history")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.deviation} {self.from_status or '–'} → {self.to_status}"


class QualityCouncilMeeting(models.Model):
    """A meeting of a unit's quality council (kvalitetsråd) and the deviations it reviewed."""

    org_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="quality_council_meetings",
    )
    held_on = models.DateField(_("date"))
    attendees = FreeTextField(_("attendees"), max_length=2000)
    minutes = _text_field(_("minutes"), max_length=20000)
    deviations = models.ManyToManyField(
        Deviation, verbose_name=_("deviations reviewed"), blank=True, related_name="meetings"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("quality council meeting")
        verbose_name_plural = _("quality council meetings")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["org_unit", "held_on"], name="meeting_unit_held_on")]

    def __str__(self) -> str:
        return f"{self.org_unit} {self.held_on:%Y-%m-%d}"

    def clean(self) -> None:
        if self.held_on and self.held_on > timezone.localdate():
            raise ValidationError({"held_on": _("Record a meeting once it has been held.")})
