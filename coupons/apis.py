"""Coupon APIs: set-up (owners), the list and effect report (every member), the quantity suggestion."""

from decimal import Decimal

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from seller_desk.auth import StoreAPIMixin, owner_writes
from seller_desk.selectors import store_local_date

from . import selectors, services
from .models import Coupon, CouponStatus, Distribution, Scope

CENTS = Decimal("0.01")


OwnerWrites = owner_writes(gettext_lazy("Only the store owner may set up or edit coupons."))


class CouponInSerializer(serializers.Serializer):
    name = serializers.CharField(
        required=False,
        max_length=200,
        trim_whitespace=False,
        help_text='The whole name; must start with "DDWL". Prefer name_suffix.',
    )
    name_suffix = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        trim_whitespace=False,
        help_text='Your part of the name, after the fixed "DDWL".',
    )
    distribution = serializers.ChoiceField(choices=Distribution.choices, required=False)
    scope = serializers.ChoiceField(choices=Scope.choices, required=False)
    denomination = serializers.DecimalField(max_digits=10, decimal_places=2, required=False)
    threshold = serializers.DecimalField(
        max_digits=10, decimal_places=2, required=False, help_text="0 (default) means no threshold."
    )
    currency = serializers.CharField(required=False, max_length=16, help_text="ISO 4217, default USD.")
    quantity = serializers.IntegerField(required=False)
    activity_start = serializers.DateField(
        required=False, allow_null=True, help_text="Default: store-local today."
    )
    activity_end = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="Default and latest: the longest activity the platform allows.",
    )
    valid_from = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="Default and earliest: the day after the store can ship again.",
    )
    valid_until = serializers.DateField(required=False, allow_null=True, help_text="Required on create.")
    status = serializers.ChoiceField(choices=CouponStatus.choices, required=False)


class CouponWarningSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class CouponOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    name_prefix = serializers.CharField()
    name_suffix = serializers.CharField()
    code = serializers.CharField(help_text="What orders carry as coupon_code when a buyer uses the coupon.")
    distribution = serializers.CharField()
    scope = serializers.CharField()
    denomination = serializers.DecimalField(max_digits=10, decimal_places=2)
    threshold = serializers.DecimalField(max_digits=10, decimal_places=2)
    currency = serializers.CharField()
    quantity = serializers.IntegerField()
    granted = serializers.IntegerField()
    remaining = serializers.IntegerField()
    redeemed = serializers.IntegerField()
    redemption_rate = serializers.FloatField(
        allow_null=True, help_text="redeemed ÷ granted; null before any grant."
    )
    redeemed_value = serializers.DecimalField(max_digits=14, decimal_places=2)
    activity_start = serializers.DateField()
    activity_end = serializers.DateField()
    valid_from = serializers.DateField()
    valid_until = serializers.DateField()
    status = serializers.ChoiceField(choices=CouponStatus.choices)
    status_label = serializers.CharField()
    sold_out = serializers.BooleanField()
    attachable = serializers.BooleanField()
    discount_rate = serializers.FloatField(allow_null=True)
    discount_basis = serializers.ChoiceField(choices=["threshold", "average_order_value", "none"])
    average_order_value = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    warnings = CouponWarningSerializer(many=True)
    created_at = serializers.DateTimeField()


class CouponDayCountSerializer(serializers.Serializer):
    date = serializers.DateField()
    granted = serializers.IntegerField()
    redeemed = serializers.IntegerField()


class CouponEventSerializer(serializers.Serializer):
    kind = serializers.CharField()
    actor = serializers.CharField(allow_null=True)
    data = serializers.JSONField()
    created_at = serializers.DateTimeField()


class CouponDetailSerializer(CouponOutSerializer):
    daily = CouponDayCountSerializer(many=True)
    events = CouponEventSerializer(many=True)


class QuantitySuggestionSerializer(serializers.Serializer):
    orders_since = serializers.DateField()
    orders = serializers.IntegerField()
    factor = serializers.DecimalField(max_digits=6, decimal_places=2)
    suggested = serializers.IntegerField()


