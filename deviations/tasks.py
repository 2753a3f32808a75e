"""Background jobs: thin wrappers that take ids and call a service."""

from celery import shared_task

from . import services


@shared_task
def deviation_reported_notify(deviation_id: int) -> int:
    return services.deviation_reported_notify(deviation_id=deviation_id)


@shared_task
def deviation_closed_notify(deviation_id: int) -> int:
    return services.deviation_closed_notify(deviation_id=deviation_id)


@shared_task
def refresh_counted_indicators() -> int:
    from .indicators import refresh_open_periods

    return refresh_open_periods()
