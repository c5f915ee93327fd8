"""The external contract of /work/shared/API.md, endpoint by endpoint: paths, methods, status codes and the
exact key sets and JSON types of every body, so that drift from the contract fails here.

Keys API.md names are asserted exactly where API.md gives the whole shape (Message, the ingress result,
text-checks, render, suggestions, the guard's banned_words); where API.md says "…" or the endpoint returns a
richer object, the contract keys are asserted as a subset plus their types. Data is made with the real
services and the real endpoints.
"""

import json
import re
from datetime import date, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from autoreply.models import Keyword
from autoreply.services import autoreply_settings_update
from campaigns.services import customer_group_create
from conversations.models import Message
from coupons.services import coupon_create
from seller_desk.models import Buyer, Dispute, Order, OrderStatus
from seller_desk.selectors import store_local_date
from seller_desk.services import platform_admin_create
from templates_i18n.languages import SUPPORTED_LANGUAGES
from tests.factories import make_buyer, make_inbound, make_member, make_order, picture_upload

pytestmark = pytest.mark.django_db

MESSAGE_KEYS = {"id", "direction", "sender", "text", "language", "created_at"}
MESSAGE_OPTIONAL_KEYS = {"image_url", "coupon", "card"}
COUPON_BRIEF_KEYS = {"id", "name", "denomination", "threshold", "currency"}
BANNED_WORD_HIT_KEYS = {"term", "found", "start", "end", "suggestion"}
DECIMAL_RE = re.compile(r"^-?\d+\.\d{2}$")
ALPHA2_RE = re.compile(r"^[A-Z]{2}$")
# BCP 47 as API.md writes it: a lower-case language subtag, optionally an upper-case region ("pt-BR").
BCP47_RE = re.compile(r"^[a-z]{2,3}(-[A-Z]{2})?$")


# ---------------------------------------------------------------- shape helpers


def assert_datetime(value) -> None:
    """ISO 8601 with an offset ("Z" is UTC's)."""
    assert isinstance(value, str), value
    parsed = datetime.fromisoformat(value)
    assert parsed.tzinfo is not None, f"{value} has no offset"


def assert_date(value) -> None:
    assert isinstance(value, str), value
    date.fromisoformat(value)


def assert_money(value) -> None:
    assert isinstance(value, str) and DECIMAL_RE.match(value), f"money must be a decimal string: {value!r}"


def assert_language(value) -> None:
    assert value in SUPPORTED_LANGUAGES, f"{value!r} is not one of the nine BCP 47 codes"


def assert_message(body: dict, *, optional: set[str] = frozenset()) -> None:
    """API.md's Message: the fixed keys, plus exactly the optional ones this message carries."""
    assert set(body) == MESSAGE_KEYS | set(optional), set(body) ^ (MESSAGE_KEYS | set(optional))
    assert isinstance(body["id"], int)
    assert body["direction"] in ("inbound", "outbound")
    assert body["sender"] in ("buyer", "agent", "autoreply", "campaign")
    assert isinstance(body["text"], str)
    assert_language(body["language"])
    assert_datetime(body["created_at"])
    if "image_url" in body:
        assert isinstance(body["image_url"], str) and body["image_url"]
    if "coupon" in body:
        coupon = body["coupon"]
        assert set(coupon) == COUPON_BRIEF_KEYS
        assert isinstance(coupon["id"], int) and isinstance(coupon["name"], str)
        assert_money(coupon["denomination"])
        assert_money(coupon["threshold"])
        assert isinstance(coupon["currency"], str)
    if "card" in body:
        assert set(body["card"]) == {"keywords"}
        for keyword in body["card"]["keywords"]:
            assert set(keyword) == {"id", "keyword"}
            assert isinstance(keyword["id"], int) and isinstance(keyword["keyword"], str)


def assert_errors(body: dict, field: str) -> None:
    """400 body: {"errors": {field: [message, …]}} (plus banned_words when the guard refused)."""
    assert set(body) <= {"errors", "banned_words"}
    assert isinstance(body["errors"], dict)
    assert field in body["errors"], body
    for messages in body["errors"].values():
        assert isinstance(messages, list) and all(isinstance(m, str) and m for m in messages)


def assert_banned_words(hits: list) -> None:
    assert hits
    for hit in hits:
        assert set(hit) == BANNED_WORD_HIT_KEYS
        assert isinstance(hit["term"], str) and isinstance(hit["found"], str)
        assert isinstance(hit["start"], int) and isinstance(hit["end"], int)
        assert isinstance(hit["suggestion"], str)


# ---------------------------------------------------------------- clients and data


def ingress(store) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {store.integration_token}")
    return client


def member_api(user) -> APIClient:
    """A signed-in member. The token round trip is tested once (auth); the login throttle is shared by the run."""
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def owner(store):
    return make_member(store, role="owner")


@pytest.fixture
def agent(store):
    return make_member(store, role="agent")


@pytest.fixture
def owner_api(owner):
    return member_api(owner)


@pytest.fixture
def agent_api(agent):
    return member_api(agent)


def make_coupon(store, *, quantity: int = 100):
    return coupon_create(
        store=store,
        acting_user=None,
        values={
            "name_suffix": "-Sorry for the wait",
            "denomination": "3",
            "threshold": "20",
            "currency": "USD",
            "quantity": quantity,
            "valid_until": store_local_date(store) + timedelta(days=60),
        },
    )


