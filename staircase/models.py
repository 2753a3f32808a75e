"""The quality staircase: frameworks of areas with criteria on seven steps, the units'
yearly self-assessments, external reviews and the certificates that rest on them.

A framework is data and versioned: a new import makes a new version, and every
assessment round (and so every self-assessment and review) keeps the version it used.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from qualityplan.fields import FreeCharField
from qualityplan.models import OrgUnit
from qualityplan.validators import no_national_identity_number

STEPS = range(1, 8)
TOP_STEP = 7

_step_validators = [MinValueValidator(1), MaxValueValidator(TOP_STEP)]
_text = [no_national_identity_number]


class Framework(models.Model):
    """A staircase framework, e.g. for preschools, with the office's certification rule."""

    name = models.CharField(_("name"), max_length=200, unique=True, validators=_text)
    description = models.TextField(_("description"), max_length=2000, blank=True, validators=_text)
    required_step = models.PositiveSmallIntegerField(
        _("required step"),
        default=4,
        validators=_step_validators,
        help_text=_(
            "A unit is certified when the external review puts every area at this step or "
            "higher. Areas below it are where the unit plans improvements."
        ),
    )
    certificate_years = models.PositiveSmallIntegerField(
        _("certificate valid (years)"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("framework")
        verbose_name_plural = _("frameworks")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(required_step__gte=1) & Q(required_step__lte=TOP_STEP),
                name="framework_required_step_1_to_7",
            ),
            models.CheckConstraint(
                condition=Q(certificate_years__gte=1) & Q(certificate_years__lte=10),
                name="framework_certificate_years_sane",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class FrameworkVersion(models.Model):
    """One imported version of a framework's areas, criteria and perspectives."""

    framework = models.ForeignKey(
        Framework, verbose_name=_("framework"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveSmallIntegerField(_("version"))
    source_name = FreeCharField(_("imported from"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("framework version")
        verbose_name_plural = _("framework versions")
        ordering = ["framework", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "number"], name="frameworkversion_unique")
        ]

    def __str__(self) -> str:
        return f"{self.framework.name} v{self.number}"


class Perspective(models.Model):
    """A point of view the criteria are seen from: management, staff, users, families."""

    class Kind(models.TextChoices):
        MANAGEMENT = "management", _("Management")
        STAFF = "staff", _("Staff")
        USERS = "users", _("Users")
        FAMILIES = "families", _("Families")
        OTHER = "other", _("Other")

    version = models.ForeignKey(
        FrameworkVersion,
        verbose_name=_("framework version"),
        on_delete=models.CASCADE,
        related_name="perspectives",
    )
    position = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=100, validators=_text)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)

    class Meta:
        verbose_name = _("perspective")
        verbose_name_plural = _("perspectives")
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "name"], name="perspective_name_unique"),
            models.UniqueConstraint(
                fields=["version", "position"], name="perspective_position_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class QualityArea(models.Model):
    """A quality area (kvalitetsområde) of a framework version."""

    version = models.ForeignKey(
        FrameworkVersion,
        verbose_name=_("framework version"),
        on_delete=models.CASCADE,
        related_name="areas",
    )
    position = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=200, validators=_text)
    description = models.TextField(_("description"), max_length=2000, blank=True, validators=_text)

    class Meta:
        verbose_name = _("quality area")
        verbose_name_plural = _("quality areas")
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "position"], name="qualityarea_position"),
            models.UniqueConstraint(fields=["version", "name"], name="qualityarea_name_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.name}"


class Criterion(models.Model):
    """A quality criterion on one step (1–7) of an area's staircase."""

    area = models.ForeignKey(
        QualityArea,
        verbose_name=_("quality area"),
        on_delete=models.CASCADE,
        related_name="criteria",
    )
    step = models.PositiveSmallIntegerField(_("step"), validators=_step_validators)
    position = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("criterion"), max_length=1000, validators=_text)
    perspectives = models.ManyToManyField(
        Perspective, verbose_name=_("perspectives"), blank=True, related_name="criteria"
    )

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["area", "step", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "step", "position"], name="criterion_position_unique"
            ),
            models.CheckConstraint(
                condition=Q(step__gte=1) & Q(step__lte=TOP_STEP), name="criterion_step_1_to_7"
            ),
        ]

    def __str__(self) -> str:
        return self.text


