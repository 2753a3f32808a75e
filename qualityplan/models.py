from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .fields import FreeCharField, FreeTextField, SystemCharField
from .validators import no_national_identity_number


class OrgUnit(models.Model):
    """A node in the organisation: department → area → unit → section."""

    class Kind(models.TextChoices):
        DEPARTMENT = "department", _("Department")
        AREA = "area", _("Area")
        UNIT = "unit", _("Unit")
        SECTION = "section", _("Section")
        OFFICE = "office", _("Staff office")

    name = FreeCharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    external_code = models.CharField(
        _("external code"),
        max_length=50,
        blank=True,
        help_text=_("Code used by imports from the care record system and statistics."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords(verbose_name=_("org unit history"))

    class Meta:
        verbose_name = _("org unit")
        verbose_name_plural = _("org units")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["external_code"],
                condition=~Q(external_code=""),
                name="orgunit_external_code_unique",
            ),
            # Active units side by side need different names; a deactivated unit keeps its
            # name, so that a new unit may take it.
            models.UniqueConstraint(
                fields=["parent", "name"],
                condition=Q(is_active=True),
                name="orgunit_name_unique_in_parent",
            ),
            models.CheckConstraint(
                condition=Q(parent__isnull=False) | Q(kind="department"),
                name="orgunit_only_department_is_root",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        ancestor = self.parent
        while ancestor is not None:
            if ancestor.pk == self.pk and self.pk is not None:
                raise ValidationError({"parent": _("A unit cannot be placed under itself.")})
            ancestor = ancestor.parent


class Role(models.Model):
    """A role a person holds in an org unit. Data, not code: municipalities name roles differently.

    What a role lets its holder do is set by its flags, not by its code.
    """

    class Scope(models.TextChoices):
        NONE = "none", _("No reading of plan follow-up")
        SUBTREE = "subtree", _("The org unit and everything below it")
        ORGANISATION = "organisation", _("The whole organisation")

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = FreeCharField(_("name"), max_length=200)
    description = FreeTextField(_("description"), max_length=2000, blank=True)
    scope = models.CharField(
        _("reads"), max_length=20, choices=Scope.choices, default=Scope.SUBTREE
    )
    reports_status = models.BooleanField(
        _("reports status"),
        default=False,
        help_text=_("Holders report the status of measures for their own org unit."),
    )
    manages_plan = models.BooleanField(
        _("manages the plan"),
        default=False,
        help_text=_("Holders edit the structure of quality plans and import them."),
    )
    approves_reports = models.BooleanField(_("approves unit reports"), default=False)
    reads_security_log = models.BooleanField(
        _("reads the security log"),
        default=False,
        help_text=_("Holders search and export the security log and unlock locked logins."),
    )
    name_sv = FreeCharField(_("name in Swedish"), max_length=200, blank=True)
    name_en = FreeCharField(_("name in English"), max_length=200, blank=True)
    history = HistoricalRecords(verbose_name=_("role history"))

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}" if self.name and self.name != self.code else self.code

    @property
    def local_name(self) -> str:
        """The role's name in the active language: `name` is the Norwegian one and the fallback."""
        language = (translation.get_language() or "nb")[:2]
        return {"sv": self.name_sv, "en": self.name_en}.get(language) or self.name


class MembershipQuerySet(models.QuerySet):
    def current(self, on=None):
        """Memberships in force on `on` (today): begun, and not yet past their last day."""
        on = on or timezone.localdate()
        return self.filter(
            models.Q(valid_from__isnull=True) | models.Q(valid_from__lte=on),
            models.Q(valid_until__isnull=True) | models.Q(valid_until__gte=on),
        )


class Membership(models.Model):
    """A person holds a role in an org unit. A person may hold several."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.ForeignKey(Role, verbose_name=_("role"), on_delete=models.PROTECT)
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("org unit"), on_delete=models.CASCADE, related_name="memberships"
    )
    # First and last day in force, both inclusive; empty means open. A membership that
    # ends keeps its row: who held a role before stays visible.
    valid_from = models.DateField(_("from"), null=True, blank=True)
    valid_until = models.DateField(_("until"), null=True, blank=True)
    # The single sign-on group that gave this membership, if one did: it ends when the
    # person is no longer in the group.
    sso_group = SystemCharField(_("from sign-on group"), max_length=200, blank=True)
    history = HistoricalRecords(verbose_name=_("membership history"))

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "org_unit"],
                condition=Q(valid_until__isnull=True),
                name="membership_unique_open",
            )
        ]
        indexes = [models.Index(fields=["org_unit", "role"], name="membership_unit_role")]

    def __str__(self) -> str:
        return f"{self.user} – {self.role.code} – {self.org_unit}"

    def clean(self) -> None:
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("The last day cannot be before the first.")})

    def in_force(self, on=None) -> bool:
        on = on or timezone.localdate()
        return (self.valid_from is None or self.valid_from <= on) and (
            self.valid_until is None or self.valid_until >= on
        )


class QualityPlan(models.Model):
    class Frequency(models.TextChoices):
        YEARLY = "yearly", _("Yearly")
        TERTIAL = "tertial", _("Tertial")
        QUARTERLY = "quarterly", _("Quarterly")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        ARCHIVED = "archived", _("Archived")

    title = FreeCharField(_("title"), max_length=300)
    owner = models.ForeignKey(
        OrgUnit, verbose_name=_("owning org unit"), on_delete=models.PROTECT, related_name="plans"
    )
    first_year = models.PositiveSmallIntegerField(_("first year"))
    last_year = models.PositiveSmallIntegerField(_("last year"))
    frequency = models.CharField(
        _("reporting frequency"),
        max_length=20,
        choices=Frequency.choices,
        default=Frequency.TERTIAL,
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("quality plan")
        verbose_name_plural = _("quality plans")
        ordering = ["-first_year", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(first_year__gte=2000) & Q(last_year__lte=2100),
                name="plan_years_sane",
            ),
            models.CheckConstraint(
                condition=Q(last_year__gte=F("first_year")),
                name="plan_last_year_not_before_first",
            ),
            models.CheckConstraint(
                condition=Q(last_year__lte=F("first_year") + 9),
                name="plan_at_most_ten_years",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.first_year}–{self.last_year})"

    @property
    def years(self) -> list[int]:
        return list(range(self.first_year, self.last_year + 1))

    def clean(self) -> None:
        if self.first_year and self.last_year and self.last_year < self.first_year:
            raise ValidationError(
                {"last_year": _("The last year cannot be before the first year.")}
            )
        if self.first_year and self.last_year and self.last_year - self.first_year > 9:
            raise ValidationError({"last_year": _("A plan can cover at most ten years.")})


class Goal(models.Model):
    plan = models.ForeignKey(
        QualityPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="goals"
    )
    position = models.PositiveSmallIntegerField(_("number"))
    title = FreeTextField(_("goal"), max_length=1000)

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["plan", "position"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "position"], name="goal_position_unique"),
            models.CheckConstraint(condition=Q(position__gte=1), name="goal_position_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    @property
    def number(self) -> str:
        return str(self.position)


class SubGoal(models.Model):
    goal = models.ForeignKey(
        Goal, verbose_name=_("goal"), on_delete=models.CASCADE, related_name="subgoals"
    )
    position = models.PositiveSmallIntegerField(_("number"))
    title = FreeTextField(_("sub-goal"), max_length=1000)

    class Meta:
        verbose_name = _("sub-goal")
        verbose_name_plural = _("sub-goals")
        ordering = ["goal", "position"]
        constraints = [
            models.UniqueConstraint(fields=["goal", "position"], name="subgoal_position_unique"),
            models.CheckConstraint(condition=Q(position__gte=1), name="subgoal_position_positive"),
        ]

    def __str__(self) -> str:
        return self.title


class UserProfile(models.Model):
    """What we keep about a person beyond Django's user: the language they read."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, blank=True
    )

    class Meta:
        verbose_name = _("user profile")
        verbose_name_plural = _("user profiles")

    def __str__(self) -> str:
        return str(self.user)


