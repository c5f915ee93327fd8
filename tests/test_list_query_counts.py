"""Every list page and list API runs the same number of queries for a few rows and for many (no query per row).

The inbox and thread pages have their own checks in test_query_counts.py; this file covers the other lists.
Each case in LISTS grows its rows with the real services (different agents, coupons, pictures, orders, so a
relation that is not fetched up front shows up as extra queries), measures one GET at SMALL rows, grows to
LARGE and measures again. The large response must show more rows than the small one (the rows really are on
the list) and the query counts must be equal. On a mismatch the message lists the statements that repeat.
"""

import itertools
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from autoreply.models import Keyword, KeywordClick
from autoreply.services import autoreply_settings_update, card_click_answer
from campaigns.services import campaign_create, campaign_send_now, customer_group_create
from conversations.services import dispute_respond, reply_send
from coupons.models import GrantSource
from coupons.services import coupon_create, coupon_grant, coupon_redemptions_record, coupon_update
from marketplace.services import dispute_open
from seller_desk.models import OrderStatus
from seller_desk.selectors import store_local_date
from seller_desk.services import platform_admin_create
from templates_i18n.services import banned_word_create, store_template_create
from tests.factories import make_buyer, make_inbound, make_member, make_order, picture_upload

pytestmark = pytest.mark.django_db

SMALL, LARGE = 5, 40
MARK = "Qcrow"  # every row's name carries it, so the response shows how many rows it lists
_seq = itertools.count(1)


@dataclass
class World:
    store: object
    agents: list
    admin: object = None
    shared: dict = field(default_factory=dict)

    @property
    def owner(self):
        return self.agents[0]

    def agent(self, i: int):
        return self.agents[i % len(self.agents)]


# ------------------------------------------------------------------------------------------- builders


def _coupon(world: World, i: int, *, quantity: int = 500):
    return coupon_create(
        store=world.store,
        acting_user=world.agent(i),
        values={
            "name_suffix": f"{MARK} {i}",
            "denomination": "2",
            "threshold": "15",
            "currency": "USD" if i % 2 else "EUR",
            "quantity": quantity,
            "valid_until": store_local_date(world.store) + timedelta(days=60),
        },
    )


def _buyer(world: World, i: int):
    return make_buyer(
        world.store, name=f"{MARK} Buyer {i}", country=("PL", "DE", "US")[i % 3], locale="pl_PL"
    )


def _coupons_grow(world: World, start: int, stop: int) -> None:
    """Coupons by different agents, some granted to buyers, one in three edited."""
    for i in range(start, stop):
        coupon = _coupon(world, i)
        if i % 2:
            coupon_grant(
                coupon=coupon, buyer=_buyer(world, i), source=GrantSource.REPLY, acting_user=world.agent(i)
            )
        if i % 3 == 0:
            coupon_update(coupon=coupon, acting_user=world.agent(i + 1), changes={"quantity": 600})


def _coupon_detail_grow(world: World, start: int, stop: int) -> None:
    """Grants to different buyers by different agents; every other grant redeemed by an order."""
    coupon = world.shared.get("coupon") or world.shared.setdefault("coupon", _coupon(world, 0, quantity=1000))
    orders = []
    for i in range(start, stop):
        buyer = _buyer(world, i)
        coupon_grant(coupon=coupon, buyer=buyer, source=GrantSource.REPLY, acting_user=world.agent(i))
        if i % 2 == 0:
            orders.append(
                make_order(world.store, buyer, status=OrderStatus.DELIVERED, coupon_code=coupon.code)
            )
        if i % 4 == 0:
            coupon_update(coupon=coupon, acting_user=world.agent(i), changes={"quantity": 1000 + i})
    coupon_redemptions_record(store=world.store, orders=orders)


def _crowd(world: World, start: int, stop: int) -> list:
    buyers = []
    for i in range(start, stop):
        buyer = _buyer(world, i)
        make_order(world.store, buyer, status=OrderStatus.AWAITING_SHIPMENT, days_ago=0)
        buyers.append(buyer)
    return buyers


