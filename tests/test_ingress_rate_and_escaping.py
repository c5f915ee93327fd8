"""Issue 9, point 3: per-token rate limits on ingress; buyer text escaped and isolated wherever it shows."""

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from conversations.models import Conversation
from tests.factories import make_member

pytestmark = pytest.mark.django_db

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: flips the text after it unless the text is isolated
NAME = f'<script>alert("name")</script>Olga {RLO}gnp.exe'
TEXT = f'<script>alert("text")</script> where is my parcel {RLO}fdp.exe <img src=x onerror=alert(1)>'
ORDER_ID = "8001<script>"


def _ingress(store) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {store.integration_token}")
    return client


def _order(i: int) -> dict:
    return {
        "order_id": f"R{i}",
        "buyer": {"buyer_id": "b1"},
        "status": "in_transit",
        "placed_at": "2026-11-01T10:00:00Z",
        "amount": "19.90",
        "currency": "USD",
    }


# --- rate limits -----------------------------------------------------------------------------------------


@pytest.mark.throttled
def test_ingress_answers_429_with_retry_after_above_the_per_token_rate(settings, store, other_store):
    settings.SELLER_DESK = {**settings.SELLER_DESK, "INGRESS_RATE_PER_MINUTE": 5}
    client = _ingress(store)
    statuses = [
        client.put("/api/v1/ingress/orders", {"orders": [_order(i)]}, format="json").status_code
        for i in range(5)
    ]
    assert statuses == [200] * 5
    refused = client.put("/api/v1/ingress/orders", {"orders": [_order(9)]}, format="json")
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert list(refused.json()) == ["errors"]
    assert refused.json()["errors"]["detail"][0].startswith("Request was throttled.")
    assert store.orders.filter(external_id="R9").exists() is False
    # Reads count too, and the limit is the token's: another store's token still gets through.
    assert client.get("/api/v1/ingress/buyers/b1/messages").status_code == 429
    assert (
        _ingress(other_store)
        .put("/api/v1/ingress/orders", {"orders": [_order(1)]}, format="json")
        .status_code
        == 200
    )


@pytest.mark.throttled
def test_a_changing_x_forwarded_for_does_not_reset_the_ingress_rate(settings, store):
    settings.SELLER_DESK = {**settings.SELLER_DESK, "INGRESS_RATE_PER_MINUTE": 3}
    client = _ingress(store)
    statuses = [
        client.get("/api/v1/ingress/buyers/b1/messages", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}").status_code
        for i in range(4)
    ]
    assert statuses == [404, 404, 404, 429]


def test_ingress_is_not_rate_limited_unless_the_throttle_is_on(store):
    client = _ingress(store)
    assert {client.get("/api/v1/ingress/buyers/b1/messages").status_code for _ in range(30)} == {404}


# --- buyer text in every place it shows ------------------------------------------------------------------


class _Isolation(HTMLParser):
    """Collects every text run holding an RLO with whether an enclosing element isolates it
    (``<bdi>``, or any element with a ``dir`` attribute) and every element a script could hide in."""

    VOID = {"br", "img", "input", "meta", "link", "hr", "source", "wbr", "col", "area", "base", "embed"}

    def __init__(self):
        super().__init__()
        self.stack: list[tuple[str, bool]] = []
        self.runs: list[tuple[str, bool]] = []
        self.injected: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img" and attrs.get("src") == "x":
            self.injected.append("img onerror")
        if tag == "script" and not attrs.get("src"):
            self.injected.append("inline script")
        if tag not in self.VOID:
            self.stack.append((tag, tag == "bdi" or "dir" in attrs))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        if RLO in data:
            # Where no element can isolate (<title>), FSI ... PDI around the text does.
            by_characters = "\u2068" in data.split(RLO)[0] and "\u2069" in data.split(RLO)[-1]
            by_element = any(isolating for _, isolating in self.stack)
            self.runs.append((data.strip()[:40], by_element or by_characters))


def _check_html(html: str, where: str) -> int:
    parser = _Isolation()
    parser.feed(html)
    assert parser.injected == [], f"{where}: buyer text became markup"
    assert 'alert("name")' not in html.replace("&lt;script&gt;alert(&quot;name&quot;)", "")
    loose = [run for run, isolated in parser.runs if not isolated]
    assert loose == [], f"{where}: right-to-left override not isolated (wrap it in <bdi> or dir=auto)"
    return len(parser.runs)


@pytest.fixture
def hostile(store):
    ingress = _ingress(store)
    placed = (timezone.now() - timedelta(days=3)).isoformat()
    r = ingress.put(
        "/api/v1/ingress/orders",
        {
            "orders": [
                {
                    "order_id": ORDER_ID,
                    "buyer": {"buyer_id": "b1", "name": NAME, "country": "RU", "locale": "ru_RU"},
                    "status": "in_transit",
                    "placed_at": placed,
                    "amount": "19.90",
                    "currency": "USD",
                }
            ]
        },
        format="json",
    )
    assert r.status_code == 200, r.content
    r = ingress.post(
        "/api/v1/ingress/messages",
        {
            "message_id": "m1",
            "buyer": {"buyer_id": "b1"},
            "order_id": ORDER_ID,
            "channel": "chat",
            "text": TEXT,
            "sent_at": (timezone.now() - timedelta(days=2)).isoformat(),
        },
        format="json",
    )
    assert r.status_code == 201, r.content
    return Conversation.objects.get(store=store)


def test_buyer_text_is_escaped_and_isolated_in_every_place_it_shows(client, store, hostile):
    client.force_login(make_member(store, role="owner"))
    conversation = hostile
    pages = {
        "inbox queue": "/inbox/",
        "queue partial": "/inbox/queue/",
        "thread and order panel": f"/inbox/{conversation.pk}/",
        "thread poll": f"/inbox/{conversation.pk}/messages/?after=0",
        "simulator picker": "/simulator/",
        "simulator chat": "/simulator/b1/",
        "dashboard drill-down": "/dashboard/waits/?days=7",
    }
    found = {}
    for where, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, (where, response.status_code)
        html = response.content.decode()
        found[where] = _check_html(html, where)
        assert "<script>alert" not in html, where
    # Every place showed the hostile text (so the checks above looked at something).
    assert all(count > 0 for count in found.values()), found
    thread = client.get(f"/inbox/{conversation.pk}/").content.decode()
    assert "&lt;script&gt;alert(&quot;text&quot;)&lt;/script&gt;" in thread
    assert "8001&lt;script&gt;" in thread


def test_the_drill_down_csv_is_a_download_never_a_page(client, store, hostile):
    client.force_login(make_member(store, role="owner"))
    response = client.get("/dashboard/waits/?days=7&format=csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    body = b"".join(response.streaming_content).decode()
    # A CSV is text: the name is kept as the buyer wrote it, in its own cell, never as a formula.
    assert NAME.replace('"', '""') in body
    assert "\n=" not in body and ",=" not in body


def test_seller_api_returns_buyer_text_as_json_strings(store, hostile):
    api = APIClient()
    api.force_authenticate(make_member(store))
    response = api.get(f"/api/v1/conversations/{hostile.pk}")
    assert response["Content-Type"] == "application/json"
    assert response.json()["messages"][0]["text"] == TEXT
