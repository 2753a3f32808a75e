"""The annual report's table of contents: an entry links to its chapter, and WeasyPrint
looks up its page; in a report made in parts (`reporting.pdf_chunks`) the chapter is in
another file, so the page number is given instead (`toc_pages`: anchor → page, or one
placeholder for all while the contents are only measured)."""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag(takes_context=True)
def toc_entry(context, label, *anchor, title=""):
    """`label` (and `: title`) linked to the element whose id is `anchor` joined up."""
    anchor = "".join(str(part) for part in anchor)
    text = f"{label}: {title}" if title else label
    pages = context.get("toc_pages")
    if pages is None:
        return format_html('<a href="#{}">{}</a>', anchor, text)
    page = pages if isinstance(pages, str) else pages.get(anchor, "")
    return format_html('<span class="toc__fixed" data-page="{}">{}</span>', page, text)
