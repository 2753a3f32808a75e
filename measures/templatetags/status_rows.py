"""`{% row_labels as L %}`: the status row's fixed words, translated once.

The row template (`measures/_status_row.html`) writes eleven fixed words per row
("Status", "Save", …). Measured with `bench/bench_status.py` on PostgreSQL (85 rows,
20 runs, versions alternated on a busy machine), the page's median CPU time was
163 ms with this tag and 199–218 ms with `{% translate %}` for those words: about
45 ms, a fifth of the page. It is the status page's one speed trick; the row's links
are plain `{% url %}` (dropping the former reverse-a-placeholder trick changed the
CPU time by less than the noise: 170–191 ms with it, 163 ms without).
"""

from functools import lru_cache

from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext as _

register = template.Library()


@lru_cache(maxsize=16)
def _labels(language: str) -> dict[str, str]:
    # Called with the language active, so the words are in `language`.
    return {
        "indicator": _("Indicator"),
        "reported": _("Reported"),
        "not_reported": _("Not reported"),
        "status": _("Status"),
        "progress": _("Progress (%)"),
        "value": _("Indicator value"),
        "comment": _("Comment"),
        "save": _("Save"),
        "copy": _("Copy last period"),
        "history": _("History"),
        "counted": _("counted automatically"),
        "imported": _("imported from a file"),
        "statistics": _("from national statistics"),
        "correct": _("Correct"),
    }


@register.simple_tag
def row_labels() -> dict[str, str]:
    """The row's words in the active language."""
    return _labels(get_language() or "")
