"""Reading JSON-stat 2.0 datasets as SSB's PxWebApi serves them, cell by cell.

The rule this module keeps: a cell with no value is missing (None, with its
status marker: `.` not applicable, `..` not yet available, `:` confidential),
never 0. The dimensions are read from the dataset itself (`id`, `size`,
`dimension[*].category`); nothing about a table is assumed beyond the roles
(`geo`, `time`, `metric`) or, where a table gives none, the dimension names
SSB uses.

Cells are produced one at a time from the flat row-major `value` array, so a
response of 100 000 cells never becomes 100 000 objects at once.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from itertools import product

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Dimension names SSB gives the region in tables that declare no `geo` role.
REGION_NAMES = re.compile(r"^(region|kokkommuneregion\d*|kokfylkesregion\d*|kommune|fylke)", re.I)
TIME_NAMES = {"tid", "time", "år", "year"}
CONTENTS_NAMES = {"contentscode", "statistikkvariabel"}
MUNICIPALITY_PREFIX = re.compile(r"^[KB]-(?=\d)")
TABLE_ID = re.compile(r"^\s*(\d{4,6})\s*:")


class JsonStatError(ValidationError):
    """The file is not a JSON-stat dataset this app can read; the message says why."""


@dataclass(frozen=True)
class Dimension:
    id: str
    label: str
    codes: list[str]
    labels: dict[str, str]


@dataclass(frozen=True)
class Cell:
    contents: str
    region: str
    period: str
    dimensions: dict[str, str]
    value: Decimal | None
    status: str


@dataclass
class Dataset:
    """A parsed dataset's structure; `cells()` walks its values."""

    table: str
    title: str
    updated: str
    dimensions: list[Dimension]
    region_id: str | None
    time_id: str | None
    contents_id: str | None
    values: object
    status: object
    size: int

    def cells(self) -> Iterator[Cell]:
        return _cells(self)

    @property
    def other_ids(self) -> list[str]:
        roles = {self.region_id, self.time_id, self.contents_id}
        return [d.id for d in self.dimensions if d.id not in roles]

    def describe(self) -> list[dict]:
        """The dimensions as the table row stores them: id, label, role and codes."""
        roles = {self.region_id: "geo", self.time_id: "time", self.contents_id: "metric"}
        return [
            {
                "id": d.id,
                "label": d.label,
                "role": roles.get(d.id, ""),
                "codes": [[code, d.labels.get(code, code)] for code in d.codes],
            }
            for d in self.dimensions
        ]


def normalise_region(code: str) -> str:
    """`K-1804` and `1804` are the same municipality; `301` is Oslo's `0301` with its
    leading zero lost on the way (a spreadsheet). Group codes (`EKA08`, `EAK`) stay."""
    code = MUNICIPALITY_PREFIX.sub("", code.strip())
    if code.isdigit() and len(code) == 3:
        return code.zfill(4)
    return code


def year_of(period: str) -> int | None:
    match = re.match(r"^(\d{4})", period)
    return int(match.group(1)) if match else None


def load(data: bytes | str) -> dict:
    try:
        document = json.loads(data)
    except (ValueError, UnicodeDecodeError) as error:
        raise JsonStatError(
            _("The file is not JSON (%(error)s). Save the table from ssb.no as JSON-stat2.")
            % {"error": str(error)[:120]}
        ) from None
    if not isinstance(document, dict):
        raise JsonStatError(_("The file holds no JSON-stat dataset."))
    return document


def parse_dataset(document: dict, *, table: str = "") -> Dataset:
    """The dataset in `document` (a JSON-stat2 dataset, or a bundle holding one)."""
    document = _the_dataset(document)
    ids, sizes = document.get("id"), document.get("size")
    if not isinstance(ids, list) or not isinstance(sizes, list) or len(ids) != len(sizes):
        raise JsonStatError(_("The dataset has no list of dimensions (id and size)."))
    dimensions = [
        _dimension(document, dim_id, size) for dim_id, size in zip(ids, sizes, strict=True)
    ]
    role = document.get("role") or {}
    region_id = _role(role, "geo", ids) or _named(ids, lambda n: bool(REGION_NAMES.match(n)))
    time_id = _role(role, "time", ids) or _named(ids, lambda n: n.lower() in TIME_NAMES)
    contents_id = _role(role, "metric", ids) or _named(ids, lambda n: n.lower() in CONTENTS_NAMES)
    if time_id is None:
        raise JsonStatError(_("The dataset has no time dimension."))
    total = 1
    for size in sizes:
        total *= size
    return Dataset(
        table=table or _table_id(document),
        title=str(document.get("label") or "")[:500],
        updated=str(document.get("updated") or "")[:40],
        dimensions=dimensions,
        region_id=region_id,
        time_id=time_id,
        contents_id=contents_id,
        values=document.get("value", []),
        status=document.get("status"),
        size=total,
    )


def _the_dataset(document: dict) -> dict:
    if document.get("class") == "dataset" or "id" in document:
        return document
    # A JSON-stat 1 style bundle: {"dataset": {...}} or {"12209": {...}}.
    for value in document.values():
        if isinstance(value, dict) and "dimension" in value:
            return value
    raise JsonStatError(_("The file holds no JSON-stat dataset."))


