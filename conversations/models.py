"""Conversations with buyers, their messages, and the 24-hour reply waits behind the response rate."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from seller_desk.models import Buyer, Order, Store


class Channel(models.TextChoices):
    MESSAGE = "message", _("Message")
    CHAT = "chat", _("Chat")
    COMMENT = "comment", _("Product comment")
    DISPUTE = "dispute", _("Dispute")


class ConversationStatus(models.TextChoices):
    NEEDS_REPLY = "needs_reply", _("Needs reply")
    ANSWERED = "answered", _("Answered")


class Conversation(models.Model):
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="conversations")
    buyer = models.ForeignKey(Buyer, on_delete=models.CASCADE, related_name="conversations")
    order = models.ForeignKey(
        Order, null=True, blank=True, on_delete=models.CASCADE, related_name="conversations"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    status = models.CharField(
        max_length=12, choices=ConversationStatus.choices, default=ConversationStatus.ANSWERED
    )
    language = models.CharField(max_length=8, blank=True, help_text="Language of the buyer's latest message.")
    last_message_at = models.DateTimeField(null=True, blank=True)
    last_message_preview = models.CharField(max_length=200, blank=True)
    waiting_since = models.DateTimeField(null=True, blank=True, help_text="First unanswered buyer message.")
    reply_due_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["store", "buyer", "order", "channel"],
                condition=Q(order__isnull=False),
                name="conversation_unique_per_order_channel",
            ),
            models.UniqueConstraint(
                fields=["store", "buyer", "channel"],
                condition=Q(order__isnull=True),
                name="conversation_unique_per_buyer_channel_without_order",
            ),
        ]
        indexes = [
            models.Index(fields=["store", "status", "reply_due_at"]),
            models.Index(fields=["store", "last_message_at"]),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.buyer} ({self.channel})"


class Direction(models.TextChoices):
    INBOUND = "inbound", _("Inbound")
    OUTBOUND = "outbound", _("Outbound")


class SenderKind(models.TextChoices):
    BUYER = "buyer", _("Buyer")
    AGENT = "agent", _("Agent")
    AUTOREPLY = "autoreply", _("Auto-reply")
    CAMPAIGN = "campaign", _("Campaign")


class Message(models.Model):
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="messages")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    buyer = models.ForeignKey(Buyer, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=8, choices=Direction.choices)
    sender = models.CharField(max_length=10, choices=SenderKind.choices)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    text = models.TextField(blank=True)
    language = models.CharField(max_length=8, blank=True)
    image = models.ImageField(upload_to="messages/%Y/%m/", blank=True)
    buyer_only = models.BooleanField(
        default=False,
        help_text="Campaign pushes: shown in the buyer's chat only, never on the seller's side.",
    )
    external_id = models.CharField(
        max_length=64, null=True, blank=True, help_text="The marketplace's message id."
    )
    coupon = models.ForeignKey(
        "coupons.Coupon", null=True, blank=True, on_delete=models.RESTRICT, related_name="messages"
    )
    triggered_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="triggered",
        help_text="The inbound message an auto-reply answered.",
    )
    card = models.JSONField(
        null=True, blank=True, help_text="Interactive keyword card: {keywords: [{id, keyword}]}"
    )
    tapped_keyword = models.CharField(
        max_length=300,
        blank=True,
        help_text="The card keyword the buyer tapped that this auto-reply answers.",
    )
    agent_note = models.CharField(
        max_length=500, blank=True, help_text="Shown to agents only: why an auto-reply said what it said."
    )
    delivered_at = models.DateTimeField(null=True, blank=True)
    # The outbox (conversations/delivery.py): an outbound row with no delivered_at is still to be delivered;
    # the sweeper re-queues it once next_attempt_at has passed, until delivery_failed_at (dead letter) is set.
    delivery_attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivery_error = models.CharField(max_length=300, blank=True, default="")
    delivery_failed_at = models.DateTimeField(null=True, blank=True)
    idempotency_key = models.CharField(
        max_length=100, null=True, blank=True, help_text="The Idempotency-Key the reply was sent with."
    )
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["store", "external_id"],
                condition=Q(external_id__isnull=False),
                name="message_external_id_unique_per_store",
            ),
            models.UniqueConstraint(
                fields=["store", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="message_idempotency_key_unique_per_store",
            ),
        ]
        indexes = [
            models.Index(fields=["conversation", "created_at"]),
            models.Index(fields=["store", "buyer", "created_at"]),
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(direction="outbound", delivered_at__isnull=True, delivery_failed_at__isnull=True),
                name="message_outbox",
            ),
            models.Index(
                fields=["store", "delivery_failed_at"],
                condition=Q(delivery_failed_at__isnull=False),
                name="message_dead_letter",
            ),
        ]
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.sender}: {self.text[:40]}"


class ReplyWait(models.Model):
    """A buyer message opens a wait; the first seller reply closes it (the auto-reply does not).

    The 24-hour response rate is computed from these rows only.
    """

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="reply_waits")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="waits")
    opened_by = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="opened_wait")
    opened_at = models.DateTimeField()
    due_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["conversation"],
                condition=Q(closed_at__isnull=True),
                name="one_open_wait_per_conversation",
            )
        ]
        indexes = [models.Index(fields=["store", "opened_at"])]
