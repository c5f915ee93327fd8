from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from conversations.models import Conversation, Message, ReplyWait
from seller_desk.models import Order

pytestmark = pytest.mark.django_db


def ingress(store) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {store.integration_token}")
    return client


def order_item(i: int, **overrides) -> dict:
    item = {
        "order_id": f"800{i}",
        "buyer": {"buyer_id": f"b{i}", "name": f"Buyer {i}", "country": "RU", "locale": "ru_RU"},
        "status": "in_transit",
        "placed_at": "2026-11-01T10:00:00+00:00",
        "shipped_at": "2026-11-03T10:00:00+00:00",
        "protection_ends_at": "2027-01-01T10:00:00+00:00",
        "amount": "19.90",
        "currency": "USD",
    }
    item.update(overrides)
    return item


def test_orders_upsert_creates_then_updates(store):
    client = ingress(store)
    r = client.put("/api/v1/ingress/orders", {"orders": [order_item(1), order_item(2)]}, format="json")
    assert r.status_code == 200, r.content
    assert r.json() == {"created": 2, "updated": 0}
    r = client.put("/api/v1/ingress/orders", {"orders": [order_item(1, status="delivered")]}, format="json")
    assert r.json() == {"created": 0, "updated": 1}
    assert Order.objects.get(store=store, external_id="8001").status == "delivered"


def test_bad_order_batch_is_rejected_whole_naming_the_index(store):
    client = ingress(store)
    client.put("/api/v1/ingress/orders", {"orders": [order_item(1)]}, format="json")
    batch = [order_item(1, status="completed"), order_item(2), order_item(3, status="lost_in_space")]
    r = client.put("/api/v1/ingress/orders", {"orders": batch}, format="json")
    assert r.status_code == 400
    assert list(r.json()["errors"]) == ["orders[2].status"]
    assert Order.objects.filter(store=store).count() == 1
    assert Order.objects.get(store=store, external_id="8001").status == "in_transit"


def test_order_batch_rejects_negative_amount_and_bad_currency(store):
    r = ingress(store).put(
        "/api/v1/ingress/orders",
        {"orders": [order_item(1, amount="-1"), order_item(2, currency="dollars")]},
        format="json",
    )
    assert r.status_code == 400
    assert set(r.json()["errors"]) == {"orders[0].amount", "orders[1].currency"}
    assert not Order.objects.exists()


def test_ingress_requires_the_store_token(store):
    r = APIClient().put("/api/v1/ingress/orders", {"orders": [order_item(1)]}, format="json")
    assert r.status_code == 401
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    assert client.put("/api/v1/ingress/orders", {"orders": [order_item(1)]}, format="json").status_code == 401


def test_same_message_id_twice_stores_one_message(store):
    client = ingress(store)
    body = {
        "message_id": "mk-1",
        "buyer": {"buyer_id": "b1", "name": "Olga", "country": "RU", "locale": "ru_RU"},
        "channel": "chat",
        "text": "Здравствуйте, где моя посылка?",
        "sent_at": timezone.now().isoformat(),
    }
    first = client.post("/api/v1/ingress/messages", body, format="json")
    second = client.post("/api/v1/ingress/messages", body, format="json")
    assert first.status_code == 201, first.content
    assert second.status_code == 200
    assert first.json() == second.json()
    assert Message.objects.filter(store=store).count() == 1
    assert ReplyWait.objects.filter(store=store).count() == 1
    message = Message.objects.get(store=store)
    assert message.language == "ru"


def test_inbound_message_opens_a_24h_wait_and_joins_the_queue(store):
    sent = timezone.now() - timedelta(hours=3)
    client = ingress(store)
    client.put("/api/v1/ingress/orders", {"orders": [order_item(5)]}, format="json")
    r = client.post(
        "/api/v1/ingress/messages",
        {
            "message_id": "mk-2",
            "buyer": order_item(5)["buyer"],
            "order_id": "8005",
            "channel": "message",
            "text": "Where is my parcel?",
            "sent_at": sent.isoformat(),
        },
        format="json",
    )
    assert r.status_code == 201
    conversation = Conversation.objects.get(pk=r.json()["conversation_id"])
    assert conversation.status == "needs_reply"
    assert conversation.order.external_id == "8005"
    assert conversation.reply_due_at == sent + timedelta(hours=24)


def test_message_for_unknown_order_is_refused(store):
    r = ingress(store).post(
        "/api/v1/ingress/messages",
        {
            "message_id": "mk-3",
            "buyer": {"buyer_id": "b1"},
            "order_id": "nope",
            "channel": "message",
            "text": "hi",
            "sent_at": timezone.now().isoformat(),
        },
        format="json",
    )
    assert r.status_code == 400
    assert "order_id" in r.json()["errors"]
    assert not Message.objects.exists()
