"""Background jobs of the core app: thin wrappers that call a service."""

from celery import shared_task

from .security import security_events_purge
from .uploads import pending_uploads_purge


@shared_task
def purge_security_events() -> int:
    """Nightly: drop security events past the retention time (idempotent)."""
    return security_events_purge()


@shared_task
def purge_pending_uploads() -> int:
    """Beat, nightly: remove uploads that were previewed and never confirmed."""
    return pending_uploads_purge()