def _campaign(world: World, i: int, *, coupon=None):
    today = store_local_date(world.store)
    return campaign_create(
        store=world.store,
        acting_user=world.agent(i),
        values={
            "name": f"{MARK} campaign {i}",
            "scenario": "retention" if coupon else "reminder",
            "crowd": {
                "method": "conditions",
                "orders_from": (today - timedelta(days=1)).isoformat(),
                "orders_to": today.isoformat(),
            },
            "text": f"Dear customer, thank you ({i}).",
            "variants": {"pl": f"Dziękujemy ({i})."} if i % 2 else {},
            "coupon_id": coupon.pk if coupon else None,
        },
    )


def _campaigns_grow(world: World, start: int, stop: int) -> None:
    """Campaigns by different people, some with a coupon, one in three sent to a small crowd."""
    if "crowd" not in world.shared:
        world.shared["crowd"] = _crowd(world, 0, 3)
    for i in range(start, stop):
        coupon = _coupon(world, 1000 + i) if i % 2 else None
        campaign = _campaign(world, i, coupon=coupon)
        if i % 3 == 0:
            with TestCase.captureOnCommitCallbacks(execute=True):
                campaign_send_now(campaign=campaign, acting_user=world.owner)


def _campaign_detail_grow(world: World, start: int, stop: int) -> None:
    """One campaign sent to a growing crowd: more recipients, pushes and events."""
    _crowd(world, start, stop)
    campaign = _campaign(world, start, coupon=_coupon(world, 2000 + start))
    with TestCase.captureOnCommitCallbacks(execute=True):
        campaign_send_now(campaign=campaign, acting_user=world.owner)
    world.shared["campaign"] = campaign


def _groups_grow(world: World, start: int, stop: int) -> None:
    for i in range(start, stop):
        buyers = [_buyer(world, i * 10 + n) for n in range(1 + i % 3)]
        customer_group_create(
            store=world.store,
            acting_user=world.agent(i),
            name=f"{MARK} group {i}",
            buyer_ids=[b.external_id for b in buyers],
        )


def _scenarios_grow(world: World, start: int, stop: int) -> None:
    for i in range(start, stop):
        store_template_create(
            store=world.store,
            acting_user=world.agent(i),
            title=f"{MARK} template {i}",
            texts={"en": f"Hello {{buyer_name}}, update {i}.", "pl": f"Dzień dobry, {i}." if i % 2 else ""},
            order_statuses=["in_transit"] if i % 2 else [],
        )


def _letters(i: int) -> str:
    return "".join(chr(ord("a") + int(d)) for d in str(i))


def _banned_words_grow(world: World, start: int, stop: int) -> None:
    for i in range(start, stop):
        banned_word_create(
            acting_user=world.admin,
            term=f"{MARK.lower()}{_letters(i)}",
            language=("", "en", "pl")[i % 3],
            suggestion=f"nice{_letters(i)}" if i % 2 else "",
        )


def _disputes_grow(world: World, start: int, stop: int) -> None:
    """Disputes on different orders; every other one answered by a different agent."""
    now = timezone.now()
    for i in range(start, stop):
        order = make_order(world.store, _buyer(world, i), status=OrderStatus.DELIVERED, days_ago=20)
        dispute, _ = dispute_open(
            store=world.store,
            dispute_id=f"D{next(_seq)}",
            order_id=order.external_id,
            opened_at=now - timedelta(hours=1),
            reason=f"{MARK} not as described",
            refund_amount=Decimal("10.00"),
            return_goods=bool(i % 2),
            description="The colour is wrong.",
        )
        if i % 2 == 0:
            dispute_respond(
                dispute=dispute,
                acting_user=world.agent(i),
                action="propose",
                text="We can refund part of it.",
                refund_amount=Decimal("5.00"),
            )


