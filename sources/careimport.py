"""Indicator values from care-record exports (Gerica, Visma Profil, any report).

A saved mapping says how one report's export is read: which column names the
unit, which holds the month or date, and which column feeds which indicator.
A file is read into a preview first: every value that will change (before →
after), rows that match no unit, periods outside the plan. Confirming writes
all of it or nothing, and a file imported twice changes nothing the second
time. Rows of one unit within one reporting period are added up (counts) or
averaged (percentages).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from difflib import SequenceMatcher

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from measures.models import Indicator, MeasureStatus, ReportingPeriod
from qualityplan.access import OrgTree
from qualityplan.models import OrgUnit, QualityPlan
from qualityplan.validators import no_national_identity_number

from .models import ImportedValue, ImportMapping, IndicatorImport, UnitAlias
from .tabular import Table, column_index, read_table

IMPORTABLE_KINDS = (Indicator.Kind.COUNT, Indicator.Kind.PERCENTAGE)
TOTAL_WORDS = {"sum", "total", "totalt", "summa", "sum alle", "totalsum", "i alt", "alle"}
MONTHS = {
    **{
        name: i
        for i, name in enumerate(
            [
                "januar",
                "februar",
                "mars",
                "april",
                "mai",
                "juni",
                "juli",
                "august",
                "september",
                "oktober",
                "november",
                "desember",
            ],
            start=1,
        )
    },
    **{
        name: i
        for i, name in enumerate(
            [
                "januari",
                "februari",
                "mars",
                "april",
                "maj",
                "juni",
                "juli",
                "augusti",
                "september",
                "oktober",
                "november",
                "december",
            ],
            start=1,
        )
    },
    **{
        name: i
        for i, name in enumerate(
            [
                "january",
                "february",
                "march",
                "april",
                "may",
                "june",
                "july",
                "august",
                "september",
                "october",
                "november",
                "december",
            ],
            start=1,
        )
    },
}
TWO = Decimal("0.01")


# --- Reading cells ------------------------------------------------------------------------


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", str(text)).replace("\xa0", " ").casefold()
    return " ".join(re.sub(r"[^\wæøåäö ]+", " ", text).split())


def parse_number(text: str) -> Decimal | None:
    """`12`, `12,5`, `1 234`, `12 %`; an empty cell or a dash is no value."""
    cleaned = str(text).replace("\xa0", "").replace(" ", "").replace("%", "").strip()
    if cleaned in ("", "-", "–", ".", ".."):
        return None
    if "," in cleaned and "." in cleaned:
        cleaned = cleaned.replace(".", "")
    cleaned = cleaned.replace(",", ".")
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(text) from None
    if not number.is_finite():
        raise ValueError(text)
    return number


def _month_word(text: str) -> int | None:
    word = fold(text)
    for name, number in MONTHS.items():
        if word == name or (len(word) >= 3 and name.startswith(word)):
            return number
    return None


def parse_period(text: str) -> date | None:
    """A month or a date as exports write them; the first day for a month."""
    text = str(text).strip()
    patterns = [
        (r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$", lambda m: (m[1], m[2], m[3])),
        (r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$", lambda m: (m[3], m[2], m[1])),
        (r"^(\d{1,2})/(\d{1,2})/(\d{4})$", lambda m: (m[3], m[2], m[1])),
        (r"^(\d{4})-(\d{1,2})$", lambda m: (m[1], m[2], 1)),
        (r"^(\d{4})\s*[Mm](\d{1,2})$", lambda m: (m[1], m[2], 1)),
        (r"^(\d{1,2})[./](\d{4})$", lambda m: (m[2], m[1], 1)),
        (r"^(\d{4})(\d{2})$", lambda m: (m[1], m[2], 1)),
    ]
    for pattern, parts in patterns:
        if match := re.match(pattern, text):
            year, month, day = (int(p) for p in parts(match))
            try:
                return date(year, month, day)
            except ValueError:
                return None
    if match := re.match(r"^([A-Za-zÆØÅæøåÄÖäö]+)\.?\s+(\d{4})$", text):
        month = _month_word(match[1])
        return date(int(match[2]), month, 1) if month else None
    return None


# --- Matching units -----------------------------------------------------------------------


class UnitMatcher:
    """A unit cell to an org unit: its external code, a name the office confirmed for this
    report, or its own name; else suggestions by likeness."""

    def __init__(self, *, plan: QualityPlan, mapping: ImportMapping | None) -> None:
        ids = OrgTree.load().subtree(plan.owner_id)
        self.units = list(OrgUnit.objects.filter(pk__in=ids, is_active=True).order_by("name"))
        self.by_code = {fold(u.external_code): u for u in self.units if u.external_code}
        self.by_name = {fold(u.name): u for u in self.units}
        self.aliases = {}
        if mapping is not None and mapping.pk:
            by_id = {u.pk: u for u in self.units}
            for alias in mapping.aliases.all():
                if alias.org_unit_id in by_id:
                    self.aliases[fold(alias.name_in_file)] = by_id[alias.org_unit_id]

    def match(self, text: str) -> OrgUnit | None:
        key = fold(text)
        return self.by_code.get(key) or self.aliases.get(key) or self.by_name.get(key)

    def suggestions(self, text: str, limit: int = 3) -> list[OrgUnit]:
        key = fold(text)
        scored = sorted(
            ((SequenceMatcher(None, key, fold(u.name)).ratio(), u) for u in self.units),
            key=lambda pair: -pair[0],
        )
        return [unit for score, unit in scored[:limit] if score >= 0.5]


def is_total(text: str) -> bool:
    word = fold(text)
    return word in TOTAL_WORDS or word.startswith(("sum ", "totalt ", "total "))


# --- The preview --------------------------------------------------------------------------


@dataclass
class Change:
    status_id: int
    version: int
    unit: str
    period: str
    indicator: str
    before: Decimal | None
    after: Decimal


@dataclass
class Unmatched:
    name: str
    lines: list[int]
    suggestions: list[OrgUnit]


@dataclass
class Problem:
    line: int
    message: str


@dataclass
class Preview:
    changes: list[Change] = field(default_factory=list)
    unchanged: int = 0
    unmatched: list[Unmatched] = field(default_factory=list)
    outside: list[Problem] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    totals_skipped: int = 0
    rows: int = 0
    # Indicators with values for a unit that does not answer for the measure.
    no_row: set[str] = field(default_factory=set)
    # The file's values: (unit id, indicator id, day) → value.
    days: dict = field(default_factory=dict)

    @property
    def versions(self) -> dict[str, int]:
        return {str(change.status_id): change.version for change in self.changes}


def _indicators(mapping: ImportMapping) -> dict[str, Indicator]:
    ids = {int(pk) for pk in mapping.columns.values()}
    indicators = Indicator.objects.filter(
        pk__in=ids, measure__goal__plan_id=mapping.plan_id
    ).select_related("measure")
    by_id = {i.pk: i for i in indicators}
    return {column: by_id[int(pk)] for column, pk in mapping.columns.items() if int(pk) in by_id}


def _period_of(day: date, periods: list[ReportingPeriod]) -> ReportingPeriod | None:
    return next((p for p in periods if p.starts_on <= day <= p.ends_on), None)


def _columns(table: Table, mapping: ImportMapping) -> tuple[int, int, dict[int, Indicator]]:
    unit_i = column_index(table, mapping.unit_column)
    period_i = column_index(table, mapping.period_column)
    indicators = {
        column_index(table, column): indicator
        for column, indicator in _indicators(mapping).items()
        if column_index(table, column) is not None
    }
    if unit_i is None or period_i is None or not indicators:
        raise ValidationError(
            _("The file does not have the columns the mapping “%(name)s” reads.")
            % {"name": mapping.name}
        )
    return unit_i, period_i, indicators


def _gather(table, mapping, plan, preview):
    """Values per (unit, period, indicator), from every row that can be read."""
    unit_i, period_i, indicators = _columns(table, mapping)
    periods = list(plan.periods.all())
    matcher = UnitMatcher(plan=plan, mapping=mapping)
    sums: dict[tuple, list[Decimal]] = defaultdict(list)
    unmatched: dict[str, list[int]] = {}
    for line, cells in table.rows:
        unit_text = cells[unit_i].strip()
        if is_total(unit_text) or (not unit_text and is_total(cells[period_i])):
            preview.totals_skipped += 1
            continue
        preview.rows += 1
        day = parse_period(cells[period_i])
        if day is None:
            preview.problems.append(
                Problem(
                    line, _("“%(text)s” is not a month or a date.") % {"text": cells[period_i][:40]}
                )
            )
            continue
        if not plan.first_year <= day.year <= plan.last_year:
            preview.outside.append(
                Problem(line, _("%(day)s is outside the plan's years.") % {"day": day.isoformat()})
            )
            continue
        period = _period_of(day, periods)
        if period is None:
            preview.outside.append(
                Problem(
                    line, _("No reporting period is open for %(day)s.") % {"day": day.isoformat()}
                )
            )
            continue
        unit = matcher.match(unit_text)
        if unit is None:
            unmatched.setdefault(unit_text, []).append(line)
            continue
        for column, indicator in indicators.items():
            try:
                value = parse_number(cells[column])
            except ValueError:
                preview.problems.append(
                    Problem(
                        line,
                        _("“%(text)s” in “%(column)s” is not a number.")
                        % {"text": cells[column][:40], "column": table.headers[column]},
                    )
                )
                continue
            if value is not None:
                sums[(unit.pk, indicator.pk, day)].append(value)
    preview.unmatched = [
        Unmatched(name, lines, matcher.suggestions(name)) for name, lines in unmatched.items()
    ]
    return sums, {i.pk: i for i in indicators.values()}


def _combined(indicator: Indicator, values: list[Decimal]) -> Decimal:
    total = sum(values, Decimal(0))
    if indicator.kind == Indicator.Kind.PERCENTAGE:
        total = total / len(values)
    return total.quantize(TWO)


def _day_values(sums, indicators) -> dict[tuple, Decimal]:
    """One value per unit, indicator and day of the file: rows of the same day added up
    (counts) or averaged (shares)."""
    return {
        key: _combined(indicators[key[1]], values).quantize(Decimal("0.0001"))
        for key, values in sums.items()
    }


def _merged(days: dict[tuple, Decimal], periods: list[ReportingPeriod]) -> dict[tuple, list]:
    """The file's days with the days stored before, grouped by unit, period and indicator."""
    touched = {
        (unit_id, indicator_id, _period_of(day, periods).pk) for unit_id, indicator_id, day in days
    }
    period_by_id = {p.pk: p for p in periods}
    start = min(period_by_id[key[2]].starts_on for key in touched)
    end = max(period_by_id[key[2]].ends_on for key in touched)
    stored = ImportedValue.objects.filter(
        indicator_id__in={key[1] for key in touched},
        org_unit_id__in={key[0] for key in touched},
        day__range=(start, end),
    ).values_list("org_unit_id", "indicator_id", "day", "value")
    all_days = {(u, i, d): v for u, i, d, v in stored}
    all_days.update(days)
    wanted = {(u, p, i) for u, i, p in touched}
    grouped: dict[tuple, list] = defaultdict(list)
    for (unit_id, indicator_id, day), value in all_days.items():
        period = _period_of(day, periods)
        key = (unit_id, period.pk if period else None, indicator_id)
        if key in wanted:
            grouped[key].append(value)
    return grouped


