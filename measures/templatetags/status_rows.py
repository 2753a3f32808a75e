"""`{% status_value row indicator %}`: a status row's indicator value in words, as the
status page's rows write it (`measures.status_rows.value_html`)."""

from django import template

from measures.status_rows import value_html

register = template.Library()


@register.simple_tag
def status_value(status, indicator):
    return value_html(status, indicator)
