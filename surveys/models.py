"""Surveys: questions in sections, public links per unit, and answers that know nobody.

A `SurveyResponse` holds the survey, the unit it was given for, the day (never a
finer time), the language and how it came in: no user, no address, no code. The
one-time codes live in their own table as hashes with a used flag, so an answer
can never be traced back to the code (or the email address) it was given with.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qualityplan.fields import FreeCharField
from qualityplan.validators import no_national_identity_number

LANGUAGE_CODES = ("nb", "sv", "en")
FREE_TEXT_MAX = 2000


def new_token() -> str:
    """An unguessable link token (about 190 bits)."""
    return secrets.token_urlsafe(24)


class Texts(models.Model):
    """Text in nb, sv and en; a respondent reads the language they pick, else the first filled."""

    class Meta:
        abstract = True

    def text_in(self, field: str, language: str | None = None) -> str:
        language = (language or translation.get_language() or "nb")[:2]
        order = [language] + [code for code in LANGUAGE_CODES if code != language]
        for code in order:
            value = getattr(self, f"{field}_{code}", "")
            if value:
                return value
        return ""


def _text_field(label, max_length=300, blank=True):
    return models.CharField(
        label, max_length=max_length, blank=blank, validators=[no_national_identity_number]
    )


class Survey(Texts):
    class Audience(models.TextChoices):
        CARE_RECIPIENTS = "care_recipients", _("Care recipients")
        NEXT_OF_KIN = "next_of_kin", _("Next of kin")
        STAFF = "staff", _("Staff")
        PARENTS = "parents", _("Parents and guardians")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    owner = models.ForeignKey(
        "qualityplan.OrgUnit",
        verbose_name=_("owning org unit"),
        on_delete=models.PROTECT,
        related_name="surveys",
    )
    title_nb = _text_field(_("title (Norwegian)"), 200)
    title_sv = _text_field(_("title (Swedish)"), 200)
    title_en = _text_field(_("title (English)"), 200)
    intro_nb = models.TextField(
        _("introduction (Norwegian)"),
        max_length=FREE_TEXT_MAX,
        blank=True,
        validators=[no_national_identity_number],
    )
    intro_sv = models.TextField(
        _("introduction (Swedish)"),
        max_length=FREE_TEXT_MAX,
        blank=True,
        validators=[no_national_identity_number],
    )
    intro_en = models.TextField(
        _("introduction (English)"),
        max_length=FREE_TEXT_MAX,
        blank=True,
        validators=[no_national_identity_number],
    )
    audience = models.CharField(_("audience"), max_length=20, choices=Audience.choices)
    starts_on = models.DateField(_("opens"))
    ends_on = models.DateField(_("closes"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    min_group_size = models.PositiveSmallIntegerField(
        _("smallest group shown"),
        default=5,
        validators=[MinValueValidator(3), MaxValueValidator(100)],
        help_text=_("No result is shown for a group with fewer answers. Never below 3."),
    )
    daily_cap = models.PositiveIntegerField(
        _("answers per link per day, at most"),
        default=300,
        validators=[MinValueValidator(1), MaxValueValidator(100000)],
    )
    uses_codes = models.BooleanField(
        _("one-time codes"),
        default=False,
        help_text=_("Each answer needs a code sent by email; one answer per code."),
    )
    previous = models.ForeignKey(
        "self",
        verbose_name=_("last time"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="next_surveys",
        help_text=_("The survey this one is compared with."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    version = models.PositiveIntegerField(default=1)
    # Column heading → what it holds ("unit", "skip" or a question id), from the last
    # import, so that the next file from the same tool comes mapped.
    import_mapping = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["-starts_on", "title_nb"]
        constraints = [
            models.CheckConstraint(condition=Q(min_group_size__gte=3), name="survey_min_group_3"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="survey_ends_after_start"
            ),
            models.CheckConstraint(
                condition=~Q(title_nb="") | ~Q(title_sv="") | ~Q(title_en=""),
                name="survey_has_title",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return self.text_in("title")

    @property
    def languages(self) -> list[str]:
        """The languages a respondent may pick: those the survey has a title in."""
        return [code for code in LANGUAGE_CODES if getattr(self, f"title_{code}")]

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    def clean(self) -> None:
        errors = {}
        if not (self.title_nb or self.title_sv or self.title_en):
            errors["title_nb"] = _("Give the survey a title in at least one language.")
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("The survey cannot close before it opens.")
        if self.min_group_size is not None and self.min_group_size < 3:
            errors["min_group_size"] = _("The smallest group shown can never be below 3.")
        if errors:
            raise ValidationError(errors)


class Section(Texts):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveSmallIntegerField(_("number"))
    title_nb = _text_field(_("heading (Norwegian)"), 200)
    title_sv = _text_field(_("heading (Swedish)"), 200)
    title_en = _text_field(_("heading (English)"), 200)

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["survey", "position"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "position"], name="section_position_unique")
        ]

    def __str__(self) -> str:
        return self.text_in("title")

    @property
    def title(self) -> str:
        return self.text_in("title")


class Question(Texts):
    class Kind(models.TextChoices):
        SCALE = "scale", _("Agreement, 1–5")
        YES_NO = "yes_no", _("Yes or no")
        SINGLE = "single", _("One choice")
        MULTIPLE = "multiple", _("Several choices")
        NUMBER = "number", pgettext_lazy("question kind", "Number")
        TEXT = "text", _("Free text")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("number"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    text_nb = _text_field(_("question (Norwegian)"), 500)
    text_sv = _text_field(_("question (Swedish)"), 500)
    text_en = _text_field(_("question (English)"), 500)
    required = models.BooleanField(_("must be answered"), default=False)
    number_min = models.IntegerField(_("smallest number"), null=True, blank=True)
    number_max = models.IntegerField(_("largest number"), null=True, blank=True)
    indicator = models.ForeignKey(
        "measures.Indicator",
        verbose_name=_("feeds the indicator"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="survey_questions",
        help_text=_(
            "The share answering 4 or 5 (or yes) becomes the indicator's value for each "
            "unit and period."
        ),
    )
    criteria = models.ManyToManyField(
        "staircase.Criterion",
        verbose_name=_("evidence for the staircase criteria"),
        blank=True,
        related_name="survey_questions",
    )
    perspective = models.ForeignKey(
        "staircase.Perspective",
        verbose_name=_("staircase perspective"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="survey_questions",
    )
    bank_key = models.CharField(max_length=50, blank=True)
    copied_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="copies"
    )

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["section__position", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["section", "position"], name="question_position_unique"
            ),
            models.CheckConstraint(
                condition=Q(number_min__isnull=True)
                | Q(number_max__isnull=True)
                | Q(number_max__gte=F("number_min")),
                name="question_number_range",
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        return self.text_in("text")

    @property
    def has_options(self) -> bool:
        return self.kind in (self.Kind.SINGLE, self.Kind.MULTIPLE)

    @property
    def has_share(self) -> bool:
        """Questions with a "share answering favourably": 4–5 on a scale, yes on yes/no."""
        return self.kind in (self.Kind.SCALE, self.Kind.YES_NO)

    def clean(self) -> None:
        errors = {}
        if not (self.text_nb or self.text_sv or self.text_en):
            errors["text_nb"] = _("Write the question in at least one language.")
        if self.section_id and self.survey_id and self.section.survey_id != self.survey_id:
            errors["section"] = _("The section belongs to another survey.")
        if self.indicator_id and not self.has_share:
            errors["indicator"] = _(
                "Only agreement and yes/no questions can feed an indicator (the share "
                "answering 4 or 5, or yes)."
            )
        if (
            self.number_min is not None
            and self.number_max is not None
            and self.number_max < self.number_min
        ):
            errors["number_max"] = _("The largest number cannot be below the smallest.")
        if errors:
            raise ValidationError(errors)


class Option(Texts):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveSmallIntegerField(_("number"))
    text_nb = _text_field(_("choice (Norwegian)"), 200)
    text_sv = _text_field(_("choice (Swedish)"), 200)
    text_en = _text_field(_("choice (English)"), 200)

    class Meta:
        verbose_name = _("choice")
        verbose_name_plural = _("choices")
        ordering = ["question", "position"]
        constraints = [
            models.UniqueConstraint(fields=["question", "position"], name="option_position_unique")
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        return self.text_in("text")


class SurveyLink(models.Model):
    """The public link of a survey at one unit: an unguessable token, one per unit."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="links")
    org_unit = models.ForeignKey(
        "qualityplan.OrgUnit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="survey_links",
    )
    token = models.CharField(max_length=64, unique=True, default=new_token)

    class Meta:
        verbose_name = _("survey link")
        verbose_name_plural = _("survey links")
        ordering = ["survey", "org_unit__name"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "org_unit"], name="surveylink_unique")
        ]

    def __str__(self) -> str:
        return f"{self.survey} – {self.org_unit}"


