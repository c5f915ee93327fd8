"""Reads for conversations; every read is scoped to a store and a fetch raises 404 itself."""

from datetime import timedelta

from django.db import connection
from django.db.models import Case, Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery, When
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext

from seller_desk.models import (
    DISPUTE_ACTIVE_STATUSES,
    Buyer,
    Dispute,
    DisputeEvidence,
    DisputeResponse,
    Order,
    ProtectionExtension,
    Store,
)
from templates_i18n.selectors import reply_language, reply_text_render, suggestions_for_text

from .models import Channel, Conversation, ConversationStatus, Direction, Message, SenderKind

QUEUES = ("needs_reply", "all", "answered")


def conversation_list(
    *,
    store: Store,
    queue: str = "needs_reply",
    channel: str | None = None,
    language: str | None = None,
    search: str | None = None,
) -> QuerySet[Conversation]:
    """The inbox queue: needs-reply soonest due first; otherwise most recent first. Constant queries."""
    qs = _conversations_filtered(
        store=store, channel=channel, language=language, search=search
    ).select_related("buyer", "order")
    if queue == "needs_reply":
        qs = (
            qs.filter(status=ConversationStatus.NEEDS_REPLY)
            .annotate(dispute_deadline=_dispute_deadline())
            .order_by(F("dispute_deadline").asc(nulls_last=True), "reply_due_at", "id")
        )
    elif queue == "answered":
        qs = qs.filter(status=ConversationStatus.ANSWERED).order_by("-last_message_at", "-id")
    else:
        qs = qs.order_by("-last_message_at", "-id")
    return qs


# A dispute escalating to the platform within this time goes to the top of the needs-reply queue, the one
# escalating soonest first (issue 12): missing a reply by a day costs less than losing the dispute.
DISPUTE_NEAR_DEADLINE = timedelta(days=3)


def _dispute_deadline():
    return Case(
        When(
            dispute__status__in=DISPUTE_ACTIVE_STATUSES,
            dispute__escalates_at__lte=timezone.now() + DISPUTE_NEAR_DEADLINE,
            then=F("dispute__escalates_at"),
        ),
        default=None,
    )


def _conversations_filtered(
    *, store: Store, channel: str | None, language: str | None, search: str | None
) -> QuerySet[Conversation]:
    # A chat opened only to carry campaign pushes has no seller-visible message (R10): not an inbox row.
    qs = Conversation.objects.filter(store=store, last_message_at__isnull=False)
    if channel:
        qs = qs.filter(channel=channel)
    if language:
        qs = qs.filter(language=language)
    if search:
        qs = qs.filter(
            Q(buyer__name__icontains=search)
            | Q(buyer__external_id__iexact=search)
            | Q(order__external_id__icontains=search)
        )
    return qs


# Tab counts stop at this many: each is an index range read of at most this many rows, so the inbox and its poll
# cost the same for a store of 10,000 conversations and one of 100,000 (the tab shows "1,000+").
QUEUE_COUNT_CAP = 1000


def queue_counts(
    *,
    store: Store,
    channel: str | None = None,
    language: str | None = None,
    search: str | None = None,
    exact: bool = False,
) -> dict[str, int]:
    """Sizes of the three queues (and how many needs-reply are overdue) under the same filters; a count of
    ``QUEUE_COUNT_CAP`` means "that many or more" (``exact`` counts everything: one query over all the store's
    conversations)."""
    needs_reply = Q(status=ConversationStatus.NEEDS_REPLY)
    overdue = needs_reply & Q(reply_due_at__lt=timezone.now())
    qs = _conversations_filtered(store=store, channel=channel, language=language, search=search)
    if exact:
        return qs.aggregate(
            needs_reply=Count("id", filter=needs_reply),
            answered=Count("id", filter=Q(status=ConversationStatus.ANSWERED)),
            all=Count("id"),
            overdue=Count("id", filter=overdue),
        )
    parts = {
        "needs_reply": qs.filter(needs_reply),
        "answered": qs.filter(status=ConversationStatus.ANSWERED),
        "all": qs,
        "overdue": qs.filter(overdue),
    }
    # One statement of four capped counts: SELECT (SELECT count(*) FROM (… LIMIT cap)), … — one round trip.
    selects, params = [], []
    for part in parts.values():
        sql, part_params = part.order_by().values("id")[:QUEUE_COUNT_CAP].query.sql_with_params()
        selects.append(f"(SELECT COUNT(*) FROM ({sql}) capped)")
        params.extend(part_params)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(selects), params)
        row = cursor.fetchone()
    return dict(zip(parts, row, strict=True))


def queue_fingerprint(
    *,
    store: Store,
    queue: str,
    channel: str | None,
    language: str | None,
    search: str | None,
    limit: int,
) -> list[tuple]:
    """What the queue rows show, as plain values for the rows ``conversation_list`` would list: the poll compares
    it with the last answer's to say "not modified" without rendering. One query over at most ``limit`` rows."""
    return list(
        conversation_list(
            store=store, queue=queue, channel=channel, language=language, search=search
        ).values_list(
            "id",
            "status",
            "language",
            "last_message_at",
            "last_message_preview",
            "reply_due_at",
            "buyer__name",
            "buyer__country",
            "order__external_id",
        )[:limit]
    )


