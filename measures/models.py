from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from qualityplan.fields import FreeCharField, FreeTextField
from qualityplan.models import Goal, Role, SubGoal


class Measure(models.Model):
    """A measure (tiltak) under a goal, and optionally one of its sub-goals.

    Two rules that span tables are also held by database triggers (see the
    migration `0002_cross_table_rules`): the sub-goal belongs to the measure's
    goal, and every year the measure runs lies inside the plan's period.
    """

    goal = models.ForeignKey(
        Goal, verbose_name=_("goal"), on_delete=models.CASCADE, related_name="measures"
    )
    subgoal = models.ForeignKey(
        SubGoal,
        verbose_name=_("sub-goal"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="measures",
    )
    position = models.PositiveSmallIntegerField(_("number"))
    title = FreeTextField(_("measure"), max_length=1000)
    responsible_roles = models.ManyToManyField(
        Role, verbose_name=_("responsible"), related_name="measures", blank=True
    )
    is_continuous = models.BooleanField(_("continuous"), default=False)
    start_date = models.DateField(_("start"), null=True, blank=True)
    end_date = models.DateField(_("end"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        ordering = ["goal", "position"]
        constraints = [
            models.UniqueConstraint(fields=["goal", "position"], name="measure_position_unique"),
            models.CheckConstraint(condition=Q(position__gte=1), name="measure_position_positive"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="measure_end_not_before_start",
            ),
            models.CheckConstraint(
                condition=Q(is_continuous=False) | Q(end_date__isnull=True),
                name="measure_continuous_has_no_end",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors = {}
        if self.subgoal_id and self.goal_id and self.subgoal.goal_id != self.goal_id:
            errors["subgoal"] = _("The sub-goal must belong to the measure's goal.")
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The end cannot be before the start.")
        if self.is_continuous and self.end_date:
            errors["end_date"] = _("A continuous measure has no end date.")
        if errors:
            raise ValidationError(errors)


class MeasureYear(models.Model):
    """A plan year in which a measure runs (an X in the plan table)."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="years")
    year = models.PositiveSmallIntegerField(_("year"))

    class Meta:
        verbose_name = _("measure year")
        verbose_name_plural = _("measure years")
        ordering = ["year"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "year"], name="measureyear_unique"),
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2100), name="measureyear_sane"
            ),
        ]
        indexes = [models.Index(fields=["year", "measure"])]

    def __str__(self) -> str:
        return str(self.year)


class Indicator(models.Model):
    """How a measure is measured (måleindikator)."""

    class Kind(models.TextChoices):
        COUNT = "count", _("Count")
        PERCENTAGE = "percentage", _("Percentage")
        YES_NO = "yes_no", _("Yes/no")
        MILESTONE = "milestone", _("Milestone text")

    class Direction(models.TextChoices):
        HIGHER = "higher", _("Higher is better")
        LOWER = "lower", _("Lower is better")
        NONE = "none", _("Neither")

    class Aggregation(models.TextChoices):
        SUM = "sum", _("Sum of the units")
        AVERAGE = "average", _("Average of the units")

    class Source(models.TextChoices):
        MANUAL = "manual", _("Entered by hand")
        DEVIATIONS_REPORTED = "deviations_reported", _("Counted: deviations reported")
        DEVIATIONS_CLOSED = "deviations_closed", _("Counted: deviations closed")
        MEETINGS_HELD = "meetings_held", _("Counted: quality council meetings held")
        IMPORTED = "imported", _("Imported")
        STATISTICS = "statistics", _("National statistics")
        SURVEY = "survey", _("Survey: share answering 4 or 5, or yes")

    measure = models.ForeignKey(
        Measure, verbose_name=_("measure"), on_delete=models.CASCADE, related_name="indicators"
    )
    name = FreeTextField(_("indicator"), max_length=1000)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.MILESTONE)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.HIGHER
    )
    aggregation = models.CharField(
        _("adding up units"), max_length=10, choices=Aggregation.choices, default=Aggregation.SUM
    )
    source = models.CharField(
        _("source"), max_length=30, choices=Source.choices, default=Source.MANUAL
    )
    external_code = models.CharField(_("external code"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["measure", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(source__in=["manual", "imported", "statistics", "survey"])
                | Q(kind="count"),
                name="indicator_counted_source_is_count",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def value_comes_from_outside(self) -> bool:
        """Imported and statistical values are not typed over: a change is a correction."""
        return self.source in (self.Source.IMPORTED, self.Source.STATISTICS)

    def clean(self) -> None:
        counted = {
            self.Source.DEVIATIONS_REPORTED,
            self.Source.DEVIATIONS_CLOSED,
            self.Source.MEETINGS_HELD,
        }
        if self.source in counted and self.kind != self.Kind.COUNT:
            raise ValidationError(
                {"kind": _("An indicator counted from deviations or meetings must be a count.")}
            )
        if self.source == self.Source.SURVEY and self.kind != self.Kind.PERCENTAGE:
            raise ValidationError(
                {
                    "kind": _(
                        "An indicator fed by a survey is a percentage (share answering 4 or 5)."
                    )
                }
            )


class IndicatorTarget(models.Model):
    """The target of an indicator for one plan year."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(_("target"), max_digits=12, decimal_places=2, null=True, blank=True)
    text = FreeCharField(_("target (text)"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("indicator target")
        verbose_name_plural = _("indicator targets")
        ordering = ["year"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "year"], name="indicatortarget_unique"),
            models.CheckConstraint(
                condition=Q(value__isnull=False) | ~Q(text=""), name="indicatortarget_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.value if self.value is not None else self.text}"


class ReportingPeriod(models.Model):
    """One round of status reporting for a plan: a year, a tertial or a quarter of it."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    plan = models.ForeignKey(
        "qualityplan.QualityPlan",
        verbose_name=_("plan"),
        on_delete=models.CASCADE,
        related_name="periods",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveSmallIntegerField(_("number in the year"))
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))
    deadline = models.DateField(_("deadline"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        ordering = ["plan", "year", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "year", "number"], name="period_unique"),
            models.CheckConstraint(
                condition=Q(number__gte=1) & Q(number__lte=4), name="period_number_range"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="period_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def label(self) -> str:
        months = self.ends_on.month - self.starts_on.month + 1
        values = {"year": self.year, "number": self.number}
        if months == 4:
            return _("Tertial %(number)s %(year)s") % values
        if months == 3:
            return _("Quarter %(number)s %(year)s") % values
        return str(self.year)


class MeasureStatus(models.Model):
    """How one measure is going in one org unit in one reporting period.

    `version` rises with every save: a save made from an older version is a
    conflict, never a silent overwrite. Every change is kept in `history`.
    """

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        ON_TRACK = "on_track", _("On track")
        AT_RISK = "at_risk", _("At risk")
        DELAYED = "delayed", _("Delayed")
        DONE = "done", _("Done")
        CONTINUOUS = "continuous", _("Continuous")
        CANCELLED = "cancelled", _("Cancelled")

    period = models.ForeignKey(
        ReportingPeriod, verbose_name=_("period"), on_delete=models.CASCADE, related_name="statuses"
    )
    measure = models.ForeignKey(
        Measure, verbose_name=_("measure"), on_delete=models.CASCADE, related_name="statuses"
    )
    org_unit = models.ForeignKey(
        "qualityplan.OrgUnit",
        verbose_name=_("org unit"),
        on_delete=models.CASCADE,
        related_name="measure_statuses",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NOT_STARTED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), null=True, blank=True)
    value_number = models.DecimalField(
        _("indicator value"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    value_bool = models.BooleanField(_("indicator value (yes/no)"), null=True, blank=True)
    value_text = FreeCharField(_("indicator value (text)"), max_length=500, blank=True)
    comment = FreeTextField(_("comment"), max_length=4000, blank=True)
    reported_at = models.DateTimeField(_("reported"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), null=True, blank=True)
    updated_by = models.ForeignKey(
        "auth.User",
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    history = HistoricalRecords(
        excluded_fields=["period", "measure", "org_unit", "reported_at"],
        verbose_name=_("status history"),
    )

    class Meta:
        verbose_name = _("measure status")
        verbose_name_plural = _("measure statuses")
        ordering = ["period", "measure", "org_unit"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "measure", "org_unit"], name="measurestatus_unique"
            ),
            models.CheckConstraint(
                condition=Q(progress__isnull=True) | Q(progress__lte=100),
                name="measurestatus_progress_max_100",
            ),
        ]
        indexes = [models.Index(fields=["period", "org_unit"])]

    def __str__(self) -> str:
        return f"{self.measure} – {self.org_unit} – {self.period}"

    @property
    def is_reported(self) -> bool:
        return self.reported_at is not None


class ReminderSent(models.Model):
    """A reminder email about a period's unreported rows, sent to one person.

    The scheduled kinds go out once per person and period (the constraint holds
    that); a manual chase keeps one row whose `sent_at` moves with each chase.
    """

    class Kind(models.TextChoices):
        WEEK_BEFORE = "week_before", _("A week before the deadline")
        DEADLINE_DAY = "deadline_day", _("On the day of the deadline")
        MANUAL = "manual", _("Sent by the quality office")

    user = models.ForeignKey(
        "auth.User", verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    period = models.ForeignKey(
        ReportingPeriod,
        verbose_name=_("period"),
        on_delete=models.CASCADE,
        related_name="reminders",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    sent_at = models.DateTimeField(_("sent"))

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "period", "kind"], name="remindersent_once_per_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.period} – {self.kind}"
