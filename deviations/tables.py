import django_tables2 as tables
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from .models import Deviation, QualityCouncilMeeting, RiskLevel

RISK_COLOURS = {RiskLevel.LOW: "success", RiskLevel.MEDIUM: "warning", RiskLevel.HIGH: "danger"}
STATUS_COLOURS = {
    Deviation.Status.REPORTED: "info",
    Deviation.Status.IN_TREATMENT: "warning",
    Deviation.Status.CLOSED: "success",
    Deviation.Status.REJECTED: "neutral",
}


def risk_tag(value: int) -> str:
    level = RiskLevel.of(value)
    return format_html(
        '<span class="ds-tag" data-color="{}">{} ({})</span>',
        RISK_COLOURS[level],
        value,
        level.label,
    )


class DeviationTable(tables.Table):
    reference = tables.Column(
        verbose_name=_("Number"),
        accessor="reference",
        order_by=("year", "number"),
        linkify=("deviation_detail", {"pk": tables.A("pk")}),
        attrs={"td": {"class": "nowrap"}},
    )
    created_at = tables.DateColumn(verbose_name=_("Reported"), short=True)
    org_unit = tables.Column(verbose_name=_("Unit"), accessor="org_unit__name")
    category = tables.Column(verbose_name=_("Category"), accessor="category__name")
    description = tables.Column(
        verbose_name=_("What happened"),
        orderable=False,
        attrs={"td": {"class": "deviation-table__text"}},
    )
    risk_value = tables.Column(verbose_name=_("Risk"))
    status = tables.Column(verbose_name=_("Status"))
    handler = tables.Column(verbose_name=_("Handler"), order_by=("handler__first_name",))
    due_date = tables.DateColumn(verbose_name=_("Due"), short=True)

    class Meta:
        model = Deviation
        fields = []
        template_name = "deviations/_table.html"
        attrs = {"class": "ds-table deviation-table", "data-border": ""}
        empty_text = _("No deviations match the filters.")
        order_by = ("-reference",)

    def render_description(self, value: str) -> str:
        return Truncator(" ".join(value.split())).chars(80)

    def render_risk_value(self, value: int) -> str:
        return risk_tag(value)

    def render_status(self, record: Deviation) -> str:
        tag = format_html(
            '<span class="ds-tag" data-color="{}">{}</span>',
            STATUS_COLOURS[record.status],
            record.get_status_display(),
        )
        if getattr(record, "overdue", False):
            tag += format_html(' <span class="ds-tag" data-color="danger">{}</span>', _("Overdue"))
        return tag

    def render_handler(self, value) -> str:
        return value.get_full_name() or value.username


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
