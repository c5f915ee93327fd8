"""DDWL targeted store coupons, their grants to buyers and redemptions."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from seller_desk.models import Buyer, Order, Store

FIXED_NAME_PREFIX = "DDWL"


class CouponStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    ENDED = "ended", "Ended"


class Distribution(models.TextChoices):
    TARGETED_DIRECT = "targeted_direct", "Targeted – direct distribution"


class Coupon(models.Model):
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="coupons")
    name_suffix = models.CharField(max_length=100, help_text='The merchant part; the name is "DDWL" + this.')
    distribution = models.CharField(
        max_length=20, choices=Distribution.choices, default=Distribution.TARGETED_DIRECT
    )
    scope = models.CharField(max_length=20, default="store", editable=False)
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
        ]

    @property
    def name(self) -> str:
        return f"{FIXED_NAME_PREFIX}{self.name_suffix}"

    def __str__(self) -> str:
        return self.name


class CouponGrant(models.Model):
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="coupon_grants")
    coupon = models.ForeignKey(Coupon, on_delete=models.CASCADE, related_name="grants")
    buyer = models.ForeignKey(Buyer, on_delete=models.CASCADE, related_name="coupon_grants")
    source = models.CharField(max_length=20, default="reply")
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["coupon", "buyer"], name="one_grant_per_buyer")]


class CouponRedemption(models.Model):
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="coupon_redemptions")
    coupon = models.ForeignKey(Coupon, on_delete=models.CASCADE, related_name="redemptions")
    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="coupon_redemption")
    redeemed_at = models.DateTimeField()
    order_amount = models.DecimalField(max_digits=12, decimal_places=2)
