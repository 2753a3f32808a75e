"""The staircase chapter of the annual quality report (reporting's PDF calls it through
settings.REPORT_PDF_SECTION_HOOKS, so reporting does not import this app)."""

from __future__ import annotations

from datetime import date

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from reporting.hooks import HookPart

from . import overview as ov
from .models import Framework
from .permissions import StaircaseRights


def pdf_section(*, plan, year: int, unit_ids, **_context) -> HookPart | None:
    """Per framework used in `year` by the report's units: how many are certified, the
    mean step per area (self-assessed and reviewed), the spread and who has not submitted."""
    rights = StaircaseRights(read_unit_ids=frozenset(unit_ids))
    parts = []
    frameworks = Framework.objects.filter(versions__rounds__year=year).distinct().order_by("name")
    for framework in frameworks:
        result = ov.staircase_overview(
            rights=rights, framework=framework, year=year, today=date(year, 12, 31)
        )
        if result.year != year or not result.rows:
            continue
        parts.append(
            {
                "overview": result,
                "trend": ov.trend_table(result),
                "distribution": ov.distribution_chart(result),
            }
        )
    if not parts:
        return None
    # render_to_string returns safe HTML: the template engine escaped what it inserted.
    html = render_to_string("staircase/pdf_section.html", {"parts": parts, "year": year})
    return HookPart("staircase", _("The quality staircase"), html)
