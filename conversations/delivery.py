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


def deliver_after_commit(message) -> None:
    """Queue delivery once the surrounding transaction commits (never for rolled-back messages)."""
    from .tasks import deliver_message

    transaction.on_commit(lambda: deliver_message.delay(message.pk))
