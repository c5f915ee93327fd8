"""Bad input is a 400 (or 413, or 503 while the database is away), never a 500 (issue 9, point 3).

Pixel bombs, NUL bytes and other invalid characters in any query or body field, deep JSON nesting,
ids that can't be used in a URL, oversized ingress bodies, and a database outage.
"""

import json
import socket
import struct
import zlib
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError, connection
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from conversations.models import Conversation, Message
from seller_desk.models import Buyer, Order
from tests.factories import make_api_token, make_inbound, make_member

pytestmark = pytest.mark.django_db

NUL_MESSAGE = "This value contains a NUL byte (U+0000), which no field may hold; remove it."


def ingress(store) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {store.integration_token}")
    return client


def agent_api(store) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {make_api_token(make_member(store))}")
    return client


def message_body(**overrides) -> dict:
    body = {
        "message_id": "m-1",
        "buyer": {"buyer_id": "b-1", "name": "Olga", "country": "RU", "locale": "ru_RU"},
        "channel": "chat",
        "text": "Где моя посылка?",
        "sent_at": timezone.now().isoformat(),
    }
    body.update(overrides)
    return body


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header declares ``width``×``height`` pixels (65 bytes)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b""))
        + chunk(b"IEND", b"")
    )


# --- pictures ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("width", "height", "mentions"),
    [
        (30000, 30000, "too many pixels"),  # Pillow's own decompression-bomb error
        (7000, 7000, "The picture is 7,000×7,000 pixels; pictures may have at most 40,000,000 pixels"),
    ],
    ids=["decompression-bomb", "over-the-pixel-limit"],
)
def test_a_picture_declaring_too_many_pixels_is_a_400_naming_image(store, width, height, mentions):
    content = png_declaring(width, height)
    conversation = make_inbound(store, text="photo please").conversation
    r = agent_api(store).post(
        f"/api/v1/conversations/{conversation.pk}/replies",
        {"text": "Here it is.", "image": SimpleUploadedFile("bomb.png", content, content_type="image/png")},
        format="multipart",
    )
    assert r.status_code == 400, r.content
    assert list(r.json()["errors"]) == ["image"]
    assert mentions in r.json()["errors"]["image"][0]
    assert not Message.objects.filter(conversation=conversation, direction="outbound").exists()


def test_a_65_byte_pixel_bomb_through_ingress_stores_nothing(store):
    content = png_declaring(30000, 30000)
    assert len(content) == 65
    data = {
        "message_id": "bomb-1",
        "buyer.buyer_id": "b-9",
        "channel": "message",
        "text": "see photo",
        "sent_at": timezone.now().isoformat(),
        "image": SimpleUploadedFile("bomb.png", content, content_type="image/png"),
    }
    r = ingress(store).post("/api/v1/ingress/messages", data, format="multipart")
    assert r.status_code == 400, r.content
    assert list(r.json()["errors"]) == ["image"]
    assert not Message.objects.filter(store=store).exists()


# --- invalid characters --------------------------------------------------------------------------


def test_a_nul_byte_in_an_api_query_parameter_is_a_json_400_naming_it(store):
    r = agent_api(store).get("/api/v1/scenarios/order_eta/render?language=%00")
    assert r.status_code == 400
    assert r["Content-Type"] == "application/json"
    assert r.json() == {"errors": {"language": [NUL_MESSAGE]}}


def test_a_nul_byte_in_the_inbox_search_is_a_400_not_a_500(store):
    client = Client()
    client.force_login(make_member(store))
    r = client.get("/inbox/?q=%00")
    assert r.status_code == 400
    assert r.content.decode() == f"q: {NUL_MESSAGE}"


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        (
            "q=a%01b",
            "q",
            "This value contains a control character (U+0001), which no field may hold; remove it.",
        ),
        (
            "q=%7F",
            "q",
            "This value contains a control character (U+007F), which no field may hold; remove it.",
        ),
        ("%00=1", "", NUL_MESSAGE),
    ],
    ids=["soh", "del", "nul-in-the-name"],
)
def test_other_control_characters_in_a_query_are_refused(store, query, field, message):
    r = agent_api(store).get(f"/api/v1/conversations?{query}")
    assert r.status_code == 400
    assert r.json() == {"errors": {field or "\x00": [message]}}


