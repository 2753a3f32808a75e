from django import forms
from django.utils.translation import gettext_lazy as _

from qualityplan.forms import DesignsystemetFormMixin

from .jsonstat import normalise_region
from .models import ImportMapping, Provider, StatisticLink, StatisticTable

YEAR_CHOICES = [(y, str(y)) for y in range(2010, 2031)]


class TableForm(DesignsystemetFormMixin, forms.Form):
    provider = forms.ChoiceField(label=_("Source"), choices=Provider.choices)
    table = forms.CharField(
        label=_("Table or KPI"),
        max_length=40,
        help_text=_(
            "An SSB table number (for example 12209) or a Kolada KPI (for example N21704)."
        ),
    )

    def clean_table(self):
        return self.cleaned_data["table"].strip().upper()


class _TargetFields(forms.Form):
    first_year = forms.TypedChoiceField(label=_("From year"), choices=YEAR_CHOICES, coerce=int)
    target_relation = forms.ChoiceField(
        label=_("Target"), choices=StatisticLink.Relation.choices, required=False
    )


class SsbLinkForm(DesignsystemetFormMixin, _TargetFields):
    """The codes come from the table's own metadata: a code list per dimension."""

    def __init__(self, *args, table: StatisticTable, **kwargs):
        super().__init__(*args, **kwargs)
        self.table = table
        self.other_ids = []
        fields = {}
        for dimension in table.dimensions:
            choices = [(code, f"{label} ({code})") for code, label in dimension["codes"]]
            role = dimension.get("role")
            if role == "time":
                continue
            if role == "metric":
                fields["contents"] = forms.ChoiceField(label=_("Contents"), choices=choices)
            elif role == "geo":
                regions = [(normalise_region(code), text) for code, text in choices]
                fields["region"] = forms.ChoiceField(label=_("Our region"), choices=regions)
                fields["comparison_regions"] = forms.MultipleChoiceField(
                    label=_("Compare with"),
                    choices=regions,
                    required=False,
                    help_text=_("For example the KOSTRA group, the county and the country."),
                    widget=forms.CheckboxSelectMultiple,
                )
                fields["target_region"] = forms.ChoiceField(
                    label=_("Target compared with"), choices=[("", "–"), *regions], required=False
                )
            else:
                self.other_ids.append(dimension["id"])
                fields[f"dim_{dimension['id']}"] = forms.ChoiceField(
                    label=dimension["label"].capitalize(), choices=choices
                )
        order = [
            "contents",
            *[f"dim_{d}" for d in self.other_ids],
            "region",
            "comparison_regions",
            "first_year",
            "target_relation",
            "target_region",
        ]
        fields.update(self.fields)
        self.fields = {name: fields[name] for name in order if name in fields}
        for field in self.fields.values():
            if isinstance(field.widget, forms.CheckboxSelectMultiple):
                continue
            if isinstance(field.widget, forms.Select | forms.SelectMultiple):
                field.widget.attrs.setdefault("class", "ds-input ds-select")
            else:
                field.widget.attrs.setdefault("class", "ds-input")

    def link_fields(self) -> dict:
        data = self.cleaned_data
        regions = [
            code for code in data.get("comparison_regions", []) if code != data.get("region")
        ]
        return {
            "contents": data.get("contents", ""),
            "filters": {dim_id: data[f"dim_{dim_id}"] for dim_id in self.other_ids},
            "region": data.get("region", ""),
            "comparison_regions": regions,
            "first_year": data["first_year"],
            "target_relation": data["target_relation"],
            "target_region": data.get("target_region", ""),
        }


class KoladaLinkForm(DesignsystemetFormMixin, _TargetFields):
    region = forms.RegexField(
        label=_("Our municipality or unit"),
        regex=r"^[0-9A-Z]{4,20}$",
        max_length=20,
        help_text=_("A municipality id such as 2184, or a unit id for a unit-level KPI."),
    )
    comparison_regions = forms.CharField(
        label=_("Compare with"),
        max_length=200,
        required=False,
        help_text=_("Ids separated by commas, for example 0000 for the whole country."),
    )
    gender = forms.ChoiceField(
        label=_("Gender"),
        choices=[("T", _("Total")), ("K", _("Women")), ("M", _("Men"))],
    )
    unit_level = forms.BooleanField(label=_("A unit-level KPI"), required=False)

    def clean_comparison_regions(self):
        codes = [c.strip().upper() for c in self.cleaned_data["comparison_regions"].split(",")]
        codes = [c for c in codes if c]
        bad = [c for c in codes if not c.isalnum() or len(c) > 20]
        if bad:
            raise forms.ValidationError(_("Not an id: %(codes)s") % {"codes": ", ".join(bad)})
        return codes

    def link_fields(self, kpi: str) -> dict:
        data = self.cleaned_data
        filters = {"gender": data["gender"]}
        if data["unit_level"]:
            filters["level"] = "ou"
        return {
            "contents": kpi,
            "filters": filters,
            "region": data["region"],
            "comparison_regions": data["comparison_regions"],
            "first_year": data["first_year"],
            "target_relation": data["target_relation"],
            "target_region": (data["comparison_regions"] or [""])[0],
        }


class UploadForm(DesignsystemetFormMixin, forms.Form):
    file = forms.FileField(label=_("Export from the care-record system (CSV or Excel)"))
    mapping = forms.ModelChoiceField(
        label=_("Report"),
        queryset=None,
        required=False,
        empty_label=_("A new report: map its columns"),
    )

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mapping"].queryset = plan.import_mappings.order_by("name")

    def clean_file(self):
        from django.conf import settings

        upload = self.cleaned_data["file"]
        if upload.size > settings.INDICATOR_IMPORT_MAX_BYTES:
            raise forms.ValidationError(_("The file is too large."))
        return upload


class MappingForm(DesignsystemetFormMixin, forms.Form):
    """Which column is which, for one report; the choices are the file's own headers."""

    name = forms.CharField(label=_("Name of the report"), max_length=100, min_length=2)
    unit_column = forms.ChoiceField(label=_("Column with the unit"))
    period_column = forms.ChoiceField(label=_("Column with the month or date"))
    period_kind = forms.ChoiceField(
        label=_("Each row holds"), choices=ImportMapping.PeriodKind.choices
    )

    def __init__(self, *args, headers: list[str], indicators, **kwargs):
        super().__init__(*args, **kwargs)
        columns = [(h, h) for h in headers if h]
        self.fields["unit_column"].choices = columns
        self.fields["period_column"].choices = columns
        self.indicator_fields = []
        for indicator in indicators:
            name = f"ind_{indicator.pk}"
            self.fields[name] = forms.ChoiceField(
                label=f"{indicator.measure.goal.position}.{indicator.measure.position} "
                f"{indicator.name}",
                choices=[("", _("Not in this file")), *columns],
                required=False,
            )
            self.fields[name].widget.attrs["class"] = "ds-input ds-select"
            self.indicator_fields.append((name, indicator))

    def columns(self) -> dict[str, int]:
        return {
            self.cleaned_data[name]: indicator.pk
            for name, indicator in self.indicator_fields
            if self.cleaned_data.get(name)
        }

    def clean(self):
        data = super().clean()
        if not self.errors and not self.columns():
            raise forms.ValidationError(_("Choose at least one column that feeds an indicator."))
        used = [data.get("unit_column"), data.get("period_column"), *self.columns()]
        if len(used) != len(set(used)):
            raise forms.ValidationError(_("A column can be used for one thing only."))
        return data
