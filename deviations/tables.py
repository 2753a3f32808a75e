import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from .models import Deviation, QualityCouncilMeeting


class DeviationTable(tables.Table):
    """The list's columns, headers and sorting. Its rows are drawn by
    `deviations/_deviation_table.html` from the annotated rows of the list selector."""

    reference = tables.Column(verbose_name=_("Number"), order_by=("year", "number"))
    created_at = tables.DateColumn(verbose_name=_("Reported"), short=True)
    org_unit = tables.Column(verbose_name=_("Unit"), accessor="org_unit__name")
    category = tables.Column(verbose_name=_("Category"), accessor="category__name")
    description = tables.Column(verbose_name=_("What happened"), orderable=False)
    risk_value = tables.Column(verbose_name=_("Risk"))
    status = tables.Column(verbose_name=_("Status"))
    handler = tables.Column(verbose_name=_("Handler"), order_by=("handler__first_name",))
    due_date = tables.DateColumn(verbose_name=_("Due"), short=True)

    class Meta:
        model = Deviation
        fields = []
        template_name = "deviations/_deviation_table.html"
        attrs = {"class": "ds-table deviation-table", "data-border": "", "data-size": "sm"}
        empty_text = _("No deviations match the filters.")
        order_by = ("-reference",)


class MeetingTable(tables.Table):
    held_on = tables.DateColumn(
        verbose_name=_("Date"),
        short=True,
        linkify=("meeting_detail", {"pk": tables.A("pk")}),
    )
    org_unit = tables.Column(verbose_name=_("Unit"), accessor="org_unit__name")
    deviation_count = tables.Column(
        verbose_name=_("Deviations reviewed"), attrs={"td": {"class": "numeric"}}
    )

    class Meta:
        model = QualityCouncilMeeting
        fields = []
        template_name = "deviations/_table.html"
        attrs = {"class": "ds-table", "data-border": ""}
        empty_text = _("No quality council meetings are recorded yet.")
