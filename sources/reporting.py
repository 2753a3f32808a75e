"""The parts sources adds to reporting's pages, through the settings hooks
REPORTING_INDICATOR_PANEL_HOOKS and REPORTING_PDF_SECTION_HOOKS."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from qualityplan.access import get_access
from reporting.charts import line_chart
from reporting.hooks import HookPart

from . import selectors
from .models import StatisticLink

SECTION_ANCHOR = "key-figures"


def comparison_chart(result: selectors.Comparison, *, chart_id: str, until: int | None = None):
    years = [y for y in result.years if until is None or y <= until]
    count = len(years)
    return line_chart(
        chart_id=chart_id,
        title=result.contents_label,
        x_labels=[str(y) for y in years],
        series=[(line.label, line.values[:count]) for line in result.lines],
        value_suffix=result.unit,
        series_label=_("Region"),
    )


def indicator_panel(*, indicator, request) -> HookPart | None:
    """Our value against the comparison group and the country, on the indicator dashboard."""
    link = StatisticLink.objects.filter(indicator=indicator).first()
    may_link = get_access(request.user).can_manage_plan(indicator.measure.goal.plan)
    if link is None and not may_link:
        return None
    context = {"indicator": indicator, "link": link, "may_link": may_link}
    if link is not None:
        result = selectors.comparison(link=link)
        context.update(
            result=result,
            chart=comparison_chart(result, chart_id=f"statistics-{link.pk}")
            if result.years
            else None,
        )
    title = _("Comparison with other municipalities")
    html = render_to_string("sources/_comparison_panel.html", context, request=request)
    return HookPart(anchor="comparison", title=title, html=html)


def pdf_section(*, plan, year: int, **_context) -> HookPart | None:
    """ "Tjenesteproduksjon og nøkkeltall": every linked indicator with source and year."""
    results = selectors.comparisons_of_plan(plan=plan)
    if not results:
        return None
    figures = []
    for result in results:
        years = [y for y in result.years if y <= year]
        if not years:
            continue
        figures.append(
            {
                "result": result,
                "chart": comparison_chart(result, chart_id=f"kf-{result.link.pk}", until=year),
                "year": max(
                    (
                        y
                        for y, v in zip(result.years, result.lines[0].values, strict=True)
                        if v is not None and y <= year
                    ),
                    default=None,
                ),
            }
        )
    title = _("Service production and key figures")
    html = render_to_string(
        "sources/pdf/_key_figures.html",
        {"figures": figures, "title": title, "anchor": SECTION_ANCHOR, "year": year},
    )
    return HookPart(anchor=SECTION_ANCHOR, title=title, html=html)
