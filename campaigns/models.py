"""Buyer-session batch sends: customer groups, campaigns, one row per recipient, the store's daily quota.

The limits live in the database: one recipient row per campaign and buyer, one campaign push per buyer per
store-local day, and a daily quota row per store whose ``used`` can never pass its ``cap``.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from seller_desk.models import Buyer, Store


class CustomerGroup(models.Model):
    """A named set of the store's buyers (the seed's "customer grouping"), reused by campaigns (R4)."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="customer_groups")
    name = models.CharField(max_length=100)
    buyers = models.ManyToManyField(Buyer, related_name="customer_groups", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["store", "name"], name="customer_group_name_unique")]

    def __str__(self) -> str:
        return self.name


class Scenario(models.TextChoices):
    RETENTION = "retention", _("Order / user retention")
    REMINDER = "reminder", _("Reminder (daily sales and promotions)")


class CrowdMethod(models.TextChoices):
    CONDITIONS = "conditions", _("Buyers with orders in a date range")
    GROUPS = "groups", _("Customer groups")


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    SENDING = "sending", _("Sending")
    PAUSED = "paused", _("Paused")
    CANCELLED = "cancelled", _("Cancelled")
    DONE = "done", _("Done")


TRANSACTIONS_MIN = 1
TRANSACTIONS_MAX = 99999


class Campaign(models.Model):
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="campaigns")
    name = models.CharField(max_length=100)
    scenario = models.CharField(max_length=10, choices=Scenario.choices, default=Scenario.RETENTION)
    crowd_method = models.CharField(
        max_length=10, choices=CrowdMethod.choices, default=CrowdMethod.CONDITIONS
    )
    # Method 1 (R3): store-local order dates, inclusive.
    orders_from = models.DateField(null=True, blank=True)
    orders_to = models.DateField(null=True, blank=True)
    unshipped_only = models.BooleanField(default=False)
    transactions_min = models.PositiveIntegerField(default=TRANSACTIONS_MIN)
    transactions_max = models.PositiveIntegerField(default=TRANSACTIONS_MAX)
    # Method 2 (R4).
    groups = models.ManyToManyField(CustomerGroup, related_name="campaigns", blank=True)
    countries_include = models.JSONField(
        default=list, blank=True, help_text="ISO alpha-2 codes; empty = all."
    )
    countries_exclude = models.JSONField(default=list, blank=True, help_text="ISO alpha-2 codes.")
    # Content (R7-R9).
    text = models.TextField(blank=True, help_text="English base text.")
    variants = models.JSONField(
        default=dict, blank=True, help_text="{language: text}; the buyer's locale picks."
    )
    image = models.ImageField(upload_to="campaigns/%Y/%m/", blank=True)
    coupon = models.ForeignKey(
        "coupons.Coupon", null=True, blank=True, on_delete=models.RESTRICT, related_name="campaigns"
    )
    status = models.CharField(max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT)
    start_on = models.DateField(null=True, blank=True, help_text="Store-local day the sending starts.")
    identified_count = models.PositiveIntegerField(null=True, blank=True)
    identified_at = models.DateTimeField(null=True, blank=True)
    last_window_start = models.DateField(null=True, blank=True)
    last_window_end = models.DateField(null=True, blank=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(transactions_min__gte=TRANSACTIONS_MIN)
                & Q(transactions_max__lte=TRANSACTIONS_MAX)
                & Q(transactions_min__lte=F("transactions_max")),
                name="campaign_transactions_in_range",
            ),
            models.CheckConstraint(
                condition=Q(orders_from__isnull=True)
                | Q(orders_to__isnull=True)
                | Q(orders_to__gte=F("orders_from")),
                name="campaign_orders_to_not_before_from",
            ),
        ]
        indexes = [models.Index(fields=["store", "status"])]

    def __str__(self) -> str:
        return self.name

    @property
    def last_window(self) -> dict | None:
        if self.last_window_start is None:
            return None
        return {"from": self.last_window_start, "to": self.last_window_end}


class RecipientStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    SKIPPED = "skipped", _("Skipped")
    FAILED = "failed", _("Failed")


class CampaignRecipient(models.Model):
    """One row per campaign and buyer: the unit of work a batch claims, sends once, and records."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="campaign_recipients")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="recipients")
    buyer = models.ForeignKey(Buyer, on_delete=models.CASCADE, related_name="campaign_receipts")
    status = models.CharField(max_length=10, choices=RecipientStatus.choices, default=RecipientStatus.PENDING)
    window_start = models.DateField(
        null=True, blank=True, help_text="First day of the buyer's 2-day order-date window (R5)."
    )
    order_placed_at = models.DateTimeField(
        null=True, blank=True, help_text="The buyer's oldest qualifying order: longest-waiting first."
    )
    reason = models.CharField(max_length=300, blank=True)
    send_day = models.DateField(null=True, blank=True, help_text="Store-local day the push went out.")
    sent_at = models.DateTimeField(null=True, blank=True)
    message = models.ForeignKey(
        "conversations.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "buyer"], name="campaign_recipient_once"),
            models.UniqueConstraint(
                fields=["buyer", "send_day"],
                condition=Q(send_day__isnull=False),
                name="campaign_push_once_per_buyer_day",
            ),
        ]
        indexes = [
            models.Index(fields=["campaign", "status", "window_start", "order_placed_at", "id"]),
            models.Index(fields=["store", "send_day"]),
        ]


class StoreDailyQuota(models.Model):
    """Batch messages a store sent on one store-local day (R1); ``used`` never passes ``cap``."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="daily_quotas")
    day = models.DateField()
    cap = models.PositiveIntegerField()
    used = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["store", "day"], name="daily_quota_per_store_day"),
            models.CheckConstraint(condition=Q(used__lte=F("cap")), name="daily_quota_used_within_cap"),
        ]
