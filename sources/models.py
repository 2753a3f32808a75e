"""Where indicator values come from: national statistics and care-record exports.

Statistics (SSB KOSTRA, Kolada) are stored cell by cell as `StatisticValue`:
one row per table, contents code, region, period and the codes of the table's
other dimensions. A missing or confidential cell is stored with no value and
its status marker, never as 0. The raw responses are kept too
(`StatisticResponse`), so a value can always be traced to what was fetched.
"""

from django.conf import settings
from django.core.validators import MinLengthValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from qualityplan.fields import SystemCharField
from qualityplan.validators import no_national_identity_number


class Provider(models.TextChoices):
    SSB = "ssb", _("Statistics Norway (SSB)")
    KOLADA = "kolada", _("Kolada")


class StatisticResponse(models.Model):
    """A response as it was fetched or uploaded, gzip-compressed."""

    provider = models.CharField(_("source"), max_length=10, choices=Provider.choices)
    table = models.CharField(_("table"), max_length=40)
    url = SystemCharField(_("address"), max_length=2000, blank=True)
    file_name = models.CharField(
        _("file name"), max_length=255, blank=True, validators=[no_national_identity_number]
    )
    sha256 = models.CharField(max_length=64)
    content = models.BinaryField(_("content (gzip)"))
    size = models.PositiveIntegerField(_("size (bytes)"))
    cells = models.PositiveIntegerField(_("cells"), default=0)
    fetched_at = models.DateTimeField(_("fetched"))

    class Meta:
        verbose_name = _("statistics response")
        verbose_name_plural = _("statistics responses")
        ordering = ["-fetched_at"]
        indexes = [models.Index(fields=["provider", "table", "sha256"])]

    def __str__(self) -> str:
        return f"{self.get_provider_display()} {self.table} {self.fetched_at:%Y-%m-%d}"


class StatisticTable(models.Model):
    """A statistics table as its metadata describes it: title and the codes of each
    dimension, in order. The link form draws its code lists from here."""

    provider = models.CharField(_("source"), max_length=10, choices=Provider.choices)
    table = models.CharField(_("table"), max_length=40)
    title = SystemCharField(_("title"), max_length=500, blank=True)
    # [{"id", "label", "role", "codes": [[code, label], ...]}, ...]
    dimensions = models.JSONField(_("dimensions"), default=list)
    updated = models.CharField(_("updated by the source"), max_length=40, blank=True)
    fetched_at = models.DateTimeField(_("fetched"))

    class Meta:
        verbose_name = _("statistics table")
        verbose_name_plural = _("statistics tables")
        ordering = ["provider", "table"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "table"], name="statistictable_unique")
        ]

    def __str__(self) -> str:
        return f"{self.table} {self.title}".strip()

    def dimension(self, dimension_id: str) -> dict | None:
        return next((d for d in self.dimensions if d["id"] == dimension_id), None)

    def label_of(self, dimension_id: str, code: str) -> str:
        dimension = self.dimension(dimension_id) or {"codes": []}
        return dict(map(tuple, dimension["codes"])).get(code, code)


class StatisticValue(models.Model):
    """One cell of a statistics table."""

    provider = models.CharField(_("source"), max_length=10, choices=Provider.choices)
    table = models.CharField(_("table"), max_length=40)
    contents = models.CharField(_("contents"), max_length=80)
    # A normalised municipality number ("1804"), or a group code ("EKA08", "EAK");
    # empty for a national table with no region dimension.
    region = models.CharField(_("region"), max_length=20, blank=True)
    period = models.CharField(_("period"), max_length=20)
    year = models.PositiveSmallIntegerField(_("year"), null=True)
    # The codes of every other dimension, {"Alder": "080+", "Kjonn": "0"}, and the same
    # as one sorted string, which the uniqueness rule reads.
    dimensions = models.JSONField(_("other dimensions"), default=dict)
    dimensions_key = SystemCharField(max_length=400, blank=True)
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=6, null=True)
    status = models.CharField(_("status marker"), max_length=10, blank=True)
    fetched_at = models.DateTimeField(_("fetched"))
    response = models.ForeignKey(
        StatisticResponse, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("statistics value")
        verbose_name_plural = _("statistics values")
        ordering = ["provider", "table", "contents", "region", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "table", "contents", "region", "period", "dimensions_key"],
                name="statisticvalue_unique",
            )
        ]
        indexes = [models.Index(fields=["provider", "table", "contents", "region"])]

    def __str__(self) -> str:
        return f"{self.table} {self.contents} {self.region} {self.period}: {self.value}"