def _table_id(document: dict) -> str:
    px = (document.get("extension") or {}).get("px") or {}
    if px.get("tableid"):
        return str(px["tableid"])[:40]
    match = TABLE_ID.match(str(document.get("label") or ""))
    if match:
        return match.group(1)
    raise JsonStatError(_("The dataset does not say which table it is from: give the table."))


def _role(role: dict, name: str, ids: list[str]) -> str | None:
    found = [dim_id for dim_id in role.get(name) or [] if dim_id in ids]
    return found[0] if found else None


def _named(ids: list[str], test) -> str | None:
    return next((dim_id for dim_id in ids if test(dim_id)), None)


def _dimension(document: dict, dim_id: str, size: int) -> Dimension:
    entry = (document.get("dimension") or {}).get(dim_id)
    if not isinstance(entry, dict):
        raise JsonStatError(_("The dimension %(id)s is not described.") % {"id": dim_id})
    category = entry.get("category") or {}
    index, labels = category.get("index"), category.get("label") or {}
    if isinstance(index, list):
        codes = [str(code) for code in index]
    elif isinstance(index, dict):
        codes = [str(code) for code, _pos in sorted(index.items(), key=lambda item: item[1])]
    else:
        # A dimension of one category may give only its label.
        codes = [str(code) for code in labels]
    if len(codes) != size:
        raise JsonStatError(
            _("The dimension %(id)s has %(codes)s codes but a size of %(size)s.")
            % {"id": dim_id, "codes": len(codes), "size": size}
        )
    return Dimension(
        id=dim_id,
        label=str(entry.get("label") or dim_id)[:200],
        codes=codes,
        labels={str(k): str(v) for k, v in labels.items()},
    )


def _number(value) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _check_size(dataset: Dataset) -> None:
    values = dataset.values
    if isinstance(values, list) and len(values) != dataset.size:
        raise JsonStatError(
            _("The dataset has %(values)s values for %(cells)s cells.")
            % {"values": len(values), "cells": dataset.size}
        )
    if not isinstance(values, list | dict):
        raise JsonStatError(_("The dataset's values are neither a list nor an object."))


def _status_lookup(status):
    """A function from position to marker, whatever shape `status` has."""
    if isinstance(status, str):
        mark = status[:10]
        return lambda position: mark
    if isinstance(status, list):
        size = len(status)
        return lambda position: str(status[position] or "")[:10] if position < size else ""
    if isinstance(status, dict):
        marks = {int(key): str(value or "")[:10] for key, value in status.items()}
        return lambda position: marks.get(position, "")
    return lambda position: ""


def _status_positions(status) -> list[int]:
    if isinstance(status, dict):
        return [int(key) for key in status]
    if isinstance(status, list):
        return [i for i, mark in enumerate(status) if mark]
    return []


def _code_lists(dataset: Dataset) -> list[list[str]]:
    """Each dimension's codes in order, the region's already normalised."""
    return [
        [normalise_region(c) for c in d.codes] if d.id == dataset.region_id else d.codes
        for d in dataset.dimensions
    ]


def _combinations(dataset: Dataset, lists: list[list[str]]) -> Iterator[tuple[int, tuple, object]]:
    """(position, codes, raw value) in row-major order: the last dimension runs fastest."""
    values = dataset.values
    if isinstance(values, list):
        yield from zip(range(dataset.size), product(*lists), values, strict=False)
        return
    keyed = {int(key): value for key, value in values.items()}
    for position in _status_positions(dataset.status):
        keyed.setdefault(position, None)
    sizes = [len(codes) for codes in lists]
    for position in sorted(keyed):
        if not 0 <= position < dataset.size:
            continue
        codes, rest = [], position
        for codes_of, size in zip(reversed(lists), reversed(sizes), strict=True):
            rest, index = divmod(rest, size)
            codes.append(codes_of[index])
        yield position, tuple(reversed(codes)), keyed[position]


def _cells(dataset: Dataset) -> Iterator[Cell]:
    _check_size(dataset)
    position_of = {d.id: i for i, d in enumerate(dataset.dimensions)}
    region_i = position_of.get(dataset.region_id)
    time_i = position_of[dataset.time_id]
    contents_i = position_of.get(dataset.contents_id)
    others = [(position_of[dim_id], dim_id) for dim_id in dataset.other_ids]
    status_at = _status_lookup(dataset.status)
    # The codes of the other dimensions repeat: one dict per combination, shared by its cells.
    shared: dict[tuple, dict[str, str]] = {}
    for position, codes, raw in _combinations(dataset, _code_lists(dataset)):
        key = tuple(codes[i] for i, _dim in others)
        dimensions = shared.get(key)
        if dimensions is None:
            dimensions = shared[key] = {dim_id: codes[i] for i, dim_id in others}
        yield Cell(
            contents=codes[contents_i] if contents_i is not None else "",
            region=codes[region_i] if region_i is not None else "",
            period=codes[time_i],
            dimensions=dimensions,
            value=_number(raw),
            status=status_at(position),
        )
