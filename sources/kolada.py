"""Kolada (the Swedish municipalities' key figures), API v3, into the same store.

A response is `{"count", "values": [{"kpi", "municipality" | "ou", "period",
"values": [{"gender": "T"|"K"|"M", "count", "status", "value"}]}], "next_page"}`.
Each KPI is stored as its own table with one contents code (the KPI), the
municipality or organisational unit as the region and the gender as the one
other dimension. A value of null is missing, never 0.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from . import jsonstat
from .jsonstat import Cell, JsonStatError
from .models import Provider
from .statistics import StoreResult, cells_store, response_save

GENDER = "gender"


def data_url(*, kpi: str, regions: list[str], years: list[int], unit_level: bool = False) -> str:
    kind = "ou" if unit_level else "municipality"
    prefix = "oudata" if unit_level else "data"
    return (
        f"{settings.KOLADA_API_URL}/{prefix}/kpi/{kpi}/{kind}/{','.join(regions)}"
        f"/year/{','.join(str(y) for y in years)}"
    )


def kolada_cells(document: dict) -> Iterator[Cell]:
    rows = document.get("values")
    if not isinstance(rows, list):
        raise JsonStatError(_("The Kolada response has no values."))
    for row in rows:
        if not isinstance(row, dict) or not row.get("kpi") or row.get("period") is None:
            raise JsonStatError(_("A Kolada row has no KPI or no year."))
        region = str(row.get("municipality") or row.get("ou") or "")
        for entry in row.get("values") or []:
            yield Cell(
                contents=str(row["kpi"])[:80],
                region=jsonstat.normalise_region(region)[:20],
                period=str(row["period"])[:20],
                dimensions={GENDER: str(entry.get("gender") or "T")[:10]},
                value=jsonstat._number(entry.get("value")),
                status=str(entry.get("status") or "")[:10],
            )


def _by_kpi(document: dict) -> dict[str, list]:
    groups: dict[str, list] = {}
    for row in document.get("values") or []:
        if isinstance(row, dict):
            groups.setdefault(str(row.get("kpi") or ""), []).append(row)
    return groups


@transaction.atomic
def kolada_store(
    *, data: bytes, url: str = "", file_name: str = "", document: dict | None = None
) -> StoreResult:
    """Store one Kolada response page; every KPI in it as a table of its own."""
    document = jsonstat.load(data) if document is None else document
    groups = _by_kpi(document)
    if not groups:
        raise JsonStatError(_("The Kolada response has no values."))
    total = with_value = 0
    response = None
    for kpi, rows in groups.items():
        response = response_save(
            provider=Provider.KOLADA, table=kpi, data=data, url=url, file_name=file_name
        )
        cells, valued = cells_store(
            provider=Provider.KOLADA,
            table=kpi,
            cells=kolada_cells({"values": rows}),
            response=response,
        )
        response.cells = cells
        response.save(update_fields=["cells"])
        total, with_value = total + cells, with_value + valued
    return StoreResult(
        table=",".join(groups),
        cells=total,
        with_value=with_value,
        missing=total - with_value,
        response_id=response.pk,
    )


def next_page(data: bytes) -> str | None:
    try:
        link = json.loads(data).get("next_page")
    except (ValueError, AttributeError):
        return None
    return link if isinstance(link, str) and link.startswith(settings.KOLADA_API_URL) else None
