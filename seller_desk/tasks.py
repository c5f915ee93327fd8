"""Periodic upkeep of order facts."""

from celery import shared_task

from .services import disputes_escalate_due


@shared_task(name="seller_desk.escalate_disputes", acks_late=True)
def escalate_disputes() -> int:
    """Disputes without agreement 15 days after opening go to the platform; idempotent."""
    return disputes_escalate_due()


@shared_task(name="seller_desk.worker_heartbeat", ignore_result=True, expires=60)
def worker_heartbeat() -> float:
    """Beat sends it every 30 s; the worker's answer is what /healthz reads as "worker": "ok"."""
    from .health import heartbeat_record

    return heartbeat_record()
