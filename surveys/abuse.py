"""Keeping a public survey link from being flooded, without keeping anything about people.

- Rate limits count in the cache, per link and per (link, address), over ten-minute
  windows. The address is hashed with a daily salt before it becomes a cache key and is
  never written to the database, so no answer can be tied to it.
- A form carries a signed stamp (link, time, a random nonce) instead of a CSRF cookie:
  a shared tablet with cleared cookies, a kiosk browser or a page left open for hours
  still submits, and no cookie or session is ever set for a respondent. A stamp is
  accepted once (its nonce is remembered in the cache), so a double submit saves one
  answer; it must be at least a moment old, which stops most scripts.
- A honeypot field that people never see: a bot that fills it gets a thank-you and
  nothing is saved.
"""

from __future__ import annotations

import hashlib
import secrets
import time

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils import timezone

WINDOW = 600
_SALT = "surveys.stamp"


def client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


def _address_key(address: str) -> str:
    day = timezone.localdate().isoformat()
    return hashlib.sha256(f"{settings.SECRET_KEY}:{day}:{address}".encode()).hexdigest()[:24]


def _bump(key: str) -> int:
    if cache.add(key, 1, WINDOW + 5):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, WINDOW + 5)
        return 1


def rate_limited(*, link_id: int, address: str) -> bool:
    """Count one attempt; True when the link or the address has had too many."""
    bucket = int(time.time()) // WINDOW
    per_link = _bump(f"surveys:rl:link:{link_id}:{bucket}")
    per_address = _bump(f"surveys:rl:addr:{link_id}:{_address_key(address)}:{bucket}")
    return (
        per_link > settings.SURVEY_RATE_PER_LINK or per_address > settings.SURVEY_RATE_PER_ADDRESS
    )


def stamp_new(*, link_id: int) -> str:
    return signing.dumps(
        {"l": link_id, "t": int(time.time()), "n": secrets.token_urlsafe(12)}, salt=_SALT
    )


class StampError(Exception):
    pass


def stamp_check(*, stamp: str, link_id: int) -> str:
    """The stamp's nonce if the stamp is good for this link; StampError if it is not."""
    try:
        data = signing.loads(stamp, salt=_SALT, max_age=settings.SURVEY_FORM_MAX_AGE)
    except signing.BadSignature as error:
        raise StampError("expired or forged") from error
    if data.get("l") != link_id:
        raise StampError("another link")
    if time.time() - data.get("t", 0) < settings.SURVEY_MIN_SECONDS:
        raise StampError("too fast")
    return data["n"]


def stamp_used(nonce: str) -> bool:
    return cache.get(f"surveys:stamp:{nonce}") is not None


def stamp_spend(nonce: str) -> None:
    cache.set(f"surveys:stamp:{nonce}", 1, settings.SURVEY_FORM_MAX_AGE + 60)
