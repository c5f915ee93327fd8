"""Seed rules whose existing tests left part of the rule out (found in the seed-rule review)."""

from datetime import timedelta
from urllib.parse import urlparse

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from conversations.models import Conversation, Message
from tests.factories import make_member, make_order, picture_upload

pytestmark = pytest.mark.django_db


def ingress(store) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {store.integration_token}")
    return client


def test_R21_a_buyer_message_with_a_photo_and_a_product_comment_reach_the_seller_and_the_history_stays(store):
    """R21's "by message (with photos) … product comments … history is kept": the photo arrives through the
    marketplace ingress, shows in the seller's thread beside the text, and the thread still holds every
    earlier message after the seller answers and the buyer writes again."""
    order = make_order(store)
    buyer = order.buyer
    sent = timezone.now() - timedelta(hours=3)
    photo = ingress(store).post(
        "/api/v1/ingress/messages",
        {
            "message_id": "R21-photo",
            "buyer.buyer_id": buyer.external_id,
            "order_id": order.external_id,
            "channel": "message",
            "text": "The box arrived crushed, photo attached.",
            "sent_at": sent.isoformat(),
            "image": picture_upload(),
        },
        format="multipart",
    )
    assert photo.status_code == 201, photo.content
    comment = ingress(store).post(
        "/api/v1/ingress/messages",
        {
            "message_id": "R21-comment",
            "buyer": {"buyer_id": buyer.external_id},
            "order_id": order.external_id,
            "channel": "comment",
            "text": "Nice colour, but the size runs small.",
            "sent_at": (sent + timedelta(minutes=5)).isoformat(),
        },
        format="json",
    )
    assert comment.status_code == 201, comment.content
    assert comment.json()["conversation_id"] != photo.json()["conversation_id"]

    seller = APIClient()
    seller.force_authenticate(make_member(store))
    thread = photo.json()["conversation_id"]
    reply = seller.post(f"/api/v1/conversations/{thread}/replies", {"text": "Sorry! A refund is on its way."})
    assert reply.status_code == 201, reply.content
    ingress(store).post(
        "/api/v1/ingress/messages",
        {
            "message_id": "R21-later",
            "buyer": {"buyer_id": buyer.external_id},
            "order_id": order.external_id,
            "channel": "message",
            "text": "Thank you, refund received.",
            "sent_at": timezone.now().isoformat(),
        },
        format="json",
    )

    messages = seller.get(f"/api/v1/conversations/{thread}").json()["messages"]
    assert [(m["sender"], m["text"]) for m in messages] == [
        ("buyer", "The box arrived crushed, photo attached."),
        ("agent", "Sorry! A refund is on its way."),
        ("buyer", "Thank you, refund received."),
    ]
    assert urlparse(messages[0]["image_url"]).path.endswith(".png")
    assert "image_url" not in messages[2]
    stored = Message.objects.get(external_id="R21-photo")
    assert stored.image.read()[:8] == b"\x89PNG\r\n\x1a\n"
    comments = seller.get(f"/api/v1/conversations/{comment.json()['conversation_id']}").json()
    assert comments["channel"] == "comment"
    assert [m["text"] for m in comments["messages"]] == ["Nice colour, but the size runs small."]
    assert sorted(Conversation.objects.filter(store=store).values_list("channel", flat=True)) == [
        "comment",
        "message",
    ]