def test_tabs_and_line_breaks_are_fine(store):
    r = agent_api(store).post("/api/v1/text-checks", {"text": "line one\n\tline two\r\n"}, format="json")
    assert r.status_code == 200
    assert r.json() == {"ok": True, "banned_words": []}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (message_body(text="hello\u0000world"), "text"),
        (message_body(buyer={"buyer_id": "b-1", "name": "Ol\u0000ga"}), "buyer.name"),
        (message_body(buyer={"buyer_id": "b\u0000"}), "buyer.buyer_id"),
        (message_body(extra=["fine", "bad\u0000"]), "extra[1]"),
    ],
    ids=["text", "nested-field", "id", "list-item"],
)
def test_a_nul_in_a_json_body_field_is_a_400_naming_the_field(store, body, field):
    r = ingress(store).post("/api/v1/ingress/messages", body, format="json")
    assert r.status_code == 400
    assert r.json() == {"errors": {field: [NUL_MESSAGE]}}
    assert not Message.objects.exists()


def test_a_nul_in_a_multipart_field_is_a_400_naming_the_field(store):
    data = {
        "message_id": "m-2",
        "buyer.buyer_id": "b-2",
        "channel": "chat",
        "text": "hi\x00",
        "sent_at": timezone.now().isoformat(),
    }
    r = ingress(store).post("/api/v1/ingress/messages", data, format="multipart")
    assert r.status_code == 400
    assert r.json() == {"errors": {"text": [NUL_MESSAGE]}}


def test_a_nul_in_a_page_form_field_is_a_400(store):
    client = Client()
    client.force_login(make_member(store))
    r = client.post("/text-check/", {"text": "a\x00b"})
    assert r.status_code == 400
    assert r.content.decode() == f"text: {NUL_MESSAGE}"


# --- nesting, size ---------------------------------------------------------------------------------


def test_fifty_thousand_nested_brackets_are_a_400(store):
    body = "[" * 50_000 + "]" * 50_000
    r = ingress(store).generic("POST", "/api/v1/ingress/messages", body, content_type="application/json")
    assert r.status_code == 400
    assert r.json() == {"errors": {"body": ["JSON may nest arrays and objects at most 32 deep."]}}


def test_nesting_at_the_limit_reaches_the_view(store):
    body = json.dumps(message_body(extra=json.loads("[" * 31 + "]" * 31)))
    r = ingress(store).generic("POST", "/api/v1/ingress/messages", body, content_type="application/json")
    assert r.status_code == 201, r.content


def test_brackets_inside_strings_do_not_count_as_nesting(store):
    r = ingress(store).post(
        "/api/v1/ingress/messages", message_body(text="[" * 100 + "{" * 100), format="json"
    )
    assert r.status_code == 201, r.content


def test_an_ingress_body_over_its_limit_is_a_json_413(store, settings):
    settings.SELLER_DESK = {
        **settings.SELLER_DESK,
        "REQUEST_LIMITS": {**settings.SELLER_DESK["REQUEST_LIMITS"], "INGRESS_JSON_BYTES": 1000},
    }
    body = json.dumps(message_body(text="x" * 1000))
    r = ingress(store).generic("POST", "/api/v1/ingress/messages", body, content_type="application/json")
    assert r.status_code == 413
    assert r.json() == {
        "errors": {
            "body": [f"The request body is {len(body):,} bytes; this endpoint accepts at most 1,000 bytes."]
        }
    }
    assert not Message.objects.exists()


def test_the_default_ingress_limits_admit_a_full_batch_of_orders(store, settings):
    limits = settings.SELLER_DESK["REQUEST_LIMITS"]
    assert (limits["INGRESS_JSON_BYTES"], limits["INGRESS_MULTIPART_BYTES"]) == (
        2 * 1024 * 1024,
        96 * 1024 * 1024,
    )
    orders = [
        {
            "order_id": f"RU-{i:06d}",
            "buyer": {
                "buyer_id": f"buyer-{i:06d}",
                "name": "Ivan Petrov",
                "country": "RU",
                "locale": "ru_RU",
            },
            "status": "in_transit",
            "placed_at": "2026-11-01T10:00:00+00:00",
            "shipped_at": "2026-11-03T10:00:00+00:00",
            "protection_ends_at": "2027-01-01T10:00:00+00:00",
            "amount": "1999.90",
            "currency": "USD",
            "coupon_code": "DDWL-SPRING-2026",
        }
        for i in range(1000)
    ]
    assert len(json.dumps({"orders": orders})) < limits["INGRESS_JSON_BYTES"]


