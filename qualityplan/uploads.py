"""Uploaded files waiting between their preview and their confirmation.

An upload is kept in the person's session under a random token until they
confirm it. Taking it out again is a one-time claim, so a double submit of the
confirmation applies the file once.
"""

import secrets

from django.core.cache import cache
from django.http import HttpRequest

CLAIM_SECONDS = 24 * 3600


def upload_remember(*, request: HttpRequest, key: str, entry: dict, keep: int) -> str:
    """Keep `entry` under a new token; at most `keep` wait at once, the oldest go first."""
    token = secrets.token_urlsafe(24)
    pending = request.session.get(key, {})
    while len(pending) >= keep:
        pending.pop(next(iter(pending)))
    pending[token] = entry
    request.session[key] = pending
    return token


def upload_take(*, request: HttpRequest, key: str, token: str) -> dict | None:
    """The upload waiting under `token`, taken out so that it can be used once only."""
    pending = request.session.get(key, {})
    entry = pending.pop(token, None) if token else None
    if entry is None:
        return None
    request.session[key] = pending
    request.session.save()
    # Two requests racing with the same session both saw the token; one claim wins.
    if not cache.add(f"upload-claimed:{key}:{token}", True, timeout=CLAIM_SECONDS):
        return None
    return entry
