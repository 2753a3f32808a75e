import django_tables2 as tables
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from .models import ImprovementProject


class ProjectTable(tables.Table):
    title = tables.Column(
        verbose_name=_("Project"), linkify=("improvement:project_detail", {"pk": tables.A("pk")})
    )
    units = tables.Column(verbose_name=_("Units"), empty_values=(), orderable=False)
    status = tables.Column(verbose_name=_("Status"))
    cycle_count = tables.Column(verbose_name=_("PDSA cycles"), attrs={"td": {"class": "numeric"}})
    point_count = tables.Column(verbose_name=_("Data points"), attrs={"td": {"class": "numeric"}})
    last_point = tables.DateColumn(verbose_name=_("Last measured"), short=True)

    class Meta:
        model = ImprovementProject
        fields = ("title", "units", "status", "cycle_count", "point_count", "last_point")
        attrs = {"class": "ds-table", "data-size": "sm"}
        empty_text = _("No improvement projects yet.")

    def render_units(self, record):
        return format_html_join(", ", "{}", ((unit.name,) for unit in record.units.all()))

    def render_status(self, record):
        return format_html("{}", record.get_status_display())