class AssessmentRound(models.Model):
    """A year's self-assessment for the units under an org unit, with its deadline.

    The round fixes the framework version every assessment and review in it uses.
    """

    framework_version = models.ForeignKey(
        FrameworkVersion,
        verbose_name=_("framework version"),
        on_delete=models.PROTECT,
        related_name="rounds",
    )
    owner = models.ForeignKey(
        OrgUnit,
        verbose_name=_("for the units under"),
        on_delete=models.PROTECT,
        related_name="staircase_rounds",
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    deadline = models.DateField(_("deadline"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("assessment round")
        verbose_name_plural = _("assessment rounds")
        ordering = ["-year", "owner__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework_version", "owner", "year"], name="assessmentround_unique"
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2100), name="assessmentround_year_sane"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.framework_version.framework.name} {self.year} – {self.owner.name}"


class SelfAssessment(models.Model):
    """A unit's (or a team's, or the management group's) self-assessment for a year."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")

    class Kind(models.TextChoices):
        UNIT = "unit", _("The whole unit")
        TEAM = "team", _("Team")
        MANAGEMENT = "management", _("Management group")

    round = models.ForeignKey(
        AssessmentRound,
        verbose_name=_("assessment round"),
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    framework_version = models.ForeignKey(
        FrameworkVersion,
        verbose_name=_("framework version"),
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    org_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("unit"),
        on_delete=models.CASCADE,
        related_name="self_assessments",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("who assesses"), max_length=20, choices=Kind.choices, default="unit")
    team_name = models.CharField(_("team"), max_length=100, blank=True, validators=_text)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    # Optimistic locking: a save names the revision it was loaded at.
    revision = models.PositiveIntegerField(_("revision"), default=1)
    summary = models.TextField(_("summary"), max_length=4000, blank=True, validators=_text)
    return_comment = models.TextField(
        _("comment when sent back"), max_length=2000, blank=True, validators=_text
    )
    copied_from = models.ForeignKey(
        "self",
        verbose_name=_("copied from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
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
        verbose_name = _("self-assessment")
        verbose_name_plural = _("self-assessments")
        ordering = ["-year", "org_unit__name", "kind", "team_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "org_unit", "kind", "team_name"], name="selfassessment_unique"
            ),
            models.CheckConstraint(
                condition=Q(kind="team") | Q(team_name=""), name="selfassessment_team_only"
            ),
        ]
        indexes = [models.Index(fields=["org_unit", "year"])]

    def __str__(self) -> str:
        label = self.team_name or self.get_kind_display()
        return f"{self.org_unit} {self.year} ({label})"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def who(self) -> str:
        return self.team_name if self.kind == self.Kind.TEAM else str(self.get_kind_display())

    def clean(self) -> None:
        if self.kind == self.Kind.TEAM and not self.team_name.strip():
            raise ValidationError({"team_name": _("Name the team that assesses.")})


class AreaAssessment(models.Model):
    """One area of a self-assessment: the criteria met, the evidence, the step reached.

    `step_reached` is kept by `staircase.steps.step_reached` whenever the criteria change,
    so that overviews read it without walking the criteria.
    """

    assessment = models.ForeignKey(
        SelfAssessment,
        verbose_name=_("self-assessment"),
        on_delete=models.CASCADE,
        related_name="areas",
    )
    area = models.ForeignKey(
        QualityArea, verbose_name=_("quality area"), on_delete=models.PROTECT, related_name="+"
    )
    met_criteria = models.ManyToManyField(
        Criterion, verbose_name=_("criteria met"), blank=True, related_name="+"
    )
    perspectives = models.ManyToManyField(
        Perspective, verbose_name=_("perspectives considered"), blank=True, related_name="+"
    )
    evidence = models.TextField(_("evidence"), max_length=4000, blank=True, validators=_text)
    step_reached = models.PositiveSmallIntegerField(_("step reached"), default=0)

    class Meta:
        verbose_name = _("area assessment")
        verbose_name_plural = _("area assessments")
        ordering = ["assessment", "area__position"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "area"], name="areaassessment_unique"),
            models.CheckConstraint(
                condition=Q(step_reached__lte=TOP_STEP), name="areaassessment_step_0_to_7"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment} – {self.area.name}"


def _evidence_path(instance: "Evidence", filename: str) -> str:
    return f"staircase/evidence/{instance.area_assessment.assessment_id}/{filename}"


class Evidence(models.Model):
    """A file attached as evidence to an area of a self-assessment (kept in Django's storage)."""

    area_assessment = models.ForeignKey(
        AreaAssessment,
        verbose_name=_("area assessment"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    file = models.FileField(_("file"), upload_to=_evidence_path, max_length=300)
    name = models.CharField(_("name"), max_length=200, validators=_text)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("evidence attachment")
        verbose_name_plural = _("evidence attachments")
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.name


class SelfAssessmentEvent(models.Model):
    """Who moved a self-assessment from one status to another, and when."""

    class Action(models.TextChoices):
        CREATE = "create", _("Started")
        COPY = "copy", _("Copied from last year")
        SUBMIT = "submit", _("Submitted")
        APPROVE = "approve", _("Approved")
        SEND_BACK = "send_back", _("Sent back")

    assessment = models.ForeignKey(
        SelfAssessment,
        verbose_name=_("self-assessment"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("when"), auto_now_add=True)
    comment = models.TextField(_("comment"), max_length=2000, blank=True, validators=_text)

    class Meta:
        verbose_name = _("self-assessment event")
        verbose_name_plural = _("self-assessment events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.assessment}: {self.get_action_display()}"


class ExternalReview(models.Model):
    """The external review (extern granskning) of a unit's year, by appointed reviewers."""

    class Status(models.TextChoices):
        APPOINTED = "appointed", _("Reviewers appointed")
        COMPLETED = "completed", _("Completed")

    round = models.ForeignKey(
        AssessmentRound,
        verbose_name=_("assessment round"),
        on_delete=models.PROTECT,
        related_name="reviews",
    )
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="external_reviews"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.APPOINTED
    )
    report = models.TextField(_("review report"), max_length=8000, blank=True, validators=_text)
    revision = models.PositiveIntegerField(_("revision"), default=1)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("completed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("external review")
        verbose_name_plural = _("external reviews")
        ordering = ["-round__year", "org_unit__name"]
        constraints = [
            models.UniqueConstraint(fields=["round", "org_unit"], name="externalreview_unique")
        ]

    def __str__(self) -> str:
        return f"{self.org_unit} {self.round.year}"


class ReviewerAssignment(models.Model):
    """A reviewer appointed to a review. The account sees that unit's assessments and
    evidence until `access_until`, through this row alone (no membership needed)."""

    review = models.ForeignKey(
        ExternalReview,
        verbose_name=_("external review"),
        on_delete=models.CASCADE,
        related_name="assignments",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        on_delete=models.CASCADE,
        related_name="staircase_assignments",
    )
    access_until = models.DateField(_("access until"))
    appointed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("appointed by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    appointed_at = models.DateTimeField(_("appointed"), auto_now_add=True)

    class Meta:
        verbose_name = _("reviewer assignment")
        verbose_name_plural = _("reviewer assignments")
        constraints = [
            models.UniqueConstraint(fields=["review", "user"], name="reviewerassignment_unique")
        ]
        indexes = [models.Index(fields=["user", "access_until"])]

    def __str__(self) -> str:
        return f"{self.user} – {self.review}"


class AreaReview(models.Model):
    """The step the reviewers set for one area, with their justification."""

    review = models.ForeignKey(
        ExternalReview,
        verbose_name=_("external review"),
        on_delete=models.CASCADE,
        related_name="areas",
    )
    area = models.ForeignKey(
        QualityArea, verbose_name=_("quality area"), on_delete=models.PROTECT, related_name="+"
    )
    step = models.PositiveSmallIntegerField(
        _("step"), null=True, blank=True, validators=[MaxValueValidator(TOP_STEP)]
    )
    justification = models.TextField(
        _("justification"), max_length=2000, blank=True, validators=_text
    )

    class Meta:
        verbose_name = _("area review")
        verbose_name_plural = _("area reviews")
        ordering = ["review", "area__position"]
        constraints = [
            models.UniqueConstraint(fields=["review", "area"], name="areareview_unique"),
            models.CheckConstraint(
                condition=Q(step__isnull=True) | Q(step__lte=TOP_STEP), name="areareview_step_sane"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.review} – {self.area.name}"


class Certification(models.Model):
    """A unit is quality-certified on the strength of a completed external review."""

    framework = models.ForeignKey(
        Framework,
        verbose_name=_("framework"),
        on_delete=models.PROTECT,
        related_name="certifications",
    )
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="certifications"
    )
    review = models.OneToOneField(
        ExternalReview,
        verbose_name=_("external review"),
        on_delete=models.PROTECT,
        related_name="certification",
    )
    issued_on = models.DateField(_("issued"))
    valid_until = models.DateField(_("valid until"))
    # 1 for the first certificate of the unit in the framework, 2 for the second, …
    sequence = models.PositiveSmallIntegerField(_("time certified"), default=1)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")
        ordering = ["-issued_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gt=F("issued_on")), name="certification_dates_order"
            ),
            models.UniqueConstraint(
                fields=["framework", "org_unit", "sequence"], name="certification_sequence"
            ),
        ]
        indexes = [models.Index(fields=["framework", "valid_until"])]

    def __str__(self) -> str:
        return f"{self.org_unit} – {self.framework} ({self.issued_on})"


class AreaMeasure(models.Model):
    """A measure of the quality plan that improves a unit's standing in a quality area."""

    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+"
    )
    area = models.ForeignKey(
        QualityArea,
        verbose_name=_("quality area"),
        on_delete=models.CASCADE,
        related_name="measure_links",
    )
    measure = models.ForeignKey(
        "measures.Measure",
        verbose_name=_("measure"),
        on_delete=models.CASCADE,
        related_name="staircase_links",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("improvement measure")
        verbose_name_plural = _("improvement measures")
        ordering = ["area__position", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["org_unit", "area", "measure"], name="areameasure_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.org_unit} – {self.area.name}"


class LearningNetwork(models.Model):
    """Units that meet to learn from one another's quality work."""

    name = models.CharField(_("name"), max_length=200, validators=_text)
    description = models.TextField(_("description"), max_length=2000, blank=True, validators=_text)
    framework = models.ForeignKey(
        Framework,
        verbose_name=_("framework"),
        on_delete=models.PROTECT,
        related_name="networks",
    )
    units = models.ManyToManyField(
        OrgUnit, verbose_name=_("units"), related_name="learning_networks"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("learning network")
        verbose_name_plural = _("learning networks")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "name"], name="learningnetwork_unique")
        ]

    def __str__(self) -> str:
        return self.name


class NetworkMeeting(models.Model):
    network = models.ForeignKey(
        LearningNetwork,
        verbose_name=_("learning network"),
        on_delete=models.CASCADE,
        related_name="meetings",
    )
    date = models.DateField(_("date"))
    attendees = models.TextField(_("attendees"), max_length=1000, blank=True, validators=_text)
    notes = models.TextField(_("notes"), max_length=8000, blank=True, validators=_text)
    areas = models.ManyToManyField(
        QualityArea, verbose_name=_("areas worked on"), blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("network meeting")
        verbose_name_plural = _("network meetings")
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{self.network} {self.date}"


class StaircaseReminder(models.Model):
    """A reminder sent, so that the daily job sends each one once."""

    class Kind(models.TextChoices):
        DEADLINE = "deadline", _("Self-assessment deadline")
        CHASE = "chase", _("Chase from the office")
        EXPIRY = "expiry", _("Certificate expiry")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    subject = models.CharField(_("about"), max_length=60)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("to"), on_delete=models.CASCADE, related_name="+"
    )
    sent_on = models.DateField(_("sent"))

    class Meta:
        verbose_name = _("staircase reminder")
        verbose_name_plural = _("staircase reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "subject", "user", "sent_on"], name="staircasereminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.user} ({self.sent_on})"
