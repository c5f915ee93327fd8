"""A 500-recipient batch send: time to sent and to delivered, with a real Celery worker and Redis.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sd_bench14 REDIS_URL=redis://127.0.0.1:6379/8 \\
        .venv/bin/python bench/bench_batch.py

Each run makes a fresh store (500 buyers with one order each, so the day's quota is untouched), creates a
reminder campaign without a coupon, presses "send now" and waits for the worker: "sent" is when every recipient
row is sent, "delivered" when every message has ``delivered_at``. Queries are counted for the batch itself
(``campaign_send_batch`` run in this process on a second store, same shape).
"""

import os
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seller_desk.settings")


def _store(n: int):
    from django.utils import timezone

    from seller_desk.models import Buyer, Order, Store
    from seller_desk.services import store_create

    created = store_create(name=f"bench batch {time.time()}", tier="advanced", timezone="UTC")
    store = Store.objects.get(pk=created.store.pk)
    buyers = Buyer.objects.bulk_create(
        [
            Buyer(store=store, external_id=f"bb{i}", name=f"Buyer {i}", country="ES", locale="es_ES")
            for i in range(n)
        ]
    )
    placed = timezone.now() - timedelta(days=10)
    Order.objects.bulk_create(
        [
            Order(
                store=store,
                buyer=b,
                external_id=f"bo{i}",
                status="in_transit",
                placed_at=placed,
                amount=10,
                currency="USD",
            )
            for i, b in enumerate(buyers)
        ]
    )
    return store


def _campaign(store):
    from campaigns.services import campaign_create
    from seller_desk.selectors import store_local_date

    today = store_local_date(store)
    return campaign_create(
        store=store,
        acting_user=None,
        values={
            "name": "Bench reminder",
            "scenario": "reminder",
            "crowd": {
                "method": "conditions",
                "orders_from": (today - timedelta(days=20)).isoformat(),
                "orders_to": today.isoformat(),
            },
            "text": "Our summer sale starts today.",
            "variants": {"es": "Nuestra rebaja de verano empieza hoy."},
        },
    )


def main() -> None:
    import subprocess

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from campaigns.models import CampaignRecipient
    from campaigns.services import CHUNK, campaign_send_batch, campaign_send_now
    from conversations.models import Message

    if "sd_bench" not in os.environ.get("DATABASE_URL", "") or not os.environ.get("REDIS_URL"):
        sys.exit("DATABASE_URL must name the benchmark database and REDIS_URL a Redis database.")
    from bench.bench_http import WORKER_COMMAND

    worker = subprocess.Popen(WORKER_COMMAND, cwd=ROOT)
    try:
        time.sleep(6)  # the worker is up and connected
        for run in range(3):
            store = _store(500)
            campaign = _campaign(store)
            began = time.perf_counter()
            campaign_send_now(campaign=campaign, acting_user=None)
            sent = delivered = None
            while time.perf_counter() - began < 120:
                if (
                    sent is None
                    and not CampaignRecipient.objects.filter(campaign=campaign, status="pending").exists()
                ):
                    sent = time.perf_counter() - began
                if (
                    sent is not None
                    and not Message.objects.filter(store=store, delivered_at__isnull=True).exists()
                ):
                    delivered = time.perf_counter() - began
                    break
                time.sleep(0.02)
            n = CampaignRecipient.objects.filter(campaign=campaign, status="sent").count()
            print(
                f"load {os.getloadavg()[0]:.1f}; run {run + 1}: {n} sent in {sent:.2f} s, delivered in {delivered:.2f} s (from send now)"
            )
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    # Queries of the batch itself, in this process (no worker: the batch runs here, delivery is queued).
    store = _store(500)
    campaign = _campaign(store)
    from django.test import override_settings

    with override_settings(CELERY_TASK_ALWAYS_EAGER=False):
        campaign_send_now(campaign=campaign, acting_user=None)
        began = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            result = campaign_send_batch(campaign_id=campaign.pk)
        took = time.perf_counter() - began
    print(
        f"batch in-process: {result.sent} sent in {took:.2f} s, {len(captured)} queries (chunks of {CHUNK})"
    )


if __name__ == "__main__":
    main()
