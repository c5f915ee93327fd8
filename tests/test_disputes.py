from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from conversations.models import Conversation, Message
from seller_desk.models import Dispute
from seller_desk.services import disputes_escalate_due
from tests.factories import events_of, make_inbound, make_member, make_order, picture_upload
from tests.test_seller_api import token_client

pytestmark = pytest.mark.django_db


def ingress(store) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {store.integration_token}")
    return client


def dispute_body(order, opened_at, **overrides) -> dict:
    body = {
        "dispute_id": "D-1",
        "order_id": order.external_id,
        "opened_at": opened_at.isoformat(),
        "reason": "Item not received",
        "refund_amount": "25.00",
        "return_goods": False,
        "description": "Посылка не пришла, трек не обновляется.",
    }
    body.update(overrides)
    return body


def shipped_order(store, *, shipped_days_ago=20, protection_days_left=30):
    now = timezone.now()
    return make_order(
        store,
        status="in_transit",
        days_ago=shipped_days_ago + 2,
        shipped_at=now - timedelta(days=shipped_days_ago),
        protection_ends_at=now + timedelta(days=protection_days_left),
    )


def test_R21_buyers_reach_sellers_by_message_chat_comment_and_dispute_with_history_kept(store):
    order = shipped_order(store)
    for channel in ("message", "chat", "comment"):
        make_inbound(store, order=order, channel=channel, text=f"via {channel}")
    make_inbound(store, order=order, channel="message", text="second message, same thread")
    r = ingress(store).post("/api/v1/ingress/disputes", dispute_body(order, timezone.now()), format="json")
    assert r.status_code == 201, r.content
    channels = sorted(Conversation.objects.filter(store=store).values_list("channel", flat=True))
    assert channels == ["chat", "comment", "dispute", "message"]
    history = Message.objects.filter(conversation__channel="message", store=store).order_by("created_at")
    assert [m.text for m in history] == ["via message", "second message, same thread"]


def test_R22_dispute_window_opens_six_days_after_shipment(store):
    order = shipped_order(store, shipped_days_ago=5)
    too_early = ingress(store).post(
        "/api/v1/ingress/disputes", dispute_body(order, timezone.now()), format="json"
    )
    assert too_early.status_code == 400
    assert "opened_at" in too_early.json()["errors"]
    on_time = order.shipped_at + timedelta(days=6)
    r = ingress(store).post("/api/v1/ingress/disputes", dispute_body(order, on_time), format="json")
    assert r.status_code == 201
    assert Dispute.objects.filter(store=store).count() == 1


def test_R22_no_dispute_after_buyer_protection_ends(store):
    order = shipped_order(store, shipped_days_ago=40, protection_days_left=-1)
    r = ingress(store).post("/api/v1/ingress/disputes", dispute_body(order, timezone.now()), format="json")
    assert r.status_code == 400
    assert "Buyer protection ended" in r.json()["errors"]["opened_at"][0]
    assert not Dispute.objects.exists()
    assert not Conversation.objects.filter(channel="dispute").exists()


def test_R22_dispute_escalates_after_15_days_without_agreement(store):
    order = shipped_order(store)
    opened = timezone.now() - timedelta(days=1)
    ingress(store).post("/api/v1/ingress/disputes", dispute_body(order, opened), format="json")
    dispute = Dispute.objects.get(store=store)
    assert dispute.escalates_at == opened + timedelta(days=15)
    assert disputes_escalate_due(now=opened + timedelta(days=15) - timedelta(seconds=1)) == 0
    assert disputes_escalate_due(now=opened + timedelta(days=15)) == 1
    dispute.refresh_from_db()
    assert dispute.status == "escalated"
    assert disputes_escalate_due(now=opened + timedelta(days=16)) == 0


def test_R22_agreed_dispute_does_not_escalate_and_evidence_attaches(store):
    order = shipped_order(store)
    opened = timezone.now() - timedelta(days=2)
    ingress(store).post("/api/v1/ingress/disputes", dispute_body(order, opened), format="json")
    dispute = Dispute.objects.get(store=store)
    client = token_client(make_member(store))
    r = client.post(
        f"/api/v1/disputes/{dispute.pk}/responses",
        {"action": "reject", "text": "Tracking shows delivery; photo attached.", "image": picture_upload()},
        format="multipart",
    )
    assert r.status_code == 201, r.content
    evidence = Message.objects.get(pk=r.json()["message_id"])
    assert evidence.image and evidence.conversation_id == dispute.conversation_id
    r = client.post(
        f"/api/v1/disputes/{dispute.pk}/responses",
        {"action": "agree", "text": "Refund agreed."},
        format="json",
    )
    assert r.json()["dispute_status"] == "agreed"
    assert disputes_escalate_due(now=opened + timedelta(days=30)) == 0