def conversation_get(*, store: Store, conversation_id: int) -> Conversation:
    return get_object_or_404(
        Conversation.objects.select_related("buyer", "order"), store=store, pk=conversation_id
    )


def seller_visible_messages(*, conversation: Conversation) -> QuerySet[Message]:
    """Messages the seller's side shows: campaign pushes (buyer-only) never appear here (R10)."""
    return (
        Message.objects.filter(conversation=conversation, buyer_only=False)
        .select_related("coupon", "sent_by")
        .order_by("created_at", "id")
    )


def conversation_with_messages(*, store: Store, conversation_id: int) -> Conversation:
    messages = (
        Message.objects.filter(buyer_only=False)
        .select_related("coupon", "sent_by")
        .order_by("created_at", "id")
    )
    return get_object_or_404(
        Conversation.objects.select_related("buyer", "order").prefetch_related(
            Prefetch("messages", queryset=messages, to_attr="seller_messages")
        ),
        store=store,
        pk=conversation_id,
    )


def buyer_chat_messages(*, store: Store, buyer_external_id: str) -> QuerySet[Message]:
    """Everything the buyer's chat with this store shows, oldest first, campaign pushes included."""
    buyer = get_object_or_404(Buyer, store=store, external_id=buyer_external_id)
    return (
        Message.objects.filter(store=store, buyer=buyer).select_related("coupon").order_by("created_at", "id")
    )


def messages_since(*, conversation: Conversation, after_id: int) -> QuerySet[Message]:
    return seller_visible_messages(conversation=conversation).filter(id__gt=after_id)


def buyer_other_conversations(*, conversation: Conversation, limit: int = 8) -> QuerySet[Conversation]:
    """The buyer's other conversations with the store (history beside the open thread), latest first."""
    return (
        Conversation.objects.filter(store_id=conversation.store_id, buyer_id=conversation.buyer_id)
        .exclude(pk=conversation.pk)
        .select_related("order")
        .order_by("-last_message_at", "-id")[:limit]
    )


def simulator_buyers(*, store: Store, search: str | None = None, limit: int = 100) -> QuerySet[Buyer]:
    """Buyers for the simulator's picker, most recently active first, with their order count. One query."""
    last_message = (
        Message.objects.filter(buyer=OuterRef("pk")).order_by("-created_at").values("created_at")[:1]
    )
    orders = (
        Order.objects.filter(buyer=OuterRef("pk"))
        .order_by()
        .values("buyer")
        .annotate(n=Count("id"))
        .values("n")[:1]
    )
    qs = Buyer.objects.filter(store=store).annotate(
        last_message_at=Subquery(last_message), orders_count=Subquery(orders)
    )
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(external_id__iexact=search))
    return qs.order_by(F("last_message_at").desc(nulls_last=True), "name", "id")[:limit]


def buyer_orders(*, store: Store, buyer: Buyer) -> QuerySet[Order]:
    return Order.objects.filter(store=store, buyer=buyer).order_by("-placed_at", "-id")


def buyer_chat_since(*, store: Store, buyer_external_id: str, after_id: int = 0) -> QuerySet[Message]:
    """The buyer's chat (as ``buyer_chat_messages``) with each message's conversation and order, newer than an id."""
    messages = buyer_chat_messages(store=store, buyer_external_id=buyer_external_id).select_related(
        "conversation__order"
    )
    return messages.filter(id__gt=after_id) if after_id else messages


def inbound_message_find(*, store: Store, external_id: str) -> Message | None:
    """The message stored for a marketplace message id, with its conversation; None when it is new."""
    return Message.objects.select_related("conversation").filter(store=store, external_id=external_id).first()


# --- what reply assist reads of a conversation (templates_i18n gets plain inputs) ---
# How many of the buyer's latest messages the language detection and the suggestion read.
DETECTION_MESSAGES = 3
SUGGESTION_MESSAGES = 3


def reply_language_for(conversation: Conversation) -> str:
    """The buyer's language: their locale if it is one of the nine, else detected in their latest messages,
    else English."""
    texts = list(
        conversation.messages.filter(direction=Direction.INBOUND)
        .exclude(text="")
        .order_by("-created_at", "-id")
        .values_list("text", flat=True)[:DETECTION_MESSAGES]
    )
    return reply_language(locale=conversation.buyer.locale, buyer_texts=list(reversed(texts)))


def conversation_variables(conversation: Conversation) -> dict[str, str]:
    """Placeholder values known from the conversation: the order id and the buyer's name."""
    values = {}
    if conversation.order_id:
        values["order_id"] = conversation.order.external_id
    if conversation.buyer.name:
        values["buyer_name"] = conversation.buyer.name
    return values


