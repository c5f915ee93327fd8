"""Conversations with buyers, their messages, and the 24-hour reply waits behind the response rate."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
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


# --- team inbox, part A (issue 10) ---
class InboxState(models.TextChoices):
    OPEN = "open", "Open"
    SNOOZED = "snoozed", "Snoozed"
    RESOLVED = "resolved", "Resolved"


# --- end team inbox, part A ---


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
    # The needs-reply queue's first sort key (issue 14): the escalation deadline of the conversation's dispute while
    # it is active, else none. A copy of ``Dispute.escalates_at`` kept by ``seller_desk.services.dispute_deadline_sync``
    # (the dispute's opening, answers and escalation call it), so the queue reads one table's indexes, no dispute join.
    dispute_escalates_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # --- team inbox, part A (issue 10): assignment, resolve and snooze ---
    # ``status`` above is the reply status (a reply is owed or not, API ``reply_status``); ``inbox_state`` is where
    # the conversation is in the team's work (API ``status``): open, snoozed until a time, or resolved.
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_conversations",
    )
    inbox_state = models.CharField(max_length=10, choices=InboxState.choices, default=InboxState.OPEN)
    snoozed_until = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    @property
    def team_status(self) -> str:
        """open, snoozed or resolved as the team sees it now: a snooze whose time has passed is open."""
        if (
            self.inbox_state == InboxState.SNOOZED
            and self.snoozed_until
            and self.snoozed_until <= timezone.now()
        ):
            return InboxState.OPEN
        return self.inbox_state

    # --- end team inbox, part A ---

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
            models.Index(
                fields=["store", "status", "dispute_escalates_at", "reply_due_at"],
                condition=Q(dispute_escalates_at__isnull=False),
                name="conversation_dispute_deadline",
            ),
            models.Index(fields=["store", "last_message_at"]),
            models.Index(fields=["store", "assignee", "inbox_state"], name="conversation_assignee_state"),
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
    # No index of their own: (store, buyer, created_at), (store, external_id) and (conversation, created_at) lead
    # with them (every buyer message writes each index of this table).
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="messages", db_index=False)
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages", db_index=False
    )
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
    # Team inbox, part A (issue 10): closed by "resolve" with no reply (docs/response-rate.md says how it counts).
    resolved_without_reply = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["conversation"],
                condition=Q(closed_at__isnull=True),
                name="one_open_wait_per_conversation",
            )
        ]
        indexes = [models.Index(fields=["store", "opened_at"])]


# --- Team inbox, part B (issue 10): private notes with @mentions, store tags, buyer blocks, drafts ---


class Note(models.Model):
    """An internal note in a thread: shown to the store's team only. Not a ``Message``, so it can't reach the
    buyer's chat, the outbox or the reply waits (it is never a reply)."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="notes")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField()
    created_at = models.DateTimeField()

    is_note = True  # the thread template weaves notes and messages together

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["conversation", "created_at"])]


class NoteMention(models.Model):
    """A teammate @mentioned in a note: a row in their Mentions view."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="mentions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["note", "user"], name="note_mention_once")]
        indexes = [models.Index(fields=["store", "user", "created_at"])]


class Tag(models.Model):
    """A store-defined label for conversations ("refund", "VIP", …)."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["store", "name"], name="tag_name_unique_per_store")]

    def __str__(self) -> str:
        return self.name


class ConversationTag(models.Model):
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="conversation_tags")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="conversation_tags")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation", "tag"], name="conversation_tag_once"),
        ]
        indexes = [models.Index(fields=["tag", "conversation"])]


class BuyerBlock(models.Model):
    """A period during which a spamming buyer is blocked: their messages are stored, but their conversations
    stay out of the queue while it lasts (``ended_at`` empty) and waits opened inside it stay out of the
    response rate for good. ``started_at`` reaches back to the buyer's first unanswered message, so the spam
    that made the agent block them is covered too."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="buyer_blocks")
    buyer = models.ForeignKey(Buyer, on_delete=models.CASCADE, related_name="blocks")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    blocked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    unblocked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["buyer"], condition=Q(ended_at__isnull=True), name="one_active_block_per_buyer"
            )
        ]
        indexes = [models.Index(fields=["store", "buyer", "started_at"])]


class Draft(models.Model):
    """An agent's unsent reply in a conversation, kept on the server (survives a reload and another device)."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="drafts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    text = models.TextField()
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["conversation", "user"], name="draft_once_per_agent")]
        indexes = [models.Index(fields=["user", "conversation"])]


# --- team inbox, part A (issue 10): auto-assignment settings and agents' availability ---
class InboxSettings(models.Model):
    """One row per store. Auto-assignment locks this row, so two conversations arriving at once are assigned
    one after the other (the count of open conversations each agent holds is read under the lock)."""

    store = models.OneToOneField(Store, on_delete=models.CASCADE, related_name="inbox_settings")
    auto_assign = models.BooleanField(default=False)
    agent_cap = models.PositiveIntegerField(
        default=20, help_text="Auto-assignment gives no agent more open conversations than this."
    )


class AgentAvailability(models.Model):
    """An agent marks themselves available (auto-assignment may give them conversations) or away."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="agent_availability")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="availability"
    )
    available = models.BooleanField(default=False)
    changed_at = models.DateTimeField(auto_now=True)


# --- end team inbox, part A ---
