"""Buyer-session batch sends: R1–R10, the send flow, the API shapes and the daily command."""

import itertools
import json
from datetime import date, datetime, time, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import TestCase
from rest_framework.test import APIClient

from campaigns import selectors, services
from campaigns.models import (
    Campaign,
    CampaignRecipient,
    CustomerGroup,
    StoreDailyQuota,
)
from conversations.models import Conversation, Message
from coupons.models import CouponGrant
from coupons.services import coupon_create, coupon_grant
from seller_desk.errors import ApplicationError
from seller_desk.models import Buyer, Order, OrderStatus
from seller_desk.selectors import store_local_date
from tests.factories import (
    events_of,
    make_buyer,
    make_inbound,
    make_member,
    make_store,
    picture_bytes,
    picture_upload,
)

pytestmark = pytest.mark.django_db

_orders = itertools.count(1)


# ---------------------------------------------------------------- helpers


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def ingress(store) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {store.integration_token}")
    return client


def today_of(store) -> date:
    return store_local_date(store)


def local_at(store, day: date, hour: int = 12, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(store.timezone))


def order_for(store, buyer, day: date, *, status=OrderStatus.AWAITING_SHIPMENT, hour=12, minute=0) -> Order:
    return Order.objects.create(
        store=store,
        buyer=buyer,
        external_id=f"CO{next(_orders)}",
        status=status,
        placed_at=local_at(store, day, hour, minute),
        amount="20.00",
        currency="USD",
    )