def coupon_out(coupon: Coupon, *, averages: dict | None = None, today=None) -> dict:
    """The API shape of one coupon (``coupon`` comes from ``selectors.coupon_list``/``coupon_get``)."""
    state = selectors.coupon_state(coupon, today=today)
    guidance = selectors.coupon_guidance(
        store=coupon.store,
        denomination=coupon.denomination,
        threshold=coupon.threshold,
        currency=coupon.currency,
        average_order_values=averages,
    )
    rate = selectors.redemption_rate(coupon)
    return {
        "id": coupon.pk,
        "name": coupon.name,
        "name_prefix": coupon.name_prefix,
        "name_suffix": coupon.name_suffix,
        "code": coupon.code,
        "distribution": coupon.distribution,
        "scope": coupon.scope,
        "denomination": coupon.denomination,
        "threshold": coupon.threshold,
        "currency": coupon.currency,
        "quantity": coupon.quantity,
        "granted": coupon.granted_count,
        "remaining": coupon.quantity - coupon.granted_count,
        "redeemed": coupon.redeemed_n,
        "redemption_rate": None if rate is None else float(rate),
        "redeemed_value": Decimal(coupon.redeemed_value_sum or 0).quantize(CENTS),
        "activity_start": coupon.activity_start,
        "activity_end": coupon.activity_end,
        "valid_from": coupon.valid_from,
        "valid_until": coupon.valid_until,
        "status": state.status,
        "status_label": state.label,
        "sold_out": state.sold_out,
        "attachable": state.attachable,
        "discount_rate": None if guidance.discount_rate is None else float(guidance.discount_rate),
        "discount_basis": guidance.basis,
        "average_order_value": guidance.average_order_value,
        "warnings": guidance.warnings,
        "created_at": coupon.created_at,
    }


def coupon_detail_out(coupon: Coupon) -> dict:
    data = coupon_out(coupon)
    data["daily"] = [
        {"date": d.day, "granted": d.granted, "redeemed": d.redeemed}
        for d in selectors.coupon_daily(coupon=coupon)
    ]
    data["events"] = [
        {
            "kind": e.action,
            "actor": e.actor.username if e.actor else None,
            "data": e.details,
            "created_at": e.created_at,
        }
        for e in selectors.coupon_events(coupon=coupon)
    ]
    return data


class CouponListApi(StoreAPIMixin, APIView):
    permission_classes = [*StoreAPIMixin.permission_classes, OwnerWrites]

    @extend_schema(responses=CouponOutSerializer(many=True))
    def get(self, request):
        averages = selectors.average_order_values(store=self.store)
        today = store_local_date(self.store)
        coupons = selectors.coupon_list(store=self.store)
        return Response(
            CouponOutSerializer(
                [coupon_out(c, averages=averages, today=today) for c in coupons], many=True
            ).data
        )

    @extend_schema(request=CouponInSerializer, responses={201: CouponOutSerializer})
    def post(self, request):
        """Set up a DDWL coupon (owner only). The response carries the discount rate and R12's warnings."""
        payload = CouponInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        values = dict(payload.validated_data)
        new_status = values.pop("status", CouponStatus.ACTIVE)
        coupon = services.coupon_create(
            store=self.store, acting_user=request.user, values=values, status=new_status
        )
        fresh = selectors.coupon_get(store=self.store, coupon_id=coupon.pk)
        return Response(CouponOutSerializer(coupon_out(fresh)).data, status=status.HTTP_201_CREATED)


class CouponDetailApi(StoreAPIMixin, APIView):
    permission_classes = [*StoreAPIMixin.permission_classes, OwnerWrites]

    @extend_schema(responses=CouponDetailSerializer)
    def get(self, request, coupon_id: int):
        coupon = selectors.coupon_get(store=self.store, coupon_id=coupon_id)
        return Response(CouponDetailSerializer(coupon_detail_out(coupon)).data)

    @extend_schema(request=CouponInSerializer, responses=CouponDetailSerializer)
    def patch(self, request, coupon_id: int):
        """Edit (owner only). Once buyers hold the coupon, only the name, quantity (not below the granted count),
        activity end and a later valid_until may change; ``status`` moves draft → active → ended."""
        coupon = selectors.coupon_get(store=self.store, coupon_id=coupon_id)
        payload = CouponInSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        services.coupon_update(coupon=coupon, acting_user=request.user, changes=dict(payload.validated_data))
        fresh = selectors.coupon_get(store=self.store, coupon_id=coupon_id)
        return Response(CouponDetailSerializer(coupon_detail_out(fresh)).data)


class CouponSuggestedQuantityApi(StoreAPIMixin, APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "orders_since", str, required=True, description="YYYY-MM-DD, e.g. the guide's January 20"
            )
        ],
        responses=QuantitySuggestionSerializer,
    )
    def get(self, request):
        """R13: orders the store received since the date, enlarged by COUPON_QUANTITY_FACTOR, rounded up."""
        s = selectors.coupon_quantity_suggestion(
            store=self.store, orders_since=request.query_params.get("orders_since")
        )
        return Response(
            QuantitySuggestionSerializer(
                {
                    "orders_since": s.orders_since,
                    "orders": s.orders,
                    "factor": s.factor,
                    "suggested": s.suggested,
                }
            ).data
        )
