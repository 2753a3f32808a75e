"""Background jobs: thin wrappers that take ids and call a service."""

from celery import shared_task
from django.utils import timezone

from . import reminders


@shared_task
def send_status_reminders() -> int:
    """The daily run (Celery beat): reminders due today, in the site's time zone."""
    return reminders.status_reminders_send(today=timezone.localdate())


@shared_task
def send_status_reminder_to_unit(period_id: int, unit_id: int) -> int:
    """The quality office's "chase" of one unit; at most once an hour per person."""
    return reminders.status_reminder_to_unit_send(period_id=period_id, unit_id=unit_id)