def crowd_of(store, count: int, first_day: date, *, per_day: int | None = None, prefix="cb", locale="en_US"):
    """``count`` buyers with one awaiting-shipment order each, ``per_day`` per store-local day from ``first_day``."""
    per_day = per_day or count
    buyers = Buyer.objects.bulk_create(
        [
            Buyer(store=store, external_id=f"{prefix}{i}", name=f"Buyer {i}", country="US", locale=locale)
            for i in range(count)
        ]
    )
    Order.objects.bulk_create(
        [
            Order(
                store=store,
                buyer=b,
                external_id=f"{prefix}-o{i}",
                status=OrderStatus.AWAITING_SHIPMENT,
                placed_at=local_at(store, first_day + timedelta(days=i // per_day), 10, i % 60),
                amount="20.00",
                currency="USD",
            )
            for i, b in enumerate(buyers)
        ]
    )
    return buyers


def make_coupon(store, *, quantity: int = 1000, user=None):
    return coupon_create(
        store=store,
        acting_user=user,
        values={
            "name_suffix": "-Sorry for the wait",
            "denomination": "3",
            "threshold": "0",
            "currency": "USD",
            "quantity": quantity,
            "valid_until": today_of(store) + timedelta(days=60),
        },
    )


def conditions(store, first: date, last: date, **extra) -> dict:
    return {"method": "conditions", "orders_from": first.isoformat(), "orders_to": last.isoformat(), **extra}


def new_campaign(
    store,
    *,
    crowd: dict,
    coupon=None,
    scenario="retention",
    text="Dear customer, sorry for the delay.",
    user=None,
    **values,
):
    if coupon is None and scenario == "retention":
        coupon = make_coupon(store)
    return services.campaign_create(
        store=store,
        acting_user=user,
        values={
            "name": values.pop("name", "Delay apology"),
            "scenario": scenario,
            "crowd": crowd,
            "text": text,
            "coupon_id": coupon.pk if coupon else None,
            **values,
        },
        image=values.pop("image", None),
    )


def send(campaign, user=None, **kwargs):
    """Send now; the first batch runs in-process (the embedded default) once the transaction commits."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return services.campaign_send_now(campaign=campaign, acting_user=user, **kwargs)


def counts(campaign) -> dict:
    return selectors.campaign_counts(Campaign.objects.get(pk=campaign.pk))


@pytest.fixture
def owner(store):
    return make_member(store, role="owner", username="olga-owner")


@pytest.fixture
def agent(store):
    return make_member(store, role="agent", username="andy-agent")


@pytest.fixture
def small_cap(settings):
    settings.SELLER_DESK = {**settings.SELLER_DESK, "BATCH_DAILY_CAP": 5}
    return 5


# ---------------------------------------------------------------- R1: 500 per store per store-local day


def test_R1_quota_reserve_grants_the_wanted_amount_then_what_is_left_then_nothing(store):
    day = today_of(store)
    assert services.daily_quota_reserve(store=store, day=day, wanted=300) == 300
    assert services.daily_quota_reserve(store=store, day=day, wanted=300) == 200
    assert services.daily_quota_reserve(store=store, day=day, wanted=1) == 0
    assert services.daily_quota_reserve(store=store, day=day + timedelta(days=1), wanted=120) == 120
    assert StoreDailyQuota.objects.get(store=store, day=day).used == 500


def test_R1_quota_is_per_store(store, other_store):
    day = today_of(store)
    assert services.daily_quota_reserve(store=store, day=day, wanted=500) == 500
    assert services.daily_quota_reserve(store=other_store, day=day, wanted=500) == 500


def test_R1_database_refuses_used_above_the_cap(store):
    quota = StoreDailyQuota.objects.create(store=store, day=today_of(store), cap=500, used=500)
    with pytest.raises(IntegrityError), transaction.atomic():
        StoreDailyQuota.objects.filter(pk=quota.pk).update(used=501)


def test_R1_two_campaigns_of_a_store_share_500_messages_a_day(store, django_capture_on_commit_callbacks):
    today = today_of(store)
    crowd_of(store, 400, today - timedelta(days=10), prefix="a")
    crowd_of(store, 400, today - timedelta(days=5), prefix="b")
    first = new_campaign(
        store, name="First", crowd=conditions(store, today - timedelta(days=10), today - timedelta(days=10))
    )
    second = new_campaign(
        store, name="Second", crowd=conditions(store, today - timedelta(days=5), today - timedelta(days=5))
    )
    with django_capture_on_commit_callbacks(execute=True):
        send(first)
    with django_capture_on_commit_callbacks(execute=True):
        send(second)

    assert counts(first)["sent"] == 400
    assert counts(second) == {"sent": 100, "pending": 300, "skipped": 0, "failed": 0}
    assert StoreDailyQuota.objects.get(store=store, day=today).used == 500
    assert Message.objects.filter(store=store, sender="campaign").count() == 500

    services.campaigns_run_daily(day=today)
    assert Message.objects.filter(store=store, sender="campaign").count() == 500

    services.campaigns_run_daily(day=today + timedelta(days=1))
    assert counts(second) == {"sent": 400, "pending": 0, "skipped": 0, "failed": 0}
    assert StoreDailyQuota.objects.get(store=store, day=today + timedelta(days=1)).used == 300


def test_R1_quota_uses_the_store_local_day(settings, small_cap):
    """At 23:30 in Los Angeles it is already tomorrow in UTC; the quota row is the Los Angeles date."""
    store = make_store(name="Pacific Store", tier="advanced", timezone="America/Los_Angeles")
    today = today_of(store)
    crowd_of(store, 3, today - timedelta(days=3))
    campaign = new_campaign(
        store, crowd=conditions(store, today - timedelta(days=3), today), scenario="reminder"
    )
    send(campaign)
    services.campaign_send_batch(campaign_id=campaign.pk)
    assert list(StoreDailyQuota.objects.filter(store=store).values_list("day", "used")) == [(today, 3)]
    assert set(CampaignRecipient.objects.filter(campaign=campaign).values_list("send_day", flat=True)) == {
        today
    }


# ---------------------------------------------------------------- R2: eligible tiers only


def test_R2_basic_store_cannot_create_a_campaign(other_store):
    basic_owner = make_member(other_store, role="owner")
    today = today_of(other_store)
    r = api_as(basic_owner).post(
        "/api/v1/campaigns",
        {
            "name": "x",
            "scenario": "reminder",
            "crowd": conditions(other_store, today, today),
            "text": "Hello",
        },
        format="json",
    )
    assert r.status_code == 400
    message = r.json()["errors"]["store"][0]
    assert "advanced, high potential, waist" in message and "basic" in message
    assert Campaign.objects.count() == 0


@pytest.mark.parametrize("tier", ["advanced", "high_potential", "waist"])
def test_R2_eligible_tiers_may_batch_send(tier):
    store = make_store(tier=tier)
    campaign = new_campaign(store, crowd=conditions(store, today_of(store), today_of(store)))
    assert campaign.status == "draft"


def test_R2_tiers_are_configurable(settings, other_store):
    settings.SELLER_DESK = {**settings.SELLER_DESK, "BATCH_SEND_TIERS": ("basic",)}
    campaign = new_campaign(
        other_store, crowd=conditions(other_store, today_of(other_store), today_of(other_store))
    )
    assert campaign.pk


def test_R2_a_store_downgraded_while_sending_is_paused_with_the_reason(store, small_cap):
    today = today_of(store)
    crowd_of(store, 8, today - timedelta(days=2))
    campaign = new_campaign(store, crowd=conditions(store, today - timedelta(days=2), today))
    send(campaign)
    store.tier = "basic"
    store.save(update_fields=["tier"])
    services.campaign_send_batch(campaign_id=campaign.pk, day=today + timedelta(days=1))
    campaign.refresh_from_db()
    assert campaign.status == "paused"
    event = events_of(campaign).filter(kind="campaign.auto_paused").get()
    assert "tier" in event.details["reason"]
    with pytest.raises(ApplicationError) as error:
        services.campaign_resume(campaign=campaign, acting_user=None)
    assert "store" in error.value.errors


# ---------------------------------------------------------------- R3: method 1, orders in a date range


def test_R3_conditions_use_store_local_dates_unshipped_orders_and_the_transaction_count(store):
    today = today_of(store)
    first, last = today - timedelta(days=6), today - timedelta(days=4)
    edge_in = make_buyer(store, name="Just after midnight", country="US", locale="en_US")
    order_for(store, edge_in, first, hour=0, minute=5)
    edge_out = make_buyer(store, name="The evening before", country="US", locale="en_US")
    order_for(store, edge_out, first - timedelta(days=1), hour=23, minute=55)
    late_out = make_buyer(store, name="The day after", country="US", locale="en_US")
    order_for(store, late_out, last + timedelta(days=1), hour=0, minute=1)
    shipped = make_buyer(store, name="Already shipped", country="US", locale="en_US")
    order_for(store, shipped, first, status=OrderStatus.IN_TRANSIT)
    partial = make_buyer(store, name="Partly shipped", country="US", locale="en_US")
    order_for(store, partial, last, status=OrderStatus.PARTIALLY_SHIPPED, hour=23, minute=59)
    unpaid = make_buyer(store, name="Never paid", country="US", locale="en_US")
    order_for(store, unpaid, first, status=OrderStatus.AWAITING_PAYMENT)
    twice = make_buyer(store, name="Two orders", country="US", locale="en_US")
    order_for(store, twice, first)
    order_for(store, twice, last)

    def crowd(**extra):
        campaign = new_campaign(store, crowd=conditions(store, first, last, **extra), scenario="reminder")
        return {Buyer.objects.get(pk=m.buyer_id).name for m in selectors.crowd_members(campaign)}

    assert crowd() == {"Just after midnight", "Already shipped", "Partly shipped", "Two orders"}
    assert crowd(unshipped_only=True) == {"Just after midnight", "Partly shipped", "Two orders"}
    assert crowd(transactions_min=2) == {"Two orders"}
    assert crowd(transactions_min=1, transactions_max=1, unshipped_only=True) == {
        "Just after midnight",
        "Partly shipped",
    }


def test_R3_invalid_crowd_settings_name_their_fields(store, owner):
    today = today_of(store)
    r = api_as(owner).post(
        "/api/v1/campaigns",
        {
            "name": "Bad dates",
            "scenario": "reminder",
            "text": "Hello",
            "crowd": {
                "method": "conditions",
                "orders_from": today.isoformat(),
                "orders_to": (today - timedelta(days=1)).isoformat(),
                "transactions_min": 0,
                "transactions_max": 100000,
            },
        },
        format="json",
    )
    assert r.status_code == 400
    errors = r.json()["errors"]
    assert set(errors) == {"crowd.orders_to", "crowd.transactions_min", "crowd.transactions_max"}
    assert "on or after" in errors["crowd.orders_to"][0]
    assert "1 to 99,999" in errors["crowd.transactions_min"][0]

    r = api_as(owner).post(
        "/api/v1/campaigns",
        {
            "name": "",
            "scenario": "reminder",
            "text": "Hi",
            "crowd": {"method": "conditions", "orders_from": "20-01"},
        },
        format="json",
    )
    assert set(r.json()["errors"]) == {"name", "crowd.orders_from", "crowd.orders_to"}
    assert "YYYY-MM-DD" in r.json()["errors"]["crowd.orders_from"][0]


def test_R3_identify_shows_the_count_and_the_day_by_day_plan(store, owner, small_cap):
    today = today_of(store)
    start = today - timedelta(days=10)
    crowd_of(store, 12, start, per_day=2)
    campaign = new_campaign(store, crowd=conditions(store, start, today))
    r = api_as(owner).post(f"/api/v1/campaigns/{campaign.pk}/identify")
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == 12 and body["matched"] == 12 and body["recently_pushed"] == 0
    assert [(d["date"], d["count"]) for d in body["plan"]] == [
        (today.isoformat(), 5),
        ((today + timedelta(days=1)).isoformat(), 5),
        ((today + timedelta(days=2)).isoformat(), 2),
    ]
    # 2 orders a day: each 2-day window holds 4 buyers, oldest first.
    assert body["plan"][0]["windows"] == [
        {"from": start.isoformat(), "to": (start + timedelta(days=1)).isoformat(), "count": 4},
        {
            "from": (start + timedelta(days=2)).isoformat(),
            "to": (start + timedelta(days=3)).isoformat(),
            "count": 1,
        },
    ]
    campaign.refresh_from_db()
    assert campaign.identified_count == 12
    assert events_of(campaign).filter(kind="campaign.identified").count() == 1


def test_R3_identify_plan_starts_with_what_is_left_of_todays_quota(store, small_cap):
    today = today_of(store)
    crowd_of(store, 6, today - timedelta(days=3))
    services.daily_quota_reserve(store=store, day=today, wanted=4)
    campaign = new_campaign(store, crowd=conditions(store, today - timedelta(days=3), today))
    result = services.campaign_identify(campaign=campaign, acting_user=None)
    assert result.first_day_capacity == 1
    assert [(d.day, d.count) for d in result.plan] == [(today, 1), (today + timedelta(days=1), 5)]


# ---------------------------------------------------------------- R4: method 2, customer groups by country


def test_R4_customer_group_from_marketplace_buyer_ids(store, owner, other_store):
    a = make_buyer(store, country="RU")
    b = make_buyer(store, country="ES")
    foreign = make_buyer(other_store, country="RU")
    r = api_as(owner).post(
        "/api/v1/customer-groups",
        {"name": "Waiting since Jan 20", "buyer_ids": [a.external_id, b.external_id]},
        format="json",
    )
    assert r.status_code == 201, r.content
    group = CustomerGroup.objects.get(pk=r.json()["id"])
    assert set(group.buyers.all()) == {a, b}

    r = api_as(owner).post(
        "/api/v1/customer-groups",
        {"name": "With strangers", "buyer_ids": [a.external_id, foreign.external_id, "nobody-42"]},
        format="json",
    )
    assert r.status_code == 400
    message = r.json()["errors"]["buyer_ids"][0]
    assert foreign.external_id in message and "nobody-42" in message and a.external_id not in message
    assert CustomerGroup.objects.filter(store=store).count() == 1


def test_R4_groups_filtered_by_country_include_and_exclude(store, owner):
    buyers = {c: make_buyer(store, name=f"Buyer {c}", country=c) for c in ("RU", "ES", "FR", "US")}
    group = services.customer_group_create(
        store=store, acting_user=owner, name="All", buyer_ids=[b.external_id for b in buyers.values()]
    )

    def crowd(**extra):
        campaign = new_campaign(
            store, crowd={"method": "groups", "group_ids": [group.pk], **extra}, scenario="reminder"
        )
        return {Buyer.objects.get(pk=m.buyer_id).country for m in selectors.crowd_members(campaign)}

    assert crowd() == {"RU", "ES", "FR", "US"}
    assert crowd(countries_exclude=["ES", "FR"]) == {"RU", "US"}
    assert crowd(countries_include=["ru", "fr"]) == {"RU", "FR"}
    assert crowd(countries_include=["RU", "FR", "ES"], countries_exclude=["US"]) == {"RU", "FR", "ES"}


def test_R4_country_codes_and_groups_are_checked(store, owner, other_store):
    foreign = services.customer_group_create(
        store=other_store, acting_user=None, name="Theirs", buyer_ids=[make_buyer(other_store).external_id]
    )
    r = api_as(owner).post(
        "/api/v1/campaigns",
        {
            "name": "Groups",
            "scenario": "reminder",
            "text": "Hi",
            "crowd": {
                "method": "groups",
                "group_ids": [foreign.pk],
                "countries_include": ["RU", "XX", "Russia"],
                "countries_exclude": ["RU"],
            },
        },
        format="json",
    )
    assert r.status_code == 400
    errors = r.json()["errors"]
    assert f"No customer group {foreign.pk}" in errors["crowd.group_ids"][0]
    assert "XX, RUSSIA" in errors["crowd.countries_include"][0]
    assert "both included and excluded" in errors["crowd.countries_exclude"][0]


# ---------------------------------------------------------------- R5: 2-day windows, oldest first, day after day


def test_R5_oldest_window_first_continuing_on_following_days_with_the_last_window_recorded(store, small_cap):
    today = today_of(store)
    start = today - timedelta(days=8)
    # 3 buyers a day for 4 days, newest first in id order so the ordering can't come from ids.
    for offset in (3, 2, 1, 0):
        crowd_of(store, 3, start + timedelta(days=offset), prefix=f"d{offset}-")
    campaign = new_campaign(store, crowd=conditions(store, start, start + timedelta(days=3)))
    send(campaign)

    def sent_days(day):
        return sorted(
            r.order_placed_at.astimezone(ZoneInfo(store.timezone)).date()
            for r in CampaignRecipient.objects.filter(campaign=campaign, send_day=day)
        )

    assert sent_days(today) == [start] * 3 + [start + timedelta(days=1)] * 2
    campaign.refresh_from_db()
    assert campaign.last_window == {"from": start, "to": start + timedelta(days=1)}
    first_sent_at = campaign.last_sent_at
    assert first_sent_at is not None

    services.campaigns_run_daily(day=today + timedelta(days=1))
    assert sent_days(today + timedelta(days=1)) == [start + timedelta(days=1)] + [
        start + timedelta(days=2)
    ] * 3 + [start + timedelta(days=3)]
    campaign.refresh_from_db()
    assert campaign.last_window == {"from": start + timedelta(days=2), "to": start + timedelta(days=3)}
    assert campaign.last_sent_at > first_sent_at
    assert campaign.status == "sending"

    services.campaigns_run_daily(day=today + timedelta(days=2))
    campaign.refresh_from_db()
    assert campaign.status == "done"
    assert counts(campaign) == {"sent": 12, "pending": 0, "skipped": 0, "failed": 0}
    r = api_as(make_member(store)).get(f"/api/v1/campaigns/{campaign.pk}")
    assert r.json()["last_window"] == {
        "from": (start + timedelta(days=2)).isoformat(),
        "to": (start + timedelta(days=3)).isoformat(),
    }


# ---------------------------------------------------------------- R6: yesterday's pushes filtered, never twice


def test_R6_buyers_pushed_yesterday_are_skipped_with_the_reason(store, small_cap):
    today = today_of(store)
    yesterday = today - timedelta(days=1)
    buyers = crowd_of(store, 4, today - timedelta(days=5))
    first = new_campaign(store, name="Monday push", crowd=conditions(store, today - timedelta(days=5), today))
    CampaignRecipient.objects.bulk_create(
        [
            CampaignRecipient(store=store, campaign=first, buyer=b, status="sent", send_day=yesterday)
            for b in buyers[:2]
        ]
    )
    second = new_campaign(
        store, name="Tuesday push", crowd=conditions(store, today - timedelta(days=5), today)
    )
    assert services.campaign_identify(campaign=second, acting_user=None).count == 2
    send(second)
    rows = {r.buyer_id: r for r in CampaignRecipient.objects.filter(campaign=second)}
    assert {rows[b.pk].status for b in buyers[:2]} == {"skipped"}
    assert rows[buyers[0].pk].reason == "Already pushed yesterday by the store's batch send “Monday push”."
    assert {rows[b.pk].status for b in buyers[2:]} == {"sent"}
    assert StoreDailyQuota.objects.get(store=store, day=today).used == 2


def test_R6_a_buyer_gets_at_most_one_campaign_message_a_day_across_campaigns(store):
    today = today_of(store)
    buyers = crowd_of(store, 3, today - timedelta(days=2))
    first = new_campaign(store, name="A", crowd=conditions(store, today - timedelta(days=2), today))
    second = new_campaign(store, name="B", crowd=conditions(store, today - timedelta(days=2), today))
    send(first)
    send(second)
    assert counts(first)["sent"] == 3
    assert counts(second) == {"sent": 0, "pending": 0, "skipped": 3, "failed": 0}
    for buyer in buyers:
        assert Message.objects.filter(buyer=buyer, sender="campaign").count() == 1
    # The database holds the line even if a read missed the other campaign's push.
    row = CampaignRecipient.objects.filter(campaign=second).first()
    row.status, row.send_day = "sent", today
    with pytest.raises(IntegrityError), transaction.atomic():
        row.save(update_fields=["status", "send_day"])


def test_R6_the_same_campaign_never_messages_a_buyer_twice(store, django_capture_on_commit_callbacks):
    today = today_of(store)
    buyers = crowd_of(store, 3, today - timedelta(days=1))
    campaign = new_campaign(store, crowd=conditions(store, today - timedelta(days=1), today))
    with django_capture_on_commit_callbacks(execute=False) as queued:
        services.campaign_send_now(campaign=campaign, acting_user=None)
        services.campaign_send_now(campaign=campaign, acting_user=None)
    assert len(queued) == 2
    for run in queued + queued:
        run()
    for day in (today, today + timedelta(days=1), today + timedelta(days=2)):
        services.campaign_send_batch(campaign_id=campaign.pk, day=day)
    assert CampaignRecipient.objects.filter(campaign=campaign).count() == 3
    for buyer in buyers:
        assert Message.objects.filter(buyer=buyer, sender="campaign").count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        CampaignRecipient.objects.create(store=store, campaign=campaign, buyer=buyers[0])


# ---------------------------------------------------------------- R7: text rules, English base, variants


def _errors_of(store, **values):
    today = today_of(store)
    with pytest.raises(ApplicationError) as error:
        new_campaign(store, crowd=conditions(store, today, today), **values)
    return error.value


def test_R7_retention_needs_a_text(store):
    assert "retention scenario needs a text" in _errors_of(store, text="  ").errors["text"][0]


def test_R7_at_most_1000_characters(store):
    today = today_of(store)
    assert new_campaign(store, crowd=conditions(store, today, today), text="x" * 1000).text == "x" * 1000
    message = _errors_of(store, text="x" * 1001).errors["text"][0]
    assert "at most 1,000 characters" in message and "1,001" in message
    assert "variants.ru" in _errors_of(store, variants={"ru": "я" * 1001}).errors


@pytest.mark.parametrize("text", ["我们会尽快发货", "Dear customer 您好", "Sorry 㐀", "Compat 豈"])
def test_R7_no_chinese_characters(store, text):
    message = _errors_of(store, text=text).errors["text"][0]
    assert "Chinese characters" in message


def test_R7_korean_and_japanese_kana_are_not_chinese(store):
    today = today_of(store)
    campaign = new_campaign(
        store,
        crowd=conditions(store, today, today),
        variants={"ko": "배송이 늦어져 죄송합니다"},
        text="Sorry — ありがとう",
    )
    assert campaign.variants == {"ko": "배송이 늦어져 죄송합니다"}


def test_R7_every_text_goes_through_the_banned_word_guard(store, owner):
    today = today_of(store)
    r = api_as(owner).post(
        "/api/v1/campaigns",
        {
            "name": "Guarded",
            "scenario": "reminder",
            "crowd": conditions(store, today, today),
            "text": "Shipping resumes after the epidemic.",
            "variants": {"ru": "Эпидемия закончилась", "es": "Gracias"},
        },
        format="json",
    )
    assert r.status_code == 400
    body = r.json()
    assert set(body["errors"]) == {"text", "variants.ru"}
    assert "outbreak" in body["errors"]["text"][0]
    assert {(w["field"], w["term"]) for w in body["banned_words"]} == {
        ("text", "epidemic"),
        ("variants.ru", "эпидемия"),
    }


def test_R7_variants_need_known_languages_and_english_stays_the_base(store):
    errors = _errors_of(store, variants={"xx": "…", "en": "Hello", "pt_BR": "Olá"}).errors
    assert set(errors) == {"variants.xx", "variants.en"}
    assert "English is the base language" in errors["variants.en"][0]


def test_R7_the_buyers_locale_picks_the_variant(store):
    today = today_of(store)
    ru = make_buyer(store, name="Ivan", country="RU", locale="ru_RU")
    br = make_buyer(store, name="Ana", country="BR", locale="pt_BR")
    fr = make_buyer(store, name="Luc", country="FR", locale="fr_FR")
    for b in (ru, br, fr):
        order_for(store, b, today)
    campaign = new_campaign(
        store,
        crowd=conditions(store, today, today),
        text="Sorry for the delay.",
        variants={"ru": "Извините за задержку.", "pt-br": "Desculpe pelo atraso."},
    )
    assert campaign.variants == {"ru": "Извините за задержку.", "pt-BR": "Desculpe pelo atraso."}
    send(campaign)
    got = {m.buyer_id: (m.text, m.language) for m in Message.objects.filter(sender="campaign")}
    assert got == {
        ru.pk: ("Извините за задержку.", "ru"),
        br.pk: ("Desculpe pelo atraso.", "pt-BR"),
        fr.pk: ("Sorry for the delay.", "en"),
    }


# ---------------------------------------------------------------- R8: one picture, JPG/PNG by content, 5 MB


def test_R8_one_real_picture_goes_with_every_message(store):
    today = today_of(store)
    crowd_of(store, 2, today)
    campaign = new_campaign(
        store, crowd=conditions(store, today, today), image=picture_upload("delay.jpg", "JPEG")
    )
    assert campaign.image.name.startswith("campaigns/")
    send(campaign)
    images = set(Message.objects.filter(sender="campaign").values_list("image", flat=True))
    assert images == {campaign.image.name}


def test_R8_only_one_picture(store, owner):
    today = today_of(store)
    r = api_as(owner).post(
        "/api/v1/campaigns",
        {
            "name": "Two pictures",
            "scenario": "reminder",
            "crowd": json.dumps(conditions(store, today, today)),
            "text": "Hi",
            "image": [picture_upload("a.png"), picture_upload("b.png")],
        },
        format="multipart",
    )
    assert r.status_code == 400
    assert "Only 1 picture" in r.json()["errors"]["image"][0]


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("photo.png", picture_bytes("GIF"), "only JPG/JPEG and PNG"),
        ("photo.png", b"not a picture at all", "not a readable JPG or PNG"),
        ("photo.gif", picture_bytes("PNG"), "JPG, JPEG or PNG"),
    ],
)
def test_R8_picture_checked_by_content(store, owner, name, content, expected):
    today = today_of(store)
    r = api_as(owner).post(
        "/api/v1/campaigns",
        {
            "name": "Picture",
            "scenario": "reminder",
            "crowd": json.dumps(conditions(store, today, today)),
            "text": "Hi",
            "image": picture_upload(name, content=content),
        },
        format="multipart",
    )
    assert r.status_code == 400
    assert expected in r.json()["errors"]["image"][0]


def test_R8_pictures_over_5_mb_are_refused(store, settings):
    settings.SELLER_DESK = {**settings.SELLER_DESK, "MAX_PICTURE_BYTES": 100}
    error = _errors_of(store, image=picture_upload("big.png", content=picture_bytes("PNG", size=(64, 64))))
    assert "at most 5 MB" in error.errors["image"][0]


# ---------------------------------------------------------------- R9: the store coupon


def test_R9_retention_needs_exactly_one_store_coupon(store, other_store):
    today = today_of(store)
    with pytest.raises(ApplicationError) as error:
        services.campaign_create(
            store=store,
            acting_user=None,
            values={
                "name": "No coupon",
                "scenario": "retention",
                "crowd": conditions(store, today, today),
                "text": "Hi",
            },
        )
    assert "exactly one store coupon" in error.value.errors["coupon_id"][0]
    foreign = make_coupon(make_store(tier="advanced"))
    assert "No coupon" in _errors_of(store, coupon=foreign).errors["coupon_id"][0]


def test_R9_reminder_allows_no_coupon_or_one(store):
    today = today_of(store)
    assert new_campaign(store, crowd=conditions(store, today, today), scenario="reminder").coupon is None
    coupon = make_coupon(store)
    assert (
        new_campaign(store, crowd=conditions(store, today, today), scenario="reminder", coupon=coupon).coupon
        == coupon
    )


def test_R9_each_recipient_is_granted_the_coupon_through_coupon_grant(store):
    today = today_of(store)
    buyers = crowd_of(store, 3, today)
    coupon = make_coupon(store, quantity=10)
    coupon_grant(coupon=coupon, buyer=buyers[0], source="reply")
    campaign = new_campaign(store, crowd=conditions(store, today, today), coupon=coupon)
    send(campaign)
    coupon.refresh_from_db()
    assert coupon.granted_count == 3
    assert set(CouponGrant.objects.filter(coupon=coupon).values_list("buyer_id", "source")) == {
        (buyers[0].pk, "reply"),
        (buyers[1].pk, "campaign"),
        (buyers[2].pk, "campaign"),
    }
    assert set(Message.objects.filter(sender="campaign").values_list("coupon_id", flat=True)) == {coupon.pk}


def test_R9_a_sold_out_coupon_fails_the_recipient_and_pauses_the_campaign(store):
    today = today_of(store)
    crowd_of(store, 5, today)
    coupon = make_coupon(store, quantity=2)
    campaign = new_campaign(store, crowd=conditions(store, today, today), coupon=coupon)
    send(campaign)
    campaign.refresh_from_db()
    assert counts(campaign) == {"sent": 2, "pending": 2, "skipped": 0, "failed": 1}
    failed = CampaignRecipient.objects.get(campaign=campaign, status="failed")
    assert "sold out" in failed.reason and failed.message is None and failed.send_day is None
    assert campaign.status == "paused"
    assert "sold out" in events_of(campaign).get(kind="campaign.auto_paused").details["reason"]
    assert Message.objects.filter(sender="campaign").count() == 2
    assert StoreDailyQuota.objects.get(store=store, day=today).used == 2
    with pytest.raises(ApplicationError) as error:
        services.campaign_resume(campaign=campaign, acting_user=None)
    assert "sold out" in error.value.errors["coupon_id"][0]


# ---------------------------------------------------------------- R10: buyer's chat only


def test_R10_campaign_messages_show_in_the_buyers_chat_not_the_sellers_view(store, owner):
    today = today_of(store)
    buyer = make_buyer(store, country="US", locale="en_US")
    order_for(store, buyer, today)
    chat = make_inbound(store, buyer=buyer, text="Hello, any news?", channel="chat").conversation
    campaign = new_campaign(store, crowd=conditions(store, today, today), text="We ship next week.")
    send(campaign)

    message = Message.objects.get(sender="campaign")
    assert message.buyer_only is True
    assert message.conversation == chat and chat.channel == "chat" and chat.order is None
    buyer_view = ingress(store).get(f"/api/v1/ingress/buyers/{buyer.external_id}/messages").json()
    assert [(m["sender"], m["text"]) for m in buyer_view] == [
        ("buyer", "Hello, any news?"),
        ("campaign", "We ship next week."),
    ]
    assert buyer_view[1]["coupon"]["id"] == campaign.coupon_id
    seller_view = api_as(owner).get(f"/api/v1/conversations/{chat.pk}").json()
    assert [m["text"] for m in seller_view["messages"]] == ["Hello, any news?"]
    chat.refresh_from_db()
    assert chat.last_message_preview == "Hello, any news?"
    assert chat.status == "needs_reply"


def test_R10_a_buyer_without_a_chat_gets_one_without_an_order(store):
    today = today_of(store)
    buyer = crowd_of(store, 1, today)[0]
    send(new_campaign(store, crowd=conditions(store, today, today)))
    conversation = Conversation.objects.get(buyer=buyer)
    assert (conversation.channel, conversation.order_id) == ("chat", None)


# ---------------------------------------------------------------- the flow: draft → identify → send → pause/resume/cancel


def test_send_now_is_202_and_the_batch_is_queued_after_commit(
    store, owner, django_capture_on_commit_callbacks
):
    today = today_of(store)
    crowd_of(store, 3, today)
    campaign = new_campaign(store, crowd=conditions(store, today, today), user=owner)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        r = api_as(owner).post(f"/api/v1/campaigns/{campaign.pk}/send")
    assert r.status_code == 202
    assert r.json() == {"id": campaign.pk, "status": "sending"}
    assert counts(campaign) == {"sent": 0, "pending": 3, "skipped": 0, "failed": 0}
    assert len(callbacks) == 1

    with django_capture_on_commit_callbacks(execute=True):
        r = api_as(owner).post(f"/api/v1/campaigns/{campaign.pk}/send")
    assert r.status_code == 202
    body = api_as(owner).get(f"/api/v1/campaigns/{campaign.pk}").json()
    assert body["status"] == "done"
    assert body["counts"] == {"sent": 3, "pending": 0, "skipped": 0, "failed": 0}
    assert body["last_sent_at"] is not None
    assert body["last_window"] == {"from": today.isoformat(), "to": (today + timedelta(days=1)).isoformat()}
    kinds = list(events_of(campaign).values_list("kind", flat=True))
    assert kinds == ["campaign.created", "campaign.send_requested", "campaign.batch", "campaign.done"]
    assert events_of(campaign).get(kind="campaign.send_requested").actor == owner


def test_a_crowd_with_nobody_in_it_cannot_be_sent(store, owner):
    today = today_of(store)
    campaign = new_campaign(store, crowd=conditions(store, today, today))
    r = api_as(owner).post(f"/api/v1/campaigns/{campaign.pk}/send")
    assert r.status_code == 400
    assert "No buyer matches" in r.json()["errors"]["crowd"][0]
    assert Campaign.objects.get(pk=campaign.pk).status == "draft"


def test_pause_resume_and_cancel(store, owner, small_cap):
    today = today_of(store)
    crowd_of(store, 12, today - timedelta(days=1))
    campaign = new_campaign(store, crowd=conditions(store, today - timedelta(days=1), today))
    client = api_as(owner)
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert client.post(f"/api/v1/campaigns/{campaign.pk}/send").status_code == 202
    assert counts(campaign)["sent"] == 5

    assert client.post(f"/api/v1/campaigns/{campaign.pk}/pause").json()["status"] == "paused"
    assert client.post(f"/api/v1/campaigns/{campaign.pk}/pause").status_code == 200
    services.campaigns_run_daily(day=today + timedelta(days=1))
    assert counts(campaign)["sent"] == 5

    with TestCase.captureOnCommitCallbacks(execute=True):
        r = client.post(f"/api/v1/campaigns/{campaign.pk}/resume")
    assert r.json()["status"] == "sending"
    assert counts(campaign)["sent"] == 5  # today's quota is already used up
    services.campaigns_run_daily(day=today + timedelta(days=1))
    assert counts(campaign)["sent"] == 10

    r = client.post(f"/api/v1/campaigns/{campaign.pk}/cancel")
    assert r.json()["status"] == "cancelled"
    assert r.json()["counts"] == {"sent": 10, "pending": 0, "skipped": 2, "failed": 0}
    assert (
        CampaignRecipient.objects.filter(campaign=campaign, status="skipped")
        .first()
        .reason.startswith("Campaign cancelled")
    )
    r = client.post(f"/api/v1/campaigns/{campaign.pk}/resume")
    assert r.status_code == 400 and "Only a paused campaign" in r.json()["errors"]["status"][0]
    services.campaigns_run_daily(day=today + timedelta(days=2))
    assert counts(campaign)["sent"] == 10


def test_scheduled_campaign_starts_on_its_day(store, owner):
    today = today_of(store)
    crowd_of(store, 2, today - timedelta(days=1))
    campaign = new_campaign(store, crowd=conditions(store, today - timedelta(days=1), today))
    r = api_as(owner).post(
        f"/api/v1/campaigns/{campaign.pk}/send",
        {"start_on": (today + timedelta(days=1)).isoformat()},
        format="json",
    )
    assert r.json()["status"] == "scheduled"
    services.campaigns_run_daily(day=today)
    assert counts(campaign)["sent"] == 0
    services.campaigns_run_daily(day=today + timedelta(days=1))
    assert Campaign.objects.get(pk=campaign.pk).status == "done"
    assert set(CampaignRecipient.objects.filter(campaign=campaign).values_list("send_day", flat=True)) == {
        today + timedelta(days=1)
    }


def test_run_daily_campaigns_command_is_idempotent(store, small_cap):
    today = today_of(store)
    crowd_of(store, 8, today - timedelta(days=1))
    campaign = new_campaign(store, crowd=conditions(store, today - timedelta(days=1), today))
    campaign = services.campaign_send_now(
        campaign=campaign, acting_user=None, start_on=today + timedelta(days=1)
    )
    day = (today + timedelta(days=1)).isoformat()
    out = StringIO()
    call_command("run_daily_campaigns", "--date", day, stdout=out, stderr=StringIO())
    assert json.loads(out.getvalue().splitlines()[0]) == {
        "campaign_id": campaign.pk,
        "date": day,
        "sent": 5,
        "skipped": 0,
        "failed": 0,
        "stopped": "quota",
    }
    call_command("run_daily_campaigns", "--date", day, stdout=StringIO(), stderr=StringIO())
    assert counts(campaign)["sent"] == 5
    assert Message.objects.filter(sender="campaign").count() == 5
    call_command(
        "run_daily_campaigns",
        "--date",
        (today + timedelta(days=2)).isoformat(),
        stdout=StringIO(),
        stderr=StringIO(),
    )
    assert counts(campaign) == {"sent": 8, "pending": 0, "skipped": 0, "failed": 0}


def test_beat_task_is_scheduled_every_15_minutes_and_queues_each_sending_campaign(store, settings):
    assert settings.CELERY_BEAT_SCHEDULE["campaigns-run-daily"] == {
        "task": "campaigns.run_daily",
        "schedule": 900,
    }
    today = today_of(store)
    crowd_of(store, 2, today)
    campaign = new_campaign(store, crowd=conditions(store, today, today))
    Campaign.objects.filter(pk=campaign.pk).update(status="sending")
    CampaignRecipient.objects.bulk_create(
        [
            CampaignRecipient(store=store, campaign=campaign, buyer=b)
            for b in Buyer.objects.filter(store=store)
        ]
    )
    from campaigns.tasks import run_daily

    assert run_daily.delay().get() == 1
    assert counts(campaign)["sent"] == 2


def test_agents_read_campaigns_but_only_owners_write(store, owner, agent):
    today = today_of(store)
    campaign = new_campaign(store, crowd=conditions(store, today, today))
    assert api_as(agent).get(f"/api/v1/campaigns/{campaign.pk}").status_code == 200
    assert api_as(agent).get("/api/v1/campaigns").status_code == 200
    for action in ("identify", "send", "pause", "resume", "cancel"):
        assert api_as(agent).post(f"/api/v1/campaigns/{campaign.pk}/{action}").status_code == 403
    assert api_as(agent).post("/api/v1/campaigns", {}, format="json").status_code == 403
    assert api_as(agent).post("/api/v1/customer-groups", {}, format="json").status_code == 403


def test_create_api_shape(store, owner):
    today = today_of(store)
    coupon = make_coupon(store)
    r = api_as(owner).post(
        "/api/v1/campaigns",
        {
            "name": "Delay apology",
            "scenario": "retention",
            "crowd": conditions(store, today - timedelta(days=1), today, unshipped_only=True),
            "text": "Dear customer, sorry for the delay.",
            "variants": {"ru": "Извините за задержку."},
            "coupon_id": coupon.pk,
        },
        format="json",
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["status"] == "draft"
    assert body["crowd"] == {
        "method": "conditions",
        "orders_from": (today - timedelta(days=1)).isoformat(),
        "orders_to": today.isoformat(),
        "unshipped_only": True,
        "transactions_min": 1,
        "transactions_max": 99999,
    }
    assert body["counts"] == {"sent": 0, "pending": 0, "skipped": 0, "failed": 0}
    assert (body["last_window"], body["last_sent_at"], body["coupon_id"]) == (None, None, coupon.pk)


def test_a_crowd_that_uses_the_days_quota_exactly_is_done_the_same_day(store, small_cap):
    today = today_of(store)
    crowd_of(store, 5, today)
    campaign = new_campaign(store, crowd=conditions(store, today, today))
    send(campaign)
    campaign.refresh_from_db()
    assert campaign.status == "done"
    assert counts(campaign)["sent"] == 5


def test_deleting_a_store_removes_its_campaigns_groups_and_quota(store, other_store):
    today = today_of(store)
    buyers = crowd_of(store, 3, today)
    services.customer_group_create(
        store=store, acting_user=None, name="All", buyer_ids=[b.external_id for b in buyers]
    )
    send(new_campaign(store, crowd=conditions(store, today, today), image=picture_upload("p.png")))
    kept = services.customer_group_create(
        store=other_store, acting_user=None, name="Kept", buyer_ids=[make_buyer(other_store).external_id]
    )
    store.delete()
    assert not Campaign.objects.exists()
    assert not CampaignRecipient.objects.exists()
    assert not StoreDailyQuota.objects.exists()
    assert list(CustomerGroup.objects.all()) == [kept]


def test_batch_without_a_coupon_runs_the_same_queries_and_one_delivery_publish_per_chunk(
    django_capture_on_commit_callbacks,
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import make_store

    def send(count: int):
        shop = make_store(name=f"Shop of {count}", tier="advanced")
        today = today_of(shop)
        crowd_of(shop, count, today - timedelta(days=1), prefix=f"c{count}-", locale="es_ES")
        campaign = new_campaign(
            shop,
            scenario="reminder",
            text="Our summer sale starts today.",
            variants={"es": "Nuestra rebaja de verano empieza hoy."},
            crowd=conditions(shop, today - timedelta(days=1), today),
        )
        with django_capture_on_commit_callbacks(execute=False):
            services.campaign_send_now(campaign=campaign, acting_user=None)
        with django_capture_on_commit_callbacks(execute=False) as published:
            with CaptureQueriesContext(connection) as captured:
                result = services.campaign_send_batch(campaign_id=campaign.pk, day=today)
        return shop, result, len(captured), published

    _, small, small_queries, small_published = send(3)
    shop, large, large_queries, large_published = send(services.CHUNK)
    assert (small.sent, large.sent) == (3, services.CHUNK)
    if connection.vendor == "postgresql":
        assert large_queries == small_queries
    else:  # SQLite caps the parameters of one statement, so a bulk write of 100 rows may take two or three
        assert small_queries <= large_queries <= small_queries + 3
    assert len(small_published) == len(large_published) == 1
    pushes = Message.objects.filter(store=shop, sender="campaign")
    assert pushes.count() == services.CHUNK
    assert set(pushes.values_list("text", "language", "buyer_only")) == {
        ("Nuestra rebaja de verano empieza hoy.", "es", True)
    }
    linked = CampaignRecipient.objects.filter(campaign__store=shop, status="sent").values_list(
        "buyer_id", "message__buyer_id", "message__sender"
    )
    assert len(linked) == services.CHUNK
    assert all(buyer == message_buyer and sender == "campaign" for buyer, message_buyer, sender in linked)
    assert len(
        {m for m in CampaignRecipient.objects.filter(campaign__store=shop).values_list("message", flat=True)}
    ) == (services.CHUNK)
