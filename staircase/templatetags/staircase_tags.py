"""The heat map's body, written in Python: at 300 units × 11 areas the same cells drawn
with template tags cost about four times as long (bench/bench_staircase.py)."""

from django import template
from django.utils.formats import date_format
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

register = template.Library()


def _cell(cell, external: str) -> str:
    """One cell. Its parts are numbers and the escaped label, so plain strings will do."""
    shown = "" if cell.shown is None else cell.shown
    css = ' class="stair-heat__differs"' if cell.differs else ""
    if cell.own is None and cell.review is None:
        text = "–"
    else:
        text = "–" if cell.own is None else str(cell.own)
        if cell.review is not None:
            text += (
                f'<span class="stair-ext"><span class="ds-sr-only">{external} </span>'
                f"E{cell.review}</span>"
            )
    return f'<td data-step="{shown}"{css}>{text}</td>'


@register.simple_tag
def heat_rows(overview) -> SafeString:
    labels = {
        "approved": _("Approved"),
        "submitted": _("Submitted"),
        "draft": _("Draft"),
        None: _("Not started"),
    }
    external, span = escape(_("external review")), len(overview.areas) + 3
    parts, parent = [], object()
    for row in overview.rows:
        if row.unit.parent_id != parent:
            parent = row.unit.parent_id
            name = row.unit.parent.name if row.unit.parent else ""
            parts.append(
                format_html(
                    '<tr><th scope="rowgroup" colspan="{}" class="stair-heat__group">{}</th></tr>',
                    span,
                    name,
                )
            )
        cells = mark_safe("".join(_cell(cell, external) for cell in row.cells))  # noqa: S308
        valid = (
            date_format(row.certificate.valid_until, "SHORT_DATE_FORMAT")
            if row.certificate
            else "–"
        )
        parts.append(
            format_html(
                '<tr><th scope="row">{}</th>{}<td>{}</td><td>{}</td></tr>',
                row.unit.name,
                cells,
                labels.get(row.status, labels[None]),
                valid,
            )
        )
    return mark_safe("\n".join(parts))  # noqa: S308 -- every part built by format_html
