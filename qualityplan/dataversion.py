"""A stamp per plan that changes after every committed write to the plan's figures.

The dashboards cache their roll-ups under a key that includes this stamp, so an
entry is never deleted: a write makes a new stamp and the old entries become
unreachable (they expire on their own). The stamp lives in the configured cache
(Redis in production, a process's memory otherwise) as a random token; a token
that is missing (evicted, a fresh cache) is simply made anew, which again makes
every older entry unreachable. Nothing can read a figure older than the last
committed write.

Writes that change what the dashboards count call `plan_changed(plan_id=…)`
inside their transaction; the stamp changes when that transaction commits (at
once outside one). Saves and deletes of the plan's models reach it through the
signal receivers in `reporting.apps`; bulk writes (which send no signals) call
it themselves. Changes to the organisation (a unit renamed or moved) touch every
plan: `org_changed()` moves a stamp every plan key includes.

A status row saved changes only the figures of the scopes its unit is in, so it
moves a stamp of its own unit (`plan_changed(plan_id=…, unit_id=…)`), and a
dashboard's stamp holds the stamps of the units it counts: on the deadline day, a
save in one area leaves the other areas' dashboards in the cache. Reading the
stamps of 300 units is one round trip (`get_many`).

The deviation statistics have a stamp of their own, moved by every deviation or
category saved or deleted (`deviations.apps`) and by the demo's bulk writes.
"""

from __future__ import annotations

import hashlib
import uuid

from django.core.cache import cache
from django.db import transaction

# Long enough to outlive a working day of dashboards, short enough that a cache
# outliving a database restore cannot serve old figures for long.
ENTRY_SECONDS = 6 * 60 * 60
_PLAN_KEY = "kp:data-version:plan:{}"
_ORG_KEY = "kp:data-version:org"
_UNIT_KEY = "kp:data-version:plan:{}:unit:{}"
_DEVIATIONS_KEY = "kp:data-version:deviations"


def _new_token() -> str:
    return uuid.uuid4().hex[:16]


def _bump(key: str) -> None:
    transaction.on_commit(lambda: cache.set(key, _new_token(), None))


def plan_changed(*, plan_id: int | None, unit_id: int | None = None) -> None:
    """The figures of this plan changed (only those of `unit_id`'s rows, when given):
    new stamp once the transaction commits."""
    if plan_id is None:
        return
    _bump(_PLAN_KEY.format(plan_id) if unit_id is None else _UNIT_KEY.format(plan_id, unit_id))


def deviations_changed() -> None:
    """A deviation or a category was written: new stamp for the deviation figures."""
    _bump(_DEVIATIONS_KEY)


def org_changed() -> None:
    """Units were added, renamed or moved: every plan gets a new stamp on commit."""
    _bump(_ORG_KEY)


def _token(key: str) -> str:
    token = cache.get(key)
    if token is None:
        token = _new_token()
        # add, not set: two requests racing on a fresh cache agree on one token.
        if not cache.add(key, token, None):
            token = cache.get(key) or token
    return token


def plan_data_version(*, plan_id: int, unit_ids=()) -> str:
    """The stamp of the plan's figures over `unit_ids` now, for cache keys: the plan's
    and the organisation's stamps, and a digest of the units' own."""
    plan_key = _PLAN_KEY.format(plan_id)
    unit_keys = [_UNIT_KEY.format(plan_id, unit_id) for unit_id in sorted(unit_ids)]
    tokens = cache.get_many([plan_key, _ORG_KEY, *unit_keys])
    # A missing stamp (a fresh or evicted cache) is made anew, one `add` each.
    for key in [plan_key, _ORG_KEY, *unit_keys]:
        if key not in tokens:
            tokens[key] = _token(key)
    stamp = f"{tokens[plan_key]}.{tokens[_ORG_KEY]}"
    if not unit_keys:
        return stamp
    units = hashlib.sha256(".".join(tokens[key] for key in unit_keys).encode()).hexdigest()
    return f"{stamp}.{units[:16]}"


def deviations_data_version() -> str:
    """The stamp of the deviation figures now (every deviation, and the organisation)."""
    tokens = cache.get_many([_DEVIATIONS_KEY, _ORG_KEY])
    for key in (_DEVIATIONS_KEY, _ORG_KEY):
        if key not in tokens:
            tokens[key] = _token(key)
    return f"{tokens[_DEVIATIONS_KEY]}.{tokens[_ORG_KEY]}"
