from datetime import date, timedelta

from django import forms
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from qualityplan.fields import free_text_form_field
from qualityplan.forms import DesignsystemetFormMixin

from .models import (
    Deviation,
    DeviationCategory,
    DeviationEvent,
    QualityCouncilMeeting,
    RiskLevel,
)

_EVENT_NOTE = DeviationEvent._meta.get_field("note")

CONSEQUENCES = [
    (1, _("1 – Insignificant: no harm")),
    (2, _("2 – Minor: passing discomfort or small harm")),
    (3, _("3 – Moderate: harm that needs treatment")),
    (4, _("4 – Serious: lasting harm")),
    (5, _("5 – Critical: death or very serious lasting harm")),
]
PROBABILITIES = [
    (1, _("1 – Very unlikely: has not happened before")),
    (2, _("2 – Unlikely: happens a few times over years")),
    (3, _("3 – Possible: happens yearly")),
    (4, _("4 – Likely: happens monthly")),
    (5, _("5 – Very likely: happens weekly or more")),
]
NO_IDENTIFIERS = _(
    "No names or identity numbers: write “the resident”, “a next of kin”, “a colleague”."
)
DATE_INPUT = {"type": "date"}


class QuickSelect(forms.Select):
    """A select drawn in Python instead of one template per option. Unit lists run to
    hundreds of options, and Django's per-option templates cost more than the page's
    queries put together."""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = {**self.build_attrs(self.attrs, attrs), "name": name}
        chosen = set(self.format_value(value))
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (key, " selected" if str(key) in chosen else "", label)
                for key, label in self.choices
            ),
        )
        return format_html("<select{}>{}</select>", flatatt(attrs), options)


