"""Periodic upkeep of order facts."""

from celery import shared_task

from .services import disputes_escalate_due


@shared_task(name="seller_desk.escalate_disputes", acks_late=True)
def escalate_disputes() -> int:
    """Disputes without agreement 15 days after opening go to the platform; idempotent."""
    return disputes_escalate_due()
