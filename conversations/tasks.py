"""Celery tasks for conversations: ids in, one service call, retries for a flaky marketplace."""

from celery import shared_task

from .delivery import deliver_pending, deliver_pending_many


@shared_task(
    name="conversations.deliver_message",
    autoretry_for=(ConnectionError, TimeoutError),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=8,
    acks_late=True,
)
def deliver_message(message_id: int) -> bool:
    """Hand one outbound message to the marketplace; safe to run twice (a delivered message is skipped)."""
    return deliver_pending(message_id=message_id)


@shared_task(
    name="conversations.deliver_messages",
    autoretry_for=(ConnectionError, TimeoutError),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=8,
    acks_late=True,
)
def deliver_messages(message_ids: list[int]) -> int:
    """Hand a chunk of outbound messages (one batch send's) to the marketplace; safe to run twice."""
    return deliver_pending_many(message_ids=message_ids)
