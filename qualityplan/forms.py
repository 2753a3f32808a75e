from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Goal, QualityPlan, SubGoal


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


class PlanForm(DesignsystemetFormMixin, forms.ModelForm):
    class Meta:
        model = QualityPlan
        fields = ["title", "owner", "first_year", "last_year", "frequency", "status"]

    def __init__(self, *args, owner_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        if owner_choices is not None:
            self.fields["owner"].queryset = owner_choices
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