def switch_autoreply_on(store, owner, *, coupon=None):
    keywords = [
        {"keyword": "Is my order shipping?", "reply_type": "text", "text": "Orders ship within 3 days."},
        {"keyword": "Is my package safe?", "reply_type": "text", "text": "Yes, it is sealed and tracked."},
        {"keyword": "How do I cancel?", "reply_type": "text", "text": "Open the order and tap Cancel."},
    ]
    if coupon is not None:
        keywords.append({"keyword": "A coupon please", "reply_type": "coupon", "coupon_id": coupon.pk})
    autoreply_settings_update(
        store=store,
        acting_user=owner,
        enabled=True,
        welcome_text="Hi! We answer within 24 hours.",
        keywords=keywords,
    )


def buyer_json(buyer_id: str = "BR-1", locale: str = "pt_BR") -> dict:
    return {"buyer_id": buyer_id, "name": "Ana Souza", "country": "BR", "locale": locale}


def shipped_order(store, *, days_ago: int = 20) -> Order:
    now = timezone.now()
    return make_order(
        store,
        status=OrderStatus.IN_TRANSIT,
        days_ago=days_ago + 2,
        shipped_at=now - timedelta(days=days_ago),
        protection_ends_at=now + timedelta(days=30),
    )


# ---------------------------------------------------------------- bootstrap commands