# --- ids -----------------------------------------------------------------------------------------

ID_MESSAGE = (
    "Ids are used in URLs and may not contain “/”; use letters, digits and - _ . : only (e.g. “RU-1001”)."
)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (message_body(buyer={"buyer_id": "a/b"}), "buyer.buyer_id"),
        (message_body(message_id="m/1"), "message_id"),
        (message_body(order_id="o/1"), "order_id"),
    ],
)
def test_an_id_with_a_slash_is_refused_at_message_ingress(store, body, field):
    r = ingress(store).post("/api/v1/ingress/messages", body, format="json")
    assert r.status_code == 400
    assert r.json() == {"errors": {field: [ID_MESSAGE]}}
    assert not Buyer.objects.exists()


def test_an_order_id_with_a_slash_is_refused_naming_the_item(store):
    item = {
        "order_id": "8001/2",
        "buyer": {"buyer_id": "b1"},
        "status": "in_transit",
        "placed_at": "2026-11-01T10:00:00+00:00",
        "amount": "1.00",
        "currency": "USD",
    }
    r = ingress(store).put("/api/v1/ingress/orders", {"orders": [item]}, format="json")
    assert r.status_code == 400
    assert r.json() == {"errors": {"orders[0].order_id": [ID_MESSAGE]}}
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    ("value", "shown"), [("a b", "a space"), ("a?b", "“?”"), ("a#b", "“#”"), ("a%2Fb", "“%”")]
)
def test_other_characters_a_url_segment_cannot_hold_are_refused(store, value, shown):
    r = ingress(store).post(
        "/api/v1/ingress/card-clicks", {"buyer_id": value, "keyword_id": 1}, format="json"
    )
    assert r.status_code == 400
    assert r.json()["errors"]["buyer_id"] == [
        f"Ids are used in URLs and may not contain {shown}; use letters, digits and - _ . : only (e.g. “RU-1001”)."
    ]


# --- a database outage -----------------------------------------------------------------------------


def test_a_database_error_during_ingress_is_a_json_503_with_retry_after(store):
    with mock.patch(
        "marketplace.services.orders_upsert", side_effect=OperationalError("server closed the connection")
    ):
        r = ingress(store).put(
            "/api/v1/ingress/orders",
            {
                "orders": [
                    {
                        "order_id": "1",
                        "buyer": {"buyer_id": "b"},
                        "status": "in_transit",
                        "placed_at": "2026-11-01T10:00:00+00:00",
                        "amount": "1",
                        "currency": "USD",
                    }
                ]
            },
            format="json",
        )
    assert r.status_code == 503
    assert r["Retry-After"] == "5"
    assert r.json() == {
        "errors": {
            "detail": [
                "The database is unavailable; retry in 5 seconds "
                "(ingress is idempotent by id: a retry never stores anything twice)."
            ]
        }
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.django_db(transaction=True)
def test_ingress_while_postgresql_is_unreachable_is_a_json_503_then_works_again(require_postgres, store):
    token = store.integration_token
    port = connection.settings_dict["PORT"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    connection.close()
    connection.settings_dict["PORT"] = str(_free_port())  # nothing listens there: the database is "down"
    try:
        r = client.post("/api/v1/ingress/messages", message_body(), format="json")
    finally:
        connection.close()
        connection.settings_dict["PORT"] = port
    assert r.status_code == 503
    assert r["Retry-After"] == "5"
    assert list(r.json()["errors"]) == ["detail"]
    r = client.post("/api/v1/ingress/messages", message_body(), format="json")
    assert r.status_code == 201, r.content
    assert Message.objects.filter(external_id="m-1").count() == 1
    assert Conversation.objects.count() == 1
