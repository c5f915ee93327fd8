"""Reads for conversations; every read is scoped to a store and a fetch raises 404 itself."""

from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone

from seller_desk.models import Buyer, Order, Store

from .models import Channel, Conversation, ConversationStatus, Message

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
        qs = qs.filter(status=ConversationStatus.NEEDS_REPLY).order_by("reply_due_at", "id")
    elif queue == "answered":
        qs = qs.filter(status=ConversationStatus.ANSWERED).order_by("-last_message_at", "-id")
    else:
        qs = qs.order_by("-last_message_at", "-id")
    return qs


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


def queue_counts(
    *, store: Store, channel: str | None = None, language: str | None = None, search: str | None = None
) -> dict[str, int]:
    """Sizes of the three queues (and how many needs-reply are overdue) under the same filters, in one query."""
    needs_reply = Q(status=ConversationStatus.NEEDS_REPLY)
    return _conversations_filtered(store=store, channel=channel, language=language, search=search).aggregate(
        needs_reply=Count("id", filter=needs_reply),
        answered=Count("id", filter=Q(status=ConversationStatus.ANSWERED)),
        all=Count("id"),
        overdue=Count("id", filter=needs_reply & Q(reply_due_at__lt=timezone.now())),
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


def conversation_dispute(*, conversation: Conversation):
    """The dispute behind a dispute-channel conversation (None for other channels)."""
    if conversation.channel != Channel.DISPUTE:
        return None
    from seller_desk.models import Dispute

    return Dispute.objects.filter(store_id=conversation.store_id, conversation=conversation).first()
