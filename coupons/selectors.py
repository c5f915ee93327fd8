"""Reads for coupons; every read is scoped to a store."""

from django.db.models import F, QuerySet
from django.shortcuts import get_object_or_404

from seller_desk.models import Store

from .models import Coupon, CouponStatus


def coupon_get(*, store: Store, coupon_id: int) -> Coupon:
    return get_object_or_404(Coupon, store=store, pk=coupon_id)


def coupon_list_attachable(*, store: Store) -> QuerySet[Coupon]:
    """Coupons an agent can attach to a reply now: active and not sold out."""
    return Coupon.objects.filter(store=store, status=CouponStatus.ACTIVE, granted_count__lt=F("quantity")).order_by(
        "-created_at"
    )
