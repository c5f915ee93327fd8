from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from conversations.models import Message, ReplyWait
from conversations.services import outbound_message_create
from tests.factories import make_inbound, make_member, make_order

pytestmark = pytest.mark.django_db


def token_client(user) -> APIClient:
    client = APIClient()
    r = client.post(
        "/api/v1/auth/token", {"username": user.username, "password": "pass-word-1"}, format="json"
    )
    assert r.status_code == 200, r.content
    client.credentials(HTTP_AUTHORIZATION=f"Token {r.json()['token']}")
    return client


def test_token_endpoint_rejects_a_wrong_password(store):
    user = make_member(store)
    r = APIClient().post(
        "/api/v1/auth/token", {"username": user.username, "password": "nope-nope"}, format="json"
    )
    assert r.status_code == 400
    assert "password" in r.json()["errors"]


def test_seller_api_needs_authentication(store):
    assert APIClient().get("/api/v1/conversations").status_code in (401, 403)


def test_needs_reply_queue_is_soonest_due_first(store):
    now = timezone.now()
    late = make_inbound(store, text="second", sent_at=now - timedelta(hours=1)).conversation
    early = make_inbound(store, text="first", sent_at=now - timedelta(hours=20)).conversation
    client = token_client(make_member(store))
    r = client.get("/api/v1/conversations?queue=needs_reply")
    assert r.status_code == 200
    assert [c["id"] for c in r.json()] == [early.pk, late.pk]
    assert set(r.json()[0]) >= {"id", "buyer", "order", "channel", "last_message_at", "reply_due_at"}


def test_conversation_detail_hides_buyer_only_campaign_pushes(store):
    conversation = make_inbound(store, text="hello").conversation
    outbound_message_create(conversation=conversation, sender="campaign", text="Sale today", buyer_only=True)
    client = token_client(make_member(store))
    r = client.get(f"/api/v1/conversations/{conversation.pk}")
    assert r.status_code == 200
    assert [m["text"] for m in r.json()["messages"]] == ["hello"]


def test_reply_closes_the_wait_and_reaches_the_buyer_chat(store):
    order = make_order(store)
    result = make_inbound(store, order=order, text="Where is my parcel?")
    client = token_client(make_member(store))
    r = client.post(
        f"/api/v1/conversations/{result.conversation.pk}/replies", {"text": "On its way!"}, format="json"
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["direction"], body["sender"], body["text"]) == ("outbound", "agent", "On its way!")
    wait = ReplyWait.objects.get(conversation=result.conversation)
    assert wait.closed_by_id == body["id"]
    result.conversation.refresh_from_db()
    assert result.conversation.status == "answered"

    ingress = APIClient()
    ingress.credentials(HTTP_AUTHORIZATION=f"Bearer {store.integration_token}")
    chat = ingress.get(f"/api/v1/ingress/buyers/{order.buyer.external_id}/messages").json()
    assert [(m["sender"], m["text"]) for m in chat] == [
        ("buyer", "Where is my parcel?"),
        ("agent", "On its way!"),
    ]


def test_buyer_chat_shows_campaign_pushes(store):
    result = make_inbound(store, text="hi")
    outbound_message_create(
        conversation=result.conversation, sender="campaign", text="Coupon inside", buyer_only=True
    )
    ingress = APIClient()
    ingress.credentials(HTTP_AUTHORIZATION=f"Bearer {store.integration_token}")
    chat = ingress.get(f"/api/v1/ingress/buyers/{result.conversation.buyer.external_id}/messages").json()
    assert [m["sender"] for m in chat] == ["buyer", "campaign"]


def test_empty_reply_is_refused_naming_text(store):
    conversation = make_inbound(store).conversation
    r = token_client(make_member(store)).post(
        f"/api/v1/conversations/{conversation.pk}/replies", {}, format="json"
    )
    assert r.status_code == 400
    assert "text" in r.json()["errors"]
    assert not Message.objects.filter(direction="outbound").exists()


def test_other_stores_conversation_is_404_in_the_api(store, other_store):
    theirs = make_inbound(other_store).conversation
    client = token_client(make_member(store))
    assert client.get(f"/api/v1/conversations/{theirs.pk}").status_code == 404
    r = client.post(f"/api/v1/conversations/{theirs.pk}/replies", {"text": "hi"}, format="json")
    assert r.status_code == 404
    assert not Message.objects.filter(conversation=theirs, direction="outbound").exists()


