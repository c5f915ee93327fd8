"""Writes for conversations: inbound messages from the marketplace and replies from the desk."""

from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.translation import gettext

from coupons.services import coupon_grant_for_reply
from seller_desk.errors import ApplicationError
from seller_desk.models import Dispute, DisputeAction, DisputeResponse, DisputeStatus, Order, Store
from seller_desk.selectors import reply_due_within
from seller_desk.services import AuditKind, audit_log
from templates_i18n.guard import text_guard_enforce
from templates_i18n.languages import DEFAULT_LANGUAGE, detect_language, normalize_language
from templates_i18n.selectors import placeholders

from . import selectors
from .delivery import deliver_after_commit
from .models import Conversation, ConversationStatus, Direction, Message, ReplyWait, SenderKind
from .uploads import picture_validate

PREVIEW_CHARS = 140


def _reply_due(opened_at: datetime) -> datetime:
    return opened_at + reply_due_within()


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
    idempotency_key: str | None = None,
) -> Message:
    """The one path for every outbound message: guard, picture check, store, deliver after commit.

    ``image`` is a new upload (checked here) or a picture the desk already stored and checked when it was
    saved (a campaign's or a keyword's): that one is referenced, not copied or checked again per message.
    """
    if text:
        text_guard_enforce(text=text, field=text_field)
    if image is not None and not isinstance(image, FieldFile):
        picture_validate(image)
    now = timezone.now()
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
        idempotency_key=idempotency_key or None,
        created_at=now,
        next_attempt_at=now,
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
    idempotency_key: str | None = None,
) -> Message:
    """An agent's reply: text guard, picture check, optional coupon grant, delivery, and the wait closed.

    Nothing is stored or sent when any part fails (one transaction). With ``idempotency_key`` a second
    request carrying the same key raises ``IntegrityError`` (unique per store); callers answer it with
    ``reply_replay``.
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
        idempotency_key=idempotency_key,
    )
    _wait_close(conversation, message)
    return message


IDEMPOTENCY_KEY_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:")


def idempotency_key_check(key: str | None, *, field: str = "Idempotency-Key") -> str | None:
    """A client's idempotency key: absent, or 1 to 100 letters, digits and ``- _ . :`` (a UUID fits)."""
    if key is None:
        return None
    if not key or len(key) > 100 or not set(key) <= IDEMPOTENCY_KEY_CHARS:
        raise ApplicationError(
            {
                field: gettext(
                    "An idempotency key is 1 to 100 letters, digits, '-', '_', '.' or ':' (a UUID fits)."
                )
            }
        )
    return key


def reply_replay(*, conversation: Conversation, acting_user, idempotency_key: str | None) -> Message | None:
    """The reply already sent with this key (the retry of a request whose answer was lost), or None.

    A key is the store's: used before for another conversation or by another person, it is refused."""
    if not idempotency_key:
        return None
    sent = Message.objects.filter(store=conversation.store, idempotency_key=idempotency_key).first()
    if sent is None:
        return None
    if sent.conversation_id != conversation.pk or sent.sent_by_id != getattr(acting_user, "pk", None):
        raise ApplicationError(
            {
                "Idempotency-Key": gettext(
                    "This key was already used for another reply; "
                    "send a new key for each new reply and the same key only to retry it."
                )
            }
        )
    return sent


@transaction.atomic
def dispute_respond(
    *, dispute: Dispute, acting_user, action: str, text: str, refund_amount: Decimal | None = None, image=None
) -> DisputeResponse:
    """The seller answers a dispute: the text is a reply in the dispute conversation, so it passes the same
    reply rules (guard, placeholders, picture check) and closes the 24-hour wait like any reply."""
    dispute = (
        Dispute.objects.select_for_update(of=("self",))
        .select_related("conversation", "order")
        .get(pk=dispute.pk)
    )
    if dispute.status != DisputeStatus.OPEN:
        raise ApplicationError(
            {"dispute": f"This dispute is {dispute.get_status_display().lower()}; it takes no response."}
        )
    if action not in DisputeAction.values:
        raise ApplicationError({"action": f"Action must be one of {', '.join(DisputeAction.values)}."})
    if not (text or "").strip():
        raise ApplicationError({"text": "Explain your answer to the buyer."})
    if action == DisputeAction.PROPOSE:
        if refund_amount is None or refund_amount < 0:
            raise ApplicationError({"refund_amount": "A proposal needs a refund amount of 0 or more."})
        if refund_amount > dispute.order.amount:
            raise ApplicationError(
                {"refund_amount": f"A refund cannot exceed the order amount ({dispute.order.amount})."}
            )
    message = reply_send(conversation=dispute.conversation, acting_user=acting_user, text=text, image=image)
    response = DisputeResponse.objects.create(
        store=dispute.store,
        dispute=dispute,
        action=action,
        refund_amount={
            DisputeAction.AGREE: dispute.refund_amount,
            DisputeAction.PROPOSE: refund_amount,
            DisputeAction.REJECT: None,
        }[action],
        message=message,
        author=acting_user,
    )
    if action == DisputeAction.AGREE:
        dispute.status = DisputeStatus.AGREED
        dispute.save(update_fields=["status"])
    audit_log(
        store=dispute.store,
        kind=AuditKind.DISPUTE_ANSWERED,
        subject=dispute.order,
        actor=acting_user,
        details={"dispute_id": dispute.external_id, "action": action},
    )
    return response


@transaction.atomic
def message_delivery_retry(*, store: Store, message_id: int, acting_user) -> Message:
    """Send a dead-letter message again: its tries start over and it is queued after commit (API.md-free, UI)."""
    message = selectors.undelivered_get(store=store, message_id=message_id, lock=True)
    previous = {"attempts": message.delivery_attempts, "error": message.delivery_error}
    message.delivery_failed_at = None
    message.delivery_attempts = 0
    message.next_attempt_at = timezone.now()
    message.save(update_fields=["delivery_failed_at", "delivery_attempts", "next_attempt_at"])
    audit_log(
        store=store,
        kind=AuditKind.DELIVERY_RETRIED,
        subject=message.conversation,
        actor=acting_user,
        details={"message_id": message.pk, **previous},
    )
    deliver_after_commit(message)
    return message
