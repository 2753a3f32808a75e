from celery import shared_task

from .security import security_events_purge


@shared_task
def purge_security_events() -> int:
    """Nightly: drop security events past the retention time (idempotent)."""
    return security_events_purge()
