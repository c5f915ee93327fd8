"""Reads for coupons; every read is scoped to a store."""

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Avg, Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext, gettext_lazy

from seller_desk.errors import ApplicationError
from seller_desk.models import Order, OrderStatus, Store
from seller_desk.selectors import audit_events_for, store_day_start, store_local_date

from .models import Coupon, CouponGrant, CouponRedemption, CouponStatus

DISCOUNT_RATE_WARNING = Decimal("0.30")
RATE_PLACES = Decimal("0.0001")
CHART_MAX_DAYS = 120


def coupon_get(*, store: Store, coupon_id: int) -> Coupon:
    """One coupon of the store with its effect numbers; another store's id is a 404."""
    return get_object_or_404(coupon_list(store=store), pk=coupon_id)


def coupon_find(*, store: Store, coupon_id) -> Coupon | None:
    """The store's coupon with this id, or None (another store's id, a bad id): for checks that name the field."""
    try:
        coupon_id = int(coupon_id)
    except (TypeError, ValueError):
        return None
    return Coupon.objects.filter(store=store, pk=coupon_id).select_related("store").first()


def coupon_grant_held(*, coupon: Coupon, buyer) -> bool:
    """Whether ``buyer`` already holds a grant of ``coupon`` (one per buyer)."""
    return CouponGrant.objects.filter(coupon=coupon, buyer=buyer).exists()


def coupon_list(*, store: Store) -> QuerySet[Coupon]:
    """The store's coupons, newest first, each annotated with ``redeemed_n`` and ``redeemed_value_sum``.

    The redeemed value adds up redeemed orders in the coupon's currency.
    """
    return (
        Coupon.objects.filter(store=store)
        .select_related("store")
        .annotate(
            redeemed_n=Count("redemptions", distinct=True),
            redeemed_value_sum=Sum(
                "redemptions__order__amount", filter=Q(redemptions__order__currency=F("currency"))
            ),
        )
        .order_by("-created_at", "-id")
    )


def coupon_list_attachable(*, store: Store) -> QuerySet[Coupon]:
    """Coupons an agent can attach to a reply now: active, in their activity period, still valid, not sold out."""
    today = store_local_date(store)
    return Coupon.objects.filter(
        store=store,
        status=CouponStatus.ACTIVE,
        granted_count__lt=F("quantity"),
        activity_start__lte=today,
        activity_end__gte=today,
        valid_until__gte=today,
    ).order_by("-created_at")


@dataclass(frozen=True)
class CouponState:
    """What a coupon is today. ``status`` is draft/active/ended: an active coupon past its activity end (store-local)
    counts as ended without a write; ``label`` adds "Scheduled" and "Sold out" for the pages."""

    status: str
    label: str
    sold_out: bool
    attachable: bool


def coupon_state(coupon: Coupon, *, today: date | None = None) -> CouponState:
    today = today or store_local_date(coupon.store)
    sold_out = coupon.granted_count >= coupon.quantity
    if coupon.status == CouponStatus.DRAFT:
        return CouponState("draft", gettext_lazy("Draft"), sold_out, False)
    if coupon.status == CouponStatus.ENDED or coupon.activity_end < today:
        return CouponState("ended", gettext_lazy("Ended"), sold_out, False)
    if coupon.activity_start > today:
        return CouponState("active", gettext_lazy("Scheduled"), sold_out, False)
    if sold_out:
        return CouponState("active", gettext_lazy("Sold out"), True, False)
    if coupon.valid_until < today:
        return CouponState("active", gettext_lazy("Expired"), False, False)
    return CouponState("active", gettext_lazy("Active"), False, True)


def store_average_order_value(*, store: Store, currency: str) -> Decimal | None:
    """Average amount of the store's orders in ``currency`` (cancelled and zero-amount orders left out)."""
    value = (
        Order.objects.filter(store=store, currency=currency.upper(), amount__gt=0)
        .exclude(status=OrderStatus.CANCELLED)
        .aggregate(avg=Avg("amount"))["avg"]
    )
    return None if value is None else Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass
class Guidance:
    discount_rate: Decimal | None
    basis: str  # "threshold" | "average_order_value" | "none"
    average_order_value: Decimal | None
    warnings: list[dict] = field(default_factory=list)

    @property
    def percent(self) -> str | None:
        if self.discount_rate is None:
            return None
        return f"{(self.discount_rate * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP).normalize():f}%"

    @property
    def meter(self) -> int:
        """The rate as a 0–100 bar width for the form's meter."""
        return 0 if self.discount_rate is None else min(int(self.discount_rate * 100), 100)

    @property
    def high(self) -> bool:
        return self.discount_rate is not None and self.discount_rate >= DISCOUNT_RATE_WARNING


