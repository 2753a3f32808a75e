"""Forms for the unit annual reports and the report jobs. They validate; services save."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from qualityplan.fields import free_text_form_field
from qualityplan.models import Goal, OrgUnit, QualityPlan

from .models import UnitAnnualReport, UnitAnnualReportEvent, UnitAnnualReportGoal

Assessment = UnitAnnualReportGoal.Assessment


def _textarea(rows: int = 5) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "class": "ds-input"})


class UnitReportForm(forms.Form):
    """The unit's report: for each goal an assessment and a text, then the general part.
    Everything may be left empty in a draft; submitting asks for all of it."""

    went_well = free_text_form_field(
        UnitAnnualReport._meta.get_field("went_well"),
        label=_("What went well"),
        required=False,
        widget=_textarea(6),
    )
    to_improve = free_text_form_field(
        UnitAnnualReport._meta.get_field("to_improve"),
        label=_("What to improve next year"),
        required=False,
        widget=_textarea(6),
    )

    def __init__(self, *args, goals: list[Goal], report: UnitAnnualReport | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.goals = goals
        written = {row.goal_id: row for row in report.goals.all()} if report else {}
        for goal in goals:
            row = written.get(goal.pk)
            self.fields[f"goal_{goal.pk}_assessment"] = forms.ChoiceField(
                label=_("How far was the goal achieved?"),
                choices=Assessment.choices,
                required=False,
                widget=forms.RadioSelect,
                initial=row.assessment if row else "",
            )
            self.fields[f"goal_{goal.pk}_text"] = free_text_form_field(
                UnitAnnualReportGoal._meta.get_field("text"),
                label=_("Assessment"),
                help_text=_("What the unit did, what it achieved, and why."),
                required=False,
                widget=_textarea(),
                initial=row.text if row else "",
            )
        if report is not None:
            self.fields["went_well"].initial = report.went_well
            self.fields["to_improve"].initial = report.to_improve

    def goal_fields(self) -> list[tuple[Goal, forms.BoundField, forms.BoundField]]:
        return [
            (goal, self[f"goal_{goal.pk}_assessment"], self[f"goal_{goal.pk}_text"])
            for goal in self.goals
        ]

    def goal_values(self) -> dict[int, tuple[str, str]]:
        data = self.cleaned_data
        return {
            goal.pk: (data[f"goal_{goal.pk}_assessment"], data[f"goal_{goal.pk}_text"].strip())
            for goal in self.goals
        }


class SendBackForm(forms.Form):
    comment = free_text_form_field(
        UnitAnnualReport._meta.get_field("return_comment"),
        label=_("What should the unit change?"),
        widget=_textarea(3),
        help_text=_("The unit leader sees this above the report."),
    )


class ApproveForm(forms.Form):
    comment = free_text_form_field(
        UnitAnnualReportEvent._meta.get_field("comment"),
        label=_("Comment"),
        required=False,
        widget=_textarea(2),
    )


def _select() -> forms.Select:
    return forms.Select(attrs={"class": "ds-input"})


class AnnualChoiceForm(forms.Form):
    """Which plan and year the overview shows; without a year, the plan's current one."""

    plan = forms.ModelChoiceField(
        label=_("Plan"), queryset=QualityPlan.objects.none(), widget=_select()
    )
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False, widget=_select())

    def __init__(self, *args, plans, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = plans
        years = sorted({year for plan in plans for year in plan.years}, reverse=True)
        self.fields["year"].choices = [(year, year) for year in years]

    def clean(self):
        data = super().clean()
        plan, year = data.get("plan"), data.get("year")
        if plan and year and not plan.first_year <= year <= plan.last_year:
            self.add_error(
                "year",
                _("The plan runs %(first)s–%(last)s.")
                % {"first": plan.first_year, "last": plan.last_year},
            )
        return data


class ReportRequestForm(AnnualChoiceForm):
    """Plan, year, scope and language of a PDF report."""

    scope = forms.ModelChoiceField(
        label=_("Scope"),
        queryset=OrgUnit.objects.none(),
        help_text=_("The whole department, one area or one unit."),
        widget=_select(),
    )
    language = forms.ChoiceField(
        label=_("Language of the report"), choices=settings.LANGUAGES, widget=_select()
    )

    field_order = ["plan", "year", "scope", "language"]

    def __init__(self, *args, plans, scopes_for, **kwargs):
        super().__init__(*args, plans=plans, **kwargs)
        self.fields["year"].required = True
        self.scopes_for = scopes_for
        scopes = {unit.pk: unit for plan in plans for unit in scopes_for(plan)}
        self.fields["scope"].queryset = OrgUnit.objects.filter(pk__in=scopes)
        self.fields["scope"].choices = [(unit.pk, _scope_label(unit)) for unit in scopes.values()]

    def clean(self):
        data = super().clean()
        plan, scope = data.get("plan"), data.get("scope")
        if plan and scope and scope not in self.scopes_for(plan):
            self.add_error("scope", _("Choose a unit of the plan's organisation."))
        return data


def _scope_label(unit: OrgUnit) -> str:
    if unit.kind == OrgUnit.Kind.UNIT and unit.parent_id:
        return f"{unit.parent.name} / {unit.name}"
    return f"{unit.name} ({unit.get_kind_display().lower()})"
