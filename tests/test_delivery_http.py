"""Delivery to the marketplace: the HTTP backend against a real loopback server that fails, hangs and succeeds;
retries with backoff, dead letters with "Send again", the outbox sweeper, and the store's endpoint settings."""

import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from conversations.delivery import deliver_pending, outbox_due, outbox_sweep, retry_delay
from conversations.models import Message
from conversations.services import reply_send
from seller_desk.models import AuditEvent, AuditKind
from seller_desk.services import store_marketplace_endpoint_set
from seller_desk.signatures import SIGNATURE_HEADER, TIMESTAMP_HEADER, signature_for
from tests.factories import make_inbound, make_member
from tests.marketplace_server import marketplace_endpoint
from tests.test_disputes import dispute_body, shipped_order
from tests.test_seller_api import token_client
from tests.test_signed_ingress import signed_post

pytestmark = pytest.mark.django_db

SECRET = "s3cret-shared-with-the-marketplace"


@pytest.fixture
def endpoint():
    with marketplace_endpoint() as server:
        yield server


@pytest.fixture
def http_delivery(settings):
    settings.SELLER_DESK = {
        **settings.SELLER_DESK,
        "DELIVERY_BACKEND": "conversations.backends.MarketplaceHttp",
        "DELIVERY": {
            **settings.SELLER_DESK["DELIVERY"],
            "MAX_ATTEMPTS": 3,
            "RETRY_BASE_SECONDS": 5,
            "RETRY_MAX_SECONDS": 60,
            "TIMEOUT_SECONDS": 0.5,
            "SWEEP_GRACE_SECONDS": 30,
            "PUBLIC_URL": "https://desk.example",
        },
    }


@pytest.fixture
def wired(store, endpoint, http_delivery):
    store_marketplace_endpoint_set(store=store, endpoint=endpoint.url, secret=SECRET)
    return store


def _reply(store, text="It ships tomorrow.", agent=None):
    """A stored reply whose after-commit enqueue never ran (this test's transaction never commits)."""
    conversation = make_inbound(store, text="Where is my parcel?").conversation
    return reply_send(conversation=conversation, acting_user=agent or make_member(store), text=text)


def _due_now(message):
    Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))


def test_a_reply_is_posted_signed_with_its_idempotency_key(wired, endpoint):
    message = _reply(wired)

    assert deliver_pending(message_id=message.pk) is True

    [request] = endpoint.requests
    headers, body = request["headers"], request["body"]
    assert headers["Idempotency-Key"] == f"sd-{wired.pk}-{message.pk}"
    assert headers["Content-Type"] == "application/json"
    assert headers[SIGNATURE_HEADER] == signature_for(
        secret=SECRET, timestamp=headers[TIMESTAMP_HEADER], body=body
    )
    payload = json.loads(body)
    assert payload["message_id"] == message.pk
    assert payload["store"] == wired.slug
    assert payload["buyer_id"] == message.buyer.external_id
    assert payload["kind"] == "agent"
    assert payload["text"] == "It ships tomorrow."
    assert payload["channel"] == "message"
    stored = Message.objects.get(pk=message.pk)
    assert stored.delivered_at is not None and stored.delivery_attempts == 1 and stored.delivery_error == ""
    assert deliver_pending(message_id=message.pk) is False
    assert len(endpoint.requests) == 1


def test_a_store_without_a_secret_gets_unsigned_posts(store, endpoint, http_delivery):
    store_marketplace_endpoint_set(store=store, endpoint=endpoint.url)
    assert deliver_pending(message_id=_reply(store).pk) is True
    assert SIGNATURE_HEADER not in endpoint.requests[0]["headers"]


def test_a_store_without_an_endpoint_is_delivered_locally(store, endpoint, http_delivery):
    message = _reply(store)
    assert deliver_pending(message_id=message.pk) is True
    assert endpoint.requests == []
    assert Message.objects.get(pk=message.pk).delivered_at is not None


