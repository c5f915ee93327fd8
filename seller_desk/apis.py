"""Core APIs: the marketplace's order ingress and the seller token endpoint."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from conversations.apis import IngressAPIMixin
from conversations.serializers import BuyerInSerializer

from .errors import ApplicationError
from .models import OrderStatus
from .services import orders_upsert

MAX_ORDERS_PER_BATCH = 1000


class OrderInSerializer(serializers.Serializer):
    order_id = serializers.CharField(max_length=64)
    buyer = BuyerInSerializer()
    status = serializers.ChoiceField(choices=OrderStatus.choices)
    placed_at = serializers.DateTimeField()
    shipped_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    delivered_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    protection_ends_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    currency = serializers.RegexField(
        r"^[A-Za-z]{3}$", error_messages={"invalid": "Currency is a 3-letter ISO 4217 code."}
    )
    overseas_warehouse = serializers.BooleanField(required=False, default=False)
    coupon_code = serializers.CharField(
        max_length=64, required=False, allow_blank=True, allow_null=True, default=""
    )

    def validate(self, attrs):
        shipped, delivered, placed = attrs.get("shipped_at"), attrs.get("delivered_at"), attrs["placed_at"]
        if shipped and shipped < placed:
            raise serializers.ValidationError({"shipped_at": "An order cannot ship before it was placed."})
        if delivered and shipped and delivered < shipped:
            raise serializers.ValidationError(
                {"delivered_at": "An order cannot be delivered before it shipped."}
            )
        return attrs


class OrderBatchSerializer(serializers.Serializer):
    orders = OrderInSerializer(many=True, allow_empty=False, max_length=MAX_ORDERS_PER_BATCH)


class OrderBatchResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()


class IngressOrdersApi(IngressAPIMixin, APIView):
    @extend_schema(request=OrderBatchSerializer, responses={200: OrderBatchResultSerializer})
    def put(self, request):
        """Upsert up to 1,000 orders; a batch with one bad item is rejected whole, naming the item's index."""
        raw = request.data.get("orders") if isinstance(request.data, dict) else None
        if isinstance(raw, list) and len(raw) > MAX_ORDERS_PER_BATCH:
            raise ApplicationError(
                {"orders": f"At most {MAX_ORDERS_PER_BATCH} orders per batch (got {len(raw)})."}
            )
        payload = OrderBatchSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        result = orders_upsert(store=self.store, orders=payload.validated_data["orders"])
        return Response(result, status=status.HTTP_200_OK)


class TokenInSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"})


class TokenOutSerializer(serializers.Serializer):
    token = serializers.CharField()


class LoginRateThrottle(AnonRateThrottle):
    rate = "30/min"


class AuthTokenApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [LoginRateThrottle]

    @extend_schema(request=TokenInSerializer, responses={200: TokenOutSerializer})
    def post(self, request):
        from django.contrib.auth import authenticate

        payload = TokenInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        user = authenticate(
            request, username=payload.validated_data["username"], password=payload.validated_data["password"]
        )
        if user is None:
            raise ApplicationError({"password": "Unknown username or wrong password."})
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