def test_contract_create_store_prints_one_json_line():
    out = StringIO()
    call_command("create_store", "--name", "Contract Shop", "--tier", "waist", stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1
    line = json.loads(lines[0])
    assert set(line) == {"store_id", "slug", "integration_token"}
    assert isinstance(line["store_id"], int)
    assert isinstance(line["slug"], str) and isinstance(line["integration_token"], str)


def test_contract_add_member_and_platform_admin_give_api_access():
    out = StringIO()
    call_command("create_store", "--name", "Contract Shop", "--tier", "basic", stdout=out)
    slug = json.loads(out.getvalue())["slug"]
    for role in ("owner", "agent"):
        call_command(
            "add_member",
            "--store",
            slug,
            "--username",
            role,
            "--password",
            "long-enough",
            "--role",
            role,
            stdout=StringIO(),
        )
        r = APIClient().post(
            "/api/v1/auth/token", {"username": role, "password": "long-enough"}, format="json"
        )
        assert r.status_code == 200 and set(r.json()) == {"token"}
    call_command(
        "create_platform_admin", "--username", "root", "--password", "long-enough", stdout=StringIO()
    )
    admin = APIClient()
    admin.login(username="root", password="long-enough")
    r = admin.post("/api/v1/banned-words", {"term": "dreadful", "suggestion": "unfortunate"}, format="json")
    assert r.status_code == 201, r.content


def test_contract_run_daily_campaigns_accepts_a_date_and_is_idempotent():
    for _ in range(2):
        call_command("run_daily_campaigns", "--date", "2026-03-01", stdout=StringIO(), stderr=StringIO())


# ---------------------------------------------------------------- auth


def test_contract_auth_token_and_auth_failures(store, agent):
    r = APIClient().post(
        "/api/v1/auth/token", {"username": agent.username, "password": "pass-word-1"}, format="json"
    )
    assert r.status_code == 200
    assert set(r.json()) == {"token"} and isinstance(r.json()["token"], str)
    bad = APIClient().post(
        "/api/v1/auth/token", {"username": agent.username, "password": "wrong"}, format="json"
    )
    assert bad.status_code == 400
    assert_errors(bad.json(), "password")

    assert APIClient().get("/api/v1/conversations").status_code in (401, 403)
    wrong_token = APIClient()
    wrong_token.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    assert wrong_token.post("/api/v1/ingress/messages", {}, format="json").status_code in (401, 403)
    assert APIClient().put("/api/v1/ingress/orders", {"orders": []}, format="json").status_code in (401, 403)
    # A seller token does not open the marketplace's ingress.
    seller = APIClient()
    seller.credentials(HTTP_AUTHORIZATION=f"Token {r.json()['token']}")
    assert seller.get("/api/v1/conversations").status_code == 200
    assert seller.put("/api/v1/ingress/orders", {"orders": []}, format="json").status_code in (
        401,
        403,
    )


# ---------------------------------------------------------------- ingress


def test_contract_ingress_orders_upsert_and_whole_batch_rejection(store):
    item = {
        "order_id": "9001",
        "buyer": buyer_json(),
        "status": "awaiting_shipment",
        "placed_at": "2026-02-01T10:00:00+00:00",
        "amount": "19.90",
        "currency": "USD",
    }
    optional = {
        "shipped_at": "2026-02-03T10:00:00-08:00",
        "delivered_at": None,
        "protection_ends_at": "2026-04-01T10:00:00+00:00",
        "overseas_warehouse": True,
        "coupon_code": "",
    }
    client = ingress(store)
    r = client.put(
        "/api/v1/ingress/orders", {"orders": [item, {**item, "order_id": "9002", **optional}]}, format="json"
    )
    assert r.status_code == 200, r.content
    assert r.json() == {"created": 2, "updated": 0}
    r = client.put("/api/v1/ingress/orders", {"orders": [{**item, "status": "in_transit"}]}, format="json")
    assert r.json() == {"created": 0, "updated": 1}

    for status in OrderStatus.values:
        assert (
            client.put(
                "/api/v1/ingress/orders", {"orders": [{**item, "status": status}]}, format="json"
            ).status_code
            == 200
        )
    bad = client.put(
        "/api/v1/ingress/orders",
        {"orders": [{**item, "order_id": "9003"}, {**item, "order_id": "9004", "status": "lost"}]},
        format="json",
    )
    assert bad.status_code == 400
    assert_errors(bad.json(), "orders[1].status")
    assert not Order.objects.filter(external_id__in=["9003", "9004"]).exists()


def test_contract_ingress_message_201_then_200_with_the_same_body(store, owner):
    switch_autoreply_on(store, owner)
    body = {
        "message_id": "mk-1",
        "buyer": buyer_json(),
        "channel": "message",
        "text": "Olá, quando meu pedido vai chegar? Estou esperando há semanas.",
        "sent_at": timezone.now().isoformat(),
    }
    first = ingress(store).post("/api/v1/ingress/messages", body, format="json")
    assert first.status_code == 201, first.content
    data = first.json()
    assert set(data) == {"conversation_id", "message_id", "auto_replies"}
    assert isinstance(data["conversation_id"], int)
    assert data["message_id"] == "mk-1"
    [welcome] = data["auto_replies"]
    assert_message(welcome, optional={"card"})
    assert (welcome["direction"], welcome["sender"]) == ("outbound", "autoreply")

    again = ingress(store).post("/api/v1/ingress/messages", body, format="json")
    assert again.status_code == 200
    assert again.json() == data
    assert Message.objects.filter(external_id="mk-1").count() == 1

    for channel in ("chat", "comment"):
        r = ingress(store).post(
            "/api/v1/ingress/messages",
            {**body, "message_id": f"mk-{channel}", "channel": channel},
            format="json",
        )
        assert r.status_code == 201
    bad = ingress(store).post(
        "/api/v1/ingress/messages", {**body, "message_id": "mk-x", "channel": "fax"}, format="json"
    )
    assert bad.status_code == 400
    assert_errors(bad.json(), "channel")


def test_contract_ingress_message_multipart_image_and_order(store):
    order = make_order(store)
    r = ingress(store).post(
        "/api/v1/ingress/messages",
        {
            "message_id": "mk-photo",
            "buyer.buyer_id": order.buyer.external_id,
            "buyer.country": "RU",
            "buyer.locale": "ru_RU",
            "order_id": order.external_id,
            "channel": "message",
            "text": "Посылка пришла разбитой, вот фото.",
            "sent_at": timezone.now().isoformat(),
            "image": picture_upload(),
        },
        format="multipart",
    )
    assert r.status_code == 201, r.content
    conversation = r.json()["conversation_id"]
    messages = ingress(store).get(f"/api/v1/ingress/buyers/{order.buyer.external_id}/messages").json()
    [photo] = messages
    assert_message(photo, optional={"image_url"})
    assert photo["language"] == "ru"
    detail = member_api(make_member(store)).get(f"/api/v1/conversations/{conversation}").json()
    assert detail["order"]["order_id"] == order.external_id


def test_contract_buyer_messages_oldest_first_with_coupon_card_and_campaign_push(store, owner, agent_api):
    coupon = make_coupon(store)
    switch_autoreply_on(store, owner)
    buyer = make_buyer(store, locale="pt_BR", country="BR")
    result = make_inbound(store, buyer=buyer, text="Olá, quando meu pedido vai chegar?", channel="chat")
    reply = agent_api.post(
        f"/api/v1/conversations/{result.conversation.pk}/replies",
        {"text": "Seu pedido chega em breve.", "language": "pt-BR", "coupon_id": coupon.pk},
        format="json",
    )
    assert reply.status_code == 201, reply.content
    from conversations.services import outbound_message_create

    outbound_message_create(
        conversation=result.conversation, sender="campaign", text="Sale today", language="en", buyer_only=True
    )
    r = ingress(store).get(f"/api/v1/ingress/buyers/{buyer.external_id}/messages")
    assert r.status_code == 200
    messages = r.json()
    assert [m["sender"] for m in messages] == ["buyer", "autoreply", "agent", "campaign"]
    assert_message(messages[0])
    assert_message(messages[1], optional={"card"})
    assert_message(messages[2], optional={"coupon"})
    assert_message(messages[3])
    assert messages[0]["language"] == "pt-BR" and messages[2]["language"] == "pt-BR"
    assert [m["created_at"] for m in messages] == sorted(m["created_at"] for m in messages)
    assert ingress(store).get("/api/v1/ingress/buyers/nobody/messages").status_code == 404


def test_contract_card_click_201_message(store, owner):
    coupon = make_coupon(store)
    switch_autoreply_on(store, owner, coupon=coupon)
    buyer = make_buyer(store, locale="en_US", country="US")
    make_inbound(store, buyer=buyer, text="Hello there, is anyone around?")
    text_kw = Keyword.objects.get(store=store, keyword="Is my order shipping?")
    coupon_kw = Keyword.objects.get(store=store, keyword="A coupon please")
    r = ingress(store).post(
        "/api/v1/ingress/card-clicks",
        {"buyer_id": buyer.external_id, "keyword_id": text_kw.pk},
        format="json",
    )
    assert r.status_code == 201, r.content
    assert_message(r.json())
    assert r.json()["text"] == "Orders ship within 3 days."
    r = ingress(store).post(
        "/api/v1/ingress/card-clicks",
        {"buyer_id": buyer.external_id, "keyword_id": coupon_kw.pk},
        format="json",
    )
    assert r.status_code == 201, r.content
    assert_message(r.json(), optional={"coupon"})
    assert r.json()["coupon"]["id"] == coupon.pk


def test_contract_ingress_dispute_201_and_400_outside_the_window(store):
    order = shipped_order(store)
    body = {
        "dispute_id": "D-77",
        "order_id": order.external_id,
        "opened_at": timezone.now().isoformat(),
        "reason": "Item not received",
        "refund_amount": "25.00",
        "return_goods": False,
        "description": "The tracking has not moved for a month.",
    }
    r = ingress(store).post("/api/v1/ingress/disputes", body, format="json")
    assert r.status_code == 201, r.content
    early = shipped_order(store, days_ago=2)
    r = ingress(store).post(
        "/api/v1/ingress/disputes",
        {**body, "dispute_id": "D-78", "order_id": early.external_id},
        format="json",
    )
    assert r.status_code == 400
    assert_errors(r.json(), "opened_at")


# ---------------------------------------------------------------- seller API: conversations


def test_contract_needs_reply_queue_fields_and_order(store, agent_api):
    now = timezone.now()
    order = make_order(store, make_buyer(store, locale="pt_BR", country="BR"))
    later = make_inbound(store, order=order, text="Olá, cadê meu pedido?", sent_at=now - timedelta(hours=1))
    sooner = make_inbound(store, text="Where is my order?", sent_at=now - timedelta(hours=20))
    r = agent_api.get("/api/v1/conversations?queue=needs_reply")
    assert r.status_code == 200
    rows = r.json()
    assert [c["id"] for c in rows] == [sooner.conversation.pk, later.conversation.pk]
    for row in rows:
        assert {"id", "buyer", "order", "channel", "last_message_at", "reply_due_at"} <= set(row)
        assert isinstance(row["id"], int)
        assert row["channel"] in ("message", "chat", "comment", "dispute")
        assert_datetime(row["last_message_at"])
        assert_datetime(row["reply_due_at"])
        assert {"buyer_id", "name", "country", "locale"} <= set(row["buyer"])
        assert ALPHA2_RE.match(row["buyer"]["country"])
        assert BCP47_RE.match(row["buyer"]["locale"]), row["buyer"]["locale"]
        if "language" in row:
            assert_language(row["language"])
    with_order = rows[1]
    assert with_order["buyer"]["locale"] == "pt-BR"
    assert with_order["language"] == "pt-BR"
    assert {"order_id", "status", "placed_at", "amount", "currency"} <= set(with_order["order"])
    assert_money(with_order["order"]["amount"])
    assert_datetime(with_order["order"]["placed_at"])
    assert rows[0]["order"] is None


def test_contract_conversation_detail_has_seller_visible_messages(store, agent_api):
    result = make_inbound(store, text="Hello, where is my parcel?")
    from conversations.services import outbound_message_create

    outbound_message_create(conversation=result.conversation, sender="campaign", text="Sale", buyer_only=True)
    r = agent_api.get(f"/api/v1/conversations/{result.conversation.pk}")
    assert r.status_code == 200
    body = r.json()
    assert {"id", "buyer", "order", "channel", "last_message_at", "reply_due_at", "messages"} <= set(body)
    [message] = body["messages"]
    assert_message(message)


def test_contract_replies_text_scenario_and_languages_are_bcp47(store, agent_api):
    buyer = make_buyer(store, locale="pt_BR", country="BR")
    order = make_order(store, buyer)
    conversation = make_inbound(store, order=order, text="Olá, cadê meu pedido?").conversation
    url = f"/api/v1/conversations/{conversation.pk}/replies"

    r = agent_api.post(url, {"text": "Seu pedido já foi enviado.", "language": "pt_BR"}, format="json")
    assert r.status_code == 201, r.content
    assert_message(r.json())
    assert (r.json()["direction"], r.json()["sender"], r.json()["language"]) == ("outbound", "agent", "pt-BR")

    r = agent_api.post(url, {"scenario": "shipping_delay", "language": "pt-br"}, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["language"] == "pt-BR"

    # order_eta has no Portuguese text in the seed: the buyer's language is named, nothing is translated.
    r = agent_api.post(url, {"scenario": "order_eta"}, format="json")
    assert r.status_code == 400
    assert_errors(r.json(), "language")

    r = agent_api.post(url, {"text": "Hello", "language": "xx"}, format="json")
    assert r.status_code == 400
    assert_errors(r.json(), "language")

    r = agent_api.post(
        url, {"text": "A photo of your parcel.", "image": picture_upload()}, format="multipart"
    )
    assert r.status_code == 201, r.content
    assert_message(r.json(), optional={"image_url"})


def test_contract_reply_refused_by_the_guard_names_the_banned_words(store, agent_api):
    conversation = make_inbound(store, text="Hello?").conversation
    r = agent_api.post(
        f"/api/v1/conversations/{conversation.pk}/replies",
        {"text": "Sorry, the epidemic slowed shipping."},
        format="json",
    )
    assert r.status_code == 400
    body = r.json()
    assert set(body) == {"errors", "banned_words"}
    assert_errors(body, "text")
    assert_banned_words(body["banned_words"])
    assert body["banned_words"][0]["suggestion"] == "outbreak"


# ---------------------------------------------------------------- text guard, scenarios, suggestions


def test_contract_text_checks(store, agent_api):
    r = agent_api.post("/api/v1/text-checks", {"text": "A terrible epidemic."}, format="json")
    assert r.status_code == 200
    assert set(r.json()) == {"ok", "banned_words"}
    assert r.json()["ok"] is False
    assert_banned_words(r.json()["banned_words"])
    hit = r.json()["banned_words"][0]
    assert "A terrible epidemic."[hit["start"] : hit["end"]] == hit["found"]
    clean = agent_api.post("/api/v1/text-checks", {"text": "All good."}, format="json").json()
    assert clean == {"ok": True, "banned_words": []}


def test_contract_scenario_list_and_official_codes_in_seed_order(store, agent_api):
    r = agent_api.get("/api/v1/scenarios")
    assert r.status_code == 200
    rows = r.json()
    for row in rows:
        assert {"code", "title", "languages"} <= set(row)
        assert isinstance(row["code"], str) and isinstance(row["title"], str)
        for language in row["languages"]:
            assert_language(language)
    official = [row["code"] for row in rows if row.get("official", True)]
    assert official == [
        "epidemic_situation",
        "shipping_delay",
        "cancel_before_shipment",
        "refuse_in_transit",
        "russia_border",
        "extend_protection",
        "return_after_receipt",
        "order_eta",
    ]
    assert "pt-BR" in next(row["languages"] for row in rows if row["code"] == "shipping_delay")
    detail = agent_api.get("/api/v1/scenarios/shipping_delay").json()
    assert "pt-BR" in detail["texts"] and set(detail["texts"]) <= set(SUPPORTED_LANGUAGES)
    filtered = agent_api.get("/api/v1/scenarios?order_status=in_transit")
    assert filtered.status_code == 200
    assert {row["code"] for row in filtered.json()} <= {row["code"] for row in rows}


def test_contract_scenario_render(store, agent_api):
    r = agent_api.get("/api/v1/scenarios/shipping_delay/render?language=pt-br")
    assert r.status_code == 200, r.content
    assert set(r.json()) == {"text", "language", "direction"}
    assert (r.json()["language"], r.json()["direction"]) == ("pt-BR", "ltr")
    r = agent_api.get("/api/v1/scenarios/shipping_delay/render?language=he")
    assert (r.json()["language"], r.json()["direction"]) == ("he", "rtl")
    r = agent_api.get("/api/v1/scenarios/no_such_scenario/render?language=en")
    assert r.status_code == 404


def test_contract_scenario_suggestions(store, agent_api):
    r = agent_api.post(
        "/api/v1/scenario-suggestions",
        {"text": "Olá, meu pedido está atrasado, quando vai chegar?", "order_status": "in_transit"},
        format="json",
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert set(body) == {"language", "suggestions"}
    assert body["language"] == "pt-BR"
    assert body["suggestions"]
    for suggestion in body["suggestions"]:
        assert set(suggestion) == {"code", "score", "confident"}
        assert isinstance(suggestion["code"], str) and isinstance(suggestion["score"], float)
        assert isinstance(suggestion["confident"], bool)
    scores = [s["score"] for s in body["suggestions"]]
    assert scores == sorted(scores, reverse=True)
    bad = agent_api.post("/api/v1/scenario-suggestions", {"text": ""}, format="json")
    assert bad.status_code == 400
    assert_errors(bad.json(), "text")


# ---------------------------------------------------------------- banned words


def test_contract_banned_words_reads_for_members_writes_for_platform_admins(store, agent_api):
    r = agent_api.get("/api/v1/banned-words")
    assert r.status_code == 200
    for row in r.json():
        assert {"id", "term", "suggestion"} <= set(row)
        if row["language"]:
            assert_language(row["language"])
    assert agent_api.post("/api/v1/banned-words", {"term": "awful"}, format="json").status_code == 403

    platform_admin_create(username="root", password="long-enough")
    admin = APIClient()
    admin.login(username="root", password="long-enough")
    created = admin.post(
        "/api/v1/banned-words", {"term": "dreadful", "suggestion": "unfortunate"}, format="json"
    )
    assert created.status_code == 201, created.content
    word_id = created.json()["id"]
    assert isinstance(word_id, int)
    assert (
        agent_api.patch(f"/api/v1/banned-words/{word_id}", {"suggestion": "sad"}, format="json").status_code
        == 403
    )
    patched = admin.patch(f"/api/v1/banned-words/{word_id}", {"suggestion": "sad"}, format="json")
    assert patched.status_code == 200 and patched.json()["suggestion"] == "sad"
    assert agent_api.delete(f"/api/v1/banned-words/{word_id}").status_code == 403
    assert admin.delete(f"/api/v1/banned-words/{word_id}").status_code == 204


def test_contract_banned_word_language_is_bcp47(store):
    platform_admin_create(username="root", password="long-enough")
    admin = APIClient()
    admin.login(username="root", password="long-enough")
    r = admin.post(
        "/api/v1/banned-words", {"term": "horrível", "language": "pt_BR", "suggestion": "ruim"}, format="json"
    )
    assert r.status_code == 201, r.content
    assert r.json()["language"] == "pt-BR"


# ---------------------------------------------------------------- coupons


def test_contract_coupon_create_get_and_suggested_quantity(store, owner_api, agent_api):
    valid_until = (store_local_date(store) + timedelta(days=60)).isoformat()
    r = owner_api.post(
        "/api/v1/coupons",
        {
            "name_suffix": "-Thanks",
            "denomination": "9",
            "threshold": "20",
            "currency": "USD",
            "quantity": 50,
            "valid_until": valid_until,
        },
        format="json",
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert {"id", "name", "discount_rate", "warnings"} <= set(body)
    assert isinstance(body["id"], int)
    assert body["name"] == "DDWL-Thanks"
    assert isinstance(body["discount_rate"], float) and body["discount_rate"] == pytest.approx(0.45)
    assert isinstance(body["warnings"], list) and body["warnings"]
    assert_money(body["denomination"])
    assert_money(body["threshold"])
    for key in ("activity_start", "activity_end", "valid_from", "valid_until"):
        assert_date(body[key])

    detail = agent_api.get(f"/api/v1/coupons/{body['id']}")
    assert detail.status_code == 200
    assert {"id", "name", "discount_rate", "warnings", "granted", "redeemed"} <= set(detail.json())
    assert (detail.json()["granted"], detail.json()["redeemed"]) == (0, 0)

    assert agent_api.post("/api/v1/coupons", {"name_suffix": "-x"}, format="json").status_code == 403
    bad = owner_api.post("/api/v1/coupons", {"name_suffix": "-x", "denomination": "3"}, format="json")
    assert bad.status_code == 400
    assert_errors(bad.json(), "valid_until")

    since = (store_local_date(store) - timedelta(days=30)).isoformat()
    r = agent_api.get(f"/api/v1/coupons/suggested-quantity?orders_since={since}")
    assert r.status_code == 200, r.content
    assert {"orders", "suggested"} <= set(r.json())
    assert isinstance(r.json()["orders"], int) and isinstance(r.json()["suggested"], int)


# ---------------------------------------------------------------- customer groups and campaigns


def test_contract_customer_group_and_campaign_lifecycle(
    store, owner, owner_api, agent_api, django_capture_on_commit_callbacks
):
    coupon = make_coupon(store)
    today = store_local_date(store)
    buyers = [make_buyer(store, locale="en_US", country="US") for _ in range(3)]
    for buyer in buyers:
        make_order(store, buyer, status=OrderStatus.AWAITING_SHIPMENT, days_ago=1)

    r = owner_api.post(
        "/api/v1/customer-groups",
        {"name": "Loyal", "buyer_ids": [b.external_id for b in buyers]},
        format="json",
    )
    assert r.status_code == 201, r.content
    assert "id" in r.json() and isinstance(r.json()["id"], int)
    group_id = r.json()["id"]

    crowd = {
        "method": "conditions",
        "orders_from": (today - timedelta(days=5)).isoformat(),
        "orders_to": today.isoformat(),
        "unshipped_only": True,
        "transactions_min": 1,
        "transactions_max": 99999,
    }
    r = owner_api.post(
        "/api/v1/campaigns",
        {
            "name": "Thanks",
            "scenario": "retention",
            "crowd": crowd,
            "text": "Thank you for waiting.",
            "variants": {"pt-BR": "Obrigado por esperar."},
            "coupon_id": coupon.pk,
        },
        format="json",
    )
    assert r.status_code == 201, r.content
    assert {"id", "status"} <= set(r.json()) and r.json()["status"] == "draft"
    assert set(r.json()["variants"]) == {"pt-BR"}
    campaign_id = r.json()["id"]

    group_campaign = owner_api.post(
        "/api/v1/campaigns",
        {
            "name": "Group push",
            "scenario": "reminder",
            "crowd": {"method": "groups", "group_ids": [group_id], "countries_exclude": ["ES"]},
            "text": "Your order is on its way.",
        },
        format="json",
    )
    assert group_campaign.status_code == 201, group_campaign.content

    r = owner_api.post(f"/api/v1/campaigns/{campaign_id}/identify")
    assert r.status_code == 200, r.content
    assert {"count", "plan"} <= set(r.json())
    assert r.json()["count"] == 3
    for day in r.json()["plan"]:
        assert {"date", "count"} <= set(day)
        assert_date(day["date"])
        assert isinstance(day["count"], int)

    with django_capture_on_commit_callbacks(execute=True):
        r = owner_api.post(f"/api/v1/campaigns/{campaign_id}/send")
    assert r.status_code == 202, r.content

    r = agent_api.get(f"/api/v1/campaigns/{campaign_id}")
    assert r.status_code == 200
    body = r.json()
    assert {"status", "counts", "last_window", "last_sent_at"} <= set(body)
    assert set(body["counts"]) == {"sent", "pending", "skipped", "failed"}
    assert body["counts"]["sent"] == 3
    assert set(body["last_window"]) == {"from", "to"}
    assert_date(body["last_window"]["from"])
    assert_datetime(body["last_sent_at"])

    assert agent_api.post(f"/api/v1/campaigns/{campaign_id}/send").status_code == 403


def test_contract_campaign_pause_resume_cancel_return_the_status(store, owner_api):
    today = store_local_date(store)
    buyers = [make_buyer(store, locale="en_US", country="US") for _ in range(2)]
    group = customer_group_create(
        store=store, acting_user=None, name="G", buyer_ids=[b.external_id for b in buyers]
    )
    r = owner_api.post(
        "/api/v1/campaigns",
        {
            "name": "Reminder",
            "scenario": "reminder",
            "crowd": {"method": "groups", "group_ids": [group.pk]},
            "text": "Your order ships soon.",
        },
        format="json",
    )
    assert r.status_code == 201, r.content
    url = f"/api/v1/campaigns/{r.json()['id']}"
    early = owner_api.post(f"{url}/pause")
    assert early.status_code == 400
    assert_errors(early.json(), "status")
    sent = owner_api.post(f"{url}/send", {"start_on": (today + timedelta(days=1)).isoformat()}, format="json")
    assert sent.status_code == 202, sent.content
    statuses = []
    for action in ("pause", "resume", "cancel"):
        r = owner_api.post(f"{url}/{action}")
        assert r.status_code == 200, (action, r.content)
        assert set(r.json()["counts"]) == {"sent", "pending", "skipped", "failed"}
        statuses.append(r.json()["status"])
    assert statuses == ["paused", "scheduled", "cancelled"]


# ---------------------------------------------------------------- auto-reply


def test_contract_autoreply_get_and_put(store, owner_api, agent_api):
    coupon = make_coupon(store)
    r = agent_api.get("/api/v1/autoreply")
    assert r.status_code == 200
    assert {"enabled", "welcome_text", "keywords"} <= set(r.json())
    assert r.json()["enabled"] is False and r.json()["keywords"] == []

    body = {
        "enabled": True,
        "welcome_text": "Hi! We answer within 24 hours.",
        "keywords": [
            {"keyword": "Shipping?", "reply_type": "text", "text": "Within 3 days."},
            {"keyword": "Safe?", "reply_type": "text", "text": "Sealed and tracked."},
            {"keyword": "Coupon?", "reply_type": "coupon", "coupon_id": coupon.pk},
        ],
    }
    r = owner_api.put("/api/v1/autoreply", body, format="json")
    assert r.status_code == 200, r.content
    saved = r.json()
    assert {"enabled", "welcome_text", "keywords"} <= set(saved)
    assert saved["enabled"] is True and saved["welcome_text"] == body["welcome_text"]
    for keyword in saved["keywords"]:
        assert {"id", "keyword", "reply_type"} <= set(keyword)
        assert keyword["reply_type"] in ("text", "picture", "coupon")
    assert [(k["keyword"], k["reply_type"]) for k in saved["keywords"]] == [
        ("Shipping?", "text"),
        ("Safe?", "text"),
        ("Coupon?", "coupon"),
    ]
    assert saved["keywords"][0]["text"] == "Within 3 days."
    assert saved["keywords"][2]["coupon_id"] == coupon.pk
    # The GET shape is the PUT shape: a client can send back what it read.
    again = owner_api.put("/api/v1/autoreply", agent_api.get("/api/v1/autoreply").json(), format="json")
    assert again.status_code == 200, again.content
    assert [k["id"] for k in again.json()["keywords"]] == [k["id"] for k in saved["keywords"]]
    assert agent_api.put("/api/v1/autoreply", body, format="json").status_code == 403


# ---------------------------------------------------------------- disputes and protection


def test_contract_disputes_list_responses_and_protection_extensions(store, agent_api):
    order = shipped_order(store)
    ingress(store).post(
        "/api/v1/ingress/disputes",
        {
            "dispute_id": "D-5",
            "order_id": order.external_id,
            "opened_at": timezone.now().isoformat(),
            "reason": "Item not received",
            "refund_amount": "25.00",
            "return_goods": False,
            "description": "",
        },
        format="json",
    )
    r = agent_api.get("/api/v1/disputes")
    assert r.status_code == 200
    [dispute] = r.json()
    assert {"id", "dispute_id", "order_id", "status", "opened_at", "refund_amount"} <= set(dispute)
    assert_money(dispute["refund_amount"])
    assert_datetime(dispute["opened_at"])
    r = agent_api.post(
        f"/api/v1/disputes/{dispute['id']}/responses",
        {"action": "reject", "text": "Tracking shows delivery.", "image": picture_upload()},
        format="multipart",
    )
    assert r.status_code == 201, r.content

    before = Order.objects.get(pk=order.pk).protection_ends_at
    r = agent_api.post(
        f"/api/v1/orders/{order.external_id}/protection-extensions", {"days": 10}, format="json"
    )
    assert r.status_code in (200, 201), r.content
    assert Order.objects.get(pk=order.pk).protection_ends_at == before + timedelta(days=10)
    bad = agent_api.post(
        f"/api/v1/orders/{order.external_id}/protection-extensions", {"days": 0}, format="json"
    )
    assert bad.status_code == 400
    assert_errors(bad.json(), "days")


# ---------------------------------------------------------------- metrics


def test_contract_response_rate(store, agent_api):
    result = make_inbound(store, text="Hello?", sent_at=timezone.now() - timedelta(hours=2))
    agent_api.post(f"/api/v1/conversations/{result.conversation.pk}/replies", {"text": "Hi!"}, format="json")
    r = agent_api.get("/api/v1/metrics/response-rate?days=30")
    assert r.status_code == 200
    body = r.json()
    assert {"rate", "answered_within_24h", "total", "daily"} <= set(body)
    assert isinstance(body["rate"], float) and body["rate"] == 1.0
    assert (body["answered_within_24h"], body["total"]) == (1, 1)
    assert len(body["daily"]) == 30
    for day in body["daily"]:
        assert {"date", "rate"} <= set(day)
        assert_date(day["date"])
        assert day["rate"] is None or isinstance(day["rate"], float)
    assert agent_api.get("/api/v1/metrics/response-rate?days=0").status_code == 400


# ---------------------------------------------------------------- another store's ids are 404


def test_contract_other_stores_ids_are_404_with_the_error_shape(store, other_store, agent_api):
    theirs = make_inbound(other_store, text="Hello?").conversation
    their_coupon = make_coupon(other_store)
    their_buyer = Buyer.objects.get(pk=theirs.buyer_id)
    their_order = shipped_order(other_store)
    ingress(other_store).post(
        "/api/v1/ingress/disputes",
        {
            "dispute_id": "D-9",
            "order_id": their_order.external_id,
            "opened_at": timezone.now().isoformat(),
            "reason": "Item not received",
            "refund_amount": "25.00",
            "return_goods": False,
            "description": "",
        },
        format="json",
    )
    their_dispute = Dispute.objects.get(store=other_store)
    checks = [
        agent_api.get(f"/api/v1/conversations/{theirs.pk}"),
        agent_api.post(f"/api/v1/conversations/{theirs.pk}/replies", {"text": "hi"}, format="json"),
        agent_api.get(f"/api/v1/coupons/{their_coupon.pk}"),
        agent_api.post(f"/api/v1/disputes/{their_dispute.pk}/responses", {"action": "agree", "text": "ok"}),
        agent_api.post(f"/api/v1/orders/{their_order.external_id}/protection-extensions", {"days": 5}),
        ingress(store).post(
            "/api/v1/ingress/card-clicks",
            {"buyer_id": their_buyer.external_id, "keyword_id": 1},
            format="json",
        ),
    ]
    for r in checks:
        assert r.status_code == 404, (r.request["PATH_INFO"], r.status_code)
        assert set(r.json()) == {"errors"}


# ---------------------------------------------------------------- the schema describes every endpoint


CONTRACT_OPERATIONS = {
    ("/api/v1/auth/token", "post"),
    ("/api/v1/ingress/orders", "put"),
    ("/api/v1/ingress/messages", "post"),
    ("/api/v1/ingress/buyers/{buyer_id}/messages", "get"),
    ("/api/v1/ingress/card-clicks", "post"),
    ("/api/v1/ingress/disputes", "post"),
    ("/api/v1/conversations", "get"),
    ("/api/v1/conversations/{conversation_id}", "get"),
    ("/api/v1/conversations/{conversation_id}/replies", "post"),
    ("/api/v1/text-checks", "post"),
    ("/api/v1/scenarios", "get"),
    ("/api/v1/scenarios/{code}/render", "get"),
    ("/api/v1/scenario-suggestions", "post"),
    ("/api/v1/banned-words", "get"),
    ("/api/v1/banned-words", "post"),
    ("/api/v1/banned-words/{banned_word_id}", "patch"),
    ("/api/v1/banned-words/{banned_word_id}", "delete"),
    ("/api/v1/coupons", "post"),
    ("/api/v1/coupons/{coupon_id}", "get"),
    ("/api/v1/coupons/suggested-quantity", "get"),
    ("/api/v1/customer-groups", "post"),
    ("/api/v1/campaigns", "post"),
    ("/api/v1/campaigns/{campaign_id}", "get"),
    ("/api/v1/campaigns/{campaign_id}/identify", "post"),
    ("/api/v1/campaigns/{campaign_id}/send", "post"),
    ("/api/v1/campaigns/{campaign_id}/pause", "post"),
    ("/api/v1/campaigns/{campaign_id}/resume", "post"),
    ("/api/v1/campaigns/{campaign_id}/cancel", "post"),
    ("/api/v1/autoreply", "get"),
    ("/api/v1/autoreply", "put"),
    ("/api/v1/disputes", "get"),
    ("/api/v1/disputes/{dispute_id}/responses", "post"),
    ("/api/v1/orders/{order_id}/protection-extensions", "post"),
    ("/api/v1/metrics/response-rate", "get"),
}


def test_contract_openapi_schema_describes_every_endpoint():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    present = {(path, method) for path, ops in schema["paths"].items() for method in ops}
    assert CONTRACT_OPERATIONS - present == set()
    ingress_message = schema["paths"]["/api/v1/ingress/messages"]["post"]["responses"]
    assert {"200", "201"} <= set(ingress_message)
    assert "202" in schema["paths"]["/api/v1/campaigns/{campaign_id}/send"]["post"]["responses"]
    assert "201" in schema["paths"]["/api/v1/ingress/card-clicks"]["post"]["responses"]
