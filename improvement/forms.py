"""Forms for improvement work. They validate input; the services save it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from deviations.models import Deviation
from measures.models import Indicator, Measure
from qualityplan.models import OrgUnit

from .models import DataPoint, DutyStatement, ImprovementProject, PdsaCycle, RegulationDuty

DATE = forms.DateInput(attrs={"type": "date", "class": "ds-input"}, format="%Y-%m-%d")


def _styled(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxSelectMultiple | forms.CheckboxInput):
            continue
        widget.attrs.setdefault("class", "ds-input")
        if isinstance(widget, forms.Textarea):
            widget.attrs["rows"] = 4


class ProjectForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    units = forms.ModelMultipleChoiceField(
        label=_("Units"), queryset=OrgUnit.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    ideas = forms.CharField(
        label=_("Change ideas"),
        required=False,
        max_length=4000,
        widget=forms.Textarea,
        help_text=_("One idea a line: what changes could lead to an improvement?"),
    )
    deviations = forms.ModelMultipleChoiceField(
        label=_("Deviations that prompted it"),
        queryset=Deviation.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    class Meta:
        model = ImprovementProject
        fields = [
            "title", "units", "status", "problem", "aim", "aim_value", "aim_date",
            "measure_name", "indicator", "higher_is_better", "team", "measure", "deviations",
            "started_on", "ended_on",
        ]  # fmt: skip
        widgets = {"aim_date": DATE, "started_on": DATE, "ended_on": DATE}

    def __init__(self, *args, units, deviations, measures, indicators, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = units
        self.fields["units"].label_from_instance = lambda unit: unit.name
        self.fields["deviations"].queryset = deviations
        self.fields["deviations"].label_from_instance = lambda d: f"{d.reference} – {d.category}"
        self.fields["measure"].queryset = measures
        self.fields["measure"].empty_label = _("No measure")
        self.fields["indicator"].queryset = indicators
        self.fields["indicator"].empty_label = _("No indicator: the project's own measure")
        if self.instance.pk:
            self.fields["ideas"].initial = "\n".join(
                idea.text for idea in self.instance.change_ideas.all()
            )
            self.fields["version"].initial = self.instance.version
        _styled(self)

    def idea_lines(self) -> list[str]:
        return self.cleaned_data["ideas"].splitlines()


class CycleForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = PdsaCycle
        fields = [
            "change_idea", "starts_on", "ends_on", "plan", "prediction", "do", "study", "act",
            "act_note",
        ]  # fmt: skip
        widgets = {"starts_on": DATE, "ends_on": DATE}

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["change_idea"].queryset = project.change_ideas.all()
        self.fields["change_idea"].empty_label = _("Not tied to one idea")
        self.fields["act"].choices = [("", _("Not decided yet")), *PdsaCycle.Decision.choices]
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        _styled(self)


class DataPointForm(forms.ModelForm):
    class Meta:
        model = DataPoint
        fields = ["measured_on", "value", "denominator", "cycle", "note"]
        widgets = {"measured_on": DATE}

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cycle"].queryset = project.cycles.all()
        self.fields["cycle"].empty_label = _("No cycle")
        _styled(self)

    def validate_unique(self):
        """A second value for a date replaces the first (the service does it)."""


class DutyStatementForm(forms.ModelForm):
    class Meta:
        model = DutyStatement
        fields = ["assessment", "how", "evidence", "projects"]
        widgets = {"projects": forms.CheckboxSelectMultiple}

    def __init__(self, *args, projects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["projects"].queryset = projects
        self.fields["projects"].required = False
        self.fields["assessment"].choices = [
            ("", _("Not assessed yet")),
            *DutyStatement.Assessment.choices,
        ]
        _styled(self)


class DutyForm(forms.ModelForm):
    class Meta:
        model = RegulationDuty
        fields = ["code", "title", "description", "position", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _styled(self)


class ReviewForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    held_on = forms.DateField(label=_("Held on"), required=False, widget=DATE)
    participants = forms.CharField(
        label=_("Participants"), required=False, max_length=1000, widget=forms.Textarea
    )
    summary = forms.CharField(
        label=_("What was reviewed and concluded"),
        required=False,
        max_length=4000,
        widget=forms.Textarea,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _styled(self)


class DecisionForm(forms.Form):
    text = forms.CharField(label=_("Decision"), max_length=1000, widget=forms.Textarea)
    responsible = forms.CharField(label=_("Responsible"), required=False, max_length=200)
    due_on = forms.DateField(label=_("Due"), required=False, widget=DATE)
    measure = forms.ModelChoiceField(
        label=_("Follow-up measure in the plan"), queryset=Measure.objects.none(), required=False
    )

    def __init__(self, *args, measures, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measure"].queryset = measures
        self.fields["measure"].empty_label = _("No measure")
        _styled(self)


class RunChartChoiceForm(forms.Form):
    indicator = forms.ModelChoiceField(
        label=_("Indicator"), queryset=Indicator.objects.none(), required=False
    )

    def __init__(self, *args, indicators, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = indicators
        self.fields["indicator"].empty_label = _("Deviations reported per month")
        _styled(self)
