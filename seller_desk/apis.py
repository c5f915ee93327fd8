"""Core APIs: the marketplace's order ingress and the seller token endpoint."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from conversations.apis import IngressAPIMixin
from conversations.serializers import BuyerInSerializer

from .auth import StoreAPIMixin
from .errors import ApplicationError
from .models import DisputeAction, OrderStatus
from .selectors import dispute_get, dispute_list, order_get
from .services import dispute_open, dispute_respond, orders_upsert, protection_extend
from .validators import url_safe_id

MAX_ORDERS_PER_BATCH = 1000


class OrderInSerializer(serializers.Serializer):
    order_id = serializers.CharField(max_length=64, validators=[url_safe_id])
    buyer = BuyerInSerializer()
    status = serializers.ChoiceField(choices=OrderStatus.choices)
    placed_at = serializers.DateTimeField()
    # Optional fields have no default: one the marketplace leaves out keeps its stored value (null clears it).
    shipped_at = serializers.DateTimeField(required=False, allow_null=True)
    delivered_at = serializers.DateTimeField(required=False, allow_null=True)
    protection_ends_at = serializers.DateTimeField(required=False, allow_null=True)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    currency = serializers.RegexField(
        r"^[A-Za-z]{3}$", error_messages={"invalid": "Currency is a 3-letter ISO 4217 code."}
    )
    overseas_warehouse = serializers.BooleanField(required=False)
    coupon_code = serializers.CharField(max_length=64, required=False, allow_blank=True, allow_null=True)

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


class IngressDisputeInSerializer(serializers.Serializer):
    dispute_id = serializers.CharField(max_length=64, validators=[url_safe_id])
    order_id = serializers.CharField(max_length=64, validators=[url_safe_id])
    opened_at = serializers.DateTimeField()
    reason = serializers.CharField(max_length=200)
    refund_amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    return_goods = serializers.BooleanField(default=False)
    description = serializers.CharField(allow_blank=True, required=False, default="", max_length=5000)


class DisputeOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    dispute_id = serializers.CharField(source="external_id")
    order_id = serializers.CharField(source="order.external_id")
    conversation_id = serializers.IntegerField(allow_null=True)
    status = serializers.CharField()
    opened_at = serializers.DateTimeField()
    escalates_at = serializers.DateTimeField()
    reason = serializers.CharField()
    refund_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    return_goods = serializers.BooleanField()
    description = serializers.CharField()


class IngressDisputesApi(IngressAPIMixin, APIView):
    @extend_schema(
        request=IngressDisputeInSerializer, responses={201: DisputeOutSerializer, 200: DisputeOutSerializer}
    )
    def post(self, request):
        """Open a dispute; 400 outside the window (6 days after shipment until protection ends)."""
        payload = IngressDisputeInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        dispute, created = dispute_open(store=self.store, **payload.validated_data)
        return Response(DisputeOutSerializer(dispute).data, status=201 if created else 200)


class DisputeListApi(StoreAPIMixin, APIView):
    @extend_schema(responses=DisputeOutSerializer(many=True))
    def get(self, request):
        disputes = dispute_list(store=self.store, status=request.query_params.get("status") or None)
        return Response(DisputeOutSerializer(disputes, many=True).data)


class DisputeResponseInSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=DisputeAction.choices)
    text = serializers.CharField(max_length=5000)
    refund_amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True, min_value=0
    )
    image = serializers.FileField(required=False, allow_empty_file=False)


class DisputeResponseOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    action = serializers.CharField()
    refund_amount = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    message_id = serializers.IntegerField()
    dispute_status = serializers.CharField(source="dispute.status")


class DisputeResponsesApi(StoreAPIMixin, APIView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(request=DisputeResponseInSerializer, responses={201: DisputeResponseOutSerializer})
    def post(self, request, dispute_id: int):
        dispute = dispute_get(store=self.store, dispute_id=dispute_id)
        payload = DisputeResponseInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        response = dispute_respond(dispute=dispute, acting_user=request.user, **payload.validated_data)
        return Response(DisputeResponseOutSerializer(response).data, status=201)


class ProtectionExtensionInSerializer(serializers.Serializer):
    days = serializers.IntegerField()


class ProtectionExtensionOutSerializer(serializers.Serializer):
    order_id = serializers.CharField(source="external_id")
    protection_ends_at = serializers.DateTimeField()


class ProtectionExtensionsApi(StoreAPIMixin, APIView):
    @extend_schema(request=ProtectionExtensionInSerializer, responses={201: ProtectionExtensionOutSerializer})
    def post(self, request, order_id: str):
        """Extend an order's buyer-protection period (R23)."""
        order = order_get(store=self.store, external_id=order_id)
        payload = ProtectionExtensionInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        order = protection_extend(
            store=self.store, order=order, days=payload.validated_data["days"], acting_user=request.user
        )
        return Response(ProtectionExtensionOutSerializer(order).data, status=201)
