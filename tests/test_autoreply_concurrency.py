"""R17 under contention on PostgreSQL: simultaneous first messages of one buyer-day get exactly one welcome."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.utils import timezone

from autoreply.models import AutoReplyDay
from autoreply.services import autoreply_settings_update
from conversations.models import Message
from marketplace.services import message_ingest
from seller_desk.models import Store
from tests.factories import buyer_payload, make_buyer, make_order, make_store

MESSAGES = 16
BUYERS = 6


def _switch_on(store):
    autoreply_settings_update(
        store=store,
        acting_user=None,
        enabled=True,
        welcome_text="Hi! Tap a question below or write yours.",
        keywords=[
            {"keyword": f"Question {i}", "reply_type": "text", "text": f"Answer {i}"} for i in range(3)
        ],
    )


def _ingest_all(jobs: list[dict]) -> list[int]:
    """Run every ingest at once in its own thread and transaction; the auto-replies each one returned."""
    start = threading.Barrier(len(jobs), timeout=30)

    def ingest(job: dict) -> int:
        try:
            store = Store.objects.get(pk=job.pop("store_id"))
            start.wait()
            return len(message_ingest(store=store, **job).auto_replies)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(ingest, jobs))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("spread", ["one conversation per order", "all in one chat"])
def test_R17_simultaneous_first_messages_from_one_buyer_get_exactly_one_welcome(require_postgres, spread):
    store = make_store(name="Busy Store")
    _switch_on(store)
    buyer = make_buyer(store)
    if spread == "all in one chat":
        orders = [None] * MESSAGES
    else:
        orders = [make_order(store, buyer).external_id for _ in range(MESSAGES)]
    now = timezone.now()
    jobs = [
        {
            "store_id": store.pk,
            "message_id": f"race-{i}",
            "buyer": buyer_payload(buyer),
            "order_id": order_id,
            "channel": "chat" if order_id is None else "message",
            "text": f"Where is my order? ({i})",
            "sent_at": now,
        }
        for i, order_id in enumerate(orders)
    ]

    replies = _ingest_all(jobs)

    assert sorted(replies) == [0] * (MESSAGES - 1) + [1]
    assert Message.objects.filter(store=store, direction="inbound").count() == MESSAGES
    assert Message.objects.filter(store=store, sender="autoreply").count() == 1
    day = AutoReplyDay.objects.get(store=store, buyer=buyer)
    assert Message.objects.get(store=store, sender="autoreply").triggered_by_id == day.message_id


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_R17_simultaneous_first_messages_from_many_buyers_get_one_welcome_each(require_postgres):
    store = make_store(name="Crowded Store")
    _switch_on(store)
    buyers = [make_buyer(store) for _ in range(BUYERS)]
    now = timezone.now()
    jobs = [
        {
            "store_id": store.pk,
            "message_id": f"crowd-{b.pk}-{channel}",
            "buyer": buyer_payload(b),
            "channel": channel,
            "text": "Hello?",
            "sent_at": now,
        }
        for b in buyers
        for channel in ("message", "chat")
    ]

    replies = _ingest_all(jobs)

    assert sum(replies) == BUYERS
    welcomed = sorted(
        Message.objects.filter(store=store, sender="autoreply").values_list("buyer_id", flat=True)
    )
    assert welcomed == sorted(b.pk for b in buyers)