def test_a_5xx_is_retried_with_backoff_and_the_same_key(wired, endpoint):
    endpoint.set("fail")
    message = _reply(wired)
    before = timezone.now()

    assert deliver_pending(message_id=message.pk) is False

    failed = Message.objects.get(pk=message.pk)
    assert failed.delivered_at is None and failed.delivery_failed_at is None
    assert failed.delivery_attempts == 1
    assert failed.delivery_error == "The marketplace answered 503 Service Unavailable"
    assert before + timedelta(seconds=4) < failed.next_attempt_at < timezone.now() + timedelta(seconds=6)
    # A duplicate task (the sweeper's) before the backoff ends sends nothing.
    assert deliver_pending(message_id=message.pk) is False
    assert len(endpoint.requests) == 1

    endpoint.set("ok")
    _due_now(message)
    assert deliver_pending(message_id=message.pk) is True
    assert endpoint.keys() == [f"sd-{wired.pk}-{message.pk}"] * 2
    assert endpoint.accepted_count() == 1
    assert Message.objects.get(pk=message.pk).delivery_attempts == 2


def test_a_hanging_endpoint_is_a_timeout_tried_again(wired, endpoint):
    endpoint.set("hang")
    message = _reply(wired)

    assert deliver_pending(message_id=message.pk) is False

    failed = Message.objects.get(pk=message.pk)
    assert failed.delivery_error == "The marketplace did not answer within 0.5 s"
    assert failed.delivery_attempts == 1 and failed.delivery_failed_at is None


def test_a_closed_port_is_a_connection_error_tried_again(store, http_delivery):
    with marketplace_endpoint() as gone:
        url = gone.url
    store_marketplace_endpoint_set(store=store, endpoint=url)
    message = _reply(store)

    assert deliver_pending(message_id=message.pk) is False

    failed = Message.objects.get(pk=message.pk)
    assert failed.delivery_error.startswith("Could not reach the marketplace:")
    assert failed.delivery_failed_at is None


def test_after_max_attempts_the_message_is_a_dead_letter(wired, endpoint):
    endpoint.set("fail")
    message = _reply(wired)
    for _ in range(3):
        _due_now(message)
        deliver_pending(message_id=message.pk)

    dead = Message.objects.get(pk=message.pk)
    assert dead.delivery_attempts == 3 and dead.delivery_failed_at is not None
    _due_now(message)
    assert deliver_pending(message_id=message.pk) is False
    assert len(endpoint.requests) == 3
    assert message.pk not in outbox_due(now=timezone.now() + timedelta(hours=1))


def test_a_4xx_is_a_dead_letter_at_once(wired, endpoint):
    endpoint.set("refuse")
    message = _reply(wired)
    assert deliver_pending(message_id=message.pk) is False
    dead = Message.objects.get(pk=message.pk)
    assert dead.delivery_failed_at is not None and dead.delivery_attempts == 1
    assert dead.delivery_error == "The marketplace answered 400 Bad Request"


def test_backoff_doubles_up_to_the_cap(http_delivery):
    assert [retry_delay(n) for n in range(1, 7)] == [5, 10, 20, 40, 60, 60]


def test_dead_letter_shows_in_the_thread_and_the_list_and_send_again_delivers(
    wired, endpoint, client, django_capture_on_commit_callbacks
):
    endpoint.set("refuse")
    agent = make_member(wired)
    message = _reply(wired, text="Your refund is on its way.", agent=agent)
    deliver_pending(message_id=message.pk)
    client.force_login(agent)

    thread = client.get(f"/inbox/{message.conversation_id}/").content.decode()
    assert "Not delivered to the buyer" in thread
    assert "The marketplace answered 400 Bad Request" in thread
    listing = client.get("/inbox/undelivered/").content.decode()
    assert f'id="undelivered-{message.pk}"' in listing
    assert "Your refund is on its way." in listing

    endpoint.set("ok")
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(f"/inbox/undelivered/{message.pk}/retry/", {"next": "thread"})
    assert r.status_code == 302 and r["Location"] == f"/inbox/{message.conversation_id}/"
    sent = Message.objects.get(pk=message.pk)
    assert sent.delivered_at is not None and sent.delivery_failed_at is None
    assert endpoint.accepted_count() == 1
    event = AuditEvent.objects.get(kind=AuditKind.DELIVERY_RETRIED)
    assert event.actor_id == agent.pk
    assert event.details == {
        "message_id": message.pk,
        "attempts": 1,
        "error": "The marketplace answered 400 Bad Request",
    }
    assert f'id="undelivered-{message.pk}"' not in client.get("/inbox/undelivered/").content.decode()


