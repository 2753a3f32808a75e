from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from qualityplan.forms import DesignsystemetFormMixin
from qualityplan.models import Role

from .models import Indicator, Measure


class MeasureForm(DesignsystemetFormMixin, forms.ModelForm):
    """A measure with its years, responsible roles and its (first) indicator with targets."""

    years = forms.TypedMultipleChoiceField(
        label=_("Years it runs"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    indicator_name = forms.CharField(
        label=_("Indicator"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("How you will see that the measure works. Leave empty for none."),
    )
    indicator_kind = forms.ChoiceField(label=_("Kind of value"), choices=Indicator.Kind.choices)
    indicator_direction = forms.ChoiceField(
        label=_("Direction"), choices=Indicator.Direction.choices
    )
    indicator_aggregation = forms.ChoiceField(
        label=_("Adding up units"), choices=Indicator.Aggregation.choices
    )
    indicator_source = forms.ChoiceField(label=_("Source"), choices=Indicator.Source.choices)

    class Meta:
        model = Measure
        fields = [
            "title",
            "subgoal",
            "responsible_roles",
            "is_continuous",
            "start_date",
            "end_date",
            "is_active",
        ]
        widgets = {
            "title": forms.Textarea(attrs={"rows": 3}),
            "responsible_roles": forms.CheckboxSelectMultiple,
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, goal, indicator: Indicator | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.goal = goal
        plan_years = goal.plan.years
        self.fields["subgoal"].queryset = goal.subgoals.all()
        self.fields["subgoal"].empty_label = _("(directly under the goal)")
        self.fields["responsible_roles"].queryset = Role.objects.order_by("code")
        self.fields["years"].choices = [(year, str(year)) for year in plan_years]
        self.target_fields = []
        for year in plan_years:
            name = f"target_{year}"
            self.fields[name] = forms.DecimalField(
                label=_("Target %(year)s") % {"year": year},
                required=False,
                max_digits=12,
                decimal_places=2,
                localize=True,
            )
            self.target_fields.append(name)
        self._initial_from(indicator)
        # The mixin styled the fields that existed before these were added.
        for name in ["years", *self.target_fields]:
            self.fields[name].widget.attrs.setdefault("class", "ds-input")

    def _initial_from(self, indicator: Indicator | None) -> None:
        if self.instance.pk:
            self.initial["years"] = [y.year for y in self.instance.years.all()]
        else:
            self.initial["years"] = self.goal.plan.years
            self.initial["is_continuous"] = True
        if indicator is None:
            return
        self.initial.update(
            indicator_name=indicator.name,
            indicator_kind=indicator.kind,
            indicator_direction=indicator.direction,
            indicator_aggregation=indicator.aggregation,
            indicator_source=indicator.source,
        )
        for target in indicator.targets.all():
            self.initial[f"target_{target.year}"] = target.value

    def clean(self):
        cleaned = super().clean()
        source, kind = cleaned.get("indicator_source"), cleaned.get("indicator_kind")
        counted = {
            Indicator.Source.DEVIATIONS_REPORTED,
            Indicator.Source.DEVIATIONS_CLOSED,
            Indicator.Source.MEETINGS_HELD,
        }
        if source in counted and kind != Indicator.Kind.COUNT:
            self.add_error(
                "indicator_kind",
                _("An indicator counted from deviations or meetings must be a count."),
            )
        if cleaned.get("indicator_kind") == Indicator.Kind.PERCENTAGE:
            for name in self.target_fields:
                value = cleaned.get(name)
                if value is not None and not 0 <= value <= 100:
                    self.add_error(name, _("A percentage target must be between 0 and 100."))
        return cleaned

    def targets(self) -> dict[int, Decimal]:
        return {
            int(name.removeprefix("target_")): self.cleaned_data[name]
            for name in self.target_fields
            if self.cleaned_data.get(name) is not None
        }

    def indicator_fields(self) -> dict:
        return {
            "name": self.cleaned_data["indicator_name"].strip(),
            "kind": self.cleaned_data["indicator_kind"],
            "direction": self.cleaned_data["indicator_direction"],
            "aggregation": self.cleaned_data["indicator_aggregation"],
            "source": self.cleaned_data["indicator_source"],
        }
