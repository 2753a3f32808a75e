"""The plan dashboard's figures (everything below its filters) in HTML, drawn by Jinja2.

They are drawn once per data stamp and choice and kept in the cache
(`dashboard_views.plan_dashboard`), so this is the cost of the first view after a
write, which on a deadline day is most views of the whole organisation's dashboard.
Measured on the bench municipality (300 units, 85 measures): the Django template took
27 ms of CPU; this one about a fifth of that (bench/bench_dashboards.py, "cache emptied
first"). The words are looked up here with gettext, once per language, under the
msgids the Django template had, so the translations stay as they are.
"""

from __future__ import annotations

from functools import lru_cache

from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from qualityplan.jinja2 import url_maker

from . import display


@lru_cache(maxsize=16)
def _words(language: str) -> dict[str, str]:
    # Called with the language active, so the words are in `language`.
    return {
        "figures_for": _("Figures for %(when)s."),
        "targets_whole": _(
            "Targets are set for the whole; a sum is held against them only for the whole, "
            "not for each area or unit."
        ),
        "no_period": _(
            "No reporting period has been opened for %(year)s yet, so there is nothing to add up."
        ),
        "no_rows": _("No unit here has status rows in this period."),
        "summary": _("Summary"),
        "units_reporting": _("Units reporting"),
        "rows_reported": _("Rows reported"),
        "of_total": _("of %(total)s"),
        "mean_progress": _("Mean progress"),
        "by_light": _("Measures by light"),
        "light_rule": _("How the traffic lights are set"),
        "under": _("Under %(unit)s"),
        "unit": _("Unit"),
        "reported": _("Reported"),
        "row_statuses": _("Status of the rows"),
        "own_rows": _("%(unit)s (its own rows)"),
        "status_per_goal": _("Status per goal"),
        "show_numbers": _("Show the numbers"),
        "sum_note": _("sum of the units"),
        "average_note": _("average of the units"),
        "yes_note": _("share answering yes"),
        "no_target": _("no target"),
        "met": _("Met"),
        "not_met": _("Not met"),
        "goals_and_measures": _("Goals and measures"),
        "goal": _("Goal %(number)s"),
        "goal_reported": _("%(reported)s of %(total)s rows reported"),
        "goal_progress": _("mean progress %(progress)s %%"),
        "goal_measures": _("Measures under goal %(number)s"),
        "measure": _("Measure"),
        "light": _("Light"),
        "value": _("Value"),
        "target": _("Target"),
        "target_met": _("Target met"),
        "year_added_up": _("every period of the year added up"),
        "no_measure_rows": _("No measure of this goal has status rows here in %(year)s."),
        "all_goals": _("All goals as a table"),
        "over_years": _("Goals over the years"),
        "over_years_note": _("Each year with each unit's latest report in that year."),
        "download": _("Download the table"),
        "nothing": _("Nothing to show."),
    }


def _querystring(request):
    """As Django's `{% querystring key=value %}`: the page's query with these changed."""

    def build(**changes) -> str:
        params = request.GET.copy()
        for key, value in changes.items():
            if value is None:
                params.pop(key, None)
            else:
                params[key] = value
        if not params and not request.GET:
            return ""
        return f"?{params.urlencode()}"

    return build


def figures_html(context: dict, *, request) -> SafeString:
    """The figures of `plan_dashboard`'s context, as HTML to keep and to show."""
    rollup = context["rollup"]
    missing = len(rollup.without_rows)
    template = get_template("reporting/dashboard_figures.html", using="jinja2")
    html = template.render(
        {
            **context,
            "W": _words(get_language() or ""),
            "querystring": _querystring(request),
            "light_colors": display.LIGHT_COLORS,
            "status_strip": display.status_strip,
            "measure_history_url": url_maker("measure_history"),
            "indicator_url": url_maker("dashboard_indicator"),
            "without_rows_summary": ngettext(
                "%(counter)s measure runs this year without status rows here",
                "%(counter)s measures run this year without status rows here",
                missing,
            )
            % {"counter": missing},
        },
        request,
    )
    return mark_safe(html)  # noqa: S308 -- Jinja2 escapes; see qualityplan.jinja2
