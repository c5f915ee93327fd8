"""R1 under contention on PostgreSQL: parallel workers and campaigns never pass 500 messages per store-day."""

import random
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection

from campaigns import services
from campaigns.models import Campaign, CampaignRecipient, StoreDailyQuota
from conversations.models import Message
from seller_desk.selectors import store_local_date
from tests.factories import make_store
from tests.test_campaigns import conditions, crowd_of, new_campaign

WORKERS = 16


@pytest.mark.postgres
def test_R1_parallel_reservations_stop_exactly_at_the_cap(require_postgres, transactional_db):
    store = make_store(name="Quota Rush", tier="advanced")
    day = store_local_date(store)
    go = threading.Event()
    rng = random.Random(7)
    wants = [rng.randint(1, 40) for _ in range(80)]

    def reserve(wanted: int) -> int:
        try:
            go.wait(timeout=30)
            return services.daily_quota_reserve(store=store, day=day, wanted=wanted)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futures = [pool.submit(reserve, w) for w in wants]
        go.set()
        granted = [f.result() for f in futures]

    assert sum(wants) > 500
    assert sum(granted) == 500
    assert all(0 <= g <= w for g, w in zip(granted, wants, strict=True))
    assert StoreDailyQuota.objects.get(store=store, day=day).used == 500


@pytest.mark.postgres
def test_R1_many_workers_sending_three_campaigns_for_one_store_send_500_in_total(
    require_postgres, transactional_db, monkeypatch
):
    # Batches are started by the threads below, not by send-now's after-commit hook.
    monkeypatch.setattr(services, "_enqueue_batch", lambda campaign_id: None)
    store = make_store(name="Busy Store", tier="waist")
    other = make_store(name="Neighbour Store", tier="advanced")
    today = store_local_date(store)
    campaigns = []
    for n in range(3):
        first = today - timedelta(days=20 - 3 * n)
        crowd_of(store, 300, first, per_day=150, prefix=f"busy{n}-")
        campaign = new_campaign(
            store, name=f"Wave {n}", crowd=conditions(store, first, first + timedelta(days=1))
        )
        campaigns.append(services.campaign_send_now(campaign=campaign, acting_user=None))
    crowd_of(other, 120, today - timedelta(days=2), prefix="calm-")
    calm = new_campaign(other, crowd=conditions(other, today - timedelta(days=2), today))
    campaigns.append(services.campaign_send_now(campaign=calm, acting_user=None))
    assert CampaignRecipient.objects.filter(store=store, status="pending").count() == 900

    go = threading.Event()
    jobs = [c.pk for c in campaigns for _ in range(4)] * 2
    random.Random(3).shuffle(jobs)

    def work(campaign_id: int):
        try:
            go.wait(timeout=30)
            return services.campaign_send_batch(campaign_id=campaign_id, day=today)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futures = [pool.submit(work, campaign_id) for campaign_id in jobs]
        go.set()
        results = [f.result() for f in futures]

    busy = [r for r in results if r.campaign_id != calm.pk]
    assert sum(r.sent for r in busy) == 500
    assert StoreDailyQuota.objects.get(store=store, day=today).used == 500
    sent = CampaignRecipient.objects.filter(store=store, status="sent")
    assert sent.count() == 500
    assert set(sent.values_list("send_day", flat=True)) == {today}
    assert CampaignRecipient.objects.filter(store=store, status__in=("skipped", "failed")).count() == 0
    messages = Message.objects.filter(store=store, sender="campaign")
    assert messages.count() == 500
    assert max(Counter(messages.values_list("buyer_id", flat=True)).values()) == 1
    # The neighbour's quota is its own.
    assert StoreDailyQuota.objects.get(store=other, day=today).used == 120
    assert Campaign.objects.get(pk=calm.pk).status == "done"

    # Running everything again the same day changes nothing; the next day continues with the next 400.
    services.campaigns_run_daily(day=today)
    assert Message.objects.filter(store=store, sender="campaign").count() == 500
    services.campaigns_run_daily(day=today + timedelta(days=1))
    assert StoreDailyQuota.objects.get(store=store, day=today + timedelta(days=1)).used == 400
    assert CampaignRecipient.objects.filter(store=store, status="sent").count() == 900
