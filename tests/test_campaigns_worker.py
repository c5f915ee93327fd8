"""A campaign batch sent end to end by a real Celery worker on Redis against the PostgreSQL test database."""

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from campaigns.models import Campaign, CampaignRecipient, StoreDailyQuota
from conversations.models import Message
from seller_desk.selectors import store_local_date
from tests.factories import make_member, make_store
from tests.test_campaigns import conditions, crowd_of, make_coupon
from tests.workers import wait_for


@pytest.mark.celery_worker
def test_send_now_is_worked_by_a_real_worker_within_the_daily_cap(transactional_db, celery_worker_process):
    store = make_store(name="Worker Campaign Store", tier="high_potential")
    owner = make_member(store, role="owner")
    today = store_local_date(store)
    crowd_of(store, 6, today - timedelta(days=3), per_day=2, prefix="wk")
    coupon = make_coupon(store, quantity=10)
    client = APIClient()
    client.force_authenticate(owner)
    created = client.post(
        "/api/v1/campaigns",
        {
            "name": "Worker push",
            "scenario": "retention",
            "crowd": conditions(store, today - timedelta(days=3), today),
            "text": "Dear customer, your parcel leaves this week.",
            "coupon_id": coupon.pk,
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    campaign_id = created.json()["id"]

    # The day's quota row fixes the cap (4 here) for every process, the worker included.
    StoreDailyQuota.objects.create(store=store, day=today, cap=4, used=0)
    assert client.post(f"/api/v1/campaigns/{campaign_id}/send").status_code == 202

    sent = CampaignRecipient.objects.filter(campaign_id=campaign_id, status="sent")
    assert wait_for(lambda: sent.count() == 4), "the worker did not send the first batch within 60 s"
    messages = Message.objects.filter(store=store, sender="campaign")
    assert wait_for(lambda: not messages.filter(delivered_at__isnull=True).exists() and messages.count() == 4)
    assert set(messages.values_list("buyer_only", flat=True)) == {True}
    assert StoreDailyQuota.objects.get(store=store, day=today).used == 4

    campaign = Campaign.objects.get(pk=campaign_id)
    assert campaign.status == "sending"
    assert campaign.last_window_start == today - timedelta(days=3)
    assert campaign.last_sent_at is not None