class SurveyResponse(models.Model):
    """One respondent's answers: the unit and the day, nothing about who or from where."""

    class Source(models.TextChoices):
        WEB = "web", _("Answered here")
        IMPORT = "import", _("Imported")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    org_unit = models.ForeignKey(
        "qualityplan.OrgUnit", on_delete=models.PROTECT, related_name="survey_responses"
    )
    answered_on = models.DateField(_("answered"))
    language = models.CharField(max_length=5, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.WEB)
    batch = models.ForeignKey(
        "SurveyImport", null=True, blank=True, on_delete=models.CASCADE, related_name="responses"
    )

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        indexes = [models.Index(fields=["survey", "org_unit", "answered_on"])]

    def __str__(self) -> str:
        return f"{self.survey} – {self.org_unit} – {self.answered_on}"


class Answer(models.Model):
    """One answer: a number (scale 1–5, yes 1 / no 0, a number), a choice, or a text."""

    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    number = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    option = models.ForeignKey(
        Option, null=True, blank=True, on_delete=models.CASCADE, related_name="answers"
    )
    text = models.TextField(
        _("answer"),
        max_length=FREE_TEXT_MAX,
        blank=True,
        validators=[no_national_identity_number],
    )

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        indexes = [models.Index(fields=["question", "number"])]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.number or self.option_id or '…'}"


