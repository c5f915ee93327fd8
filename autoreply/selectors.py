"""Reads for auto-reply; every read is scoped to a store and a fetch raises 404 itself."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from seller_desk.models import Store
from seller_desk.selectors import store_day_start, store_local_date

from .models import AutoReplyDay, AutoReplySettings, Keyword


def autoreply_settings_get(*, store: Store) -> AutoReplySettings:
    """The store's settings; an unsaved, switched-off row when the owner never set it up."""
    found = AutoReplySettings.objects.filter(store=store).select_related("updated_by").first()
    return found or AutoReplySettings(store=store, enabled=False, welcome_text="")


def keyword_list(*, store: Store) -> QuerySet[Keyword]:
    """The keywords on the store's card now, in card order, with their coupons."""
    return (
        Keyword.objects.filter(store=store, removed_at__isnull=True)
        .select_related("coupon")
        .order_by("position", "id")
    )


def keyword_get(*, store: Store, keyword_id) -> Keyword:
    """One of the store's keywords, on the card or taken off it; another store's id is a 404."""
    try:
        keyword_id = int(keyword_id)
    except (TypeError, ValueError):
        keyword_id = 0
    return get_object_or_404(Keyword.objects.select_related("coupon", "store"), store=store, pk=keyword_id)


def card_for(keywords) -> dict:
    """The card a welcome carries (API.md's Message.card)."""
    return {"keywords": [{"id": k.pk, "keyword": k.keyword} for k in keywords]}


@dataclass
class AutoReplyActivity:
    """What the page shows under the settings: welcomes sent and keyword taps, recent days."""

    days: int
    welcomes_today: int
    welcomes: int
    taps: dict[int, int] = field(default_factory=dict)


def autoreply_activity(*, store: Store, days: int = 7) -> AutoReplyActivity:
    """Welcomes sent today and in the last ``days`` store-local days, and taps per keyword in that time. Two queries."""
    today = store_local_date(store)
    since = today - timedelta(days=days - 1)
    sent = AutoReplyDay.objects.filter(store=store, date__gte=since).aggregate(
        total=Count("id"), today=Count("id", filter=Q(date=today))
    )
    since_at = store_day_start(store, since)
    taps = dict(
        Keyword.objects.filter(store=store, removed_at__isnull=True)
        .annotate(n=Count("clicks", filter=Q(clicks__clicked_at__gte=since_at)))
        .values_list("id", "n")
    )
    return AutoReplyActivity(days=days, welcomes_today=sent["today"], welcomes=sent["total"], taps=taps)
