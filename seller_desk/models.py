"""Tenancy core (Store, Membership) and the marketplace's facts: buyers, orders, disputes."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def default_store_timezone() -> str:
    return settings.SELLER_DESK["DEFAULT_STORE_TIMEZONE"]


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def new_integration_token() -> str:
    return "sdi_" + secrets.token_urlsafe(32)


def new_api_token() -> str:
    return "sdt_" + secrets.token_urlsafe(32)


def password_fingerprint(user) -> str:
    """Changes whenever the user's password does: a token issued before a password change stops working."""
    return hashlib.sha256((user.password or "").encode()).hexdigest()


class StoreTier(models.TextChoices):
    BASIC = "basic", _("Basic")
    ADVANCED = "advanced", _("Advanced")
    HIGH_POTENTIAL = "high_potential", _("High potential")
    WAIST = "waist", _("Waist")


class Store(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    tier = models.CharField(max_length=20, choices=StoreTier.choices, default=StoreTier.BASIC)
    timezone = models.CharField(max_length=64, default=default_store_timezone)
    resume_shipping_date = models.DateField(
        null=True, blank=True, help_text="The date the store can ship again; coupons start the day after."
    )
    integration_token_hash = models.CharField(max_length=64, unique=True)
    # Delivery to the marketplace (conversations/backends.py, docs/operations.md): where outbound messages are
    # POSTed and the shared secret both sides sign with (HMAC-SHA256); an empty secret means unsigned ingress.
    marketplace_endpoint = models.URLField(max_length=500, blank=True, default="")
    marketplace_secret = models.CharField(max_length=200, blank=True, default="")
    # Only a demo store (set by seed_demo) lets the buyer simulator post buyer messages into it.
    is_demo = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class MemberRole(models.TextChoices):
    OWNER = "owner", _("Owner")
    AGENT = "agent", _("Agent")


class Membership(models.Model):
    """A user works for exactly one store, as owner or agent."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=MemberRole.choices)

    def __str__(self) -> str:
        return f"{self.user} @ {self.store} ({self.role})"


class UserProfile(models.Model):
    """A user's own interface choices: the desk's language (empty: follow the browser) and display time zone
    (empty: the store's). Applied on every request by ``seller_desk.middleware.UserPreferencesMiddleware``."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="desk_profile"
    )
    language = models.CharField(max_length=10, blank=True, default="")
    timezone = models.CharField(max_length=64, blank=True, default="")

    def __str__(self) -> str:
        return f"{self.user} ({self.language or 'browser'}, {self.timezone or 'store zone'})"


class ApiToken(models.Model):
    """A seller API token (``Authorization: Token <t>``). Only its SHA-256 is stored; it expires, and it
    stops working when it is revoked (``DELETE /api/v1/auth/token``), when the user's password changes
    (``password_fingerprint``) or when the account is deactivated."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    password_fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"API token of {self.user} until {self.expires_at:%Y-%m-%d}"


class Buyer(models.Model):
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="buyers")
    external_id = models.CharField(max_length=64, help_text="The marketplace's buyer id.")
    name = models.CharField(max_length=200, blank=True)
    country = models.CharField(max_length=2, blank=True)
    locale = models.CharField(max_length=16, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["store", "external_id"], name="buyer_unique_per_store")
        ]

    def __str__(self) -> str:
        return self.name or self.external_id


class OrderStatus(models.TextChoices):
    AWAITING_PAYMENT = "awaiting_payment", _("Awaiting payment")
    AWAITING_SHIPMENT = "awaiting_shipment", _("Awaiting shipment")
    PARTIALLY_SHIPPED = "partially_shipped", _("Partially shipped")
    IN_TRANSIT = "in_transit", _("In transit")
    DELIVERED = "delivered", _("Delivered")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class Order(models.Model):
    # Neither foreign key has an index of its own: (store, external_id) and (buyer, placed_at, …) lead with them.
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="orders", db_index=False)
    buyer = models.ForeignKey(Buyer, on_delete=models.CASCADE, related_name="orders", db_index=False)
    external_id = models.CharField(max_length=64, help_text="The marketplace's order id.")
    status = models.CharField(max_length=20, choices=OrderStatus.choices)
    placed_at = models.DateTimeField()
    shipped_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    protection_ends_at = models.DateTimeField(null=True, blank=True)
    protection_extended_days = models.PositiveIntegerField(
        default=0,
        help_text="Days the seller has added to buyer protection in total (R23); capped by settings.",
    )
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    overseas_warehouse = models.BooleanField(default=False)
    coupon_code = models.CharField(max_length=64, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["store", "external_id"], name="order_unique_per_store"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="order_amount_not_negative"),
        ]
        indexes = [
            models.Index(fields=["store", "placed_at"]),
            models.Index(fields=["store", "status"]),
            # A buyer's orders in time, read from the index alone where the store and the status are asked too:
            # campaign identify looks up a crowd member's oldest order for each buyer pushed the day before or
            # on the first day, and for each order of the boundary day (issue 14).
            models.Index(fields=["buyer", "placed_at", "store", "status"], name="order_buyer_placed"),
        ]

    def __str__(self) -> str:
        return self.external_id


class AuditKind(models.TextChoices):
    """Every change people ask about later, one list for the whole desk (Zulip's RealmAuditLog)."""

    MEMBER_ADDED = "member.added", _("Member added")
    MEMBER_ROLE_CHANGED = "member.role_changed", _("Member role changed")
    MEMBER_REMOVED = "member.removed", _("Member removed")
    MEMBER_PASSWORD_RESET = "member.password_reset", _("Member password reset")
    INTEGRATION_TOKEN_ROTATED = "store.integration_token_rotated", _("Integration token rotated")
    INTEGRATION_TOKEN_REVOKED = "store.integration_token_revoked", _("Integration token revoked")
    PROTECTION_EXTENDED = "order.protection_extended", _("Buyer protection extended")
    DISPUTE_OPENED = "dispute.opened", _("Dispute opened")
    DISPUTE_ANSWERED = "dispute.answered", _("Dispute answered")
    DISPUTE_ESCALATED = "dispute.escalated", _("Dispute escalated to the platform")
    COUPON_CREATED = "coupon.created", _("Coupon created")
    COUPON_EDITED = "coupon.edited", _("Coupon edited")
    COUPON_ACTIVATED = "coupon.activated", _("Coupon activated")
    COUPON_ENDED = "coupon.ended", _("Coupon ended")
    CAMPAIGN_CREATED = "campaign.created", _("Campaign created")
    CAMPAIGN_IDENTIFIED = "campaign.identified", _("Campaign crowd identified")
    CAMPAIGN_SEND_REQUESTED = "campaign.send_requested", _("Campaign send now")
    CAMPAIGN_BATCH = "campaign.batch", _("Campaign batch sent")
    CAMPAIGN_PAUSED = "campaign.paused", _("Campaign paused")
    CAMPAIGN_AUTO_PAUSED = "campaign.auto_paused", _("Campaign paused automatically")
    CAMPAIGN_RESUMED = "campaign.resumed", _("Campaign resumed")
    CAMPAIGN_CANCELLED = "campaign.cancelled", _("Campaign cancelled")
    CAMPAIGN_DONE = "campaign.done", _("Campaign done")
    AUTOREPLY_UPDATED = "autoreply.updated", _("Auto-reply settings changed")
    BANNED_WORD_ADDED = "banned_word.added", _("Banned word added")
    BANNED_WORD_EDITED = "banned_word.edited", _("Banned word edited")
    BANNED_WORD_REMOVED = "banned_word.removed", _("Banned word removed")
    SCENARIO_EDITED = "scenario.edited", _("Official scenario edited")
    MARKETPLACE_ENDPOINT_CHANGED = "store.marketplace_endpoint_changed", _("Marketplace endpoint changed")
    DELIVERY_RETRIED = "message.delivery_retried", _("Undelivered message sent again")
    BUYER_BLOCKED = "buyer.blocked", _("Buyer blocked")
    BUYER_UNBLOCKED = "buyer.unblocked", _("Buyer unblocked")
    CONVERSATION_ASSIGNED = "conversation.assigned", _("Conversation assigned")
    CONVERSATION_UNASSIGNED = "conversation.unassigned", _("Conversation unassigned")
    CONVERSATION_RESOLVED = "conversation.resolved", _("Conversation resolved")
    CONVERSATION_SNOOZED = "conversation.snoozed", _("Conversation snoozed")
    CONVERSATION_REOPENED = "conversation.reopened", _("Conversation reopened by the buyer")


class AuditEvent(models.Model):
    """One row per change people will ask about later: who, what, on which thing, when.

    ``store`` is empty for platform-wide changes (banned words, official scenarios), which every store's
    audit page shows because they change what its agents may send.
    """

    store = models.ForeignKey(
        Store, null=True, blank=True, on_delete=models.CASCADE, related_name="audit_events"
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    kind = models.CharField(max_length=40, choices=AuditKind.choices)
    subject_type = models.CharField(max_length=40, blank=True)
    subject_id = models.CharField(max_length=64, blank=True)
    subject_label = models.CharField(max_length=200, blank=True)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["store", "created_at"], name="audit_store_time"),
            models.Index(fields=["store", "kind", "created_at"], name="audit_store_kind_time"),
            models.Index(fields=["subject_type", "subject_id"], name="audit_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject_type}:{self.subject_id}"

    @property
    def action(self) -> str:
        """The kind without its subject: ``created`` for ``coupon.created``."""
        return self.kind.partition(".")[2]


class DisputeStatus(models.TextChoices):
    OPEN = "open", _("Open")
    PROPOSED = "proposed", _("Seller proposed a solution")
    REJECTED = "rejected", _("Seller rejected with evidence")
    AGREED = "agreed", _("Agreed")
    ESCALATED = "escalated", _("Escalated to the platform")
    CLOSED = "closed", _("Closed")


# The seller's answers allowed in each state (R22): while no agreement is reached the seller may agree,
# propose again or reject; an agreed, escalated or closed dispute takes no answer (the platform decides).
DISPUTE_ACTIVE_STATUSES = ("open", "proposed", "rejected")
DISPUTE_TRANSITIONS: dict[str, dict[str, str]] = {
    status: {"agree": "agreed", "propose": "proposed", "reject": "rejected"}
    for status in DISPUTE_ACTIVE_STATUSES
}
DISPUTE_TRANSITIONS.update({"agreed": {}, "escalated": {}, "closed": {}})


class Dispute(models.Model):
    """A buyer's dispute on an order (R22); its conversation is the inbox side (channel dispute)."""

    OPENS_AFTER_SHIPMENT = timedelta(days=6)
    ESCALATES_AFTER = timedelta(days=15)

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="disputes")
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="disputes")
    external_id = models.CharField(max_length=64, help_text="The marketplace's dispute id.")
    conversation = models.OneToOneField(
        "conversations.Conversation", null=True, blank=True, on_delete=models.SET_NULL, related_name="dispute"
    )
    opened_at = models.DateTimeField()
    reason = models.CharField(max_length=200)
    refund_amount = models.DecimalField(max_digits=12, decimal_places=2)
    return_goods = models.BooleanField(default=False)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=DisputeStatus.choices, default=DisputeStatus.OPEN)
    escalates_at = models.DateTimeField(
        help_text="Without agreement by then, the platform steps in (15 days)."
    )
    agreed_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["store", "external_id"], name="dispute_unique_per_store"),
            models.CheckConstraint(condition=Q(refund_amount__gte=0), name="dispute_refund_not_negative"),
        ]
        indexes = [models.Index(fields=["status", "escalates_at"])]

    def __str__(self) -> str:
        return self.external_id