def reply_text_for_conversation(*, store: Store, conversation: Conversation, code: str, language, variables):
    """Scenario ``code`` rendered for the conversation's buyer: order id and buyer name filled in."""
    return reply_text_render(
        store=store,
        code=code,
        language=language,
        buyer_language=reply_language_for(conversation),
        known=conversation_variables(conversation),
        variables=variables,
    )


def suggestion_text_for_conversation(conversation: Conversation) -> str:
    """The buyer's messages since the seller last answered (at most SUGGESTION_MESSAGES), oldest first.

    When the seller has already answered everything, the buyer's latest messages are used instead.
    Auto-replies and campaign pushes do not count as answers.
    """
    recent = (
        conversation.messages.filter(buyer_only=False)
        .order_by("-created_at", "-id")
        .values_list("direction", "sender", "text")[: SUGGESTION_MESSAGES * 4]
    )
    unanswered: list[str] = []
    latest: list[str] = []
    answered = False
    for message_direction, sender, text in recent:
        if message_direction == Direction.OUTBOUND:
            answered = answered or sender == SenderKind.AGENT
            continue
        if not text.strip():
            continue
        if len(latest) < SUGGESTION_MESSAGES:
            latest.append(text)
        if not answered and len(unanswered) < SUGGESTION_MESSAGES:
            unanswered.append(text)
    chosen = unanswered or latest
    return "\n".join(reversed(chosen))


def suggestions_for_conversation(*, store: Store, conversation: Conversation):
    """Scenario suggestions for the reply box: the buyer's latest messages and the order's status, to answer
    in the buyer's language. A conversation of another store is a 404."""
    if conversation.store_id != store.pk:
        raise Http404(gettext("No such conversation."))
    return suggestions_for_text(
        store=store,
        text=suggestion_text_for_conversation(conversation),
        order_status=conversation.order.status if conversation.order_id else None,
        language=reply_language_for(conversation),
        buyer_country=conversation.buyer.country or None,
    )


def card_conversation(*, store: Store, buyer: Buyer, keyword_id: int) -> Conversation | None:
    """The conversation of the buyer's latest auto-reply card holding ``keyword_id``, else of their latest card;
    None when the buyer never got a card."""
    cards = list(
        Message.objects.filter(
            store=store,
            buyer=buyer,
            sender=SenderKind.AUTOREPLY,
            card__isnull=False,
            triggered_by__isnull=False,
        )
        .select_related("conversation")
        .order_by("-created_at", "-id")[:20]
    )
    for card_message in cards:
        if any(k.get("id") == keyword_id for k in (card_message.card or {}).get("keywords", [])):
            return card_message.conversation
    return cards[0].conversation if cards else None


# --- the dispute panel and the protection form beside a thread ---
EXCERPT_CHOICES = 40


def dispute_for_panel(*, conversation: Conversation):
    """The conversation's dispute with its evidence and answers (two prefetches), or None."""
    if conversation.channel != Channel.DISPUTE:
        return None
    return (
        Dispute.objects.filter(store_id=conversation.store_id, conversation=conversation)
        .select_related("order")
        .prefetch_related(
            Prefetch("evidence", queryset=DisputeEvidence.objects.order_by("created_at", "id")),
            Prefetch(
                "responses",
                queryset=DisputeResponse.objects.select_related("author", "message").order_by(
                    "created_at", "id"
                ),
            ),
        )
        .first()
    )


def dispute_excerpt_choices(*, dispute) -> QuerySet[Message]:
    """Messages an agent may quote as evidence: the buyer's seller-visible messages, newest first."""
    return (
        Message.objects.filter(store_id=dispute.store_id, buyer_id=dispute.order.buyer_id, buyer_only=False)
        .exclude(text="")
        .order_by("-created_at", "-id")[:EXCERPT_CHOICES]
    )


def protection_history(*, order: Order) -> QuerySet[ProtectionExtension]:
    return ProtectionExtension.objects.filter(store_id=order.store_id, order=order).select_related("actor")


def agent_replied_between(*, conversation_id: int, since, until) -> bool:
    """Whether an agent replied in the conversation between ``since`` and ``until`` (both included)."""
    return Message.objects.filter(
        conversation_id=conversation_id, sender=SenderKind.AGENT, created_at__gte=since, created_at__lte=until
    ).exists()


def undelivered_get(*, store, message_id: int, lock: bool = False):
    """One of the store's dead-letter messages (404 for any other id, another store's or a delivered one)."""
    qs = Message.objects.filter(store=store, pk=message_id, delivery_failed_at__isnull=False)
    if lock:
        qs = qs.select_for_update(of=("self",))
    message = qs.select_related("conversation").first()
    if message is None:
        raise Http404(gettext("No such undelivered message."))
    return message


def dead_letters(*, store):
    """The store's messages the marketplace never took (newest first), for the list and the thread."""
    return (
        Message.objects.filter(store=store, delivery_failed_at__isnull=False)
        .select_related("conversation", "buyer", "sent_by")
        .order_by("-delivery_failed_at", "-id")
    )
