"""The statuses' keys and names in the order the dashboards show them, and shares in per cent."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from measures.models import MeasureStatus

Status = MeasureStatus.Status
UNREPORTED = "unreported"
# The order of the status bars and the matrix legend: good news first, then trouble.
STATUS_ORDER = [
    Status.DONE,
    Status.ON_TRACK,
    Status.CONTINUOUS,
    Status.NOT_STARTED,
    Status.AT_RISK,
    Status.DELAYED,
    Status.CANCELLED,
]
STATUS_KEYS = [str(status.value) for status in STATUS_ORDER] + [UNREPORTED]
HUNDRED = Decimal(100)


def status_label(key: str) -> str:
    if key == UNREPORTED:
        return _("Not reported")
    return str(Status(key).label)


@dataclass
class StatusItem:
    key: str
    label: str
    count: int

    @property
    def label_lower(self) -> str:
        return self.label.lower()


_LABELS: dict[str, dict[str, str]] = {}


def _status_labels() -> dict[str, str]:
    """The status names in the active language, looked up once per language."""
    language = get_language() or ""
    if language not in _LABELS:
        _LABELS[language] = {key: status_label(key) for key in STATUS_KEYS}
    return _LABELS[language]


def status_items(counts: dict[str, int]) -> list[StatusItem]:
    """The statuses that occur, in STATUS_KEYS order, for a line of text or a bar."""
    labels = _status_labels()
    return [StatusItem(key, labels[key], counts[key]) for key in STATUS_KEYS if counts.get(key)]


def _quantize(value, places: str) -> Decimal | None:
    if value is None:
        return None
    return Decimal(value).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def share(part: int, whole: int) -> Decimal | None:
    """`part` of `whole` in per cent, one decimal; None when there is no whole."""
    if not whole:
        return None
    return _quantize(Decimal(part) * HUNDRED / Decimal(whole), "0.1")