class SecurityEvent(models.Model):
    """One event of the security log: a login, a refusal, an export, a read of a deviation.

    Written by `qualityplan.security`, read on the security page by the office and the
    administrator, purged after SECURITY_LOG_RETENTION_DAYS.
    """

    class Kind(models.TextChoices):
        LOGIN = "login", _("Logged in")
        LOGIN_FAILED = "login_failed", _("Login failed")
        LOCKOUT = "lockout", _("Login locked")
        UNLOCK = "unlock", _("Login unlocked")
        LOGOUT = "logout", _("Logged out")
        PASSWORD_CHANGE = "password_change", _("Password changed")
        PASSWORD_RESET_REQUEST = "password_reset_request", _("Password reset asked for")
        PASSWORD_RESET = "password_reset", _("Password reset")
        ACCESS_REFUSED = "access_refused", _("Access refused")
        EXPORT = "export", _("Export")
        DEVIATION_READ = "deviation_read", _("Deviation read")

    at = models.DateTimeField(_("when"), default=timezone.now)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    username = SystemCharField(_("username"), max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    path = SystemCharField(_("path"), max_length=500, blank=True)
    object_type = models.CharField(_("object type"), max_length=60, blank=True)
    object_id = models.CharField(_("object id"), max_length=40, blank=True)
    detail = SystemCharField(_("detail"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("security event")
        verbose_name_plural = _("security events")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["-at"], name="securityevent_at"),
            models.Index(fields=["kind", "-at"], name="securityevent_kind_at"),
            models.Index(fields=["user", "-at"], name="securityevent_user_at"),
            models.Index(fields=["object_type", "object_id"], name="securityevent_object"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind} {self.username}"

    @property
    def detail_display(self) -> str:
        """The detail in the reader's language where the application wrote a known one
        (the stored text stays English, as the JSON log has it)."""
        if self.detail == "locked":
            return str(_("refused: the login is locked"))
        failures = re.fullmatch(r"(\d+) failures", self.detail)
        if failures:
            return str(_("locked after %(count)s failures") % {"count": failures.group(1)})
        return self.detail


class PendingUpload(models.Model):
    """An uploaded file between its preview and its confirmation.

    The bytes are in storage, not in the session; the confirmation form carries the
    token. A row belongs to the person who uploaded it, and a nightly job removes
    the ones nobody confirmed (`PENDING_UPLOAD_HOURS`).
    """

    class Kind(models.TextChoices):
        PLAN_IMPORT = "plan_import", _("plan import")
        STATUS_SHEET = "status_sheet", _("status sheet")

    token = models.CharField(_("token"), max_length=64, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="pending_uploads",
    )
    # Each importer names its own kind; the choices are only the core apps' (newer apps,
    # such as the quality staircase, add kinds of their own without qualityplan knowing).
    kind = models.CharField(_("kind"), max_length=30)
    file = models.FileField(_("file"), upload_to="pending-uploads/", max_length=200)
    original_name = models.CharField(
        _("file name"), max_length=255, validators=[no_national_identity_number]
    )
    # What the preview showed beside the file: owner and title, or period, unit and rows.
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("pending upload")
        verbose_name_plural = _("pending uploads")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.original_name


def _logo_path(instance, filename: str) -> str:
    return f"municipality/{filename}"


class Municipality(models.Model):
    """The one municipality this installation serves: its name, top unit, language and logo.

    There is at most one row (pk 1); `qualityplan.municipality` reads it, falling back to
    the MUNICIPALITY_NAME setting and the default language before the first run.
    """

    name = models.CharField(
        _("name of the municipality"), max_length=200, validators=[no_national_identity_number]
    )
    top_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("top unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    language = models.CharField(
        _("default language"), max_length=10, choices=settings.LANGUAGES, default="nb"
    )
    logo = models.FileField(_("logo"), upload_to=_logo_path, blank=True, max_length=200)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords(verbose_name=_("municipality history"))

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipality")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="municipality_single_row")]

    def __str__(self) -> str:
        return self.name


class ExternalIdentity(models.Model):
    """A person's account at the single sign-on provider: the stable claim (`oid`, else
    `sub`) of one issuer, linked to one user. Emails change; this does not."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="external_identities"
    )
    issuer = SystemCharField(_("issuer"), max_length=300)
    subject = SystemCharField(_("subject"), max_length=255)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_login_at = models.DateTimeField(_("last login"), null=True, blank=True)

    class Meta:
        verbose_name = _("single sign-on identity")
        verbose_name_plural = _("single sign-on identities")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="external_identity_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.issuer}"