class SurveyCode(models.Model):
    """A one-time code, kept only as a hash with a used flag: never the address it went to,
    never when it was used, and never beside the answer given with it."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="codes")
    org_unit = models.ForeignKey("qualityplan.OrgUnit", on_delete=models.PROTECT, related_name="+")
    code_hash = models.CharField(max_length=64, unique=True)
    used = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("one-time code")
        verbose_name_plural = _("one-time codes")

    def __str__(self) -> str:
        return f"{self.survey} – {self.org_unit}"


class SurveyImport(models.Model):
    """Responses read from another tool's file, kept so that the batch can be undone."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="imports")
    file_name = FreeCharField(_("file"), max_length=200)
    answered_on = models.DateField(_("answered"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    row_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("survey import")
        verbose_name_plural = _("survey imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name


class SurveyFollowUp(models.Model):
    """A result followed up with a measure in the plan, for one unit."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="follow_ups")
    org_unit = models.ForeignKey("qualityplan.OrgUnit", on_delete=models.PROTECT, related_name="+")
    question = models.ForeignKey(
        Question, null=True, blank=True, on_delete=models.SET_NULL, related_name="follow_ups"
    )
    measure = models.ForeignKey(
        "measures.Measure", on_delete=models.CASCADE, related_name="survey_follow_ups"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("survey follow-up")
        verbose_name_plural = _("survey follow-ups")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "org_unit", "question", "measure"], name="followup_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.survey} – {self.org_unit} – {self.measure}"


class PendingImport(models.Model):
    """An uploaded file waiting between its mapping, its preview and its confirmation."""

    token = models.CharField(max_length=64, unique=True, default=new_token)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    file_name = FreeCharField(max_length=200)
    data = models.BinaryField()
    answered_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("pending survey import")
        verbose_name_plural = _("pending survey imports")

    def __str__(self) -> str:
        return self.file_name