def _conversations_grow(world: World, start: int, stop: int) -> None:
    """Waits on the dashboard: buyers in different countries and channels, every third answered."""
    now = timezone.now()
    for i in range(start, stop):
        order = make_order(world.store, _buyer(world, i), status="in_transit" if i % 2 else "delivered")
        result = make_inbound(
            world.store,
            order=order if i % 4 else None,
            buyer=order.buyer,
            text="Gdzie jest moja paczka?",
            channel=("message", "chat", "comment")[i % 3],
            sent_at=now - timedelta(minutes=i + 1),
        )
        if i % 3 == 0:
            reply_send(
                conversation=result.conversation,
                acting_user=world.agent(i),
                text="Paczka jest w drodze.",
                language="pl",
            )


def _undelivered_grow(world: World, start: int, stop: int) -> None:
    """Dead letters: replies by different agents to different buyers the marketplace never took."""
    from conversations.models import Message

    for i in range(start, stop):
        result = make_inbound(world.store, buyer=_buyer(world, i), text="Where is it?")
        message = reply_send(
            conversation=result.conversation, acting_user=world.agent(i), text=f"{MARK} your parcel left."
        )
        Message.objects.filter(pk=message.pk).update(
            delivery_failed_at=timezone.now(),
            delivery_attempts=8,
            delivery_error="The marketplace answered 503",
        )


def _buyers_grow(world: World, start: int, stop: int) -> None:
    """Simulator picker: buyers with and without orders and messages."""
    for i in range(start, stop):
        buyer = _buyer(world, i)
        if i % 2:
            make_order(world.store, buyer)
        if i % 3:
            make_inbound(world.store, buyer=buyer, text=f"Hello {i}")


def _chat_grow(world: World, start: int, stop: int) -> None:
    """One buyer's chat: messages on several orders, replies by different agents with pictures and coupons."""
    buyer = world.shared.get("buyer") or world.shared.setdefault("buyer", _buyer(world, 0))
    if "orders" not in world.shared:
        world.shared["orders"] = [make_order(world.store, buyer) for _ in range(3)]
        world.shared["coupons"] = [_coupon(world, 3000 + n) for n in range(LARGE)]
    now = timezone.now()
    for i in range(start, stop, 2):
        order = world.shared["orders"][i % 3] if i % 4 else None
        conversation = make_inbound(
            world.store,
            buyer=buyer,
            order=order,
            text=f"{MARK} question {i}",
            sent_at=now - timedelta(hours=1),
        ).conversation
        reply_send(
            conversation=conversation,
            acting_user=world.agent(i),
            text=f"{MARK} answer {i}",
            language="pl",
            image=picture_upload() if i % 6 == 0 else None,
            coupon_id=world.shared["coupons"][i].pk if i % 4 == 0 else None,
        )


def _keyword_rows(world: World, count: int) -> list[dict]:
    coupons = world.shared.get("coupons") or world.shared.setdefault(
        "coupons", [_coupon(world, 4000 + n) for n in range(9)]
    )
    rows = []
    for n in range(count):
        kind = ("text", "coupon", "picture")[n % 3]
        row = {"keyword": f"{MARK} keyword {n}", "reply_type": kind}
        if kind == "text":
            row["text"] = f"Answer {n}"
        elif kind == "coupon":
            row["coupon_id"] = coupons[n].pk
        else:
            row["image"] = picture_upload()
        rows.append(row)
    return rows


def _autoreply_grow(world: World, start: int, stop: int) -> None:
    """The keyword card grows from 3 to 9 keywords (its limits), each tapped by a buyer; more coupons to pick."""
    del start
    count = 3 if stop == SMALL else 9
    autoreply_settings_update(
        store=world.store,
        acting_user=world.owner,
        enabled=True,
        welcome_text="Welcome!",
        keywords=_keyword_rows(world, count),
    )
    for keyword in Keyword.objects.filter(store=world.store, removed_at__isnull=True):
        if not KeywordClick.objects.filter(keyword=keyword).exists():
            card_click_answer(store=world.store, buyer=_buyer(world, keyword.pk), keyword_id=keyword.pk)