class RegionChange(models.Model):
    """A municipality number that was replaced (a merger or a county reform): from
    `year` on the figures of `old_code` are published under `new_code`."""

    old_code = models.CharField(_("old number"), max_length=20)
    new_code = models.CharField(_("new number"), max_length=20)
    year = models.PositiveSmallIntegerField(_("valid from year"))

    class Meta:
        verbose_name = _("region change")
        verbose_name_plural = _("region changes")
        ordering = ["year", "old_code"]
        constraints = [
            models.UniqueConstraint(fields=["old_code", "new_code"], name="regionchange_unique"),
            models.CheckConstraint(
                condition=~Q(old_code=models.F("new_code")), name="regionchange_differs"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.old_code} → {self.new_code} ({self.year})"


class StatisticLink(models.Model):
    """An indicator fed by a statistics table: one contents code, one code in each other
    dimension, our region and the regions we compare with."""

    class Relation(models.TextChoices):
        NONE = "", _("No target relative to the comparison")
        AT_OR_ABOVE = "at_or_above", _("At or above the comparison")
        AT_OR_BELOW = "at_or_below", _("At or below the comparison")

    indicator = models.OneToOneField(
        "measures.Indicator",
        verbose_name=_("indicator"),
        on_delete=models.CASCADE,
        related_name="statistic_link",
    )
    provider = models.CharField(_("source"), max_length=10, choices=Provider.choices)
    table = models.CharField(_("table"), max_length=40)
    contents = models.CharField(_("contents"), max_length=80)
    contents_dimension = models.CharField(max_length=80, blank=True)
    region_dimension = models.CharField(max_length=80, blank=True)
    time_dimension = models.CharField(max_length=80, blank=True)
    filters = models.JSONField(_("other dimensions"), default=dict, blank=True)
    region = models.CharField(_("our region"), max_length=20, blank=True)
    comparison_regions = models.JSONField(_("comparison regions"), default=list, blank=True)
    first_year = models.PositiveSmallIntegerField(_("from year"), default=2015)
    target_relation = models.CharField(
        _("target"), max_length=20, choices=Relation.choices, blank=True, default=""
    )
    target_region = models.CharField(_("compared with"), max_length=20, blank=True)
    last_attempt_at = models.DateTimeField(_("last fetch attempt"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("last updated"), null=True, blank=True)
    last_error = models.CharField(
        _("why the last fetch failed"),
        max_length=1000,
        blank=True,
        validators=[no_national_identity_number],
    )
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    failure_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("statistics link")
        verbose_name_plural = _("statistics links")
        ordering = ["indicator"]

    def __str__(self) -> str:
        return f"{self.indicator} ← {self.table} {self.contents}"

    @property
    def source_label(self) -> str:
        if self.provider == Provider.KOLADA:
            return _("Source: Kolada")
        return _("Source: Statistics Norway, table %(table)s") % {"table": self.table}


class ImportMapping(models.Model):
    """How one care-record report's export is read, saved so next month's file of the
    same report needs one click."""

    class PeriodKind(models.TextChoices):
        MONTH = "month", _("A month per row (e.g. 2024-03, mars 2024)")
        DATE = "date", _("A date per row (summed per reporting period)")

    plan = models.ForeignKey(
        "qualityplan.QualityPlan",
        verbose_name=_("plan"),
        on_delete=models.CASCADE,
        related_name="import_mappings",
    )
    name = models.CharField(
        _("report name"),
        max_length=100,
        validators=[MinLengthValidator(2), no_national_identity_number],
    )
    unit_column = models.CharField(
        _("unit column"), max_length=100, validators=[no_national_identity_number]
    )
    period_column = models.CharField(
        _("date or period column"), max_length=100, validators=[no_national_identity_number]
    )
    period_kind = models.CharField(
        _("period"), max_length=10, choices=PeriodKind.choices, default=PeriodKind.MONTH
    )
    # {"Column header in the file": indicator id, ...}
    columns = models.JSONField(_("indicator columns"), default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("import mapping")
        verbose_name_plural = _("import mappings")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "name"], name="importmapping_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class UnitAlias(models.Model):
    """A unit name as a care-record report writes it, confirmed once by the office."""

    mapping = models.ForeignKey(ImportMapping, on_delete=models.CASCADE, related_name="aliases")
    name_in_file = models.CharField(
        _("name in the file"), max_length=200, validators=[no_national_identity_number]
    )
    org_unit = models.ForeignKey(
        "qualityplan.OrgUnit",
        verbose_name=_("org unit"),
        on_delete=models.CASCADE,
        related_name="+",
    )

    class Meta:
        verbose_name = _("unit name in a report")
        verbose_name_plural = _("unit names in reports")
        ordering = ["name_in_file"]
        constraints = [
            models.UniqueConstraint(fields=["mapping", "name_in_file"], name="unitalias_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name_in_file} → {self.org_unit}"


class IndicatorImport(models.Model):
    """One uploaded export, from its preview to its confirmation. The file waits here
    under a token (not in the session); confirming it is a one-time claim."""

    class Status(models.TextChoices):
        PREVIEW = "preview", _("Waiting for confirmation")
        APPLIED = "applied", _("Values saved")

    mapping = models.ForeignKey(
        ImportMapping, null=True, on_delete=models.CASCADE, related_name="imports"
    )
    plan = models.ForeignKey(
        "qualityplan.QualityPlan", on_delete=models.CASCADE, related_name="indicator_imports"
    )
    token = models.CharField(max_length=64, unique=True)
    file_name = models.CharField(
        _("file"), max_length=255, validators=[no_national_identity_number]
    )
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PREVIEW
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    applied_at = models.DateTimeField(_("imported"), null=True, blank=True)
    changed = models.PositiveIntegerField(_("values changed"), default=0)

    class Meta:
        verbose_name = _("indicator import")
        verbose_name_plural = _("indicator imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name


class ImportedValue(models.Model):
    """One unit's value of one indicator for one month (or date) as a file gave it. A
    period's value is made from all the months stored for it, so the file of a later month
    adds to the earlier ones instead of replacing them."""

    indicator = models.ForeignKey(
        "measures.Indicator", on_delete=models.CASCADE, related_name="imported_values"
    )
    org_unit = models.ForeignKey("qualityplan.OrgUnit", on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("month or date"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=4)
    source = models.ForeignKey(
        IndicatorImport, null=True, on_delete=models.SET_NULL, related_name="values"
    )

    class Meta:
        verbose_name = _("imported value")
        verbose_name_plural = _("imported values")
        ordering = ["indicator", "org_unit", "day"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "org_unit", "day"], name="importedvalue_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.org_unit} {self.day}: {self.value}"
