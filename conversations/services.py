"""Writes for conversations: inbound messages from the marketplace and replies from the desk."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from seller_desk.errors import ApplicationError
from seller_desk.models import Order, Store
from seller_desk.services import buyer_upsert
from templates_i18n.guard import text_guard_enforce
from templates_i18n.languages import DEFAULT_LANGUAGE, detect_language, normalize_language
from templates_i18n.selectors import placeholders

from .delivery import deliver_after_commit
from .models import Channel, Conversation, ConversationStatus, Direction, Message, ReplyWait, SenderKind
from .uploads import picture_validate

PREVIEW_CHARS = 140


@dataclass
class IngestResult:
    conversation: Conversation
    message: Message
    created: bool
    auto_replies: list[Message] = field(default_factory=list)


def _reply_due(opened_at: datetime) -> datetime:
    return opened_at + timedelta(hours=settings.SELLER_DESK["REPLY_DUE_HOURS"])


def conversation_get_or_create(*, store: Store, buyer, order: Order | None, channel: str) -> Conversation:
    """One conversation per buyer, order and channel; safe when two requests race to create it."""
    lookup = {"store": store, "buyer": buyer, "order": order, "channel": channel}
    conversation = Conversation.objects.filter(**lookup).first()
    if conversation is not None:
        return conversation
    try:
        with transaction.atomic():
            return Conversation.objects.create(**lookup)
    except IntegrityError:
        return Conversation.objects.get(**lookup)


def _existing_ingest(store: Store, message_id: str) -> IngestResult | None:
    message = (
        Message.objects.select_related("conversation").filter(store=store, external_id=message_id).first()
    )
    if message is None:
        return None
    replies = list(message.triggered.order_by("created_at", "id"))
    return IngestResult(
        conversation=message.conversation, message=message, created=False, auto_replies=replies
    )


def _message_language(*, text: str, conversation: Conversation, buyer) -> str:
    """A message's language, one of the nine: detected in its text, else the conversation's, else the buyer's
    locale, else English; a picture or a coupon without text still gets one (API.md's Message.language)."""
    return (
        detect_language(text) or conversation.language or normalize_language(buyer.locale) or DEFAULT_LANGUAGE
    )


def _touch_conversation(conversation: Conversation, message: Message) -> None:
    conversation.last_message_at = message.created_at
    conversation.last_message_preview = (message.text or ("[picture]" if message.image else ""))[
        :PREVIEW_CHARS
    ]
    fields = ["last_message_at", "last_message_preview"]
    if message.direction == Direction.INBOUND and message.language:
        conversation.language = message.language
        fields.append("language")
    conversation.save(update_fields=fields)


def _wait_open(conversation: Conversation, message: Message) -> None:
    """A buyer message opens a wait unless one is already open (the first unanswered message counts)."""
    if ReplyWait.objects.filter(conversation=conversation, closed_at__isnull=True).exists():
        return
    due = _reply_due(message.created_at)
    ReplyWait.objects.create(
        store=conversation.store,
        conversation=conversation,
        opened_by=message,
        opened_at=message.created_at,
        due_at=due,
    )
    conversation.status = ConversationStatus.NEEDS_REPLY
    conversation.waiting_since = message.created_at
    conversation.reply_due_at = due
    conversation.save(update_fields=["status", "waiting_since", "reply_due_at"])


def _wait_close(conversation: Conversation, message: Message) -> None:
    """The first seller reply closes the open wait; auto-replies and campaign pushes never do."""
    ReplyWait.objects.filter(conversation=conversation, closed_at__isnull=True).update(
        closed_at=message.created_at, closed_by=message
    )
    conversation.status = ConversationStatus.ANSWERED
    conversation.waiting_since = None
    conversation.reply_due_at = None
    conversation.save(update_fields=["status", "waiting_since", "reply_due_at"])


def message_ingest(
    *,
    store: Store,
    message_id: str,
    buyer: dict,
    channel: str,
    text: str,
    sent_at: datetime,
    order_id: str | None = None,
    image=None,
) -> IngestResult:
    """Append a buyer message to its conversation; the same marketplace ``message_id`` is stored once."""
    existing = _existing_ingest(store, message_id)
    if existing is not None:
        return existing
    if channel not in (Channel.MESSAGE, Channel.CHAT, Channel.COMMENT):
        raise ApplicationError({"channel": "Channel must be one of message, chat, comment."})
    if not (text or "").strip() and image is None:
        raise ApplicationError({"text": "A message needs text or a picture."})
    if image is not None:
        picture_validate(image)
    order = None
    if order_id:
        order = Order.objects.select_related("buyer").filter(store=store, external_id=order_id).first()
        if order is None:
            raise ApplicationError(
                {
                    "order_id": f"Order '{order_id}' is unknown to this store; push it with PUT /api/v1/ingress/orders first."
                }
            )
        if order.buyer.external_id != buyer["buyer_id"]:
            raise ApplicationError(
                {"order_id": f"Order '{order_id}' belongs to another buyer of this store."}
            )
    try:
        with transaction.atomic():
            buyer_row = buyer_upsert(store=store, buyer=buyer)
            message = inbound_message_append(
                store=store,
                buyer=buyer_row,
                order=order,
                channel=channel,
                text=text or "",
                sent_at=sent_at,
                external_id=message_id,
                image=image,
            )
            auto_replies = _auto_replies_for(message)
    except IntegrityError:
        existing = _existing_ingest(store, message_id)
        if existing is None:
            raise
        return existing
    return IngestResult(
        conversation=message.conversation, message=message, created=True, auto_replies=auto_replies
    )


def inbound_message_append(
    *,
    store: Store,
    buyer,
    order: Order | None,
    channel: str,
    text: str,
    sent_at: datetime,
    external_id: str,
    image=None,
) -> Message:
    """Store a buyer message in its conversation and open the 24-hour wait (caller holds the transaction)."""
    conversation = conversation_get_or_create(store=store, buyer=buyer, order=order, channel=channel)
    message = Message.objects.create(
        store=store,
        conversation=conversation,
        buyer=buyer,
        direction=Direction.INBOUND,
        sender=SenderKind.BUYER,
        text=text,
        language=_message_language(text=text, conversation=conversation, buyer=buyer),
        image=image or "",
        external_id=external_id,
        created_at=sent_at,
    )
    _touch_conversation(conversation, message)
    _wait_open(conversation, message)
    return message


def _auto_replies_for(message: Message) -> list[Message]:
    """Hook for the auto-reply app (R15–R17): the replies an inbound message triggers."""
    from autoreply import services as autoreply_services

    respond = getattr(autoreply_services, "autoreply_respond", None)
    return list(respond(message=message)) if respond else []


def outbound_message_create(
    *,
    conversation: Conversation,
    sender: str,
    text: str,
    language: str = "",
    image=None,
    coupon=None,
    card: dict | None = None,
    buyer_only: bool = False,
    sent_by=None,
    triggered_by: Message | None = None,
    text_field: str = "text",
) -> Message:
    """The one path for every outbound message: guard, picture check, store, deliver after commit.

    ``image`` is a new upload (checked here) or a picture the desk already stored and checked when it was
    saved (a campaign's or a keyword's): that one is referenced, not copied or checked again per message.
    """
    if text:
        text_guard_enforce(text=text, field=text_field)
    if image is not None and not isinstance(image, FieldFile):
        picture_validate(image)
    message = Message.objects.create(
        store=conversation.store,
        conversation=conversation,
        buyer=conversation.buyer,
        direction=Direction.OUTBOUND,
        sender=sender,
        sent_by=sent_by,
        text=text or "",
        language=language
        or _message_language(text=text or "", conversation=conversation, buyer=conversation.buyer),
        image=image or "",
        coupon=coupon,
        card=card,
        buyer_only=buyer_only,
        triggered_by=triggered_by,
        created_at=timezone.now(),
    )
    if not buyer_only:
        _touch_conversation(conversation, message)
    deliver_after_commit(message)
    return message


@transaction.atomic
def reply_send(
    *,
    conversation: Conversation,
    acting_user,
    text: str,
    language: str = "",
    image=None,
    coupon_id: int | None = None,
) -> Message:
    """An agent's reply: text guard, picture check, optional coupon grant, delivery, and the wait closed.

    Nothing is stored or sent when any part fails (one transaction).
    """
    text = (text or "").strip()
    if not text and image is None and coupon_id is None:
        raise ApplicationError({"text": "Write a reply, attach a picture or a coupon."})
    if len(text) > 5000:
        raise ApplicationError(
            {"text": f"Replies may be at most 5,000 characters (this one has {len(text):,})."}
        )
    unfilled = placeholders(text)
    if unfilled:
        names = ", ".join(f"{{{name}}}" for name in unfilled)
        raise ApplicationError({"text": f"Fill the placeholder {names} before sending this reply."})
    Conversation.objects.select_for_update().filter(pk=conversation.pk).first()
    coupon = None
    if coupon_id is not None:
        from coupons.services import coupon_grant_for_reply

        coupon = coupon_grant_for_reply(
            store=conversation.store, coupon_id=coupon_id, buyer=conversation.buyer, acting_user=acting_user
        )
    message = outbound_message_create(
        conversation=conversation,
        sender=SenderKind.AGENT,
        text=text,
        language=language,
        image=image,
        coupon=coupon,
        sent_by=acting_user,
    )
    _wait_close(conversation, message)
    return message
