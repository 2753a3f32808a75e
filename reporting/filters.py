"""The choices at the top of the dashboards: year, period, years to compare, goal, grouping.

Dashboards are links people share and bookmark, so a parameter that does not fit
(a year outside the plan, a period of another plan) falls back to its default
instead of failing the page. The unit to drill down to is checked by
`selectors.dashboard_scope`, which answers 404 for a unit the user may not read.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from measures.models import ReportingPeriod
from qualityplan.models import Goal, QualityPlan

from .selectors import BY_AREA, BY_CHOICES, BY_DEPARTMENT, BY_UNIT

SELECT = {"class": "ds-input"}


@dataclass
class DashboardParams:
    year: int
    period: ReportingPeriod | None
    since: int | None
    unit_id: int | None
    goal: Goal | None = None
    by: str = BY_DEPARTMENT

    @property
    def years(self) -> list[int]:
        """The years to compare, oldest first, ending with the chosen year."""
        return list(range(self.since or self.year, self.year + 1))


def default_year(*, plan: QualityPlan, periods: list[ReportingPeriod]) -> int:
    """The year of the plan's latest period, or this year kept inside the plan."""
    if periods:
        return max(period.year for period in periods)
    return min(max(timezone.localdate().year, plan.first_year), plan.last_year)


class DashboardForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False)
    period = forms.TypedChoiceField(label=_("Period"), coerce=int, required=False, empty_value=None)
    since = forms.TypedChoiceField(
        label=_("Compare with the years from"), coerce=int, required=False, empty_value=None
    )
    unit = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, data, *, plan: QualityPlan, periods: list[ReportingPeriod], **kwargs):
        super().__init__(data, **kwargs)
        self.plan, self.periods = plan, periods
        years = [(year, str(year)) for year in plan.years]
        self.fields["year"].choices = years
        self.fields["since"].choices = [("", _("Only the chosen year"))] + years
        by_year: dict[int, list] = {}
        for period in periods:
            by_year.setdefault(period.year, []).append((period.pk, period.label))
        self.fields["period"].choices = [("", _("Each unit's latest report in the year"))] + [
            (str(year), choices) for year, choices in sorted(by_year.items(), reverse=True)
        ]
        for name in ("year", "period", "since"):
            self.fields[name].widget.attrs.update(SELECT)

    def params(self) -> DashboardParams:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        period = next((p for p in self.periods if p.pk == data.get("period")), None)
        year = data.get("year") or default_year(plan=self.plan, periods=self.periods)
        if period is not None:
            year = period.year
        since = data.get("since")
        if since is not None and since >= year:
            since = None
        self._show(year=year, period=period.pk if period else "", since=since or "")
        return DashboardParams(year=year, period=period, since=since, unit_id=data.get("unit"))

    def _show(self, **values) -> None:
        """Let the form show what the page shows, defaults and corrections included."""
        shown = self.data.copy()
        for name, value in values.items():
            if name in self.fields:
                shown[name] = str(value)
        self.data = shown


class MatrixForm(DashboardForm):
    """The matrix of a goal or the whole plan. Without a choice, a large organisation
    starts with its first goal: the whole plan over hundreds of units is a big page."""

    WHOLE_PLAN = "all"

    goal = forms.ChoiceField(label=_("Goal"), required=False)

    def __init__(self, data, *, plan, periods, goals: list[Goal], **kwargs):
        super().__init__(data, plan=plan, periods=periods, **kwargs)
        del self.fields["since"]
        self.goals = goals
        self.fields["goal"].choices = [(self.WHOLE_PLAN, _("The whole plan"))] + [
            (str(goal.pk), f"{goal.position}. {goal.title}") for goal in goals
        ]
        self.fields["goal"].widget.attrs.update(SELECT)

    def params(self, *, many_units: bool = False) -> DashboardParams:
        params = super().params()
        wanted = self.cleaned_data.get("goal", "") if hasattr(self, "cleaned_data") else ""
        params.goal = next((goal for goal in self.goals if str(goal.pk) == wanted), None)
        if params.goal is None and wanted != self.WHOLE_PLAN and many_units and self.goals:
            params.goal = self.goals[0]
        self._show(goal=params.goal.pk if params.goal else self.WHOLE_PLAN)
        return params


class IndicatorForm(forms.Form):
    by = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[
            (BY_DEPARTMENT, _("The whole")),
            (BY_AREA, _("Per area")),
            (BY_UNIT, _("Per unit")),
        ],
    )
    unit = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, data, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["by"].widget.attrs.update(SELECT)

    def params(self, *, plan: QualityPlan) -> DashboardParams:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        by = data.get("by") if data.get("by") in BY_CHOICES else BY_DEPARTMENT
        return DashboardParams(
            year=plan.last_year,
            period=None,
            since=plan.first_year,
            unit_id=data.get("unit"),
            by=by,
        )


class DeviationForm(DashboardForm):
    """The deviations page: a year of the plan and its periods, no comparison."""

    def __init__(self, data, *, plan, periods, **kwargs):
        super().__init__(data, plan=plan, periods=periods, **kwargs)
        del self.fields["since"]
        del self.fields["period"]
