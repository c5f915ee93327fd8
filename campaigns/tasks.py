"""Celery tasks for batch campaigns: ids in, one service call, explicit names. Both are safe to run twice."""

from datetime import date

from celery import shared_task

from . import services


@shared_task(name="campaigns.send_batch", acks_late=True, soft_time_limit=240, time_limit=300)
def send_batch(campaign_id: int, day: str | None = None) -> dict:
    """Send the campaign's next batch for the store-local day (default today) within the daily quota."""
    result = services.campaign_send_batch(
        campaign_id=campaign_id, day=date.fromisoformat(day) if day else None
    )
    return {
        "sent": result.sent,
        "skipped": result.skipped,
        "failed": result.failed,
        "stopped": result.stopped,
    }


@shared_task(name="campaigns.run_daily", acks_late=True)
def run_daily() -> int:
    """Beat (every 15 minutes): start scheduled campaigns whose day has come and queue each sending one's batch."""
    return len(services.campaigns_run_daily(enqueue=True))


@shared_task(name="campaigns.resume_cut_batches", acks_late=True)
def resume_cut_batches() -> int:
    """Beat (every 30 s): a batch cut by a killed worker or a lost task is queued again (docs/operations.md)."""
    return len(services.campaigns_resume_cut())
