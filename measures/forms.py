from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from qualityplan.fields import free_text_form_field
from qualityplan.forms import DesignsystemetFormMixin
from qualityplan.models import Role
from qualityplan.validators import no_national_identity_number

from . import widgets
from .models import Indicator, Measure, MeasureStatus


class MeasureForm(DesignsystemetFormMixin, forms.ModelForm):
    """A measure with its years, responsible roles and its (first) indicator with targets."""

    years = forms.TypedMultipleChoiceField(
        label=_("Years it runs"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    indicator_name = free_text_form_field(
        Indicator._meta.get_field("name"),
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


COUNTED_SOURCES = {
    Indicator.Source.DEVIATIONS_REPORTED,
    Indicator.Source.DEVIATIONS_CLOSED,
    Indicator.Source.MEETINGS_HELD,
    # Filled from the survey's answers (surveys.indicators): counted by the app as well.
    Indicator.Source.SURVEY,
}
# Values that come from a file or from national statistics: never typed over on the
# status page or in a status sheet; a change is a correction with a reason.
OUTSIDE_SOURCES = {Indicator.Source.IMPORTED, Indicator.Source.STATISTICS}
READ_ONLY_VALUE_SOURCES = COUNTED_SOURCES | OUTSIDE_SOURCES


def _value_field(indicator: Indicator | None) -> forms.Field | None:
    """The input for an indicator value, fitting the indicator's kind."""
    if indicator is None:
        return None
    label = _("Value: %(indicator)s") % {"indicator": indicator.name}
    if indicator.kind == Indicator.Kind.COUNT:
        return forms.IntegerField(
            label=label,
            required=False,
            min_value=0,
            max_value=10_000_000,
            error_messages={
                "invalid": _("Write the count as a whole number, for example 12."),
                "min_value": _("A count cannot be negative."),
                "max_value": _("That count is too large."),
            },
            widget=widgets.NumberInput(attrs={"inputmode": "numeric"}),
        )
    if indicator.kind == Indicator.Kind.PERCENTAGE:
        return forms.DecimalField(
            label=label,
            required=False,
            min_value=0,
            max_value=100,
            decimal_places=2,
            localize=True,
            error_messages={
                "invalid": _("Write the percentage as a number from 0 to 100."),
                "min_value": _("A percentage must be between 0 and 100."),
                "max_value": _("A percentage must be between 0 and 100."),
                "max_decimal_places": _("Use at most two decimals."),
            },
            widget=widgets.TextInput(attrs={"inputmode": "decimal"}),
        )
    if indicator.kind == Indicator.Kind.YES_NO:
        return forms.TypedChoiceField(
            label=label,
            required=False,
            choices=[("", _("Not answered")), ("yes", _("Yes")), ("no", _("No"))],
            coerce=lambda value: {"yes": True, "no": False}.get(value),
            empty_value=None,
            widget=widgets.Select,
        )
    return free_text_form_field(
        MeasureStatus._meta.get_field("value_text"),
        label=label,
        required=False,
        widget=widgets.TextInput,
    )


class StatusRowForm(DesignsystemetFormMixin, forms.Form):
    """One row of the status page. Its prefix is the row's id, so a page holds many."""

    # Widgets drawn in Python: a page holds hundreds of them (see widgets.py).
    version = forms.IntegerField(widget=widgets.HiddenInput)
    status = forms.ChoiceField(
        label=_("Status"), choices=MeasureStatus.Status.choices, widget=widgets.Select
    )
    progress = forms.IntegerField(
        label=_("Progress (%)"),
        required=False,
        min_value=0,
        max_value=100,
        error_messages={
            "invalid": _("Write progress as a whole number from 0 to 100."),
            "min_value": _("Progress must be between 0 and 100."),
            "max_value": _("Progress must be between 0 and 100."),
        },
        widget=widgets.NumberInput(attrs={"inputmode": "numeric"}),
    )
    comment = free_text_form_field(
        MeasureStatus._meta.get_field("comment"),
        label=_("Comment"),
        required=False,
        widget=widgets.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, row: MeasureStatus, **kwargs):
        kwargs.setdefault("prefix", f"s{row.pk}")
        kwargs.setdefault("initial", _row_initial(row))
        super().__init__(*args, **kwargs)
        self.row = row
        self.indicator = next(iter(row.measure.indicators.all()), None)
        source = self.indicator.source if self.indicator else None
        self.value_is_counted = source in COUNTED_SOURCES
        self.value_is_outside = source in OUTSIDE_SOURCES
        value = _value_field(self.indicator)
        if value is not None and source not in READ_ONLY_VALUE_SOURCES:
            value.widget.attrs.setdefault("class", "ds-input")
            self.fields["value"] = value

    def changes(self) -> dict:
        data = self.cleaned_data
        changes = {
            "status": data["status"],
            "progress": data["progress"],
            "comment": data["comment"],
        }
        if "value" in self.fields:
            changes.update(_value_changes(self.indicator, data.get("value")))
        return changes


def _row_initial(row: MeasureStatus) -> dict:
    indicator = next(iter(row.measure.indicators.all()), None)
    value = None
    if indicator is not None:
        number = row.value_number
        if number is not None and indicator.kind == Indicator.Kind.COUNT:
            number = int(number)
        elif number is not None:
            number = number.normalize()
        value = {
            Indicator.Kind.YES_NO: {True: "yes", False: "no"}.get(row.value_bool, ""),
            Indicator.Kind.MILESTONE: row.value_text,
        }.get(indicator.kind, number)
    return {
        "version": row.version,
        "status": row.status,
        "progress": row.progress,
        "comment": row.comment,
        "value": value,
    }


def _value_changes(indicator: Indicator, value) -> dict:
    if indicator.kind == Indicator.Kind.YES_NO:
        return {"value_bool": value}
    if indicator.kind == Indicator.Kind.MILESTONE:
        return {"value_text": (value or "").strip()}
    return {"value_number": Decimal(value) if value is not None else None}


class PeriodOpenForm(DesignsystemetFormMixin, forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int)
    number = forms.TypedChoiceField(label=_("Period"), coerce=int)
    deadline = forms.DateField(
        label=_("Deadline"),
        required=False,
        help_text=_("Leave empty for two weeks after the period ends."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, plan, periods_per_year: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in plan.years]
        self.fields["number"].choices = [(n, str(n)) for n in range(1, periods_per_year + 1)]


class DeadlineForm(DesignsystemetFormMixin, forms.Form):
    deadline = forms.DateField(
        label=_("Deadline"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class StatusCorrectionForm(DesignsystemetFormMixin, forms.Form):
    """A correction of an imported or statistical value: a new value and why."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Why is the value corrected?"),
        max_length=100,
        help_text=_("Kept in the row's history with your name and the time."),
        validators=[no_national_identity_number],
    )

    def __init__(self, *args, row: MeasureStatus, **kwargs):
        kwargs.setdefault("initial", _row_initial(row))
        super().__init__(*args, **kwargs)
        self.indicator = next(iter(row.measure.indicators.all()), None)
        value = _value_field(self.indicator)
        if value is not None:
            value.label = _("Corrected value")
            value.widget.attrs.setdefault("class", "ds-input")
            self.fields["value"] = value
            self.order_fields(["value", "reason", "version"])

    def changes(self) -> dict:
        if "value" not in self.fields:
            return {}
        return _value_changes(self.indicator, self.cleaned_data.get("value"))
