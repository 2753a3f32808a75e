import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from qualityplan.models import Role

from .models import MeasureStatus


class StatusFilter(django_filters.FilterSet):
    goal = django_filters.ModelChoiceFilter(
        field_name="measure__goal", label=_("Goal"), queryset=None, empty_label=_("All goals")
    )
    status = django_filters.ChoiceFilter(
        choices=MeasureStatus.Status.choices, label=_("Status"), empty_label=_("All statuses")
    )
    role = django_filters.ModelChoiceFilter(
        field_name="measure__responsible_roles",
        label=_("Responsible"),
        queryset=Role.objects.order_by("code"),
        empty_label=_("All roles"),
        distinct=True,
    )
    unreported = django_filters.BooleanFilter(
        label=_("Only rows not yet reported"),
        method="filter_unreported",
        widget=forms.CheckboxInput,
    )

    class Meta:
        model = MeasureStatus
        fields = ["goal", "status", "role", "unreported"]

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["goal"].queryset = plan.goals.order_by("position")
        self.filters["goal"].field.label_from_instance = lambda goal: (
            f"{goal.position}. {goal.title}"
        )
        for field in self.form.fields.values():
            field.widget.attrs.setdefault("class", "ds-input")

    def filter_unreported(self, queryset, name, value):
        return queryset.filter(reported_at__isnull=True) if value else queryset