def _dispute_panel_grow(world: World, start: int, stop: int) -> None:
    """One dispute thread: the buyer's evidence and the seller's answers grow, each by a different agent, with
    photos and chat excerpts (the panel lists every answer with its evidence)."""
    if "dispute" not in world.shared:
        order = make_order(world.store, _buyer(world, 0), status=OrderStatus.DELIVERED, days_ago=20)
        world.shared["dispute"], _ = dispute_open(
            store=world.store,
            dispute_id=f"D{next(_seq)}",
            order_id=order.external_id,
            opened_at=timezone.now() - timedelta(hours=2),
            reason="Not as described",
            refund_amount=Decimal("10.00"),
            return_goods=False,
            description="Wrong colour.",
            evidence=[picture_upload()],
            chat_excerpts=["You said it was red"],
        )
    dispute = world.shared["dispute"]
    for i in range(start, stop):
        buyer_message = make_inbound(
            world.store, buyer=dispute.order.buyer, order=dispute.order, text=f"{MARK} buyer {i}"
        ).message
        dispute_respond(
            dispute=dispute,
            acting_user=world.agent(i),
            action="propose" if i % 2 else "reject",
            text=f"{MARK} answer {i}",
            refund_amount=Decimal("5.00") if i % 2 else None,
            photos=[picture_upload()] if i % 3 == 0 else None,
            excerpt_ids=[buyer_message.pk],
        )


# --------------------------------------------------------------------------------------------- registry


@dataclass(frozen=True)
class ListCase:
    grow: Callable[[World, int, int], None]
    url: Callable[[World], str]
    client: str = (
        "page"  # page: agent session; api: agent; ingress: integration token; admin-page: platform admin
    )
    marker: str | None = MARK  # None: the page shows totals, not rows


def _waits(extra: str = "") -> Callable[[World], str]:
    return lambda world: reverse("dashboard-waits") + "?days=30" + extra


LISTS = {
    "coupons page": ListCase(_coupons_grow, lambda w: reverse("coupons")),
    "GET /api/v1/coupons": ListCase(_coupons_grow, lambda w: "/api/v1/coupons", "api"),
    "coupon detail page": ListCase(
        _coupon_detail_grow, lambda w: reverse("coupon-detail", args=[w.shared["coupon"].pk])
    ),
    "campaigns page": ListCase(_campaigns_grow, lambda w: reverse("campaigns")),
    "GET /api/v1/campaigns": ListCase(_campaigns_grow, lambda w: "/api/v1/campaigns", "api"),
    "campaign detail page": ListCase(
        _campaign_detail_grow, lambda w: reverse("campaign-detail", args=[w.shared["campaign"].pk])
    ),
    "customer groups page": ListCase(_groups_grow, lambda w: reverse("campaign-groups")),
    "GET /api/v1/customer-groups": ListCase(_groups_grow, lambda w: "/api/v1/customer-groups", "api"),
    "scenario library page": ListCase(_scenarios_grow, lambda w: reverse("scenario-library")),
    "GET /api/v1/scenarios": ListCase(_scenarios_grow, lambda w: "/api/v1/scenarios", "api"),
    "banned-words page": ListCase(
        _banned_words_grow, lambda w: reverse("banned-words"), "admin-page", "qcrow"
    ),
    "GET /api/v1/banned-words": ListCase(
        _banned_words_grow, lambda w: "/api/v1/banned-words", "api", "qcrow"
    ),
    "GET /api/v1/disputes": ListCase(_disputes_grow, lambda w: "/api/v1/disputes", "api"),
    "dashboard page": ListCase(_conversations_grow, lambda w: reverse("dashboard") + "?days=30", marker=None),
    "dashboard drill-down page": ListCase(_conversations_grow, _waits()),
    "dashboard drill-down CSV": ListCase(_conversations_grow, _waits("&format=csv")),
    "simulator picker page": ListCase(_buyers_grow, lambda w: reverse("buyer-simulator")),
    "simulator chat page": ListCase(
        _chat_grow, lambda w: reverse("buyer-simulator-chat", args=[w.shared["buyer"].external_id])
    ),
    "GET /api/v1/ingress/buyers/{id}/messages": ListCase(
        _chat_grow, lambda w: f"/api/v1/ingress/buyers/{w.shared['buyer'].external_id}/messages", "ingress"
    ),
    "autoreply page": ListCase(_autoreply_grow, lambda w: reverse("autoreply")),
    "autoreply report page": ListCase(_autoreply_grow, lambda w: reverse("autoreply-report") + "?days=7"),
    "dashboard disputes drill-down page": ListCase(
        _disputes_grow, lambda w: reverse("dashboard-disputes") + "?days=30&kind=opened"
    ),
    "dashboard page with disputes": ListCase(
        _disputes_grow, lambda w: reverse("dashboard") + "?days=30", marker=None
    ),
    "dispute thread with its panel": ListCase(
        _dispute_panel_grow,
        lambda w: reverse("inbox-thread", args=[w.shared["dispute"].conversation_id]),
    ),
    "undelivered messages page": ListCase(_undelivered_grow, lambda w: reverse("inbox-undelivered")),
    "GET /api/v1/autoreply": ListCase(_autoreply_grow, lambda w: "/api/v1/autoreply", "api"),
}


