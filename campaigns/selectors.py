"""Reads for batch campaigns; every read is scoped to a store and a fetch raises 404 itself."""

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import Count, F, Min, OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext, gettext_noop

from seller_desk.models import Buyer, Order, OrderStatus, Store
from seller_desk.selectors import audit_events_for, day_start, store_day_start, store_local_date
from templates_i18n.languages import DEFAULT_LANGUAGE, normalize_language

from .models import (
    Campaign,
    CampaignRecipient,
    CampaignStatus,
    CrowdMethod,
    CustomerGroup,
    RecipientStatus,
    StoreDailyQuota,
)

WINDOW_DAYS = 2
# Orders that are not transactions: never paid, or cancelled.
NOT_TRANSACTIONS = (OrderStatus.AWAITING_PAYMENT, OrderStatus.CANCELLED)
# "Only unshipped orders": paid and not (fully) shipped yet.
UNSHIPPED = (OrderStatus.AWAITING_SHIPMENT, OrderStatus.PARTIALLY_SHIPPED)


def daily_cap() -> int:
    return int(settings.SELLER_DESK["BATCH_DAILY_CAP"])


def batch_send_tiers() -> tuple[str, ...]:
    return tuple(settings.SELLER_DESK["BATCH_SEND_TIERS"])


def batch_send_allowed(store: Store) -> bool:
    return store.tier in batch_send_tiers()


# ----------------------------------------------------------------- lists and fetches


def _with_counts(qs: QuerySet[Campaign]) -> QuerySet[Campaign]:
    return qs.annotate(
        n_sent=Count("recipients", filter=Q(recipients__status=RecipientStatus.SENT)),
        n_pending=Count("recipients", filter=Q(recipients__status=RecipientStatus.PENDING)),
        n_skipped=Count("recipients", filter=Q(recipients__status=RecipientStatus.SKIPPED)),
        n_failed=Count("recipients", filter=Q(recipients__status=RecipientStatus.FAILED)),
    )


def campaign_list(*, store: Store) -> QuerySet[Campaign]:
    """The store's campaigns, newest first, each with ``n_sent``/``n_pending``/``n_skipped``/``n_failed``."""
    return _with_counts(Campaign.objects.filter(store=store).select_related("coupon")).order_by(
        "-created_at", "-id"
    )


def campaign_get(*, store: Store, campaign_id: int) -> Campaign:
    return get_object_or_404(campaign_list(store=store).select_related("store"), pk=campaign_id)