def test_send_again_of_another_stores_or_a_delivered_message_is_404(wired, other_store, client):
    theirs = _reply(other_store)
    Message.objects.filter(pk=theirs.pk).update(delivery_failed_at=timezone.now())
    mine = _reply(wired)
    client.force_login(make_member(wired))
    assert client.post(f"/inbox/undelivered/{theirs.pk}/retry/").status_code == 404
    assert client.post(f"/inbox/undelivered/{mine.pk}/retry/").status_code == 404
    assert Message.objects.get(pk=theirs.pk).delivery_failed_at is not None


def test_a_dispute_response_payload_carries_the_dispute(wired, endpoint, django_capture_on_commit_callbacks):
    order = shipped_order(wired)
    r = signed_post(wired, "/api/v1/ingress/disputes", dispute_body(order, timezone.now()))
    assert r.status_code == 201, r.content
    client = token_client(make_member(wired))
    dispute_id = client.get("/api/v1/disputes").json()[0]["id"]
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            f"/api/v1/disputes/{dispute_id}/responses",
            {"action": "propose", "text": "We can refund half.", "refund_amount": "12.50"},
            format="json",
        )
    assert r.status_code == 201, r.content
    payload = json.loads(endpoint.requests[-1]["body"])
    assert payload["kind"] == "dispute_response"
    assert payload["order_id"] == order.external_id
    assert payload["dispute"] == {"dispute_id": "D-1", "action": "propose", "refund_amount": "12.50"}


def test_the_sweeper_requeues_rows_left_pending_past_the_grace(wired, endpoint):
    young = _reply(wired, text="Young")
    old = _reply(wired, text="Old")
    Message.objects.filter(pk=old.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=40))
    legacy = _reply(wired, text="Legacy")  # a row from before the outbox columns: due from created_at
    Message.objects.filter(pk=legacy.pk).update(
        next_attempt_at=None, created_at=timezone.now() - timedelta(seconds=50)
    )
    retrying = _reply(wired, text="Retrying")
    Message.objects.filter(pk=retrying.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=31), delivery_attempts=2
    )
    dead = _reply(wired, text="Dead")
    Message.objects.filter(pk=dead.pk).update(
        created_at=timezone.now() - timedelta(hours=1), delivery_failed_at=timezone.now()
    )

    assert outbox_due() == [legacy.pk, old.pk, retrying.pk]
    assert outbox_sweep() == 3  # in-process here: each re-queued row is delivered at once

    assert set(
        Message.objects.filter(delivered_at__isnull=False, store=wired).values_list("text", flat=True)
    ) == {
        "Legacy",
        "Old",
        "Retrying",
    }
    assert Message.objects.get(pk=young.pk).delivered_at is None
    assert sorted(json.loads(r["body"])["text"] for r in endpoint.requests) == ["Legacy", "Old", "Retrying"]


def test_a_broker_that_is_down_still_answers_201_and_the_sweeper_delivers(
    store, monkeypatch, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError

    from conversations import tasks

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6390. Connection refused.")

    monkeypatch.setattr(tasks.deliver_message, "delay", broker_down)
    conversation = make_inbound(store).conversation
    client = token_client(make_member(store))
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            f"/api/v1/conversations/{conversation.pk}/replies", {"text": "On its way."}, format="json"
        )
    assert r.status_code == 201, r.content
    message = Message.objects.get(pk=r.json()["id"])
    assert message.delivered_at is None

    monkeypatch.undo()
    assert outbox_sweep(now=timezone.now() + timedelta(seconds=31)) == 1
    assert Message.objects.get(pk=message.pk).delivered_at is not None


