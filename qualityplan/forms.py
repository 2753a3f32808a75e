from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Goal, QualityPlan, SubGoal
from .selectors import unit_paths


class DesignsystemetFormMixin:
    """Gives widgets Designsystemet's classes and ties errors to their field for screen readers."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
                widget.attrs.setdefault("class", "ds-input")
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                widget.attrs.setdefault("class", "ds-input ds-select")
            else:
                widget.attrs.setdefault("class", "ds-input")

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                described = [f"{self[name].auto_id}_error"]
                if self.fields[name].help_text:
                    described.append(f"{self[name].auto_id}_helptext")
                self.fields[name].widget.attrs["aria-describedby"] = " ".join(described)


def show_unit_paths(field: forms.ModelChoiceField) -> None:
    """Label the units of a select by their path and sort them so: two units may share
    a name ("Avdeling 1. etasje" in two areas), their paths differ."""
    paths = unit_paths()
    field.label_from_instance = lambda unit: paths.get(unit.pk, unit.name)
    units = sorted(field.queryset, key=lambda unit: paths.get(unit.pk, unit.name).lower())
    blank = [] if field.required and field.empty_label is None else [("", field.empty_label)]
    field.choices = blank + [(unit.pk, paths.get(unit.pk, unit.name)) for unit in units]


class PlanForm(DesignsystemetFormMixin, forms.ModelForm):
    class Meta:
        model = QualityPlan
        fields = ["title", "owner", "first_year", "last_year", "frequency", "status"]

    def __init__(self, *args, owner_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        if owner_choices is not None:
            self.fields["owner"].queryset = owner_choices
        self.fields["owner"].empty_label = None
        show_unit_paths(self.fields["owner"])
        self.fields["first_year"].widget.attrs.update(inputmode="numeric", autocomplete="off")
        self.fields["last_year"].widget.attrs.update(inputmode="numeric", autocomplete="off")


class GoalForm(DesignsystemetFormMixin, forms.ModelForm):
    class Meta:
        model = Goal
        fields = ["title"]
        widgets = {"title": forms.Textarea(attrs={"rows": 3})}


class SubGoalForm(DesignsystemetFormMixin, forms.ModelForm):
    class Meta:
        model = SubGoal
        fields = ["title"]
        widgets = {"title": forms.Textarea(attrs={"rows": 3})}


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", _("Up")), ("down", _("Down"))])
