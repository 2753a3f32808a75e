import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from qualityplan.access import OrgTree
from qualityplan.forms import DesignsystemetFormMixin

from .forms import QuickSelect
from .models import Deviation, DeviationCategory, RiskLevel
from .selectors import period_bounds


class FilterForm(DesignsystemetFormMixin, forms.Form):
    pass


class DeviationFilter(django_filters.FilterSet):
    reported_from = django_filters.DateFilter(
        label=_("Reported from"),
        method="filter_reported_from",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reported_to = django_filters.DateFilter(
        label=_("Reported to"),
        method="filter_reported_to",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    unit = django_filters.ModelChoiceFilter(
        label=_("Unit"),
        queryset=None,
        method="filter_unit",
        empty_label=_("All units"),
        widget=QuickSelect,
    )
    category = django_filters.ModelChoiceFilter(
        label=_("Category"), queryset=None, empty_label=_("All categories")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Deviation.Status.choices, empty_label=_("All statuses")
    )
    risk = django_filters.ChoiceFilter(
        label=_("Risk"),
        choices=RiskLevel.choices,
        method="filter_risk",
        empty_label=_("All risk levels"),
    )
    overdue = django_filters.BooleanFilter(
        label=_("Only overdue"), method="filter_overdue", widget=forms.CheckboxInput
    )

    class Meta:
        model = Deviation
        fields = ["reported_from", "reported_to", "unit", "category", "status", "risk", "overdue"]
        form = FilterForm

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["unit"].queryset = units
        self.filters["category"].queryset = DeviationCategory.objects.all()

    def filter_reported_from(self, queryset, name, value):
        return queryset.filter(created_at__gte=period_bounds(value, value)[0])

    def filter_reported_to(self, queryset, name, value):
        return queryset.filter(created_at__lt=period_bounds(value, value)[1])

    def filter_unit(self, queryset, name, value):
        return queryset.filter(org_unit_id__in=OrgTree.load().subtree(value.pk))

    def filter_risk(self, queryset, name, value):
        low, high = RiskLevel.bounds(value)
        return queryset.filter(risk_value__gte=low, risk_value__lte=high)

    def filter_overdue(self, queryset, name, value):
        return queryset.filter(overdue=True) if value else queryset
