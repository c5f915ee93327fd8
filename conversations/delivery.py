"""Delivery of outbound messages to the marketplace.

Every outbound message (agent reply, auto-reply, campaign push) goes through ``deliver``.
The default backend records the message in the buyer's chat, which
``GET /api/v1/ingress/buyers/{id}/messages`` shows; a real marketplace client plugs in by
naming its class in ``SELLER_DESK["DELIVERY_BACKEND"]``.
"""

from functools import lru_cache

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


class RecordInBuyerChat:
    """The message row *is* the buyer's chat: mark it delivered."""

    def send(self, message) -> None:
        message.delivered_at = timezone.now()
        message.save(update_fields=["delivered_at"])


@lru_cache(maxsize=1)
def _backend():
    return import_string(settings.SELLER_DESK["DELIVERY_BACKEND"])()


def deliver(message) -> None:
    _backend().send(message)