def import_preview(*, mapping: ImportMapping, data: bytes, file_name: str) -> Preview:
    """What importing the file would change, and every row it could not take."""
    plan = mapping.plan
    table = read_table(
        data=data, file_name=file_name, expect=[mapping.unit_column, mapping.period_column]
    )
    preview = Preview()
    sums, indicators = _gather(table, mapping, plan, preview)
    preview.days = _day_values(sums, indicators)
    if not sums:
        return preview
    periods = list(plan.periods.all())
    grouped = _merged(preview.days, periods)
    rows = MeasureStatus.objects.filter(
        period_id__in={key[1] for key in grouped},
        org_unit_id__in={key[0] for key in grouped},
        measure_id__in={i.measure_id for i in indicators.values()},
    ).select_related("period", "org_unit")
    by_key = {(r.org_unit_id, r.period_id, r.measure_id): r for r in rows}
    for (unit_id, period_id, indicator_id), values in sorted(grouped.items()):
        indicator = indicators[indicator_id]
        row = by_key.get((unit_id, period_id, indicator.measure_id))
        if row is None:
            preview.no_row.add(indicator.name)
            continue
        after = _combined(indicator, values)
        if row.value_number is not None and row.value_number == after:
            preview.unchanged += 1
            continue
        preview.changes.append(
            Change(
                row.pk,
                row.version,
                row.org_unit.name,
                row.period.label,
                indicator.name,
                row.value_number,
                after,
            )
        )
    preview.changes.sort(key=lambda c: (c.unit, c.period, c.indicator))
    return preview


