"""Reads for auto-reply; every read is scoped to a store and a fetch raises 404 itself."""

from dataclasses import dataclass, field
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from conversations.models import Message, SenderKind
from seller_desk.models import Store
from seller_desk.selectors import store_day_start, store_local_date
from templates_i18n.languages import DEFAULT_LANGUAGE, detect_language, normalize_language

from .models import AutoReplyDay, AutoReplySettings, Keyword, KeywordClick
from .texts import STARTER_KEYWORDS


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
    sent = AutoReplyDay.objects.filter(store=store, date__gte=since, skipped="").aggregate(
        total=Count("id"), today=Count("id", filter=Q(date=today))
    )
    since_at = store_day_start(store, since)
    taps = dict(
        Keyword.objects.filter(store=store, removed_at__isnull=True)
        .annotate(n=Count("clicks", filter=Q(clicks__clicked_at__gte=since_at)))
        .values_list("id", "n")
    )
    return AutoReplyActivity(days=days, welcomes_today=sent["today"], welcomes=sent["total"], taps=taps)


def text_version(
    *, base: str, versions: dict | None, buyer_locale: str = "", detected: str = ""
) -> tuple[str, str]:
    """The text a buyer gets and its language: the version in the buyer's locale language, else in the language
    detected in their message, else the base text (in its own detected language). CONVENTIONS.md's order."""
    versions = {k: v for k, v in (versions or {}).items() if (v or "").strip()}
    for language in (normalize_language(buyer_locale), normalize_language(detected)):
        if language and language in versions:
            return versions[language], language
    return base, (detect_language(base) or "") if base else ""


def buyer_language_hint(*, message) -> tuple[str, str]:
    """(locale, detected) of the buyer behind an inbound message."""
    return message.buyer.locale or "", message.language or ""


def starter_keywords(*, store: Store) -> list[dict]:
    """The four keywords the guide suggests, each with the covering official scenario's text: English as the base
    and every other language the library has as a version (nothing machine-translated)."""
    from templates_i18n.selectors import scenario_get, scenario_texts

    items = []
    for keyword, code in STARTER_KEYWORDS:
        texts = scenario_texts(scenario_get(store=store, code=code))
        base = texts.pop(DEFAULT_LANGUAGE, "") or next(iter(texts.values()), "")
        items.append(
            {"keyword": keyword, "reply_type": "text", "text": base, "texts": texts, "scenario": code}
        )
    return items


def tap_report(*, store: Store, days: int = 30) -> dict:
    """Cards shown (welcomes carrying a card) and taps per keyword, per store-local day over ``days`` days."""
    today = store_local_date(store)
    since = today - timedelta(days=days - 1)
    since_at = store_day_start(store, since)
    tz = ZoneInfo(store.timezone)
    day_list = [since + timedelta(days=i) for i in range(days)]
    cards = {d: 0 for d in day_list}
    for created_at in Message.objects.filter(
        store=store, sender=SenderKind.AUTOREPLY, card__isnull=False, created_at__gte=since_at
    ).values_list("created_at", flat=True):
        day = created_at.astimezone(tz).date()
        if day in cards:
            cards[day] += 1
    taps: dict[int, dict] = {}
    for keyword_id, word, clicked_at, outcome in (
        KeywordClick.objects.filter(store=store, clicked_at__gte=since_at)
        .values_list("keyword_id", "keyword__keyword", "clicked_at", "outcome")
        .order_by("clicked_at")
    ):
        row = taps.setdefault(
            keyword_id, {"keyword": word, "total": 0, "by_day": {d: 0 for d in day_list}, "outcomes": {}}
        )
        day = clicked_at.astimezone(tz).date()
        if day in row["by_day"]:
            row["by_day"][day] += 1
        row["total"] += 1
        row["outcomes"][outcome] = row["outcomes"].get(outcome, 0) + 1
    for keyword in keyword_list(store=store):
        taps.setdefault(
            keyword.pk,
            {"keyword": keyword.keyword, "total": 0, "by_day": {d: 0 for d in day_list}, "outcomes": {}},
        )
    taps_by_day = {d: sum(row["by_day"][d] for row in taps.values()) for d in day_list}
    return {"days": day_list, "cards": cards, "taps": taps, "taps_by_day": taps_by_day}
