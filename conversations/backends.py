"""The HTTP delivery backend: each outbound message POSTed to its store's marketplace endpoint, signed.

``DELIVERY_BACKEND=http`` selects it (docs/operations.md "The marketplace endpoint"). A store without an
endpoint keeps the local behaviour (the message row is the buyer's chat). The request:

    POST <store.marketplace_endpoint>
    Content-Type: application/json
    Idempotency-Key: sd-<store id>-<message id>        (the same on every try)
    X-Seller-Desk-Timestamp: <unix seconds>
    X-Seller-Desk-Signature: sha256=<HMAC-SHA256(secret, "<timestamp>.<body>")>   (when the store has a secret)

2xx is delivered; 5xx, 408, 429, a timeout or a refused connection is tried again with exponential backoff;
any other 4xx is refused for good (a dead letter the store can send again).
"""

import json
import socket
import urllib.error
import urllib.request

from django.conf import settings

from seller_desk.signatures import signed_headers

from .delivery import DeliveryRefused, DeliveryRetry, idempotency_key_for

RETRYABLE_4XX = {408, 425, 429}


def message_payload(message) -> dict:
    """What the marketplace receives for one outbound message (ids are the marketplace's where it has them)."""
    conversation = message.conversation
    public_url = settings.SELLER_DESK["DELIVERY"]["PUBLIC_URL"]
    payload = {
        "message_id": message.pk,
        "store": message.store.slug,
        "buyer_id": message.buyer.external_id,
        "order_id": conversation.order.external_id if conversation.order_id else None,
        "channel": conversation.channel,
        "kind": message.sender,
        "text": message.text,
        "language": message.language,
        "buyer_only": message.buyer_only,
        "created_at": message.created_at.isoformat(),
    }
    if message.image:
        payload["image_url"] = public_url + message.image.url
    if message.coupon_id:
        payload["coupon"] = {"code": message.coupon.code, "name": message.coupon.name}
    if message.card:
        payload["card"] = message.card
    if message.triggered_by_id:
        payload["in_reply_to"] = message.triggered_by.external_id
    response = message.dispute_response if hasattr(message, "dispute_response") else None
    if response is not None:
        payload["kind"] = "dispute_response"
        payload["dispute"] = {
            "dispute_id": response.dispute.external_id,
            "action": response.action,
            "refund_amount": str(response.refund_amount) if response.refund_amount is not None else None,
        }
    return payload


class MarketplaceHttp:
    def send(self, message) -> None:
        store = message.store
        if not store.marketplace_endpoint:
            return None
        body = json.dumps(message_payload(message), ensure_ascii=False, separators=(",", ":")).encode()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "SellerDesk-Delivery/1",
            "Idempotency-Key": idempotency_key_for(message),
        }
        if store.marketplace_secret:
            headers.update(signed_headers(secret=store.marketplace_secret, body=body))
        request = urllib.request.Request(
            store.marketplace_endpoint, data=body, headers=headers, method="POST"
        )
        timeout = settings.SELLER_DESK["DELIVERY"]["TIMEOUT_SECONDS"]
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                response.read(65536)
        except urllib.error.HTTPError as error:
            detail = f"The marketplace answered {error.code} {error.reason}"
            if error.code >= 500 or error.code in RETRYABLE_4XX:
                raise DeliveryRetry(detail) from None
            raise DeliveryRefused(detail) from None
        except TimeoutError:
            raise DeliveryRetry(f"The marketplace did not answer within {timeout:g} s") from None
        except (urllib.error.URLError, ConnectionError, OSError) as error:
            reason = getattr(error, "reason", error)
            if isinstance(reason, (TimeoutError, socket.timeout)):
                raise DeliveryRetry(f"The marketplace did not answer within {timeout:g} s") from None
            raise DeliveryRetry(f"Could not reach the marketplace: {reason}") from None
        return None
