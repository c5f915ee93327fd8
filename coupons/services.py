"""Writes for DDWL coupons: set-up, grants and redemptions."""

from django.db import transaction

from seller_desk.models import Order, Store

from .models import Coupon, CouponRedemption


@transaction.atomic
def coupon_redemptions_record(*, store: Store, orders: list[Order]) -> int:
    """Record a redemption for each order whose ``coupon_code`` is the id of one of the store's coupons."""
    codes = {o.coupon_code for o in orders}
    numeric = {c for c in codes if c.isdigit()}
    coupons = {str(c.pk): c for c in Coupon.objects.filter(store=store, pk__in=numeric)}
    rows = [
        CouponRedemption(
            store=store, coupon=coupons[o.coupon_code], order=o, redeemed_at=o.placed_at, order_amount=o.amount
        )
        for o in orders
        if o.coupon_code in coupons
    ]
    created = CouponRedemption.objects.bulk_create(rows, ignore_conflicts=True)
    return len(created)


def coupon_grant_for_reply(*, store: Store, coupon_id: int, buyer, acting_user) -> Coupon:
    """Grant the coupon to the buyer as part of a reply; raises ApplicationError('coupon_id') if it can't."""
    from django.shortcuts import get_object_or_404

    from seller_desk.errors import ApplicationError

    from .models import CouponGrant, CouponStatus

    coupon = get_object_or_404(Coupon, store=store, pk=coupon_id)
    if coupon.status != CouponStatus.ACTIVE:
        raise ApplicationError({"coupon_id": f"Coupon {coupon.name} is {coupon.status}; only active coupons can be sent."})
    updated = Coupon.objects.filter(pk=coupon.pk, granted_count__lt=models_F("quantity")).update(
        granted_count=models_F("granted_count") + 1
    )
    if not updated:
        raise ApplicationError({"coupon_id": f"Coupon {coupon.name} is sold out ({coupon.quantity} granted)."})
    from django.db import IntegrityError

    try:
        with transaction.atomic():
            CouponGrant.objects.create(store=store, coupon=coupon, buyer=buyer, granted_by=acting_user, source="reply")
    except IntegrityError as exc:
        raise ApplicationError({"coupon_id": f"This buyer already has coupon {coupon.name}."}) from exc
    return coupon


def models_F(name):
    from django.db.models import F

    return F(name)
