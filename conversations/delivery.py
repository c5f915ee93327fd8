"""Delivery of outbound messages to the marketplace, through an outbox.

Every outbound message (agent reply, auto-reply, campaign push, dispute response) is stored first; the pending
row *is* the outbox entry. After commit the ``conversations.deliver_message`` task hands it to the delivery
backend (in-process without Redis). If that enqueue is lost (Redis down, a worker killed, a task dropped), the
sweeper (beat, every minute) re-queues every row still pending past a short grace period, so a message the API
acknowledged is delivered whatever happens to the broker or the worker. A row is claimed with
``select_for_update(skip_locked)`` and ``delivered_at`` is set in the same transaction as the send, so two
tasks for one message never both send it; the marketplace gets the same ``Idempotency-Key`` on every try.

Backends (``SELLER_DESK["DELIVERY_BACKEND"]``): ``RecordInBuyerChat`` (default) records the message as
delivered to the buyer's chat, which ``GET /api/v1/ingress/buyers/{id}/messages`` shows;
``conversations.backends.MarketplaceHttp`` POSTs it to the store's marketplace endpoint, signed. A backend
raises ``DeliveryRetry`` for a failure worth trying again (5xx, timeout, refused connection) and
``DeliveryRefused`` for one that is not (4xx): after ``DELIVERY_MAX_ATTEMPTS`` tries, or at once when refused,
the message becomes a dead letter (``delivery_failed_at``) shown to the store with a "Send again" action.
"""

import logging
from datetime import timedelta
from functools import lru_cache

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class DeliveryRetry(Exception):
    """The marketplace could not take the message now (5xx, timeout, connection refused): try again later."""


class DeliveryRefused(Exception):
    """The marketplace refused the message for good (4xx): retrying will not help."""


class RecordInBuyerChat:
    """The message row *is* the buyer's chat: nothing leaves the machine."""

    def send(self, message) -> None:
        return None


@lru_cache(maxsize=4)
def _backend_for(path: str):
    return import_string(path)()


def _backend():
    return _backend_for(settings.SELLER_DESK["DELIVERY_BACKEND"])


def _options() -> dict:
    return settings.SELLER_DESK["DELIVERY"]


def retry_delay(attempts: int) -> float:
    """Exponential backoff after the ``attempts``-th failed try: base, 2 × base, 4 × base … capped."""
    options = _options()
    return min(options["RETRY_BASE_SECONDS"] * 2 ** max(attempts - 1, 0), options["RETRY_MAX_SECONDS"])


def idempotency_key_for(message) -> str:
    """The same key on every try of one message, so the marketplace can drop a repeat."""
    return f"sd-{message.store_id}-{message.pk}"


def deliver_pending(*, message_id: int) -> bool:
    """Try to deliver one message unless it already was, is dead, or is not due yet (a retry is scheduled).

    Returns True when this call delivered it. Raises ``DeliveryRetry`` (after recording the attempt and the
    next time to try) when the marketplace failed in a way worth trying again; the task schedules that try.
    """
    from .models import Direction, Message

    now = timezone.now()
    with transaction.atomic():
        message = (
            Message.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("store", "conversation", "buyer", "coupon")
            .filter(
                pk=message_id,
                direction=Direction.OUTBOUND,
                delivered_at__isnull=True,
                delivery_failed_at__isnull=True,
            )
            .first()
        )
        if message is None:
            return False
        # A duplicate task (the sweeper's and the original's) must not try earlier than the backoff allows.
        if message.next_attempt_at and message.next_attempt_at > now + timedelta(seconds=1):
            return False
        try:
            _backend().send(message)
        except DeliveryRetry as failure:
            return _record_failure(message, str(failure), now=now, final=False)
        except DeliveryRefused as failure:
            return _record_failure(message, str(failure), now=now, final=True)
        message.delivered_at = timezone.now()
        message.delivery_attempts += 1
        message.delivery_error = ""
        message.save(update_fields=["delivered_at", "delivery_attempts", "delivery_error"])
    return True


def _record_failure(message, reason: str, *, now, final: bool) -> bool:
    message.delivery_attempts += 1
    message.delivery_error = reason[:300]
    dead = final or message.delivery_attempts >= _options()["MAX_ATTEMPTS"]
    delay = retry_delay(message.delivery_attempts)
    if dead:
        message.delivery_failed_at = now
    else:
        message.next_attempt_at = now + timedelta(seconds=delay)
    message.save(
        update_fields=["delivery_attempts", "delivery_error", "delivery_failed_at", "next_attempt_at"]
    )
    logger.warning(
        "delivery of message %s failed (attempt %s%s): %s",
        message.pk,
        message.delivery_attempts,
        ", dead letter" if dead else f", next in {delay:g} s",
        reason,
    )
    if not dead:
        transaction.on_commit(lambda: _enqueue(message.pk, countdown=delay))
    return False


def _enqueue(message_id: int, countdown: float | None = None) -> bool:
    """Queue one delivery; a broker that is down is logged, never raised: the row stays in the outbox and the
    sweeper queues it again, so the request that stored it still gets its 2xx."""
    from .tasks import deliver_message

    try:
        if countdown:
            deliver_message.apply_async((message_id,), countdown=countdown)
        else:
            deliver_message.delay(message_id)
    except Exception:  # kombu/redis raise many kinds; the outbox row is what counts
        logger.warning(
            "could not queue delivery of message %s; the outbox sweeper will", message_id, exc_info=True
        )
        return False
    return True


def deliver_pending_many(*, message_ids: list[int]) -> int:
    """Deliver a chunk of messages (a batch send's) in two queries; rows already delivered, or claimed by another
    worker at this moment, are left to it. Returns how many this call delivered."""
    from .models import Message

    with transaction.atomic():
        messages = list(
            Message.objects.select_for_update(skip_locked=True).filter(
                pk__in=message_ids, delivered_at__isnull=True
            )
        )
        backend = _backend()
        for message in messages:
            backend.send(message)
        Message.objects.filter(pk__in=[m.pk for m in messages]).update(delivered_at=timezone.now())
    return len(messages)


def deliver_many_after_commit(messages) -> None:
    """One broker publish for a chunk of messages, once the surrounding transaction commits."""
    from .tasks import deliver_messages

    ids = [m.pk for m in messages]
    if ids:
        transaction.on_commit(lambda: deliver_messages.delay(ids))


def deliver_after_commit(message) -> None:
    """Queue delivery once the surrounding transaction commits (never for rolled-back messages)."""
    transaction.on_commit(lambda: _enqueue(message.pk))


def outbox_due(*, now=None, limit: int = 1000) -> list[int]:
    """Ids of outbound messages still pending past the grace period after they were due (oldest first)."""
    from .models import Direction, Message

    cutoff = (now or timezone.now()) - timedelta(seconds=_options()["SWEEP_GRACE_SECONDS"])
    return list(
        Message.objects.filter(
            direction=Direction.OUTBOUND, delivered_at__isnull=True, delivery_failed_at__isnull=True
        )
        .filter(Q(next_attempt_at__lte=cutoff) | Q(next_attempt_at__isnull=True, created_at__lte=cutoff))
        .order_by(Coalesce("next_attempt_at", "created_at"), "id")
        .values_list("pk", flat=True)[:limit]
    )


def outbox_sweep(*, now=None) -> int:
    """Re-queue every message left pending (a lost enqueue, a killed worker, a broker outage); returns how many."""
    queued = 0
    for message_id in outbox_due(now=now):
        if not _enqueue(message_id):
            break
        queued += 1
    if queued:
        logger.info("outbox sweeper re-queued %s pending messages", queued)
    return queued
