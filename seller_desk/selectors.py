"""Reads for the tenancy core; every read is scoped to a store."""

from django.shortcuts import get_object_or_404

from .models import Buyer, Order, Store


def order_get(*, store: Store, external_id: str) -> Order:
    return get_object_or_404(Order.objects.select_related("buyer"), store=store, external_id=external_id)


def buyer_get(*, store: Store, external_id: str) -> Buyer:
    return get_object_or_404(Buyer, store=store, external_id=external_id)


def store_local_date(store: Store, when=None):
    """The store-local calendar date of ``when`` (default: now)."""
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    when = when or timezone.now()
    return when.astimezone(ZoneInfo(store.timezone)).date()