def campaign_counts(campaign: Campaign) -> dict[str, int]:
    """Recipients per status; uses the annotation from ``campaign_list`` when present."""
    if hasattr(campaign, "n_sent"):
        return {
            "sent": campaign.n_sent,
            "pending": campaign.n_pending,
            "skipped": campaign.n_skipped,
            "failed": campaign.n_failed,
        }
    rows = dict(
        CampaignRecipient.objects.filter(campaign=campaign)
        .values("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return {s: rows.get(s, 0) for s in ("sent", "pending", "skipped", "failed")}


def campaign_events(*, campaign: Campaign):
    """The campaign's audit events, newest first."""
    return audit_events_for(store_id=campaign.store_id, subject=campaign)


def campaign_recipients(*, campaign: Campaign, status: str | None = None, limit: int = 50):
    qs = CampaignRecipient.objects.filter(campaign=campaign).select_related("buyer")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by(F("sent_at").desc(nulls_last=True), "window_start", "id")[:limit]


def customer_group_list(*, store: Store) -> QuerySet[CustomerGroup]:
    return (
        CustomerGroup.objects.filter(store=store)
        .annotate(n_buyers=Count("buyers", distinct=True))
        .order_by("name")
    )


def customer_group_get(*, store: Store, group_id: int) -> CustomerGroup:
    return get_object_or_404(customer_group_list(store=store), pk=group_id)


# ----------------------------------------------------------------- the crowd (R3, R4, R5)


@dataclass(frozen=True)
class CrowdMember:
    buyer_id: int
    oldest_order_at: datetime | None
    window_start: date | None


def window_start_for(anchor: date, day: date) -> date:
    """The first day of the 2-day window that ``day`` falls in, counting from ``anchor``."""
    return anchor + timedelta(days=((day - anchor).days // WINDOW_DAYS) * WINDOW_DAYS)


def _ordered(members: list[CrowdMember]) -> list[CrowdMember]:
    far = datetime.max.replace(tzinfo=ZoneInfo("UTC"))
    return sorted(
        members,
        key=lambda m: (
            m.window_start is None,
            m.window_start or date.max,
            m.oldest_order_at or far,
            m.buyer_id,
        ),
    )


def _crowd_query(campaign: Campaign) -> QuerySet | None:
    """The crowd as one query of (buyer id, oldest qualifying order), built by the ORM; None: nobody."""
    store = campaign.store
    if campaign.crowd_method == CrowdMethod.CONDITIONS:
        if campaign.orders_from is None or campaign.orders_to is None:
            return None
        orders = Order.objects.filter(
            store=store,
            placed_at__gte=store_day_start(store, campaign.orders_from),
            placed_at__lt=store_day_start(store, campaign.orders_to + timedelta(days=1)),
        ).exclude(status__in=NOT_TRANSACTIONS)
        if campaign.unshipped_only:
            orders = orders.filter(status__in=UNSHIPPED)
        # COUNT(*), not COUNT(id): PostgreSQL reads ``COUNT(id) >= a AND COUNT(id) <= b`` as a range and guesses
        # that 0.5 % of the buyers pass it (372 of 88,906 in the benchmark), then sorts the whole crowd to count it
        # by day. A minimum of 1 is no condition: every buyer here has an order.
        counted = orders.order_by().values("buyer_id").annotate(n=Count("*"), oldest=Min("placed_at"))
        if campaign.transactions_min > 1:
            counted = counted.filter(n__gte=campaign.transactions_min)
        return counted.filter(n__lte=campaign.transactions_max).values_list("buyer_id", "oldest")
    members = Buyer.objects.filter(customer_groups__in=campaign.groups.all()).values("pk")
    buyers = Buyer.objects.filter(store=store, pk__in=members)
    if campaign.countries_include:
        buyers = buyers.filter(country__in=campaign.countries_include)
    if campaign.countries_exclude:
        buyers = buyers.exclude(country__in=campaign.countries_exclude)
    oldest = (
        Order.objects.filter(store=store, buyer_id=OuterRef("pk"))
        .exclude(status__in=NOT_TRANSACTIONS)
        .order_by()
        .values("buyer_id")
        .annotate(oldest=Min("placed_at"))
        .values("oldest")[:1]
    )
    return buyers.order_by().annotate(oldest=Subquery(oldest)).values_list("pk", "oldest")


def crowd_members(campaign: Campaign) -> list[CrowdMember]:
    """The buyers the campaign's crowd settings select, longest-waiting first (oldest 2-day window first).

    Method 1: buyers whose orders placed between ``orders_from`` and ``orders_to`` (store-local, inclusive) number
    ``transactions_min``..``transactions_max``; unpaid and cancelled orders are not transactions, and with
    ``unshipped_only`` only awaiting-shipment and partially-shipped orders count. Windows start at ``orders_from``.
    Method 2: the groups' buyers, filtered by country; windows start at the crowd's oldest order; buyers without
    orders come last.
    """
    crowd = _crowd_query(campaign)
    if crowd is None:
        return []
    rows = list(crowd)
    anchor = campaign.orders_from if campaign.crowd_method == CrowdMethod.CONDITIONS else None
    tz = ZoneInfo(campaign.store.timezone)
    days = {buyer_id: oldest.astimezone(tz).date() for buyer_id, oldest in rows if oldest is not None}
    if anchor is None and days:
        anchor = min(days.values())
    return _ordered(
        [
            CrowdMember(
                buyer_id=buyer_id,
                oldest_order_at=oldest,
                window_start=window_start_for(anchor, days[buyer_id]) if buyer_id in days else None,
            )
            for buyer_id, oldest in rows
        ]
    )


# ----------------------------------------------------------------- quota, R6 and the plan


def quota_used(*, store: Store, day: date) -> int:
    return StoreDailyQuota.objects.filter(store=store, day=day).values_list("used", flat=True).first() or 0


def quota_cap(*, store: Store, day: date) -> int:
    """The cap of the day's quota row (fixed when the row is created), else today's setting."""
    return (
        StoreDailyQuota.objects.filter(store=store, day=day).values_list("cap", flat=True).first()
        or daily_cap()
    )


def quota_left(*, store: Store, day: date) -> int:
    """What the day's quota still allows (``quota_cap`` less ``quota_used``), read in one query."""
    cap, used = StoreDailyQuota.objects.filter(store=store, day=day).values_list("cap", "used").first() or (
        0,
        0,
    )
    return _left_of(cap, used)


def _left_of(cap: int | None, used: int | None) -> int:
    """What a quota row of ``cap`` and ``used`` still allows; no row (None): today's setting."""
    return max((cap or daily_cap()) - (used or 0), 0)


def pushed_on(*, store: Store, days: list[date], buyer_ids=None) -> dict[int, tuple[date, str]]:
    """Buyers the store's batch sends pushed on any of ``days``: buyer id -> (day, campaign name)."""
    qs = CampaignRecipient.objects.filter(store=store, send_day__in=days, status=RecipientStatus.SENT)
    if buyer_ids is not None:
        qs = qs.filter(buyer_id__in=list(buyer_ids))
    return {b: (d, name) for b, d, name in qs.values_list("buyer_id", "send_day", "campaign__name")}


@dataclass
class PlanWindow:
    start: date | None
    count: int = 0

    @property
    def end(self) -> date | None:
        return self.start + timedelta(days=WINDOW_DAYS - 1) if self.start else None


@dataclass
class PlanDay:
    day: date
    count: int = 0
    windows: list[PlanWindow] = field(default_factory=list)

    def add(self, window_start: date | None) -> None:
        self.count += 1
        if not self.windows or self.windows[-1].start != window_start:
            self.windows.append(PlanWindow(start=window_start))
        self.windows[-1].count += 1


@dataclass
class Identification:
    matched: int
    recently_pushed: int
    count: int
    plan: list[PlanDay]
    first_day_capacity: int
    start_day: date


def send_plan(*, store: Store, members: list[CrowdMember], start_day: date) -> Identification:
    """How the crowd would go out: the first day gets what is left of its quota, later days the full cap.

    Buyers pushed by the store's batch sends on the first day are skipped; buyers pushed the day before it are
    skipped if the first day reaches them (R6). Later days can't know future pushes: the plan is an estimate
    that assumes this campaign has the store's quota to itself.
    """
    cap = daily_cap()
    first_capacity = quota_left(store=store, day=start_day)
    yesterday = start_day - timedelta(days=1)
    # No list of the crowd's ids in the SQL: the store's batch sends push at most a daily cap of buyers a day.
    recent = pushed_on(store=store, days=[start_day, yesterday])
    plan: list[PlanDay] = []
    day, capacity = start_day, first_capacity
    skipped = 0
    current = PlanDay(day=day)
    for member in members:
        pushed = recent.get(member.buyer_id)
        if pushed is not None and pushed[0] == start_day:
            skipped += 1
            continue
        while capacity <= 0:
            if current.count:
                plan.append(current)
            day += timedelta(days=1)
            capacity = cap
            current = PlanDay(day=day)
        if pushed is not None and day == start_day:
            skipped += 1
            continue
        current.add(member.window_start)
        capacity -= 1
    if current.count:
        plan.append(current)
    return Identification(
        matched=len(members),
        recently_pushed=skipped,
        count=len(members) - skipped,
        plan=plan,
        first_day_capacity=first_capacity,
        start_day=start_day,
    )


def campaign_start_day(campaign: Campaign, today: date | None = None) -> date:
    today = today or store_local_date(campaign.store)
    return max(today, campaign.start_on) if campaign.start_on else today


# ``send_plan`` computed on PostgreSQL from small answers (never a list of the crowd's ids, flat memory whatever the
# crowd's size). Members go longest-waiting first: by oldest order, then buyer id — the order of the 2-day windows, so
# a window's members are consecutive. Buyers pushed on the first day are left out; buyers pushed the day before are
# skipped while the first day fills, and only then (R6).
#
# One pass over the crowd (``_DAYS_SQL``) counts its members per store-local day of their oldest order: hash
# aggregates only, nothing of the crowd sorted or kept. The buyers pushed the day before or on the first day (at most
# two days' quota) are counted again, each looked up alone in the crowd (the crowd narrowed to the buyer, read from the
# ``order_buyer_placed`` index): cheaper than joining every member to them; those of the day before come with their
# place (oldest order, buyer id). The same statement reads the first day's quota row (one round trip fewer). The first
# day takes whole days in order until the day where its remaining quota runs out (the boundary day). Only when that day holds buyers pushed the day before does their place in it matter:
# then ``_day_member`` finds the last member the first day reaches there (the day's members not pushed on either day,
# in order), and the day before's pushes placed ahead of it are skipped. Every later day is arithmetic over each
# window's size (``cap`` members a day).
_DAYS_SQL = """
WITH crowd(buyer_id, oldest) AS ({crowd}),
quota AS (
    SELECT cap, used FROM campaigns_storedailyquota WHERE store_id = %(store)s AND day = %(start)s ORDER BY id LIMIT 1
),
pushed AS (
    SELECT buyer_id, bool_or(send_day = %(start)s) AS today
    FROM campaigns_campaignrecipient
    WHERE store_id = %(store)s AND status = %(sent)s AND send_day IN (%(start)s, %(yesterday)s)
    GROUP BY buyer_id
)
SELECT (c.oldest AT TIME ZONE %(tz)s::{zone_type})::date, 0, count(*), NULL::timestamptz[], NULL::bigint[]
FROM crowd c
GROUP BY 1
UNION ALL
SELECT (m.oldest[1] AT TIME ZONE %(tz)s::{zone_type})::date, CASE WHEN m.today THEN 2 ELSE 1 END, count(*),
    array_agg(m.oldest[1]) FILTER (WHERE NOT m.today), array_agg(m.buyer_id) FILTER (WHERE NOT m.today)
FROM (
    SELECT p.buyer_id, p.today,
        (SELECT ARRAY[c.oldest] FROM ({crowd}) AS c(buyer_id, oldest) WHERE c.buyer_id = p.buyer_id)
    FROM pushed p
    OFFSET 0
) AS m(buyer_id, today, oldest)
WHERE m.oldest IS NOT NULL
GROUP BY 1, 2
UNION ALL
SELECT NULL, 3, used, NULL, ARRAY[cap]::bigint[] FROM quota
"""

# work_mem: the crowd's aggregate stays in memory (the default 4 MB spills ~100,000 buyers to disk). jit: compiling
# these plans costs more than it saves (27 ms for a day head that then runs in 7 ms). Sent with the query in one
# string, so one round trip: outside a transaction the statements are one transaction of their own, inside one the
# settings end with it.
_PLAN_SETTINGS = "SET LOCAL work_mem = '32MB'; SET LOCAL jit = off;\n"


# The first day's last place on one store-local day: the ``place``-th member of the day in plan order, leaving out
# the buyers pushed on the first day or the day before. The day's orders walked on the ``(store, placed_at)`` index,
# the pushed buyers' dropped by a hashed look-up first, each other kept when it is its buyer's oldest in the crowd
# (the crowd narrowed to that buyer, read through the buyer's own orders), up to ``limit`` of them; rows tied on
# ``placed_at`` come all or none (``WITH TIES``). So it reads about as many orders as it passes, and looks up only
# those it may return. A buyer's two orders of one instant are one member (``DISTINCT``: a look-up per order for a
# twin cost more); should twins leave fewer than ``place`` members, the caller asks again for more rows. One row
# comes back: the rows read and the member, if reached (the ~500 rows themselves parsed in Python cost ≈ 1 ms).
_HEAD_SQL = """
WITH head AS (
    SELECT o.buyer_id, o.placed_at
    FROM seller_desk_order o
    WHERE o.store_id = %(store)s AND o.placed_at >= %(day_start)s AND o.placed_at < %(day_end)s
      AND o.status NOT IN %(not_transactions)s
      AND o.buyer_id NOT IN (
        SELECT r.buyer_id FROM campaigns_campaignrecipient r
        WHERE r.store_id = %(store)s AND r.status = %(sent)s AND r.send_day IN (%(start)s, %(yesterday)s)
      )
      AND o.placed_at = (SELECT c.oldest FROM ({crowd}) AS c(buyer_id, oldest) WHERE c.buyer_id = o.buyer_id)
    ORDER BY o.placed_at
    FETCH FIRST %(limit)s ROWS WITH TIES
)
SELECT (SELECT count(*) FROM head), member.buyer_id, member.placed_at
FROM (VALUES (1)) AS one
LEFT JOIN (
    SELECT DISTINCT buyer_id, placed_at FROM head ORDER BY placed_at, buyer_id OFFSET %(place)s - 1 LIMIT 1
) AS member ON true
"""

# Members without orders (customer groups only) come last, by buyer id.
_HEAD_WITHOUT_ORDERS_SQL = """
SELECT c.buyer_id, c.oldest
FROM ({crowd}) AS c(buyer_id, oldest)
WHERE c.oldest IS NULL AND c.buyer_id NOT IN (
    SELECT r.buyer_id FROM campaigns_campaignrecipient r
    WHERE r.store_id = %(store)s AND r.status = %(sent)s AND r.send_day IN (%(start)s, %(yesterday)s)
)
ORDER BY c.buyer_id
OFFSET %(place)s - 1
LIMIT 1
"""


def _day_member(*, crowd_sql: str, params: dict, store: Store, day: date | None, place: int) -> tuple | None:
    """The ``place``-th member (from 1) whose oldest order is on ``day`` (None: no order), in plan order, counting
    no buyer pushed on the first day or the day before: (buyer id, oldest order); None when the day has fewer."""
    if day is None:
        with connection.cursor() as cursor:
            sql = _PLAN_SETTINGS + _HEAD_WITHOUT_ORDERS_SQL.format(crowd=crowd_sql)
            cursor.execute(sql, {**params, "place": place})
            return cursor.fetchone()
    bounds = {
        "day_start": store_day_start(store, day),
        "day_end": store_day_start(store, day + timedelta(days=1)),
        "not_transactions": tuple(NOT_TRANSACTIONS),
        "place": place,
    }
    limit = place
    with connection.cursor() as cursor:
        while True:
            cursor.execute(
                _PLAN_SETTINGS + _HEAD_SQL.format(crowd=crowd_sql), {**params, **bounds, "limit": limit}
            )
            read, buyer_id, oldest = cursor.fetchone()
            if buyer_id is not None:
                return buyer_id, oldest
            if read < limit:  # the day has fewer members
                return None
            limit *= 2  # twins took places: read on


def _local_zone(campaign: Campaign) -> tuple[str, str]:
    """What ``AT TIME ZONE`` turns the crowd's oldest orders into store-local days with, and its SQL type: the
    store's UTC offset when it is the same at every local midnight of the orders' date range (an addition per
    buyer), else the zone's name (a look-up of the name and of the zone's rules per buyer: ≈ 4 % of the query for
    UTC, ≈ 20 % with DST)."""
    tz = ZoneInfo(campaign.store.timezone)
    if campaign.crowd_method == CrowdMethod.CONDITIONS:
        days = (campaign.orders_to - campaign.orders_from).days + 2
        offsets = {day_start(campaign.orders_from + timedelta(days=i), tz).utcoffset() for i in range(days)}
        if len(offsets) == 1:
            return f"{int(offsets.pop().total_seconds())} seconds", "interval"
    return campaign.store.timezone, "text"


def _crowd_plan_sql(*, campaign: Campaign, crowd: QuerySet, start_day: date) -> Identification:
    store = campaign.store
    cap = daily_cap()
    crowd_sql, crowd_params = crowd.query.sql_with_params()
    params = {f"c{i}": value for i, value in enumerate(crowd_params)}
    crowd_sql = crowd_sql % tuple(f"%(c{i})s" for i in range(len(crowd_params)))
    params.update(
        start=start_day,
        yesterday=start_day - timedelta(days=1),
        store=store.pk,
        sent=RecipientStatus.SENT,
    )
    params["tz"], zone_type = _local_zone(campaign)
    with connection.cursor() as cursor:
        cursor.execute(_PLAN_SETTINGS + _DAYS_SQL.format(crowd=crowd_sql, zone_type=zone_type), params)
        rows = cursor.fetchall()
    # Per store-local day of the oldest order (None: no order), in plan order: members not pushed, pushed the day
    # before, pushed on the first day. The query gives each day's members (kind 0) and its pushed ones (1, 2), with
    # the places of those pushed the day before, and the first day's quota row (kind 3) if it has one.
    counts: dict[date | None, list[int]] = {}
    places_before: dict[date | None, list[tuple]] = {}
    first_capacity = _left_of(None, None)
    for day, kind, n, oldest, buyer_ids in rows:
        if kind == 3:
            first_capacity = _left_of(buyer_ids[0], n)
            continue
        day_counts = counts.setdefault(day, [0, 0, 0])
        day_counts[kind] += n
        if kind:
            day_counts[0] -= n
        if kind == 1:
            places_before[day] = list(zip(oldest, buyer_ids, strict=True))
    days = sorted(counts.items(), key=lambda d: (d[0] is None, d[0] or date.max))
    anchor = campaign.orders_from if campaign.crowd_method == CrowdMethod.CONDITIONS else None
    anchor = anchor or min((day for day, _ in days if day is not None), default=None)

    def window_of(day: date | None) -> date | None:
        return window_start_for(anchor, day) if day is not None else None

    by_window: dict[date | None, list[int]] = {}
    for day, (clean, before, today) in days:
        sizes = by_window.setdefault(window_of(day), [0, 0])
        sizes[0] += clean + before
        sizes[1] += today
    windows = sorted(
        ((w, n, today) for w, (n, today) in by_window.items()), key=lambda w: (w[0] is None, w[0] or date.max)
    )
    pushed_today = sum(today for _, _, today in windows)
    # The first day: members in order until the remaining quota is taken; the day before's pushes are skipped. Whole
    # days before the boundary day are taken as they are; the boundary day member by member.
    first_day: dict[date | None, int] = {}
    taken: dict[date | None, int] = {}
    skipped = clean_taken = 0
    for day, (clean, before, _) in days:
        start = window_of(day)
        if clean_taken + clean < first_capacity:
            taken[start] = taken.get(start, 0) + clean + before
            if clean:
                first_day[start] = first_day.get(start, 0) + clean
            clean_taken += clean
            skipped += before
            continue
        wanted = first_capacity - clean_taken
        passed = 0
        if wanted and before:
            # The first day stops at the day's ``wanted``-th member not pushed: the day before's pushes placed
            # ahead of it are passed over (skipped), the rest wait for a later day like any member.
            last = _day_member(crowd_sql=crowd_sql, params=params, store=store, day=day, place=wanted)
            if last is None:  # orders changed since the days were counted: the day ran out before its place
                passed = before
            elif day is None:
                passed = sum(1 for _, buyer_id in places_before[day] if buyer_id < last[0])
            else:
                passed = sum(1 for place in places_before[day] if place < (last[1], last[0]))
        if wanted:
            taken[start] = taken.get(start, 0) + wanted + passed
            first_day[start] = first_day.get(start, 0) + wanted
            clean_taken += wanted
            skipped += passed
        break
    plan: list[PlanDay] = []
    if first_day:
        day = PlanDay(day=start_day, count=clean_taken)
        day.windows = [PlanWindow(start=w, count=first_day[w]) for w, *_ in windows if first_day.get(w)]
        plan.append(day)
    # Later days: what is left of each window, in window order, ``cap`` a day.
    rank = 0
    for window_start, members, _ in windows:
        left = members - taken.get(window_start, 0)
        while left > 0:
            day_index, room = divmod(rank, cap)
            room = cap - room
            here = min(left, room)
            day = start_day + timedelta(days=1 + day_index)
            if not plan or plan[-1].day != day:
                plan.append(PlanDay(day=day))
            plan[-1].count += here
            plan[-1].windows.append(PlanWindow(start=window_start, count=here))
            rank += here
            left -= here
    matched = sum(n + today for _, n, today in windows)
    return Identification(
        matched=matched,
        recently_pushed=pushed_today + skipped,
        count=matched - pushed_today - skipped,
        plan=plan,
        first_day_capacity=first_capacity,
        start_day=start_day,
    )


def campaign_identification(*, campaign: Campaign, today: date | None = None) -> Identification:
    """Count and day-by-day plan: the crowd for a draft, the pending recipients once sending has started.

    On PostgreSQL a draft's crowd is counted and planned in one query (constant queries and memory in the
    crowd's size); elsewhere (the embedded SQLite set-up) by ``send_plan`` over the crowd in Python.
    """
    start = campaign_start_day(campaign, today)
    if campaign.status == CampaignStatus.DRAFT and connection.vendor == "postgresql":
        crowd = _crowd_query(campaign)
        if crowd is None:
            return send_plan(store=campaign.store, members=[], start_day=start)
        return _crowd_plan_sql(campaign=campaign, crowd=crowd, start_day=start)
    if campaign.status == CampaignStatus.DRAFT:
        members = crowd_members(campaign)
        return send_plan(store=campaign.store, members=members, start_day=start)
    pending = (
        CampaignRecipient.objects.filter(campaign=campaign, status=RecipientStatus.PENDING)
        .order_by(F("window_start").asc(nulls_last=True), F("order_placed_at").asc(nulls_last=True), "id")
        .values_list("buyer_id", "order_placed_at", "window_start")
    )
    members = [CrowdMember(buyer_id=b, oldest_order_at=o, window_start=w) for b, o, w in pending]
    if campaign.status in (CampaignStatus.CANCELLED, CampaignStatus.DONE):
        members = []
    return send_plan(store=campaign.store, members=members, start_day=start)


# ----------------------------------------------------------------- content as the buyer sees it


def campaign_languages(campaign: Campaign) -> list[str]:
    return [DEFAULT_LANGUAGE, *[lang for lang in campaign.variants if lang != DEFAULT_LANGUAGE]]


def campaign_text_for(campaign: Campaign, locale: str | None) -> tuple[str, str]:
    """(text, language) for a buyer's locale: the variant in their language, else the English base."""
    language = normalize_language(locale)
    if language and language != DEFAULT_LANGUAGE and campaign.variants.get(language):
        return campaign.variants[language], language
    return campaign.text, DEFAULT_LANGUAGE


# ----------------------------------------------------------------- the list page's chart


@dataclass(frozen=True)
class DaySends:
    day: date
    used: int
    cap: int


def daily_sends(*, store: Store, days: int = 30, today: date | None = None) -> list[DaySends]:
    """Batch messages sent per store-local day over the last ``days`` days (today included)."""
    today = today or store_local_date(store)
    start = today - timedelta(days=days - 1)
    rows = {
        q.day: q
        for q in StoreDailyQuota.objects.filter(store=store, day__gte=start, day__lte=today).only(
            "day", "used", "cap"
        )
    }
    cap = daily_cap()
    out = []
    for i in range(days):
        d = start + timedelta(days=i)
        row = rows.get(d)
        out.append(DaySends(day=d, used=row.used if row else 0, cap=row.cap if row else cap))
    return out


# Reasons are stored in English (the worker writing them has no reader) and shown in the reader's language: the fixed
# ones are the catalogue's own msgids, the two that name something are matched back to their pattern.
REASON_CANCELLED = gettext_noop("Campaign cancelled before this buyer was reached.")
REASON_PUSHED_BY_ANOTHER = gettext_noop("Already pushed today by another of the store's batch sends.")
_REASON_PUSHED_BY = re.compile(r"Already pushed (today|yesterday) by the store's batch send “(.*)”\.", re.S)
_REASON_TIER = re.compile(r"The store's tier \((.*)\) may no longer batch-send\.")


def stored_reason_display(reason: str) -> str:
    """A recipient's or an auto-pause's stored reason in the interface language (a text the desk does not know, such
    as the guard's list of banned words, is shown as stored)."""
    if not reason:
        return ""
    pushed = _REASON_PUSHED_BY.fullmatch(reason)
    if pushed:
        if pushed[1] == "today":
            text = gettext("Already pushed today by the store's batch send “%(name)s”.")
        else:
            text = gettext("Already pushed yesterday by the store's batch send “%(name)s”.")
        return text % {"name": pushed[2]}
    tier = _REASON_TIER.fullmatch(reason)
    if tier:
        return gettext("The store's tier (%(tier)s) may no longer batch-send.") % {"tier": tier[1]}
    return gettext(reason)
