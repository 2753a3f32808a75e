"""Talking to the statistics APIs: SSB's PxWebApi v2 and Kolada v3.

Every request goes through `http_get`, which tests replace with a fake (they
never reach the network). SSB allows about 30 queries a minute and 800 000
cells an extract: `throttle` spaces the requests across every worker through
the cache, and a selection larger than the cell limit is split by years.
Errors become `FetchError`s with a sentence the office can act on.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from collections.abc import Callable
from urllib.parse import quote, urlencode

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

USER_AGENT = "kvalitetsplan (statistics refresh)"


class FetchError(Exception):
    """A fetch that failed, in words."""


def _urlopen(url: str, timeout: float) -> bytes:
    # http_get lets only https addresses through.
    headers = {"User-Agent": USER_AGENT, "Accept": "*/*"}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        return response.read(settings.STATISTICS_MAX_RESPONSE_BYTES + 1)


# Replaced in tests by a fake that serves saved responses.
transport: Callable[[str, float], bytes] = _urlopen


def http_get(url: str, *, sleep: Callable[[float], None] = time.sleep) -> bytes:
    if not url.startswith("https://"):
        raise FetchError(_("Only https addresses are fetched."))
    throttle(sleep=sleep)
    try:
        data = transport(url, settings.STATISTICS_TIMEOUT)
    except urllib.error.HTTPError as error:
        raise FetchError(_http_message(error.code)) from None
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise FetchError(
            _("The statistics service could not be reached (%(reason)s).") % {"reason": reason}
        ) from None
    if len(data) > settings.STATISTICS_MAX_RESPONSE_BYTES:
        raise FetchError(_("The response was larger than the app accepts."))
    return data


def _http_message(code: int) -> str:
    if code == 404:
        return _("The table or a code no longer exists at the source (HTTP 404).")
    if code == 429:
        return _("The source refused: too many queries (HTTP 429). The next run tries again.")
    if code in (400, 403):
        return _(
            "The source refused the query (HTTP %(code)s): a code may have changed in the table."
        ) % {"code": code}
    return _("The source answered with an error (HTTP %(code)s).") % {"code": code}


def throttle(*, sleep: Callable[[float], None] = time.sleep) -> None:
    """Wait until a query fits within the per-minute limit, counted across workers."""
    limit = settings.STATISTICS_QUERIES_PER_MINUTE
    while True:
        now = time.time()
        key = f"statistics-queries:{int(now // 60)}"
        cache.add(key, 0, timeout=120)
        try:
            count = cache.incr(key)
        except ValueError:
            count = 1
        if count <= limit:
            return
        sleep(60 - now % 60 + 0.05)


# --- SSB PxWebApi v2 -------------------------------------------------------------------


def ssb_metadata_url(table: str) -> str:
    return f"{settings.SSB_API_URL}/tables/{quote(table)}/metadata?lang=no&outputFormat=json-stat2"


def ssb_data_url(table: str, selection: dict[str, list[str]]) -> str:
    """`selection` maps a dimension to its codes; a single `from(2019)` stays as written."""
    params = [("lang", "no"), ("outputFormat", "json-stat2")]
    params += [(f"valueCodes[{dim}]", ",".join(codes)) for dim, codes in selection.items()]
    return f"{settings.SSB_API_URL}/tables/{quote(table)}/data?" + urlencode(params, safe="(),+*")


def cell_count(selection: dict[str, list[str]]) -> int:
    total = 1
    for codes in selection.values():
        total *= max(len(codes), 1)
    return total


def split_by_years(
    selection: dict[str, list[str]], time_dimension: str, limit: int
) -> list[dict[str, list[str]]]:
    """Selections of at most `limit` cells, cut along the years."""
    years = selection[time_dimension]
    per_year = cell_count({k: v for k, v in selection.items() if k != time_dimension})
    if per_year > limit:
        raise FetchError(_("Even one year of this selection is more cells than the source gives."))
    step = max(1, limit // per_year)
    return [{**selection, time_dimension: years[i : i + step]} for i in range(0, len(years), step)]


# --- Kolada v3 -------------------------------------------------------------------------


def kolada_pages(first_url: str, *, next_page: Callable[[bytes], str | None]):
    """Every page of a Kolada answer, following `next_page` (at most 50 pages)."""
    url, seen = first_url, set()
    while url and url not in seen and len(seen) < 50:
        seen.add(url)
        data = http_get(url)
        yield url, data
        url = next_page(data)
