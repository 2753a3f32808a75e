"""Background jobs: thin wrappers that take ids and call a service."""

from celery import shared_task

from . import links


@shared_task
def refresh_statistics() -> int:
    """Monthly (Celery beat): fetch every statistics link again."""
    return links.statistic_links_refresh_all()


@shared_task
def refresh_statistic_link(link_id: int) -> bool:
    """One link, at the office's request; the throttle keeps within SSB's limits."""
    return links.statistic_link_refresh(link_id=link_id) is not None
