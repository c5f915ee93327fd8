"""Identify on PostgreSQL (issue 14): the plan counted in the database equals the per-buyer plan (``crowd_members`` +
``send_plan``, the SQLite path) on crowds built to hit its edges — the first day's quota running out inside a day
that holds buyers pushed the day before, buyers tied on the instant of their oldest order, two orders of one buyer
at the same instant, orders outside the range or not transactions, customer groups with buyers who never ordered."""

import random
from datetime import date, timedelta

import pytest

from campaigns import selectors, services
from campaigns.models import Campaign, CampaignRecipient, CampaignStatus
from seller_desk.models import Buyer, Order, OrderStatus
from tests.factories import make_store
from tests.test_campaigns import conditions, local_at, new_campaign, today_of

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

STATUSES = [*OrderStatus.values, OrderStatus.AWAITING_SHIPMENT, OrderStatus.PARTIALLY_SHIPPED]


def _summary(ident: selectors.Identification) -> tuple:
    return (
        ident.matched,
        ident.recently_pushed,
        ident.count,
        ident.first_day_capacity,
        [(d.day, d.count, [(w.start, w.count) for w in d.windows]) for d in ident.plan],
    )


def _random_store(rng: random.Random, *, timezone: str, first: date | None = None):
    """Buyers with 0–3 orders each around a 6-day range, on few instants (so ties are common), some twins; pushes
    the day before and on the first day; part of today's quota used."""
    store = make_store(name=f"Plan {rng.random()}", tier="advanced", timezone=timezone)
    today = today_of(store)
    first = first or today - timedelta(days=12)
    last = first + timedelta(days=5)
    buyers = Buyer.objects.bulk_create(
        [
            Buyer(store=store, external_id=f"p{i}", name=f"Buyer {i}", country=rng.choice(["US", "RU", "ES"]))
            for i in range(rng.randint(15, 45))
        ]
    )
    orders = []
    for buyer in buyers:
        for _ in range(rng.choice([0, 1, 1, 2, 3])):
            day = first + timedelta(days=rng.randint(-2, 7))
            placed = local_at(store, day, rng.choice([0, 9, 23]), rng.choice([0, 30]))
            for _ in range(2 if rng.random() < 0.15 else 1):  # a twin: one buyer, two orders, one instant
                orders.append(
                    Order(
                        store=store,
                        buyer=buyer,
                        external_id=f"o{len(orders)}",
                        status=rng.choice(STATUSES),
                        placed_at=placed,
                        amount="20.00",
                        currency="USD",
                    )
                )
    Order.objects.bulk_create(orders)
    pushes = []
    for day, share in ((today - timedelta(days=1), 0.3), (today, 0.15)):
        earlier = Campaign.objects.create(
            store=store, name=f"Push of {day}", scenario="reminder", text="Hi", status=CampaignStatus.DONE
        )
        pushes += [
            CampaignRecipient(store=store, campaign=earlier, buyer=buyer, status="sent", send_day=day)
            for buyer in buyers
            if rng.random() < share
        ]
    CampaignRecipient.objects.bulk_create(pushes)
    return store, buyers, first, last


def _assert_same_plan(campaign: Campaign) -> selectors.Identification:
    campaign = Campaign.objects.select_related("store").get(pk=campaign.pk)
    start = selectors.campaign_start_day(campaign)
    in_sql = selectors.campaign_identification(campaign=campaign)
    per_buyer = selectors.send_plan(
        store=campaign.store, members=selectors.crowd_members(campaign), start_day=start
    )
    assert _summary(in_sql) == _summary(per_buyer)
    return in_sql


@pytest.mark.parametrize("seed", range(12))
def test_identify_in_the_database_plans_as_the_per_buyer_plan(require_postgres, settings, seed):
    rng = random.Random(seed)
    settings.SELLER_DESK = {**settings.SELLER_DESK, "BATCH_DAILY_CAP": rng.randint(2, 9)}
    # Every third store's range holds the spring DST change of Los Angeles (8 March 2026): days of 23 hours.
    store, buyers, first, last = _random_store(
        rng,
        timezone=rng.choice(["UTC", "America/Los_Angeles"]),
        first=date(2026, 3, 5) if seed % 3 == 0 else None,
    )
    services.daily_quota_reserve(store=store, day=today_of(store), wanted=rng.randint(0, 3))
    group = services.customer_group_create(
        store=store,
        acting_user=None,
        name="Some",
        buyer_ids=[b.external_id for b in buyers if rng.random() < 0.8],
    )
    crowds = [
        conditions(store, first, last),
        conditions(store, first, last, unshipped_only=True),
        conditions(store, first, last, transactions_min=2),
        conditions(store, first, last, transactions_max=1),
        {"method": "groups", "group_ids": [group.pk]},
        {"method": "groups", "group_ids": [group.pk], "countries_exclude": ["RU"]},
    ]
    for i, crowd in enumerate(crowds):
        _assert_same_plan(new_campaign(store, name=f"Plan {i}", crowd=crowd, scenario="reminder"))


