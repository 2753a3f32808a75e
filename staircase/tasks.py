"""Background jobs of the staircase: thin wrappers that take ids and call a service."""

from celery import shared_task
from django.db import transaction

from . import notify


def queue_reviewer_welcome(*, assignment_id: int) -> None:
    transaction.on_commit(lambda: reviewer_welcome.delay(assignment_id), robust=True)


@shared_task
def reviewer_welcome(assignment_id: int) -> int:
    return notify.reviewer_welcome_send(assignment_id=assignment_id)


@shared_task
def send_staircase_reminders() -> int:
    """Daily: self-assessment deadlines a week ahead, certificates three months before expiry."""
    return notify.deadline_reminders_send() + notify.expiry_reminders_send()
