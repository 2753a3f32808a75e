"""Every change to the organisation, its people and its roles, told to the security log.

Events go to the Python logger `kvalitetsplan.security` as one line each, with the
event name, who did it and what it touched in `extra`, so that whatever collects the
security log (a handler, a model that reads the logger) gets them all from one place.
The row-by-row history people read on the pages is kept by simple_history.
"""

from __future__ import annotations

import logging

from django.contrib.auth.models import User

logger = logging.getLogger("kvalitetsplan.security")


def org_event(event: str, *, user: User | None, target: str = "", **details) -> None:
    """Log `event` (e.g. "org.unit_moved") done by `user` to `target`, with its details."""
    actor = getattr(user, "username", "") or "system"
    logger.info(
        "%s by %s: %s %s",
        event,
        actor,
        target,
        " ".join(f"{key}={value!r}" for key, value in sorted(details.items())),
        extra={
            "event": event,
            "actor_id": getattr(user, "pk", None),
            "target": target,
            "details": details,
        },
    )