def _rows_write(rows: list[MeasureStatus], *, now, user) -> None:
    """One parameterised UPDATE per row, sent as one batch. Measured on 3 600 rows: the
    ORM's bulk_update builds a CASE expression per row and field and took 85 s; this
    takes well under a second (bench/bench_sources.py)."""
    ops = connection.ops
    table = connection.ops.quote_name(MeasureStatus._meta.db_table)
    stamp = ops.adapt_datetimefield_value(now)
    user_id = user.pk if user is not None else None
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET value_number = %s, version = %s, updated_at = %s, "  # noqa: S608
            "updated_by_id = %s WHERE id = %s",
            [
                (
                    ops.adapt_decimalfield_value(row.value_number, 12, 2),
                    row.version,
                    stamp,
                    user_id,
                    row.pk,
                )
                for row in rows
            ],
        )


def _days_store(days: dict[tuple, Decimal], upload: IndicatorImport) -> None:
    ImportedValue.objects.bulk_create(
        [
            ImportedValue(indicator_id=i, org_unit_id=u, day=d, value=v, source=upload)
            for (u, i, d), v in days.items()
        ],
        update_conflicts=True,
        unique_fields=["indicator", "org_unit", "day"],
        update_fields=["value", "source"],
        batch_size=2000,
    )