def test_the_first_days_last_places_skip_the_buyers_pushed_the_day_before_in_their_order(
    require_postgres, settings
):
    """One day of 8 buyers, two orders a minute (ties broken by buyer id), 2 of them pushed the day before: with 3
    places left the first day reaches the 2nd and 5th buyers of the day only if they come before its 3rd clean one."""
    settings.SELLER_DESK = {**settings.SELLER_DESK, "BATCH_DAILY_CAP": 5}
    store, today, day = _boundary_store("Boundary")
    ident = _assert_same_plan(new_campaign(store, crowd=conditions(store, day, day), scenario="reminder"))
    # Buyers 0, 2, 3 go today; buyer 1 (before the 3rd) is skipped, buyer 4 (after it) waits for tomorrow.
    assert (ident.matched, ident.recently_pushed, ident.count) == (8, 1, 7)
    assert [(d.day, d.count) for d in ident.plan] == [(today, 3), (today + timedelta(days=1), 4)]


def _boundary_store(name: str):
    """One day of 8 buyers, two orders a minute (ties broken by buyer id), the 2nd and 5th pushed the day before,
    3 places left today."""
    store = make_store(name=name, tier="advanced")
    today = today_of(store)
    day = today - timedelta(days=4)
    buyers = Buyer.objects.bulk_create(
        [Buyer(store=store, external_id=f"q{i}", name=f"Buyer {i}", country="US") for i in range(8)]
    )
    Order.objects.bulk_create(
        [
            Order(
                store=store,
                buyer=b,
                external_id=f"q-o{i}",
                status=OrderStatus.AWAITING_SHIPMENT,
                placed_at=local_at(store, day, 10, i // 2),
                amount="20.00",
                currency="USD",
            )
            for i, b in enumerate(buyers)
        ]
    )
    earlier = Campaign.objects.create(
        store=store, name="Earlier push", scenario="reminder", text="Hi", status=CampaignStatus.DONE
    )
    CampaignRecipient.objects.bulk_create(
        [
            CampaignRecipient(
                store=store,
                campaign=earlier,
                buyer=buyers[i],
                status="sent",
                send_day=today - timedelta(days=1),
            )
            for i in (1, 4)
        ]
    )
    services.daily_quota_reserve(store=store, day=today, wanted=2)
    return store, today, day


def test_a_boundary_day_emptied_between_the_two_reads_passes_over_its_pushes_the_day_before(
    require_postgres, settings, monkeypatch
):
    """The days are counted, then the boundary day's orders go (a seller's import replaced them) before its last
    place is read: identify answers, the first day taking what the count gave and passing over both pushes."""
    settings.SELLER_DESK = {**settings.SELLER_DESK, "BATCH_DAILY_CAP": 5}
    store, today, day = _boundary_store("Emptied")
    campaign = new_campaign(store, crowd=conditions(store, day, day), scenario="reminder")
    real_day_member = selectors._day_member
    places = []

    def day_member_after_the_orders_went(**kwargs):
        Order.objects.filter(store=store).delete()
        places.append(real_day_member(**kwargs))
        return places[-1]

    monkeypatch.setattr(selectors, "_day_member", day_member_after_the_orders_went)
    ident = selectors.campaign_identification(
        campaign=Campaign.objects.select_related("store").get(pk=campaign.pk)
    )
    assert places == [None]
    assert (ident.matched, ident.recently_pushed, ident.count) == (8, 2, 6)
    assert [(d.day, d.count) for d in ident.plan] == [(today, 3), (today + timedelta(days=1), 3)]


def test_twins_ahead_of_the_first_days_last_place_make_it_read_on(require_postgres, settings):
    """Two buyers with two orders each at the first instant of the day: the first 3 orders read hold 2 members, so
    the last place (the 3rd) is read again with more rows, and the plan still equals the per-buyer one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.SELLER_DESK = {**settings.SELLER_DESK, "BATCH_DAILY_CAP": 5}
    store = make_store(name="Twins first", tier="advanced")
    today = today_of(store)
    day = today - timedelta(days=4)
    buyers = Buyer.objects.bulk_create(
        [Buyer(store=store, external_id=f"t{i}", name=f"Buyer {i}", country="US") for i in range(6)]
    )
    minutes = [0, 0, 0, 0, 1, 2, 3, 4]  # buyers 0 and 1 twice at 10:00, then one order a minute
    owners = [0, 0, 1, 1, 2, 3, 4, 5]
    Order.objects.bulk_create(
        [
            Order(
                store=store,
                buyer=buyers[owner],
                external_id=f"t-o{i}",
                status=OrderStatus.AWAITING_SHIPMENT,
                placed_at=local_at(store, day, 10, minute),
                amount="20.00",
                currency="USD",
            )
            for i, (owner, minute) in enumerate(zip(owners, minutes, strict=True))
        ]
    )
    earlier = Campaign.objects.create(
        store=store, name="Earlier push", scenario="reminder", text="Hi", status=CampaignStatus.DONE
    )
    CampaignRecipient.objects.create(
        store=store, campaign=earlier, buyer=buyers[3], status="sent", send_day=today - timedelta(days=1)
    )
    services.daily_quota_reserve(store=store, day=today, wanted=2)
    campaign = new_campaign(store, crowd=conditions(store, day, day), scenario="reminder")
    with CaptureQueriesContext(connection) as queries:
        ident = _assert_same_plan(campaign)
    # Buyers 0, 1 and 2 go today (buyer 3, pushed yesterday, comes after the 3rd); buyers 3, 4 and 5 tomorrow.
    assert (ident.matched, ident.recently_pushed, ident.count) == (6, 0, 6)
    assert [(d.day, d.count) for d in ident.plan] == [(today, 3), (today + timedelta(days=1), 3)]
    heads = [q["sql"] for q in queries.captured_queries if "WITH head AS" in q["sql"]]
    assert len(heads) == 2 and "FETCH FIRST 3 ROWS" in heads[0] and "FETCH FIRST 6 ROWS" in heads[1]


def test_the_days_are_counted_with_the_offset_when_the_range_has_no_clock_change():
    utc = make_store(name="On UTC", tier="advanced", timezone="UTC")
    pacific = make_store(name="Pacific", tier="advanced", timezone="America/Los_Angeles")

    def zone(store, first, last, method="conditions"):
        return selectors._local_zone(
            Campaign(store=store, crowd_method=method, orders_from=first, orders_to=last)
        )

    pacific_rules = ("America/Los_Angeles", "text")
    assert zone(utc, date(2026, 3, 1), date(2026, 3, 31)) == ("0 seconds", "interval")
    assert zone(pacific, date(2026, 1, 5), date(2026, 1, 25)) == ("-28800 seconds", "interval")
    # 8 March 2026 has 23 hours in Los Angeles, 1 November 25: the zone's rules decide each day.
    assert zone(pacific, date(2026, 3, 1), date(2026, 3, 10)) == pacific_rules
    assert zone(pacific, date(2026, 3, 1), date(2026, 3, 7)) == ("-28800 seconds", "interval")
    assert zone(pacific, date(2026, 3, 8), date(2026, 3, 8)) == pacific_rules
    assert zone(pacific, date(2026, 10, 31), date(2026, 11, 1)) == pacific_rules
    assert zone(pacific, date(2026, 1, 5), date(2026, 1, 25), method="groups") == pacific_rules


def test_identify_reads_the_same_queries_for_a_crowd_ten_times_larger_when_the_day_before_pushed_some(
    require_postgres, settings
):
    """The boundary day's last place is one more query, whatever the crowd's size; no query's text grows with it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.test_campaigns import crowd_of

    settings.SELLER_DESK = {**settings.SELLER_DESK, "BATCH_DAILY_CAP": 5}
    captured = []
    for size in (40, 400):
        store = make_store(name=f"Crowd of {size}", tier="advanced")
        today = today_of(store)
        first = today - timedelta(days=6)
        buyers = crowd_of(store, size, first, per_day=size // 4, prefix=f"s{size}-")
        earlier = Campaign.objects.create(
            store=store, name="Earlier push", scenario="reminder", text="Hi", status=CampaignStatus.DONE
        )
        CampaignRecipient.objects.bulk_create(
            [
                CampaignRecipient(
                    store=store, campaign=earlier, buyer=b, status="sent", send_day=today - timedelta(days=1)
                )
                for b in buyers[1:4]
            ]
        )
        campaign = Campaign.objects.select_related("store").get(
            pk=new_campaign(store, crowd=conditions(store, first, today), scenario="reminder").pk
        )
        with CaptureQueriesContext(connection) as queries:
            ident = selectors.campaign_identification(campaign=campaign)
        assert ident.matched == size and ident.recently_pushed == 3
        _assert_same_plan(campaign)
        captured.append([len(q["sql"]) for q in queries.captured_queries])
    small, large = captured
    assert len(small) == len(large) == 2  # the days with the quota, the boundary day's last place
    assert max(large) - max(small) <= 4  # the digits of the ids and counts bound in, nothing per buyer
