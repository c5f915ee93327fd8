"""DDWL targeted store coupons, their grants to buyers, redemptions and the coupon's event log."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from seller_desk.models import Buyer, Order, Store

FIXED_NAME_PREFIX = "DDWL"


class CouponStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    ENDED = "ended", _("Ended")


class Distribution(models.TextChoices):
    TARGETED_DIRECT = "targeted_direct", _("Targeted – direct distribution")


class Scope(models.TextChoices):
    STORE = "store", _("Whole store")


class GrantSource(models.TextChoices):
    REPLY = "reply", _("Agent reply")
    CAMPAIGN = "campaign", _("Batch send")
    AUTOREPLY = "autoreply", _("Auto-reply")
    ADMIN = "admin", _("Admin")


class Coupon(models.Model):
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="coupons")
    name_suffix = models.CharField(
        max_length=100, help_text='The merchant part; the name is "DDWL" + this, and never stores the prefix.'
    )
    code = models.CharField(
        max_length=32,
        help_text="What buyers' orders carry as coupon_code; unique in the store, e.g. DDWL-7KQ2-M9XA.",
    )
    distribution = models.CharField(
        max_length=20, choices=Distribution.choices, default=Distribution.TARGETED_DIRECT
    )
    scope = models.CharField(max_length=20, choices=Scope.choices, default=Scope.STORE, editable=False)
    denomination = models.DecimalField(max_digits=10, decimal_places=2)
    threshold = models.DecimalField(
        max_digits=10, decimal_places=2, default=0, help_text="0 means no threshold."
    )
    currency = models.CharField(max_length=3, default="USD")
    quantity = models.PositiveIntegerField()
    granted_count = models.PositiveIntegerField(default=0)
    activity_start = models.DateField()
    activity_end = models.DateField()
    valid_from = models.DateField()
    valid_until = models.DateField()
    status = models.CharField(max_length=10, choices=CouponStatus.choices, default=CouponStatus.ACTIVE)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(granted_count__lte=F("quantity")), name="coupon_grants_within_quantity"
            ),
            models.CheckConstraint(condition=Q(denomination__gt=0), name="coupon_denomination_positive"),
            models.CheckConstraint(condition=Q(threshold__gte=0), name="coupon_threshold_not_negative"),
            models.CheckConstraint(
                condition=Q(threshold=0) | Q(denomination__lt=F("threshold")),
                name="coupon_denomination_below_threshold",
            ),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="coupon_quantity_positive"),
            models.CheckConstraint(
                condition=Q(activity_end__gte=F("activity_start")),
                name="coupon_activity_end_not_before_start",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__gt=F("valid_from")), name="coupon_valid_until_after_from"
            ),
            models.UniqueConstraint(fields=["store", "code"], name="coupon_code_unique_per_store"),
        ]
        indexes = [models.Index(fields=["store", "status"])]

    @property
    def name(self) -> str:
        return f"{FIXED_NAME_PREFIX}{self.name_suffix}"

    @property
    def name_prefix(self) -> str:
        return FIXED_NAME_PREFIX

    def __str__(self) -> str:
        return self.name


class CouponGrant(models.Model):
    """One coupon given to one buyer (the grant is its own event row: who, how, when)."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="coupon_grants")
    coupon = models.ForeignKey(Coupon, on_delete=models.CASCADE, related_name="grants")
    buyer = models.ForeignKey(Buyer, on_delete=models.CASCADE, related_name="coupon_grants")
    source = models.CharField(max_length=20, choices=GrantSource.choices, default=GrantSource.REPLY)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["coupon", "buyer"], name="one_grant_per_buyer")]
        indexes = [models.Index(fields=["coupon", "granted_at"])]


class CouponRedemption(models.Model):
    """An order that used a coupon its buyer was granted; one order per grant."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="coupon_redemptions")
    coupon = models.ForeignKey(Coupon, on_delete=models.CASCADE, related_name="redemptions")
    grant = models.OneToOneField(CouponGrant, null=True, on_delete=models.CASCADE, related_name="redemption")
    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="coupon_redemption")
    redeemed_at = models.DateTimeField()
    order_amount = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        indexes = [models.Index(fields=["coupon", "redeemed_at"])]
