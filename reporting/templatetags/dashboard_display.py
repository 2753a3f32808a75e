"""Filters for the dashboards' presentation (see `reporting.display`):
`{{ m.status_items|status_strip }}`, `{{ m.light|light_color }}`."""

from django import template

from reporting import display

register = template.Library()


@register.filter
def status_strip(items) -> str:
    return display.status_strip(items)


@register.filter
def light_color(light: str) -> str:
    return display.LIGHT_COLORS[light]