def test_openapi_schema_describes_the_contract(client):
    r = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    for path in (
        "/api/v1/ingress/orders",
        "/api/v1/ingress/messages",
        "/api/v1/ingress/buyers/{buyer_id}/messages",
        "/api/v1/conversations",
        "/api/v1/conversations/{conversation_id}",
        "/api/v1/conversations/{conversation_id}/replies",
        "/api/v1/auth/token",
    ):
        assert path in paths, path


def test_api_docs_ui_uses_no_cdn(client):
    r = client.get("/api/docs/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "swagger-ui" in html
    assert "cdn." not in html and "unpkg" not in html


def test_reply_with_an_unfilled_placeholder_is_refused_naming_it(store):
    conversation = make_inbound(store).conversation
    r = token_client(make_member(store)).post(
        f"/api/v1/conversations/{conversation.pk}/replies",
        {"text": "Your parcel arrives in about {days} days."},
        format="json",
    )
    assert r.status_code == 400
    assert r.json()["errors"]["text"] == ["Fill the placeholder {days} before sending this reply."]
    assert not Message.objects.filter(direction="outbound").exists()


def test_a_chat_holding_only_campaign_pushes_is_not_listed_for_the_seller(store):
    from conversations.services import conversation_get_or_create
    from tests.factories import make_buyer

    buyer = make_buyer(store)
    chat = conversation_get_or_create(store=store, buyer=buyer, order=None, channel="chat")
    outbound_message_create(conversation=chat, sender="campaign", text="Sale today", buyer_only=True)
    listed = token_client(make_member(store)).get("/api/v1/conversations?queue=all").json()
    assert chat.pk not in [c["id"] for c in listed]


@pytest.mark.parametrize("limit", ["abc", "0", "-1", "1001"])
def test_conversation_list_limit_out_of_range_is_a_400(store, limit):
    r = token_client(make_member(store)).get(f"/api/v1/conversations?limit={limit}")
    assert r.status_code == 400
    assert "limit" in r.json()["errors"]


def test_ingress_message_naming_another_buyers_order_is_refused(store):
    order = make_order(store)
    stranger = {"buyer_id": "someone-else", "name": "X", "country": "US", "locale": "en_US"}
    ingress = APIClient()
    ingress.credentials(HTTP_AUTHORIZATION=f"Bearer {store.integration_token}")
    r = ingress.post(
        "/api/v1/ingress/messages",
        {
            "message_id": "m-x",
            "buyer": stranger,
            "order_id": order.external_id,
            "channel": "message",
            "text": "hi",
            "sent_at": timezone.now().isoformat(),
        },
        format="json",
    )
    assert r.status_code == 400
    assert "another buyer" in r.json()["errors"]["order_id"][0]
    assert not Message.objects.exists()


def test_needs_reply_api_pages_by_cursor_in_due_order(store):
    from tests.factories import make_buyer

    now = timezone.now()
    for n in range(5):
        make_inbound(
            store, buyer=make_buyer(store, name=f"B{n}"), text=f"Q{n}", sent_at=now - timedelta(minutes=n)
        )
    client = token_client(make_member(store))
    first = client.get("/api/v1/conversations?queue=needs_reply&limit=2")
    assert [c["buyer"]["name"] for c in first.json()] == ["B4", "B3"]
    assert first["Link"].endswith('>; rel="next"')
    second = client.get(f"/api/v1/conversations?queue=needs_reply&limit=2&cursor={first['X-Next-Cursor']}")
    assert [c["buyer"]["name"] for c in second.json()] == ["B2", "B1"]
    last = client.get(f"/api/v1/conversations?queue=needs_reply&limit=2&cursor={second['X-Next-Cursor']}")
    assert [c["buyer"]["name"] for c in last.json()] == ["B0"]
    assert "Link" not in last


def test_needs_reply_api_refuses_a_made_up_cursor(store):
    r = token_client(make_member(store)).get("/api/v1/conversations?queue=needs_reply&cursor=yesterday")
    assert r.status_code == 400
    assert "cursor" in r.json()["errors"]
