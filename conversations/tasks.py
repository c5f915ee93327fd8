"""Celery tasks for conversations: ids in, one service call; the outbox sweeper (docs/operations.md); the
suggestion's query vector prepared after a buyer message (docs/suggestion.md)."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from .delivery import deliver_pending, deliver_pending_many, outbox_sweep
from .services import suggestions_prepare

# A started task whose database or broker connection drops is tried again (the Django fixup closes the broken
# connection after the task); what still fails is left in the outbox, which the sweeper picks up.
TRANSIENT = (OperationalError, InterfaceError, ConnectionError, TimeoutError, OSError)


@shared_task(
    name="conversations.deliver_message",
    autoretry_for=TRANSIENT,
    retry_backoff=2,
    retry_backoff_max=60,
    retry_jitter=True,
    max_retries=10,
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


@shared_task(name="conversations.sweep_outbox", acks_late=True, autoretry_for=TRANSIENT, max_retries=3)
def sweep_outbox() -> int:
    """Beat (every minute): re-queue outbound messages left pending past the grace period."""
    return outbox_sweep()


@shared_task(name="conversations.prepare_suggestions", ignore_result=True, acks_late=False)
def prepare_suggestions(conversation_ids: list[int] | None = None) -> int:
    """Queue ``suggest`` (CELERY_TASK_ROUTES): the reply box's query vectors of the buyer messages noted since the
    last run (or of ``conversation_ids``); a conversation deleted meanwhile is skipped. Not retried: a lost one only
    costs the reply box one embedding when the agent opens the conversation."""
    return suggestions_prepare(conversation_ids=conversation_ids)
