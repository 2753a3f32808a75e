import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from .models import MeasureStatus


class StatusTable(tables.Table):
    """The status page's table. Rows are drawn by `measures/_status_row.html`, the same
    fragment an inline save returns, so the page and the fragment never drift apart."""

    measure = tables.Column(accessor="measure__title", verbose_name=_("Measure"))
    status = tables.Column(verbose_name=_("Status"))
    progress = tables.Column(verbose_name=_("Progress (%)"))
    value = tables.Column(accessor="value_number", verbose_name=_("Indicator value"))
    comment = tables.Column(verbose_name=_("Comment"))
    actions = tables.Column(accessor="pk", verbose_name=_("Save"))

    class Meta:
        model = MeasureStatus
        fields = []
        orderable = False
        template_name = "measures/status_table.html"
        attrs = {"class": "ds-table status-table", "data-border": ""}
        empty_text = _("No rows match the filters.")

    def __init__(self, *args, forms_by_row, **kwargs):
        super().__init__(*args, **kwargs)
        self.forms_by_row = forms_by_row
