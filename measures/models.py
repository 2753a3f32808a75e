from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

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
    title = models.TextField(_("measure"))
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

    measure = models.ForeignKey(
        Measure, verbose_name=_("measure"), on_delete=models.CASCADE, related_name="indicators"
    )
    name = models.TextField(_("indicator"))
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
                condition=Q(source__in=["manual", "imported"]) | Q(kind="count"),
                name="indicator_counted_source_is_count",
            ),
        ]

    def __str__(self) -> str:
        return self.name

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


class IndicatorTarget(models.Model):
    """The target of an indicator for one plan year."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(_("target"), max_digits=12, decimal_places=2, null=True, blank=True)
    text = models.CharField(_("target (text)"), max_length=300, blank=True)

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
