"""Writing statistics into the store: one row per cell, the raw response beside them.

The online fetch and the file import share this path. Cells are written in
batches as they are read, with an upsert on the cell's identity, so the same
response stored twice leaves the same rows, and a memory peak does not grow
with the size of the table.
"""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass
from itertools import islice

from django.db import transaction
from django.utils import timezone

from . import jsonstat
from .models import Provider, StatisticResponse, StatisticTable, StatisticValue

BATCH = 2000


@dataclass(frozen=True)
class StoreResult:
    table: str
    cells: int
    with_value: int
    missing: int
    response_id: int


def dimensions_key(dimensions: dict[str, str]) -> str:
    return "|".join(f"{key}={dimensions[key]}" for key in sorted(dimensions))[:400]


def response_save(
    *, provider: str, table: str, data: bytes, url: str = "", file_name: str = ""
) -> StatisticResponse:
    return StatisticResponse.objects.create(
        provider=provider,
        table=table,
        url=url[:2000],
        file_name=file_name[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        content=gzip.compress(data, compresslevel=6),
        size=len(data),
        fetched_at=timezone.now(),
    )


def table_save(*, provider: str, dataset: jsonstat.Dataset) -> StatisticTable:
    table, _created = StatisticTable.objects.update_or_create(
        provider=provider,
        table=dataset.table,
        defaults={
            "title": dataset.title,
            "dimensions": dataset.describe(),
            "updated": dataset.updated,
            "fetched_at": timezone.now(),
        },
    )
    return table


def cells_store(
    *, provider: str, table: str, cells, response: StatisticResponse | None
) -> tuple[int, int]:
    """Upsert `cells` (an iterator of jsonstat.Cell) in batches. Returns (cells, with value)."""
    fetched_at = timezone.now()
    total = with_value = 0
    cells = iter(cells)
    while batch := list(islice(cells, BATCH)):
        rows = [
            StatisticValue(
                provider=provider,
                table=table,
                contents=cell.contents,
                region=cell.region,
                period=cell.period,
                year=jsonstat.year_of(cell.period),
                dimensions=cell.dimensions,
                dimensions_key=dimensions_key(cell.dimensions),
                value=cell.value,
                status=cell.status,
                fetched_at=fetched_at,
                response=response,
            )
            for cell in batch
        ]
        StatisticValue.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["provider", "table", "contents", "region", "period", "dimensions_key"],
            update_fields=["value", "status", "fetched_at", "response", "year", "dimensions"],
        )
        total += len(rows)
        with_value += sum(1 for row in rows if row.value is not None)
    return total, with_value


@transaction.atomic
def jsonstat_store(
    *, data: bytes, table: str = "", url: str = "", file_name: str = "", document=None
) -> StoreResult:
    """Store a JSON-stat2 dataset from SSB: its table, its raw bytes and every cell."""
    document = jsonstat.load(data) if document is None else document
    dataset = jsonstat.parse_dataset(document, table=table)
    table_save(provider=Provider.SSB, dataset=dataset)
    response = response_save(
        provider=Provider.SSB, table=dataset.table, data=data, url=url, file_name=file_name
    )
    total, with_value = cells_store(
        provider=Provider.SSB, table=dataset.table, cells=dataset.cells(), response=response
    )
    response.cells = total
    response.save(update_fields=["cells"])
    return StoreResult(
        table=dataset.table,
        cells=total,
        with_value=with_value,
        missing=total - with_value,
        response_id=response.pk,
    )


def statistics_file_store(*, data: bytes, file_name: str = "", table: str = "") -> StoreResult:
    """A saved file of either kind: a Kolada response has `values` of KPI rows."""
    document = jsonstat.load(data)
    if _is_kolada(document):
        from .kolada import kolada_store

        return kolada_store(data=data, file_name=file_name, document=document)
    return jsonstat_store(data=data, table=table, file_name=file_name, document=document)


def _is_kolada(document: dict) -> bool:
    values = document.get("values")
    return isinstance(values, list) and "dimension" not in document
