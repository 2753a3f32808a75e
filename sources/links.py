"""An indicator linked to a statistics table, and its refresh.

The office picks a table, then from the table's own metadata a contents code,
one code in each other dimension, our region and the regions we compare with.
A refresh fetches exactly that selection from the year the link starts, stores
it, and notes on the link when it last succeeded or why it failed. A streak of
failures sends the office one email, at its start; a success ends the streak.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from measures.models import Indicator
from qualityplan.access import OrgTree
from qualityplan.models import Membership
from qualityplan.selectors import language_for_user

from . import fetch, jsonstat, kolada
from .models import Provider, StatisticLink, StatisticTable
from .statistics import StoreResult, jsonstat_store, table_save

log = logging.getLogger(__name__)


def table_metadata_fetch(*, table: str) -> StatisticTable:
    """Fetch a table's metadata from SSB and keep its dimensions and codes."""
    table = table.strip()
    if not table.isdigit() or len(table) > 10:
        raise ValidationError(_("An SSB table number has only digits, for example 12209."))
    try:
        data = fetch.http_get(fetch.ssb_metadata_url(table))
    except fetch.FetchError as error:
        raise ValidationError(str(error)) from None
    document = jsonstat.load(data)
    document.setdefault("value", [])
    dataset = jsonstat.parse_dataset(document, table=table)
    return table_save(provider=Provider.SSB, dataset=dataset)


def _check_codes(table: StatisticTable, link: StatisticLink) -> None:
    """Every chosen code must be one the table has (its metadata, not a list of ours)."""

    def codes(dim_id: str) -> set[str]:
        dimension = table.dimension(dim_id) or {"codes": []}
        return {
            jsonstat.normalise_region(code) if dim_id == link.region_dimension else code
            for code, _label in dimension["codes"]
        }

    if link.contents_dimension and link.contents not in codes(link.contents_dimension):
        raise ValidationError(
            _("The table has no contents code %(code)s.") % {"code": link.contents}
        )
    for dim_id, code in link.filters.items():
        if code not in codes(dim_id):
            raise ValidationError(
                _("The table has no code %(code)s in %(dimension)s.")
                % {"code": code, "dimension": dim_id}
            )
    if link.region_dimension:
        known = codes(link.region_dimension)
        for region in [link.region, *link.comparison_regions]:
            if region not in known:
                raise ValidationError(_("The table has no region %(code)s.") % {"code": region})


@transaction.atomic
def statistic_link_save(*, indicator: Indicator, table: StatisticTable, **fields) -> StatisticLink:
    """Create or change the link of `indicator`; the indicator's source becomes statistics."""
    link = StatisticLink.objects.filter(indicator=indicator).first() or StatisticLink(
        indicator=indicator
    )
    link.provider, link.table = table.provider, table.table
    for dimension in table.dimensions:
        role = dimension.get("role")
        if role == "metric":
            link.contents_dimension = dimension["id"]
        elif role == "geo":
            link.region_dimension = dimension["id"]
        elif role == "time":
            link.time_dimension = dimension["id"]
    for name, value in fields.items():
        setattr(link, name, value)
    if table.provider == Provider.SSB:
        _check_codes(table, link)
    link.full_clean()
    link.save()
    if indicator.source != Indicator.Source.STATISTICS:
        indicator.source = Indicator.Source.STATISTICS
        indicator.full_clean()
        indicator.save(update_fields=["source"])
    return link


def _region_codes_as_served(table: StatisticTable, link: StatisticLink) -> list[str]:
    """Our normalised region codes back in the table's own spelling (`K-1804`)."""
    dimension = table.dimension(link.region_dimension) or {"codes": []}
    served = {jsonstat.normalise_region(code): code for code, _label in dimension["codes"]}
    wanted = [link.region, *link.comparison_regions]
    return [served.get(code, code) for code in wanted if code]