class DisputeAction(models.TextChoices):
    AGREE = "agree", _("Agree to the buyer's request")
    PROPOSE = "propose", _("Propose another refund")
    REJECT = "reject", _("Reject with evidence")


class DisputeResponse(models.Model):
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="dispute_responses")
    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="responses")
    action = models.CharField(max_length=10, choices=DisputeAction.choices)
    refund_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    return_goods = models.BooleanField(
        default=False, help_text="A proposal that the buyer returns the goods."
    )
    status_after = models.CharField(max_length=10, choices=DisputeStatus.choices, blank=True)
    message = models.OneToOneField(
        "conversations.Message", on_delete=models.CASCADE, related_name="dispute_response"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)


class EvidenceSide(models.TextChoices):
    BUYER = "buyer", _("Buyer")
    SELLER = "seller", _("Seller")


class EvidenceKind(models.TextChoices):
    PHOTO = "photo", _("Photo")
    VIDEO = "video", _("Video")
    CHAT = "chat", _("Chat excerpt")
    LINK = "link", _("Link")


class DisputeEvidence(models.Model):
    """A photo, video, chat excerpt or link attached to a dispute, by the buyer at opening or the seller in an
    answer. Files are checked by content before a row exists (``conversations.uploads.evidence_validate``)."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="dispute_evidence")
    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="evidence")
    response = models.ForeignKey(
        DisputeResponse, null=True, blank=True, on_delete=models.CASCADE, related_name="evidence"
    )
    side = models.CharField(max_length=6, choices=EvidenceSide.choices)
    kind = models.CharField(max_length=5, choices=EvidenceKind.choices)
    file = models.FileField(upload_to="disputes/%Y/%m/", blank=True)
    url = models.URLField(max_length=1000, blank=True)
    text = models.TextField(blank=True, help_text="A chat excerpt's words, as they were when chosen.")
    message = models.ForeignKey(
        "conversations.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    excerpt_at = models.DateTimeField(null=True, blank=True, help_text="When the excerpted message was sent.")
    excerpt_sender = models.CharField(max_length=10, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["dispute", "side"])]


class ProtectionExtension(models.Model):
    """One extension of an order's buyer protection (R23): how many days, why, by whom, and the reply that told
    the buyer."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="protection_extensions")
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="protection_extensions")
    days = models.PositiveIntegerField()
    reason = models.CharField(max_length=300, blank=True)
    ends_before = models.DateTimeField()
    ends_after = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    message = models.ForeignKey(
        "conversations.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(days__gte=1), name="protection_extension_days_positive")
        ]
