"""Delivery of outbound messages to the marketplace.

Every outbound message (agent reply, auto-reply, campaign push) is stored first, then handed
to the delivery backend by the ``conversations.deliver_message`` Celery task after commit
(in-process without Redis). The default backend records the message as delivered to the
buyer's chat, which ``GET /api/v1/ingress/buyers/{id}/messages`` shows; a real marketplace
client plugs in by naming its class in ``SELLER_DESK["DELIVERY_BACKEND"]``.
"""

from functools import lru_cache

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string


class RecordInBuyerChat:
    """The message row *is* the buyer's chat: nothing leaves the machine."""

    def send(self, message) -> None:
        return None


@lru_cache(maxsize=1)
def _backend():
    return import_string(settings.SELLER_DESK["DELIVERY_BACKEND"])()


def deliver_pending(*, message_id: int) -> bool:
    """Deliver one message unless it already was; claims the row so two workers never both send it."""
    from .models import Message

    with transaction.atomic():
        message = Message.objects.select_for_update().filter(pk=message_id, delivered_at__isnull=True).first()
        if message is None:
            return False
        _backend().send(message)
        message.delivered_at = timezone.now()
        message.save(update_fields=["delivered_at"])
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
    from .tasks import deliver_message

    transaction.on_commit(lambda: deliver_message.delay(message.pk))
