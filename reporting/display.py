"""How the dashboards draw statuses and lights in HTML: Designsystemet's colour of each
light's tag, the small status bar of a table cell, and a row of matrix cells (each
status's colour and sign come from app.css, keyed on `data-s`). Presentation only: the
selectors hand over keys and counts.

The status bar and the matrix row are built in Python rather than in a template: a page
has a hundred bars, and a department's matrix tens of thousands of cells, which the
template engine would take seconds over. Templates reach them through the
`dashboard_display` filters.
"""

from __future__ import annotations

from html import escape

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from qualityplan.formatting import format_number

from .lights import GREEN, GREY, RED, YELLOW
from .selectors.statuses import StatusItem

# Designsystemet's colour of the tag that names each light.
LIGHT_COLORS = {GREEN: "success", YELLOW: "warning", RED: "danger", GREY: "neutral"}


def whole_percentages(counts: list[int]) -> list[int]:
    """The counts' shares in whole percentages that add up to 100 (largest remainder);
    a count above nothing keeps at least 1."""
    total = sum(counts)
    if total <= 0:
        return [0 for _count in counts]
    exact = [count * 100 / total for count in counts]
    shares = [max(int(e), 1 if c else 0) for e, c in zip(exact, counts, strict=True)]
    by_remainder = sorted(range(len(counts)), key=lambda i: exact[i] - int(exact[i]), reverse=True)
    for index in by_remainder[: max(0, 100 - sum(shares))]:
        shares[index] += 1
    return shares


def status_strip(items: list[StatusItem]) -> SafeString:
    """A small bar of the statuses for a table cell (decorative: hidden from screen
    readers), and the same counts in words beside it. Drawn here rather than in the
    template, in f-strings rather than format_html: a page has a hundred of them, and
    on the first view after a save they were a sixth of the dashboard's time."""
    if not items:
        return format_html('<span class="muted">{}</span>', _("No rows"))
    # Whole percentages as data-grow (app.css turns each into a flex-grow): the
    # Content-Security-Policy refuses style attributes.
    shares = whole_percentages([item.count for item in items])
    bar = "".join(
        f'<span class="dash-strip__part" data-s="{escape(item.key)}" data-grow="{share}"></span>'
        for item, share in zip(items, shares, strict=True)
    )
    words = ", ".join(f"{format_number(item.count, 0)} {item.label_lower}" for item in items)
    return mark_safe(  # noqa: S308 -- the keys escaped above, the words here
        f'<span class="dash-strip" aria-hidden="true">{bar}</span>'
        f'<span class="dash-strip__text">{escape(words)}</span>'
    )


def matrix_cells(cells, *, pages: dict[int, str], labels: dict[str, str]) -> SafeString:
    """One row of the status matrix as table cells: a colour and a sign for the status
    (drawn by the stylesheet from `data-s`), the status's name as the link's text for
    screen readers and as a tooltip, and a link to the row on the status page. The name
    is the link's only text, so its accessible name is what it shows to those who read
    it, and the sign (CSS content with an empty alternative) is no text a contrast check
    has to guess at. Built here in one pass: a department's matrix has tens of thousands
    of cells, which the template engine would take seconds over.

    `pages`: the status page's address per period id; `labels`: status key → name.
    """
    named = {key: escape(label, quote=True) for key, label in labels.items()}
    parts = []
    for cell in cells:
        if cell.row_id is None:
            parts.append('<td class="mx" data-s=""></td>')
            continue
        href = f"{pages[cell.period_id]}?unit={cell.unit_id}#status-{cell.row_id}"
        label = named[cell.status]
        parts.append(
            f'<td class="mx" data-s="{cell.status}"><a href="{escape(href)}" title="{label}">'
            f'<span class="ds-sr-only">{label}</span></a></td>'
        )
    return mark_safe("".join(parts))  # noqa: S308 -- every value above is escaped
