"""Reads for conversations; every read is scoped to a store and a fetch raises 404 itself."""

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from seller_desk.models import Buyer, Store

from .models import Conversation, ConversationStatus, Message

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
    qs = Conversation.objects.filter(store=store).select_related("buyer", "order")
    if queue == "needs_reply":
        qs = qs.filter(status=ConversationStatus.NEEDS_REPLY).order_by("reply_due_at", "id")
    elif queue == "answered":
        qs = qs.filter(status=ConversationStatus.ANSWERED).order_by("-last_message_at", "-id")
    else:
        qs = qs.order_by("-last_message_at", "-id")
    if channel:
        qs = qs.filter(channel=channel)
    if language:
        qs = qs.filter(language=language)
    if search:
        qs = qs.filter(buyer__name__icontains=search) | qs.filter(order__external_id__icontains=search)
    return qs


def conversation_get(*, store: Store, conversation_id: int) -> Conversation:
    return get_object_or_404(Conversation.objects.select_related("buyer", "order"), store=store, pk=conversation_id)


def seller_visible_messages(*, conversation: Conversation) -> QuerySet[Message]:
    """Messages the seller's side shows: campaign pushes (buyer-only) never appear here (R10)."""
    return (
        Message.objects.filter(conversation=conversation, buyer_only=False)
        .select_related("coupon", "sent_by")
        .order_by("created_at", "id")
    )


def conversation_with_messages(*, store: Store, conversation_id: int) -> Conversation:
    messages = Message.objects.filter(buyer_only=False).select_related("coupon", "sent_by").order_by("created_at", "id")
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
    return Message.objects.filter(store=store, buyer=buyer).select_related("coupon").order_by("created_at", "id")


def messages_since(*, conversation: Conversation, after_id: int) -> QuerySet[Message]:
    return seller_visible_messages(conversation=conversation).filter(id__gt=after_id)