def ssb_selections(link: StatisticLink, table: StatisticTable) -> list[dict[str, list[str]]]:
    selection: dict[str, list[str]] = {}
    if link.contents_dimension:
        selection[link.contents_dimension] = [link.contents]
    if link.region_dimension:
        selection[link.region_dimension] = _region_codes_as_served(table, link)
    for dim_id, code in link.filters.items():
        selection[dim_id] = [code]
    time_codes = [
        code
        for code, _label in (table.dimension(link.time_dimension) or {"codes": []})["codes"]
        if (jsonstat.year_of(code) or 0) >= link.first_year
    ]
    if not time_codes:
        raise fetch.FetchError(
            _("The table has no years from %(year)s.") % {"year": link.first_year}
        )
    selection[link.time_dimension] = time_codes
    return fetch.split_by_years(selection, link.time_dimension, settings.STATISTICS_MAX_CELLS)


def _fetch(link: StatisticLink) -> StoreResult:
    if link.provider == Provider.KOLADA:
        return _fetch_kolada(link)
    table = StatisticTable.objects.filter(provider=Provider.SSB, table=link.table).first()
    if table is None:
        table = table_metadata_fetch(table=link.table)
    result = None
    for selection in ssb_selections(link, table):
        url = fetch.ssb_data_url(link.table, selection)
        result = jsonstat_store(data=fetch.http_get(url), table=link.table, url=url)
    return result


def _fetch_kolada(link: StatisticLink) -> StoreResult:
    years = list(range(link.first_year, timezone.localdate().year + 1))
    regions = [link.region, *link.comparison_regions]
    url = kolada.data_url(
        kpi=link.contents,
        regions=regions,
        years=years,
        unit_level=link.filters.get("level") == "ou",
    )
    result = None
    for page_url, data in fetch.kolada_pages(url, next_page=kolada.next_page):
        result = kolada.kolada_store(data=data, url=page_url)
    return result


def statistic_link_refresh(*, link_id: int) -> StoreResult | None:
    """Fetch and store one link's selection; a failure is recorded on the link, in words."""
    link = StatisticLink.objects.select_related("indicator__measure__goal__plan").get(pk=link_id)
    now = timezone.now()
    link.last_attempt_at = now
    try:
        result = _fetch(link)
    except (fetch.FetchError, ValidationError) as error:
        message = " ".join(getattr(error, "messages", [str(error)]))
        _record_failure(link, message[:1000], now)
        return None
    link.last_success_at, link.last_error = now, ""
    link.failing_since = link.failure_notified_at = None
    link.save(
        update_fields=[
            "last_attempt_at",
            "last_success_at",
            "last_error",
            "failing_since",
            "failure_notified_at",
        ]
    )
    return result


def _record_failure(link: StatisticLink, message: str, now) -> None:
    link.last_error = message
    link.failing_since = link.failing_since or now
    first_of_streak = link.failure_notified_at is None
    if first_of_streak:
        link.failure_notified_at = now
    link.save(
        update_fields=["last_attempt_at", "last_error", "failing_since", "failure_notified_at"]
    )
    log.warning("Statistics link %s failed: %s", link.pk, message)
    if first_of_streak:
        failure_notify(link=link)


def _office(plan) -> list:
    tree = OrgTree.load()
    memberships = Membership.objects.filter(
        role__manages_plan=True,
        user__is_active=True,
        org_unit_id__in=tree.subtree(plan.owner_id),
    ).select_related("user")
    return list({m.user.pk: m.user for m in memberships if m.user.email}.values())


def failure_notify(*, link: StatisticLink) -> int:
    """One email to the office at the start of a failure streak."""
    plan = link.indicator.measure.goal.plan
    url = settings.SITE_URL + reverse("statistic_link", args=[link.indicator_id])
    messages = []
    for user in _office(plan):
        with translation.override(language_for_user(user=user)):
            context = {"link": link, "url": url, "plan": plan}
            subject = render_to_string("sources/email/fetch_failed_subject.txt", context)
            body = render_to_string("sources/email/fetch_failed.txt", context)
        messages.append(EmailMessage(" ".join(subject.split()), body, to=[user.email]))
    return (get_connection().send_messages(messages) or 0) if messages else 0


def statistic_links_refresh_all() -> int:
    """The monthly run: every link, one after another (the throttle spaces them)."""
    done = 0
    for link_id in StatisticLink.objects.order_by("pk").values_list("pk", flat=True):
        if statistic_link_refresh(link_id=link_id) is not None:
            done += 1
    return done
