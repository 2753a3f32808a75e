"""The office's pages: linking an indicator to statistics, and importing care-record exports."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from measures.models import Indicator
from qualityplan.access import get_access

from . import links
from .forms import KoladaLinkForm, SsbLinkForm, TableForm
from .models import Provider, StatisticLink, StatisticTable
from .selectors import comparison


def _get_indicator_for_user(request: HttpRequest, pk: int, write: bool = False) -> Indicator:
    """404 for an indicator of a plan the user may not see, 403 for one they may not link."""
    indicator = get_object_or_404(Indicator.objects.select_related("measure__goal__plan"), pk=pk)
    access = get_access(request.user)
    plan = indicator.measure.goal.plan
    if not access.can_view_plan(plan):
        raise Http404
    if write and not access.can_manage_plan(plan):
        raise PermissionDenied
    return indicator


def _table_for(provider: str, code: str) -> StatisticTable:
    """The table's codes: stored ones (from an earlier fetch or a saved file), else fetched."""
    table = StatisticTable.objects.filter(provider=provider, table=code).first()
    if table is not None:
        return table
    if provider == Provider.KOLADA:
        return StatisticTable.objects.create(
            provider=provider, table=code, title=code, fetched_at=timezone.now()
        )
    return links.table_metadata_fetch(table=code)


def statistic_link(request: HttpRequest, indicator_id: int) -> HttpResponse:
    indicator = _get_indicator_for_user(request, indicator_id, write=True)
    link = StatisticLink.objects.filter(indicator=indicator).first()
    source = request.POST if "link" in request.POST else request.GET
    initial = {"provider": link.provider, "table": link.table} if link else None
    table_form = TableForm(source if "table" in source else None, initial=initial)
    context = {"indicator": indicator, "link": link, "table_form": table_form}
    if link is not None:
        context["result"] = comparison(link=link)
    table = None
    if table_form.is_bound and table_form.is_valid():
        try:
            table = _table_for(
                table_form.cleaned_data["provider"], table_form.cleaned_data["table"]
            )
        except ValidationError as error:
            table_form.add_error("table", error)
    elif link is not None and not table_form.is_bound:
        table = StatisticTable.objects.filter(provider=link.provider, table=link.table).first()
    if table is not None:
        form = _link_form(request, table, link)
        context.update(table=table, form=form)
        if request.method == "POST" and "link" in request.POST and form.is_valid():
            return _save_link(request, indicator, table, form) or render(
                request, "sources/statistic_link.html", context
            )
    return render(request, "sources/statistic_link.html", context)


def _link_form(request, table: StatisticTable, link: StatisticLink | None):
    data = request.POST if "link" in request.POST else None
    initial = {}
    if link is not None and link.table == table.table:
        initial = {
            "contents": link.contents,
            "region": link.region,
            "comparison_regions": link.comparison_regions,
            "first_year": link.first_year,
            "target_relation": link.target_relation,
            "target_region": link.target_region,
            "gender": link.filters.get("gender", "T"),
            "unit_level": link.filters.get("level") == "ou",
            **{f"dim_{k}": v for k, v in link.filters.items()},
        }
        if table.provider == Provider.KOLADA:
            initial["comparison_regions"] = ", ".join(link.comparison_regions)
    initial.setdefault("first_year", timezone.localdate().year - 6)
    if table.provider == Provider.KOLADA:
        return KoladaLinkForm(data, initial=initial)
    return SsbLinkForm(data, table=table, initial=initial)


def _save_link(request, indicator, table, form):
    fields = (
        form.link_fields(table.table) if isinstance(form, KoladaLinkForm) else form.link_fields()
    )
    try:
        link = links.statistic_link_save(indicator=indicator, table=table, **fields)
    except ValidationError as error:
        form.add_error(None, error)
        return None
    _queue_refresh(link)
    messages.success(request, _("The link is saved; the figures are being fetched."))
    return redirect("statistic_link", indicator.pk)


def _queue_refresh(link: StatisticLink) -> None:
    from .tasks import refresh_statistic_link

    transaction.on_commit(lambda: refresh_statistic_link.delay(link.pk), robust=True)


@require_POST
def statistic_link_refresh(request: HttpRequest, indicator_id: int) -> HttpResponse:
    indicator = _get_indicator_for_user(request, indicator_id, write=True)
    link = get_object_or_404(StatisticLink, indicator=indicator)
    _queue_refresh(link)
    messages.success(request, _("The figures are being fetched again."))
    return redirect("statistic_link", indicator.pk)
