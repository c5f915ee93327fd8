"""The marketplace's side of the desk: what it pushes in (orders, buyer messages, disputes).

Each ingest is the orchestration of lower floors, step by step and in one transaction where it writes:
a buyer message is stored by ``conversations.services.inbound_message_append`` and then answered by
``autoreply.services.autoreply_respond`` — two explicit calls, no hook.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from autoreply.services import autoreply_respond
from conversations.models import Channel, Conversation, Message
from conversations.selectors import inbound_message_find
from conversations.services import dispute_evidence_store, inbound_conversation_lock, inbound_message_append
from conversations.uploads import evidence_validate, picture_validate
from coupons.services import coupon_redemptions_record
from seller_desk.errors import ApplicationError
from seller_desk.models import Dispute, EvidenceSide, Order, Store
from seller_desk.services import (
    AuditKind,
    audit_log,
    buyer_upsert,
    dispute_deadline_sync,
    dispute_window_check,
    orders_upsert,
)


@dataclass
class IngestResult:
    conversation: Conversation
    message: Message
    created: bool
    auto_replies: list[Message] = field(default_factory=list)


def _existing_ingest(store: Store, message_id: str) -> IngestResult | None:
    message = inbound_message_find(store=store, external_id=message_id)
    if message is None:
        return None
    replies = list(message.triggered.order_by("created_at", "id"))
    return IngestResult(
        conversation=message.conversation, message=message, created=False, auto_replies=replies
    )


@transaction.atomic
def orders_ingest(*, store: Store, orders: list[dict]) -> dict[str, int]:
    """Upsert a validated batch of orders (all or nothing); orders carrying one of the store's coupon codes
    record a redemption."""
    result, with_coupon = orders_upsert(store=store, orders=orders)
    if with_coupon:
        coupon_redemptions_record(store=store, orders=with_coupon)
    return result


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
    """Append a buyer message to its conversation, then let auto-reply answer it (R17); the same marketplace
    ``message_id`` is stored once, also when two requests race.

    A new message is the common case: it is not looked up first, the unique (store, message id) constraint turns a
    replay into an IntegrityError, the transaction rolls back, and the stored one is answered. A message with a
    picture is looked up first, so a replay never stores the file again.
    """
    if image is not None:
        existing = _existing_ingest(store, message_id)
        if existing is not None:
            return existing
    if channel not in (Channel.MESSAGE, Channel.CHAT, Channel.COMMENT):
        raise ApplicationError({"channel": gettext("Channel must be one of message, chat, comment.")})
    if not (text or "").strip() and image is None:
        raise ApplicationError({"text": gettext("A message needs text or a picture.")})
    if image is not None:
        picture_validate(image)
    order = None
    if order_id:
        order = Order.objects.select_related("buyer").filter(store=store, external_id=order_id).first()
        if order is None:
            raise ApplicationError(
                {
                    "order_id": gettext(
                        "Order '%(order_id)s' is unknown to this store; push it with PUT /api/v1/ingress/orders first."
                    )
                    % {"order_id": order_id}
                }
            )
        if order.buyer.external_id != buyer["buyer_id"]:
            raise ApplicationError(
                {
                    "order_id": gettext("Order '%(order_id)s' belongs to another buyer of this store.")
                    % {"order_id": order_id}
                }
            )
    try:
        with transaction.atomic():
            # A known buyer's conversation and the buyer come in one query; a new one costs the usual upsert.
            conversation = inbound_conversation_lock(
                store=store, buyer_external_id=buyer["buyer_id"], order=order, channel=channel
            )
            buyer_row = buyer_upsert(
                store=store, buyer=buyer, known=conversation.buyer if conversation else None
            )
            message = inbound_message_append(
                store=store,
                buyer=buyer_row,
                order=order,
                channel=channel,
                text=text or "",
                sent_at=sent_at,
                external_id=message_id,
                image=image,
                conversation=conversation,
            )
            auto_replies = autoreply_respond(message=message)
    except IntegrityError:
        existing = _existing_ingest(store, message_id)
        if existing is None:
            raise
        return existing
    return IngestResult(
        conversation=message.conversation, message=message, created=True, auto_replies=auto_replies
    )


def dispute_open(
    *,
    store: Store,
    dispute_id: str,
    order_id: str,
    opened_at: datetime,
    reason: str,
    refund_amount: Decimal,
    return_goods: bool,
    description: str,
    evidence=(),
    evidence_urls=(),
    chat_excerpts=(),
) -> tuple[Dispute, bool]:
    """Open a dispute from the marketplace (R22); idempotent by ``dispute_id``.

    A dispute can be opened from 6 days after shipment until buyer protection ends; its
    description lands in a dispute conversation in the inbox, with the 24-hour wait opened.
    The buyer's evidence comes along: ``evidence`` files (photos JPG/PNG, videos MP4/WebM, each checked by
    content), ``evidence_urls`` (files the marketplace hosts) and ``chat_excerpts`` (texts quoted from the
    buyer's chat); a bad file refuses the whole dispute, naming it.
    """
    existing = Dispute.objects.filter(store=store, external_id=dispute_id).first()
    if existing is not None:
        return existing, False
    order = Order.objects.select_related("buyer").filter(store=store, external_id=order_id).first()
    if order is None:
        raise ApplicationError(
            {"order_id": gettext("Order '%(order_id)s' is unknown to this store.") % {"order_id": order_id}}
        )
    dispute_window_check(order=order, opened_at=opened_at, refund_amount=refund_amount)
    files = [
        (evidence_validate(upload, field=f"evidence[{index}]"), upload)
        for index, upload in enumerate(evidence or [])
    ]
    excerpts = [" ".join(str(t).split()) for t in chat_excerpts or [] if str(t).strip()]
    try:
        with transaction.atomic():
            message = inbound_message_append(
                store=store,
                buyer=order.buyer,
                order=order,
                channel=Channel.DISPUTE,
                text=f"{reason}\n\n{description}".strip(),
                sent_at=opened_at,
                external_id=f"dispute:{dispute_id}",
            )
            dispute = Dispute.objects.create(
                store=store,
                order=order,
                external_id=dispute_id,
                conversation=message.conversation,
                opened_at=opened_at,
                reason=reason,
                refund_amount=refund_amount,
                return_goods=return_goods,
                description=description,
                escalates_at=opened_at + Dispute.ESCALATES_AFTER,
            )
            dispute_deadline_sync(dispute_ids=[dispute.pk])
            dispute_evidence_store(
                dispute=dispute,
                side=EvidenceSide.BUYER,
                files=files,
                urls=list(evidence_urls or []),
                excerpts=excerpts,
            )
            audit_log(
                store=store,
                kind=AuditKind.DISPUTE_OPENED,
                subject=order,
                details={"dispute_id": dispute_id, "reason": reason, "evidence": len(files) + len(excerpts)},
            )
    except IntegrityError:
        return Dispute.objects.get(store=store, external_id=dispute_id), False
    return dispute, True
