"""How figures are written, in the active language, everywhere a person reads them:
the dashboards, their tables, the charts, the annual PDF and the status history
(templates load the filters as `{% load figure_format %}`).

One rule for percentages: at most one decimal, a trailing ",0" dropped, a no-break
space before the sign ("66,7 %", "100 %", never "66,70 %" beside "100,0 %"). Other
numbers: up to two decimals without trailing zeros, unless a column fixes them.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils import formats

PERCENT_SIGN = "\xa0%"


def format_number(value, decimals: int | None = None) -> str:
    """A number in the active language; without `decimals`, up to two, no trailing zeros."""
    if value is None:
        return "–"
    if decimals is None:
        value = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        text = format(value, "f")
        decimals = len(text.split(".")[1].rstrip("0")) if "." in text else 0
    return formats.number_format(value, decimals, use_l10n=True, force_grouping=True)


def format_percent(value) -> str:
    """A share in per cent (0–100): at most one decimal, "–" when there is none."""
    if value is None or value == "":
        return "–"
    rounded = Decimal(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    decimals = 0 if rounded == rounded.to_integral_value() else 1
    number = formats.number_format(rounded, decimals, use_l10n=True, force_grouping=True)
    return number + PERCENT_SIGN


def format_measured(value, suffix: str = "") -> str:
    """An indicator's value (or target) with its unit: a percentage by the percent rule,
    any other number with up to two decimals."""
    if value is None or value == "":
        return "–"
    if suffix == "%":
        return format_percent(value)
    return format_number(value) + (f"\xa0{suffix}" if suffix else "")