def test_endpoint_settings_page_is_owners_only_and_saves_with_an_audit_event(store, client):
    agent, owner = make_member(store), make_member(store, role="owner")
    client.force_login(agent)
    assert client.get("/marketplace/endpoint/").status_code == 403
    client.force_login(owner)
    page = client.get("/marketplace/endpoint/").content.decode()
    assert 'id="secret-state">not set<' in page

    r = client.post("/marketplace/endpoint/", {"endpoint": "ftp://x", "secret": "short"})
    assert r.status_code == 400
    body = r.content.decode()
    assert "The endpoint is a full http:// or https:// URL." in body
    store.refresh_from_db()
    assert store.marketplace_endpoint == ""

    r = client.post("/marketplace/endpoint/", {"endpoint": "https://mp.example/hook", "secret": "tiny"})
    assert "The signing secret is 16 to 200 characters (or empty to remove it)." in r.content.decode()

    r = client.post("/marketplace/endpoint/", {"endpoint": "https://mp.example/hook", "secret": SECRET})
    assert r.status_code == 302
    store.refresh_from_db()
    assert (store.marketplace_endpoint, store.marketplace_secret) == ("https://mp.example/hook", SECRET)
    # An empty secret field keeps the secret; the checkbox removes it.
    client.post("/marketplace/endpoint/", {"endpoint": "https://mp.example/v2"})
    store.refresh_from_db()
    assert (store.marketplace_endpoint, store.marketplace_secret) == ("https://mp.example/v2", SECRET)
    client.post("/marketplace/endpoint/", {"endpoint": "https://mp.example/v2", "remove_secret": "on"})
    store.refresh_from_db()
    assert store.marketplace_secret == ""

    events = list(AuditEvent.objects.filter(kind=AuditKind.MARKETPLACE_ENDPOINT_CHANGED).order_by("id"))
    assert [e.details["after"] for e in events] == [
        {"endpoint": "https://mp.example/hook", "signed": True},
        {"endpoint": "https://mp.example/v2", "signed": True},
        {"endpoint": "https://mp.example/v2", "signed": False},
    ]
    assert all(SECRET not in json.dumps(e.details) for e in events)


def test_set_marketplace_endpoint_command(store, capsys):
    call_command(
        "set_marketplace_endpoint",
        "--store",
        store.slug,
        "--url",
        "https://mp.example/in",
        "--generate-secret",
    )
    out = json.loads(capsys.readouterr().out)
    store.refresh_from_db()
    assert out["endpoint"] == "https://mp.example/in" and out["signed"] is True
    assert out["secret"] == store.marketplace_secret and store.marketplace_secret.startswith("sds_")
    call_command("set_marketplace_endpoint", "--store", store.slug, "--url", "", "--no-secret")
    store.refresh_from_db()
    assert (store.marketplace_endpoint, store.marketplace_secret) == ("", "")


def test_an_auto_reply_payload_names_the_buyer_message_it_answers(wired, endpoint):
    from autoreply.services import autoreply_settings_update

    keywords = [
        {"keyword": "Is my order shipping?", "reply_type": "text", "text": "Orders ship within 3 days."},
        {"keyword": "Delivery and logistics", "reply_type": "text", "text": "Tracking updates every 2 days."},
        {"keyword": "How to cancel", "reply_type": "text", "text": "Tap Cancel order before it ships."},
    ]
    autoreply_settings_update(
        store=wired, acting_user=None, enabled=True, welcome_text="Welcome to Alpha Store!", keywords=keywords
    )
    inbound = make_inbound(wired, text="Hello, is this in stock?", message_id="mp-in-1")
    auto = Message.objects.filter(store=wired, sender="autoreply").order_by("id")
    assert auto.count() >= 1

    for message in auto:
        assert deliver_pending(message_id=message.pk) is True

    payloads = [json.loads(r["body"]) for r in endpoint.requests]
    assert {p["kind"] for p in payloads} == {"autoreply"}
    assert {p["in_reply_to"] for p in payloads} == {"mp-in-1"}
    assert payloads[0]["text"] == "Welcome to Alpha Store!"
    assert payloads[0]["buyer_id"] == inbound.message.buyer.external_id
