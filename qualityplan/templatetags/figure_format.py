"""Template filters that write figures by `qualityplan.formatting`'s one rule:
`{{ share|percent }}`, `{{ m.value|measured:m.value_suffix }}`, `{{ count|number }}`."""

from django import template

from qualityplan.formatting import PERCENT_SIGN, format_measured, format_number, format_percent

register = template.Library()


@register.filter
def percent(value) -> str:
    return format_percent(value)


@register.filter
def measured(value, suffix: str = "") -> str:
    return format_measured(value, suffix or "")


@register.filter
def number(value) -> str:
    return format_number(value)


@register.filter
def percent_number(value) -> str:
    """The number of `percent` without its sign, for sentences that write the sign."""
    return format_percent(value).removesuffix(PERCENT_SIGN)
