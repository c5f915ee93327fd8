"""Nothing a partial message erases (issue 9, point 8): a field the marketplace leaves out keeps its stored value."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from seller_desk.models import Buyer, Order

pytestmark = pytest.mark.django_db

FULL_BUYER = {"buyer_id": "b-1", "name": "Olga Ivanova", "country": "RU", "locale": "ru_RU"}
STORED_BUYER = {"name": "Olga Ivanova", "country": "RU", "locale": "ru_RU"}
FULL_ORDER = {
    "order_id": "RU-1001",
    "buyer": FULL_BUYER,
    "status": "in_transit",
    "placed_at": "2026-11-01T10:00:00+00:00",
    "shipped_at": "2026-11-03T10:00:00+00:00",
    "delivered_at": "2026-11-20T10:00:00+00:00",
    "protection_ends_at": "2027-01-01T10:00:00+00:00",
    "amount": "19.90",
    "currency": "USD",
    "overseas_warehouse": True,
    "coupon_code": "SPRING",
}
STORED_ORDER = {
    "shipped_at": datetime(2026, 11, 3, 10, tzinfo=UTC),
    "delivered_at": datetime(2026, 11, 20, 10, tzinfo=UTC),
    "protection_ends_at": datetime(2027, 1, 1, 10, tzinfo=UTC),
    "overseas_warehouse": True,
    "coupon_code": "SPRING",
}
CLEARED_ORDER = {
    "shipped_at": None,
    "delivered_at": None,
    "protection_ends_at": None,
    "overseas_warehouse": False,
    "coupon_code": "",
}


def ingress(store) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {store.integration_token}")
    return client


def put_orders(store, *orders) -> dict:
    r = ingress(store).put("/api/v1/ingress/orders", {"orders": list(orders)}, format="json")
    assert r.status_code == 200, r.content
    return r.json()


def buyer_values(store) -> dict:
    buyer = Buyer.objects.get(store=store, external_id="b-1")
    return {"name": buyer.name, "country": buyer.country, "locale": buyer.locale}


def message(store, message_id: str, buyer: dict):
    body = {
        "message_id": message_id,
        "buyer": buyer,
        "channel": "chat",
        "text": "Здравствуйте!",
        "sent_at": timezone.now().isoformat(),
    }
    r = ingress(store).post("/api/v1/ingress/messages", body, format="json")
    assert r.status_code == 201, r.content


def test_a_message_whose_buyer_carries_only_buyer_id_keeps_the_stored_buyer(store):
    message(store, "m-1", FULL_BUYER)
    message(store, "m-2", {"buyer_id": "b-1"})  # the README's own example
    assert buyer_values(store) == STORED_BUYER


@pytest.mark.parametrize("field", ["name", "country", "locale"])
def test_every_optional_buyer_field_left_out_keeps_its_stored_value(store, field):
    message(store, "m-1", FULL_BUYER)
    partial = {k: v for k, v in FULL_BUYER.items() if k != field}
    partial.update({k: "" for k in ("name", "country", "locale") if k != field})  # the others cleared
    message(store, "m-2", partial)
    expected = {k: "" for k in STORED_BUYER}
    expected[field] = STORED_BUYER[field]
    assert buyer_values(store) == expected


@pytest.mark.parametrize("field", ["name", "country", "locale"])
def test_every_optional_buyer_field_left_out_of_an_order_keeps_its_stored_value(store, field):
    put_orders(store, FULL_ORDER)
    partial_buyer = {k: v for k, v in FULL_BUYER.items() if k != field}
    assert put_orders(store, {**FULL_ORDER, "buyer": partial_buyer}) == {"created": 0, "updated": 1}
    assert buyer_values(store) == STORED_BUYER


def test_a_buyer_field_sent_blank_is_cleared(store):
    message(store, "m-1", FULL_BUYER)
    message(store, "m-2", {"buyer_id": "b-1", "name": "", "country": "", "locale": ""})
    assert buyer_values(store) == {"name": "", "country": "", "locale": ""}


def test_a_new_buyer_with_only_buyer_id_is_stored_blank(store):
    message(store, "m-1", {"buyer_id": "b-1"})
    assert buyer_values(store) == {"name": "", "country": "", "locale": ""}


def order_values(store) -> dict:
    order = Order.objects.get(store=store, external_id="RU-1001")
    return {field: getattr(order, field) for field in STORED_ORDER}


@pytest.mark.parametrize("field", list(STORED_ORDER))
def test_every_optional_order_field_left_out_keeps_its_stored_value(store, field):
    put_orders(store, FULL_ORDER)
    partial = {k: v for k, v in FULL_ORDER.items() if k != field}
    for other in STORED_ORDER:
        if other != field:
            partial[other] = {"overseas_warehouse": False, "coupon_code": ""}.get(other)
    partial["status"] = "delivered"
    assert put_orders(store, partial) == {"created": 0, "updated": 1}
    expected = dict(CLEARED_ORDER)
    expected[field] = STORED_ORDER[field]
    assert order_values(store) == expected
    order = Order.objects.get(store=store, external_id="RU-1001")
    assert (order.status, order.amount) == ("delivered", Decimal("19.90"))


def test_an_order_with_only_the_required_fields_keeps_every_optional_one(store):
    put_orders(store, FULL_ORDER)
    required = {k: FULL_ORDER[k] for k in ("order_id", "status", "placed_at", "amount", "currency")}
    put_orders(store, {**required, "buyer": {"buyer_id": "b-1"}})
    assert order_values(store) == STORED_ORDER
    assert buyer_values(store) == STORED_BUYER


def test_a_new_order_without_optional_fields_gets_their_defaults(store):
    required = {k: FULL_ORDER[k] for k in ("order_id", "status", "placed_at", "amount", "currency")}
    assert put_orders(store, {**required, "buyer": {"buyer_id": "b-1"}}) == {"created": 1, "updated": 0}
    assert order_values(store) == CLEARED_ORDER
