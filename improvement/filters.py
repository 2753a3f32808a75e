import django_filters
from django.utils.translation import gettext_lazy as _

from qualityplan.models import OrgUnit

from .models import ImprovementProject


class ProjectFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=ImprovementProject.Status.choices, empty_label=_("All")
    )
    unit = django_filters.ModelChoiceFilter(
        label=_("Unit"), field_name="units", queryset=OrgUnit.objects.none(), empty_label=_("All")
    )

    class Meta:
        model = ImprovementProject
        fields = ["status", "unit"]

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["unit"].queryset = units
        for field in self.form.fields.values():
            field.widget.attrs.setdefault("class", "ds-input")
