"""The seller API's JSON is written by orjson (``seller_desk.renderers.FastJSONRenderer``, issue 14) and must be
the bytes DRF's own renderer writes, for every kind of value the API returns."""

import uuid
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIClient

from seller_desk.renderers import FastJSONRenderer
from tests.factories import make_api_token, make_inbound, make_member

VALUES = [
    {"id": 1, "name": "Zoë", "tags": ["late", "刷单"], "order": None, "ok": True, "share": 0.25},
    [{"created_at": datetime(2026, 12, 3, 10, 53, 36, 201100, tzinfo=UTC)}],
    {"at": datetime(2026, 12, 3, 18, 0, tzinfo=ZoneInfo("Asia/Shanghai")), "day": date(2026, 12, 3)},
    {"at": datetime(2026, 12, 3, 18, 0), "clock": time(9, 30), "wait": timedelta(hours=24)},
    {"amount": Decimal("12.50"), "id": uuid.UUID("12345678-1234-5678-1234-567812345678")},
    {"label": gettext_lazy("Open"), 7: "an integer key", "text": "line\u2028next\u2029end"},
    {"رسالة": "مرحبا", "שלום": "עולם", "안녕": "하세요", "Привет": "мир"},
    {"huge": 2**70},
    "plain",
    [],
]


@pytest.mark.parametrize("value", VALUES)
def test_the_bytes_are_drfs(value):
    assert FastJSONRenderer().render(value) == JSONRenderer().render(value)


def test_indented_json_when_asked_is_drfs():
    value = {"id": 1, "tags": ["a"]}
    media_type = "application/json; indent=2"
    out = FastJSONRenderer().render(value, media_type, {})
    assert out == JSONRenderer().render(value, media_type, {}) and b"\n  " in out


def test_nothing_renders_as_an_empty_body():
    assert FastJSONRenderer().render(None) == b""


@pytest.mark.django_db
def test_the_api_answers_with_it(store):
    make_inbound(store, text="Где моя посылка?\u2028")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {make_api_token(make_member(store))}")
    response = api.get("/api/v1/conversations")
    assert response.status_code == 200, response.content
    assert response.accepted_renderer.__class__ is FastJSONRenderer
    assert response["Content-Type"] == "application/json"
    assert response.content == JSONRenderer().render(response.data)
    assert [row["id"] for row in response.json()] == [row["id"] for row in response.data]