def test_dispute_response_bad_inputs_name_the_field(store):
    order = shipped_order(store)
    ingress(store).post("/api/v1/ingress/disputes", dispute_body(order, timezone.now()), format="json")
    dispute = Dispute.objects.get(store=store)
    client = token_client(make_member(store))
    r = client.post(
        f"/api/v1/disputes/{dispute.pk}/responses",
        {"action": "propose", "text": "Half back?", "refund_amount": "999.00"},
        format="json",
    )
    assert r.status_code == 400
    assert "refund_amount" in r.json()["errors"]
    assert not Message.objects.filter(direction="outbound").exists()


def test_dispute_is_idempotent_by_dispute_id(store):
    order = shipped_order(store)
    body = dispute_body(order, timezone.now())
    assert ingress(store).post("/api/v1/ingress/disputes", body, format="json").status_code == 201
    assert ingress(store).post("/api/v1/ingress/disputes", body, format="json").status_code == 200
    assert Dispute.objects.count() == 1
    assert Message.objects.filter(conversation__channel="dispute").count() == 1


def test_R23_seller_extends_buyer_protection(store):
    order = shipped_order(store)
    before = order.protection_ends_at
    user = make_member(store)
    r = token_client(user).post(
        f"/api/v1/orders/{order.external_id}/protection-extensions", {"days": 15}, format="json"
    )
    assert r.status_code == 201, r.content
    order.refresh_from_db()
    assert order.protection_ends_at == before + timedelta(days=15)
    event = events_of(order).get(kind="order.protection_extended")
    assert event.actor == user and event.details["days"] == 15


@pytest.mark.parametrize("days", [0, -3, 91])
def test_R23_protection_extension_days_out_of_range_is_refused(store, days):
    order = shipped_order(store)
    before = order.protection_ends_at
    r = token_client(make_member(store)).post(
        f"/api/v1/orders/{order.external_id}/protection-extensions", {"days": days}, format="json"
    )
    assert r.status_code == 400
    assert "days" in r.json()["errors"]
    order.refresh_from_db()
    assert order.protection_ends_at == before


def test_other_stores_dispute_and_order_are_404(store, other_store):
    order = shipped_order(other_store)
    ingress(other_store).post("/api/v1/ingress/disputes", dispute_body(order, timezone.now()), format="json")
    theirs = Dispute.objects.get(store=other_store)
    client = token_client(make_member(store))
    assert client.get("/api/v1/disputes").json() == []
    r = client.post(
        f"/api/v1/disputes/{theirs.pk}/responses", {"action": "agree", "text": "ok"}, format="json"
    )
    assert r.status_code == 404
    r = client.post(f"/api/v1/orders/{order.external_id}/protection-extensions", {"days": 5}, format="json")
    assert r.status_code == 404
    assert Decimal(theirs.refund_amount) == Decimal("25.00")


def test_a_rejection_records_no_refund_and_a_negative_proposal_is_refused(store):
    order = shipped_order(store)
    ingress(store).post("/api/v1/ingress/disputes", dispute_body(order, timezone.now()), format="json")
    dispute = Dispute.objects.get(store=store)
    client = token_client(make_member(store))
    r = client.post(
        f"/api/v1/disputes/{dispute.pk}/responses",
        {"action": "propose", "text": "We pay you to keep it?", "refund_amount": "-5.00"},
        format="json",
    )
    assert r.status_code == 400
    assert "refund_amount" in r.json()["errors"]
    r = client.post(
        f"/api/v1/disputes/{dispute.pk}/responses",
        {
            "action": "reject",
            "text": "Delivered, see the tracking.",
            "refund_amount": "10.00",
            "photos": [picture_upload()],
        },
        format="multipart",
    )
    assert r.status_code == 201, r.content
    assert r.json()["refund_amount"] is None