def _text(
    label, *, field=None, required: bool = True, rows: int = 3, help_text=""
) -> forms.CharField:
    """A text that lands in `field` of the model (a deviation's own text by default)."""
    return free_text_form_field(
        field or Deviation._meta.get_field("cause"),
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _date(label, *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(attrs=DATE_INPUT, format="%Y-%m-%d"),
    )


class DeviationReportForm(DesignsystemetFormMixin, forms.ModelForm):
    """Report a deviation from a phone in about a minute."""

    consequence = forms.TypedChoiceField(
        label=_("Consequence"), coerce=int, choices=CONSEQUENCES, widget=forms.RadioSelect
    )
    probability = forms.TypedChoiceField(
        label=_("Probability"), coerce=int, choices=PROBABILITIES, widget=forms.RadioSelect
    )

    class Meta:
        model = Deviation
        fields = [
            "org_unit",
            "occurred_at",
            "kind",
            "category",
            "description",
            "immediate_action",
            "consequence",
            "probability",
        ]
        labels = {
            "org_unit": _("Unit"),
            "occurred_at": _("When did it happen?"),
            "kind": _("What are you reporting?"),
            "category": _("Category"),
            "description": _("What happened?"),
            "immediate_action": _("What was done at once?"),
        }
        help_texts = {"description": NO_IDENTIFIERS}
        widgets = {
            "org_unit": QuickSelect,
            "occurred_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "kind": forms.RadioSelect,
            "description": forms.Textarea(attrs={"rows": 5}),
            "immediate_action": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, units, own_unit_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = units
        self.fields["org_unit"].empty_label = None if own_unit_id else _("Choose a unit")
        self.fields["category"].queryset = DeviationCategory.objects.filter(is_active=True)
        self.fields["category"].empty_label = _("Choose a category")
        self.fields["kind"].choices = Deviation.Kind.choices
        now = timezone.localtime().replace(second=0, microsecond=0)
        self.fields["occurred_at"].widget.attrs["max"] = now.strftime("%Y-%m-%dT%H:%M")
        if not self.is_bound:
            self.initial.setdefault("org_unit", own_unit_id)
            self.initial.setdefault("occurred_at", now)

    def risk_preview(self) -> tuple[int, RiskLevel, int, int] | None:
        """Risk, level, consequence and probability as chosen so far, for the page without JS."""
        try:
            consequence = int(self["consequence"].value())
            probability = int(self["probability"].value())
        except (TypeError, ValueError):
            return None
        if not (1 <= consequence <= 5 and 1 <= probability <= 5):
            return None
        risk = consequence * probability
        return risk, RiskLevel.of(risk), consequence, probability

    @staticmethod
    def risk_matrix() -> list[list[dict]]:
        """Rows from the most to the least likely, columns from the mildest consequence."""
        return [
            [
                {"consequence": c, "probability": p, "risk": c * p, "level": RiskLevel.of(c * p)}
                for c in range(1, 6)
            ]
            for p in range(5, 0, -1)
        ]


class StartTreatmentForm(DesignsystemetFormMixin, forms.Form):
    handler = forms.ModelChoiceField(label=_("Handler"), queryset=None, empty_label=None)
    due_date = _date(_("Due date"))
    note = _text(_("Note"), field=_EVENT_NOTE, required=False, rows=2)

    def __init__(self, *args, handlers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = handlers
        self.fields["handler"].label_from_instance = lambda u: u.get_full_name() or u.username
        self.fields["due_date"].widget.attrs["min"] = timezone.localdate().isoformat()


class CloseForm(DesignsystemetFormMixin, forms.Form):
    cause = _text(_("Cause"), help_text=_("Why did it happen?"))
    corrective_action = _text(
        _("Corrective action"), help_text=_("What has been done so that it does not happen again?")
    )
    closing_note = _text(_("Closing note"), required=False, rows=2)


class RejectForm(DesignsystemetFormMixin, forms.Form):
    rejection_reason = _text(
        _("Reason for rejecting"),
        rows=2,
        help_text=_("For example: not a deviation, or reported twice (give the other number)."),
    )


class ReopenForm(DesignsystemetFormMixin, forms.Form):
    note = _text(_("Why is it reopened?"), field=_EVENT_NOTE, rows=2)
    handler = forms.ModelChoiceField(label=_("Handler"), queryset=None, empty_label=None)
    due_date = _date(_("New due date"))

    def __init__(self, *args, handlers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = handlers
        self.fields["handler"].label_from_instance = lambda u: u.get_full_name() or u.username
        self.fields["due_date"].widget.attrs["min"] = timezone.localdate().isoformat()


class LinkMeasureForm(DesignsystemetFormMixin, forms.Form):
    measure = forms.ModelChoiceField(
        label=_("Improvement measure in the plan"), queryset=None, required=False
    )

    def __init__(self, *args, measures, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measure"].queryset = measures
        self.fields["measure"].empty_label = _("(no measure)")
        self.fields["measure"].label_from_instance = lambda m: Truncator(m.title).chars(90)


class ClassifyForm(DesignsystemetFormMixin, forms.Form):
    legal_class = forms.ChoiceField(
        label=_("Reporting regime"), choices=Deviation.LegalClass.choices, required=False
    )


class ReviewedDeviationsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, deviation: Deviation) -> str:
        text = Truncator(" ".join(deviation.description.split())).chars(70)
        return (
            f"{deviation.reference} · {deviation.category.name} · "
            f"{deviation.get_status_display()} – {text}"
        )


class MeetingForm(DesignsystemetFormMixin, forms.ModelForm):
    deviations = ReviewedDeviationsField(
        label=_("Deviations reviewed"),
        queryset=Deviation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The unit's open deviations and those closed in the last six months."),
    )

    class Meta:
        model = QualityCouncilMeeting
        fields = ["held_on", "attendees", "minutes", "deviations"]
        labels = {"held_on": _("Date of the meeting")}
        help_texts = {"attendees": _("Names or roles of those present, one per line.")}
        widgets = {
            "held_on": forms.DateInput(attrs=DATE_INPUT, format="%Y-%m-%d"),
            "attendees": forms.Textarea(attrs={"rows": 3}),
            "minutes": forms.Textarea(attrs={"rows": 8}),
        }

    def __init__(self, *args, reviewable, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deviations"].queryset = reviewable
        self.fields["held_on"].widget.attrs["max"] = timezone.localdate().isoformat()
        if not self.is_bound and not self.instance.pk:
            self.initial.setdefault("held_on", timezone.localdate())


class StatisticsForm(DesignsystemetFormMixin, forms.Form):
    start = _date(_("From"))
    end = _date(_("To"))
    unit = forms.ModelChoiceField(
        label=_("Unit"), queryset=None, required=False, widget=QuickSelect
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["unit"].empty_label = _("All units you can read")

    @staticmethod
    def default_period() -> dict[str, date]:
        today = timezone.localdate()
        return {"start": today.replace(month=1, day=1), "end": today}

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end cannot be before the start."))
        elif start and end and end - start > timedelta(days=366 * 10):
            self.add_error("end", _("Choose a period of at most ten years."))
        return data