# --- Uploads and confirmation -------------------------------------------------------------


def import_upload(
    *, plan: QualityPlan, mapping: ImportMapping | None, data: bytes, file_name: str, user
) -> IndicatorImport:
    name = file_name[-255:]
    no_national_identity_number(name)
    return IndicatorImport.objects.create(
        plan=plan,
        mapping=mapping,
        token=secrets.token_urlsafe(24),
        file_name=name,
        content=data,
        sha256=hashlib.sha256(data).hexdigest(),
        created_by=user,
    )


@transaction.atomic
def import_apply(*, upload: IndicatorImport, user, versions: dict[str, int] | None = None) -> int:
    """Write the upload's values, all or nothing. Returns how many values changed.

    `versions` are the row versions the preview showed: a row changed since then is a
    conflict, and nothing is written. A second confirmation of the same upload is harmless.
    """
    claimed = IndicatorImport.objects.filter(
        pk=upload.pk, status=IndicatorImport.Status.PREVIEW
    ).update(status=IndicatorImport.Status.APPLIED, applied_at=timezone.now())
    if not claimed:
        return 0
    preview = import_preview(
        mapping=upload.mapping, data=bytes(upload.content), file_name=upload.file_name
    )
    changes = {c.status_id: c for c in preview.changes}
    rows = list(MeasureStatus.objects.select_for_update().filter(pk__in=changes))
    for row in rows:
        seen = (versions or {}).get(str(row.pk))
        if versions is not None and seen != row.version:
            raise ValidationError(
                _(
                    "Some values were changed by someone else after you read the file. Upload the "
                    "file again to see the changes as they are now."
                )
            )
    now = timezone.now()
    for row in rows:
        row.value_number = changes[row.pk].after
        row.version += 1
        row.updated_at, row.updated_by = now, user
    reason = (_("Imported: %(name)s") % {"name": upload.mapping.name})[:100]
    _rows_write(rows, now=now, user=user)
    MeasureStatus.history.bulk_history_create(
        rows, batch_size=1000, default_user=user, default_change_reason=reason
    )
    _days_store(preview.days, upload)
    IndicatorImport.objects.filter(pk=upload.pk).update(changed=len(rows))
    return len(rows)


@transaction.atomic
def aliases_confirm(*, mapping: ImportMapping, choices: dict[str, OrgUnit]) -> int:
    """Remember the unit names the office matched, for this report's next files."""
    for name, unit in choices.items():
        alias = UnitAlias.objects.filter(mapping=mapping, name_in_file=name[:200]).first()
        alias = alias or UnitAlias(mapping=mapping, name_in_file=name[:200])
        alias.org_unit = unit
        alias.full_clean()
        alias.save()
    return len(choices)


@transaction.atomic
def mapping_save(*, mapping: ImportMapping, user) -> ImportMapping:
    """Save a mapping; the indicators it feeds become imported ones."""
    if mapping.created_by_id is None:
        mapping.created_by = user
    mapping.full_clean()
    mapping.save()
    indicators = Indicator.objects.filter(
        pk__in=[int(pk) for pk in mapping.columns.values()], measure__goal__plan=mapping.plan
    )
    indicators.exclude(source=Indicator.Source.IMPORTED).update(source=Indicator.Source.IMPORTED)
    return mapping


def importable_indicators(*, plan: QualityPlan) -> list[Indicator]:
    """The first indicator of each measure (the one a status row's value belongs to), if it
    is a count or a percentage."""
    first = {}
    for indicator in (
        Indicator.objects.filter(measure__goal__plan=plan)
        .select_related("measure__goal")
        .order_by("measure__goal__position", "measure__position", "id")
    ):
        first.setdefault(indicator.measure_id, indicator)
    return [i for i in first.values() if i.kind in IMPORTABLE_KINDS]
