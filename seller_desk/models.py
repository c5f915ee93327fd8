"""Tenancy core (Store, Membership) and the marketplace's facts: buyers, orders, disputes."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q


def default_store_timezone() -> str:
    return settings.SELLER_DESK["DEFAULT_STORE_TIMEZONE"]


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def new_integration_token() -> str:
    return "sdi_" + secrets.token_urlsafe(32)


class StoreTier(models.TextChoices):
    BASIC = "basic", "Basic"
    ADVANCED = "advanced", "Advanced"
    HIGH_POTENTIAL = "high_potential", "High potential"
    WAIST = "waist", "Waist"


class Store(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    tier = models.CharField(max_length=20, choices=StoreTier.choices, default=StoreTier.BASIC)
    timezone = models.CharField(max_length=64, default=default_store_timezone)
    resume_shipping_date = models.DateField(
        null=True, blank=True, help_text="The date the store can ship again; coupons start the day after."
    )
    integration_token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class MemberRole(models.TextChoices):
    OWNER = "owner", "Owner"
    AGENT = "agent", "Agent"


class Membership(models.Model):
    """A user works for exactly one store, as owner or agent."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=MemberRole.choices)

    def __str__(self) -> str:
        return f"{self.user} @ {self.store} ({self.role})"


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
    AWAITING_PAYMENT = "awaiting_payment", "Awaiting payment"
    AWAITING_SHIPMENT = "awaiting_shipment", "Awaiting shipment"
    PARTIALLY_SHIPPED = "partially_shipped", "Partially shipped"
    IN_TRANSIT = "in_transit", "In transit"
    DELIVERED = "delivered", "Delivered"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


class Order(models.Model):
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="orders")
    buyer = models.ForeignKey(Buyer, on_delete=models.CASCADE, related_name="orders")
    external_id = models.CharField(max_length=64, help_text="The marketplace's order id.")
    status = models.CharField(max_length=20, choices=OrderStatus.choices)
    placed_at = models.DateTimeField()
    shipped_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    protection_ends_at = models.DateTimeField(null=True, blank=True)
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
        indexes = [models.Index(fields=["store", "placed_at"]), models.Index(fields=["store", "status"])]

    def __str__(self) -> str:
        return self.external_id


class OrderEvent(models.Model):
    """Things people ask about later (protection extended, dispute answered), with the actor."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="order_events")
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=40)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)


class DisputeStatus(models.TextChoices):
    OPEN = "open", "Open"
    AGREED = "agreed", "Agreed"
    ESCALATED = "escalated", "Escalated to the platform"
    CLOSED = "closed", "Closed"


class Dispute(models.Model):
    """A buyer's dispute on an order (R22); its conversation is the inbox side (channel dispute)."""

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

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["store", "external_id"], name="dispute_unique_per_store"),
            models.CheckConstraint(condition=Q(refund_amount__gte=0), name="dispute_refund_not_negative"),
        ]
        indexes = [models.Index(fields=["status", "escalates_at"])]

    def __str__(self) -> str:
        return self.external_id


class DisputeAction(models.TextChoices):
    AGREE = "agree", "Agree to the buyer's request"
    PROPOSE = "propose", "Propose another refund"
    REJECT = "reject", "Reject with evidence"


class DisputeResponse(models.Model):
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="dispute_responses")
    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="responses")
    action = models.CharField(max_length=10, choices=DisputeAction.choices)
    refund_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    message = models.OneToOneField(
        "conversations.Message", on_delete=models.CASCADE, related_name="dispute_response"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