def coupon_guidance(
    *,
    store: Store,
    denomination: Decimal | None,
    threshold: Decimal | None,
    currency: str,
    average_order_values: dict[str, Decimal | None] | None = None,
) -> Guidance:
    """R12: the discount rate (denomination ÷ threshold; a no-threshold coupon against the store's average order
    value in that currency) and a warning at 30% or more. Pass ``average_order_values`` to reuse them in lists."""
    if denomination is None or denomination <= 0:
        return Guidance(None, "none", None)
    threshold = threshold or Decimal(0)
    if threshold > 0:
        rate = (denomination / threshold).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)
        guidance = Guidance(rate, "threshold", None)
        basis_text = f"of the {threshold:.2f} threshold"
    else:
        currency = (currency or "USD").upper()
        if average_order_values is not None:
            average = average_order_values.get(currency)
        else:
            average = store_average_order_value(store=store, currency=currency)
        if average is None:
            return Guidance(
                None,
                "none",
                None,
                [
                    {
                        "code": "no_orders_to_compare",
                        "message": f"The store has no {currency} orders yet, so the discount rate of a no-threshold "
                        "coupon can't be estimated; keep it under 30% of a typical order.",
                    }
                ],
            )
        rate = (denomination / average).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)
        guidance = Guidance(rate, "average_order_value", average)
        basis_text = f"of the store's average {currency} order ({average})"
    if guidance.high:
        guidance.warnings.append(
            {
                "code": "discount_rate_high",
                "message": f"Discount rate {guidance.percent} {basis_text} is 30% or more; the platform recommends "
                "keeping coupons under 30% so they stay attractive in the long run. Lower the denomination or "
                "raise the threshold.",
            }
        )
    return guidance


def average_order_values(*, store: Store) -> dict[str, Decimal | None]:
    """Average order value per currency in one query, for pages that show many coupons."""
    rows = (
        Order.objects.filter(store=store, amount__gt=0)
        .exclude(status=OrderStatus.CANCELLED)
        .values("currency")
        .annotate(avg=Avg("amount"))
    )
    return {r["currency"]: Decimal(r["avg"]).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) for r in rows}


def default_orders_since(*, store: Store) -> date:
    """The guide counts orders since January 20: the latest January 20 that is not in the future (store-local)."""
    today = store_local_date(store)
    jan20 = date(today.year, 1, 20)
    return jan20 if jan20 <= today else date(today.year - 1, 1, 20)


@dataclass(frozen=True)
class QuantitySuggestion:
    orders_since: date
    orders: int
    factor: Decimal
    suggested: int


def coupon_quantity_suggestion(*, store: Store, orders_since: date | str | None) -> QuantitySuggestion:
    """R13: the store's orders placed since ``orders_since`` (store-local day start), enlarged by
    ``COUPON_QUANTITY_FACTOR`` and rounded up."""
    if orders_since in (None, ""):
        raise ApplicationError(
            {"orders_since": gettext("Pick the date to count orders from (YYYY-MM-DD), e.g. January 20.")}
        )
    if not isinstance(orders_since, date):
        try:
            orders_since = date.fromisoformat(str(orders_since))
        except ValueError:
            raise ApplicationError(
                {
                    "orders_since": gettext("'%(orders_since)s' is not a date; use YYYY-MM-DD.")
                    % {"orders_since": orders_since}
                }
            ) from None
    if orders_since > store_local_date(store):
        raise ApplicationError(
            {
                "orders_since": gettext("%(date)s is in the future; count orders from a past date.")
                % {"date": orders_since.isoformat()}
            }
        )
    start = store_day_start(store, orders_since)
    orders = Order.objects.filter(store=store, placed_at__gte=start).count()
    factor = Decimal(str(settings.SELLER_DESK["COUPON_QUANTITY_FACTOR"]))
    suggested = math.ceil(Decimal(orders) * factor)
    return QuantitySuggestion(orders_since=orders_since, orders=orders, factor=factor, suggested=suggested)


@dataclass(frozen=True)
class DayCount:
    day: date
    granted: int
    redeemed: int


def coupon_daily(*, coupon: Coupon, today: date | None = None) -> list[DayCount]:
    """Grants and redemptions per store-local day, from the activity start (or first event) to today or the
    validity end, whichever is first; at most the last CHART_MAX_DAYS days, at least two weeks."""
    tz = ZoneInfo(coupon.store.timezone)
    today = today or store_local_date(coupon.store)
    grants = dict(
        CouponGrant.objects.filter(coupon=coupon)
        .annotate(day=TruncDate("granted_at", tzinfo=tz))
        .values("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    redemptions = dict(
        CouponRedemption.objects.filter(coupon=coupon)
        .annotate(day=TruncDate("redeemed_at", tzinfo=tz))
        .values("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    days_seen = [*grants, *redemptions]
    start = min([coupon.activity_start, *days_seen])
    end = max([min(today, coupon.valid_until), *days_seen])
    if (end - start).days > CHART_MAX_DAYS - 1:
        start = end - timedelta(days=CHART_MAX_DAYS - 1)
    if (end - start).days < 13:
        end = start + timedelta(days=13)
    return [
        DayCount(day=d, granted=grants.get(d, 0), redeemed=redemptions.get(d, 0))
        for d in (start + timedelta(days=i) for i in range((end - start).days + 1))
    ]


def coupon_events(*, coupon: Coupon):
    """The coupon's audit events, newest first."""
    return audit_events_for(store_id=coupon.store_id, subject=coupon)


def coupon_recent_grants(*, coupon: Coupon, limit: int = 20) -> QuerySet[CouponGrant]:
    return (
        CouponGrant.objects.filter(store=coupon.store, coupon=coupon)
        .select_related("buyer", "granted_by", "redemption__order")
        .order_by("-granted_at", "-id")[:limit]
    )


def redemption_rate(coupon: Coupon) -> Decimal | None:
    if not coupon.granted_count:
        return None
    redeemed = getattr(coupon, "redeemed_n", None)
    if redeemed is None:
        redeemed = coupon.redemptions.count()
    return (Decimal(redeemed) / Decimal(coupon.granted_count)).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)
