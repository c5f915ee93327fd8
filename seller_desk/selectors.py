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


def dispute_list(*, store: Store, status: str | None = None):
    from .models import Dispute

    qs = (
        Dispute.objects.filter(store=store)
        .select_related("order", "order__buyer")
        .order_by("escalates_at", "id")
    )
    if status:
        qs = qs.filter(status=status)
    return qs


def dispute_get(*, store: Store, dispute_id: int):
    from .models import Dispute

    return get_object_or_404(
        Dispute.objects.select_related("order", "conversation"), store=store, pk=dispute_id
    )


def member_list(*, store: Store):
    from .models import Membership

    return (
        Membership.objects.filter(store=store, user__is_active=True)
        .select_related("user")
        .order_by("role", "user__username")
    )


def member_get(*, store: Store, membership_id: int):
    from .models import Membership

    return get_object_or_404(Membership.objects.select_related("user"), store=store, pk=membership_id)
