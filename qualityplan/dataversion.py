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
"""

from __future__ import annotations

import uuid

from django.core.cache import cache
from django.db import transaction

# Long enough to outlive a working day of dashboards, short enough that a cache
# outliving a database restore cannot serve old figures for long.
ENTRY_SECONDS = 6 * 60 * 60
_PLAN_KEY = "kp:data-version:plan:{}"
_ORG_KEY = "kp:data-version:org"


def _new_token() -> str:
    return uuid.uuid4().hex[:16]


def _bump(key: str) -> None:
    transaction.on_commit(lambda: cache.set(key, _new_token(), None))


def plan_changed(*, plan_id: int | None) -> None:
    """The figures of this plan changed: new stamp once the transaction commits."""
    if plan_id is not None:
        _bump(_PLAN_KEY.format(plan_id))


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


def plan_data_version(*, plan_id: int) -> str:
    """The stamp of the plan's figures now, for cache keys."""
    plan_key = _PLAN_KEY.format(plan_id)
    tokens = cache.get_many([plan_key, _ORG_KEY])
    plan_token = tokens.get(plan_key) or _token(plan_key)
    org_token = tokens.get(_ORG_KEY) or _token(_ORG_KEY)
    return f"{plan_token}.{org_token}"