# ------------------------------------------------------------------------------------------ measurement


def _normalized(sql: str) -> str:
    return re.sub(r"\b\d+\b|'[^']*'", "?", sql)


def _repeats(small: list[str], large: list[str]) -> str:
    a = Counter(_normalized(sql) for sql in small)
    b = Counter(_normalized(sql) for sql in large)
    grown = {sql: (a[sql], n) for sql, n in b.items() if n > a[sql]}
    return "\n".join(f"{n_small} -> {n_large}: {sql[:300]}" for sql, (n_small, n_large) in grown.items())


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def _measure(client, url: str) -> tuple[list[str], str]:
    """The SQL one GET runs (streamed bodies consumed inside the capture), copied at once: Django clears the
    query log when the next request starts."""
    assert client.get(url).status_code == 200  # warm per-process caches (session, content types, guard)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
        body = _body(response)
    assert response.status_code == 200, body[:500]
    queries = [q["sql"] for q in ctx.captured_queries]
    assert queries, "nothing was captured; the measurement is broken"
    return queries, body


def _client(world: World, kind: str):
    if kind == "ingress":
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {world.store.integration_token}")
        return client
    if kind == "api":
        client = APIClient()
        client.force_authenticate(world.agents[1])
        return client
    client = APIClient()
    client.force_login(world.admin if kind == "admin-page" else world.agents[1])
    return client


@pytest.fixture
def world(store):
    agents = [
        make_member(store, role="owner"),
        make_member(store, role="agent"),
        make_member(store, role="agent"),
    ]
    admin = platform_admin_create(username=f"admin{next(_seq)}", password="pass-word-1")
    return World(store=store, agents=agents, admin=admin)


@pytest.mark.parametrize("name", list(LISTS))
def test_list_queries_do_not_grow_with_rows(world, name, record_property):
    case = LISTS[name]
    client = _client(world, case.client)
    case.grow(world, 0, SMALL)
    url = case.url(world)
    small, small_body = _measure(client, url)
    case.grow(world, SMALL, LARGE)
    url = case.url(world)
    large, large_body = _measure(client, url)
    record_property("queries", f"{len(small)} at {SMALL} rows, {len(large)} at {LARGE}")
    if case.marker is not None:
        assert large_body.count(case.marker) > small_body.count(case.marker), (
            f"{name}: the large set is not listed"
        )
    assert len(large) == len(small), (
        f"{name}: {len(small)} queries for {SMALL} rows but {len(large)} for {LARGE}; repeating:\n"
        + _repeats(small, large)
    )
