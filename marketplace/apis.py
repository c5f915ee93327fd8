"""The marketplace's calls into the desk (integration token): orders, buyer messages, disputes, keyword taps,
and the buyer's chat as the marketplace shows it."""

from django.utils.translation import gettext, gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from autoreply.services import card_click_answer
from conversations.models import Channel
from conversations.selectors import buyer_chat_messages
from conversations.serializers import MessageSerializer
from seller_desk.apis import DisputeOutSerializer
from seller_desk.auth import IngressAPIMixin
from seller_desk.errors import ApplicationError
from seller_desk.models import OrderStatus
from seller_desk.selectors import buyer_get
from seller_desk.serializers import BuyerInSerializer, FieldsBuiltOnce
from seller_desk.validators import url_safe_id

from . import services

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
        r"^[A-Za-z]{3}$", error_messages={"invalid": gettext_lazy("Currency is a 3-letter ISO 4217 code.")}
    )
    overseas_warehouse = serializers.BooleanField(required=False)
    coupon_code = serializers.CharField(max_length=64, required=False, allow_blank=True, allow_null=True)

    def validate(self, attrs):
        shipped, delivered, placed = attrs.get("shipped_at"), attrs.get("delivered_at"), attrs["placed_at"]
        if shipped and shipped < placed:
            raise serializers.ValidationError(
                {"shipped_at": gettext("An order cannot ship before it was placed.")}
            )
        if delivered and shipped and delivered < shipped:
            raise serializers.ValidationError(
                {"delivered_at": gettext("An order cannot be delivered before it shipped.")}
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
                {
                    "orders": gettext("At most %(MAX_ORDERS_PER_BATCH)s orders per batch (got %(value)s).")
                    % {"MAX_ORDERS_PER_BATCH": MAX_ORDERS_PER_BATCH, "value": len(raw)}
                }
            )
        payload = OrderBatchSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        result = services.orders_ingest(store=self.store, orders=payload.validated_data["orders"])
        return Response(result, status=status.HTTP_200_OK)


class IngressMessageSerializer(FieldsBuiltOnce, serializers.Serializer):
    message_id = serializers.CharField(max_length=64, validators=[url_safe_id])
    buyer = BuyerInSerializer()
    order_id = serializers.CharField(
        max_length=64, required=False, allow_blank=True, allow_null=True, validators=[url_safe_id]
    )
    channel = serializers.ChoiceField(choices=[Channel.MESSAGE, Channel.CHAT, Channel.COMMENT])
    text = serializers.CharField(allow_blank=True, max_length=10000, required=False, default="")
    sent_at = serializers.DateTimeField()
    image = serializers.FileField(required=False, allow_empty_file=False)


class IngressMessageResultSerializer(serializers.Serializer):
    conversation_id = serializers.IntegerField()
    message_id = serializers.CharField()
    auto_replies = MessageSerializer(many=True)


class IngressMessageApi(IngressAPIMixin, APIView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    # Read by every buyer message (auto-reply, auto-assignment): joined to the token's store query.
    store_select_related = ("autoreply_settings", "inbox_settings")

    @extend_schema(
        request=IngressMessageSerializer,
        responses={201: IngressMessageResultSerializer, 200: IngressMessageResultSerializer},
        description="201 when the message is new; the same message_id again is 200 with the same body.",
    )
    def post(self, request):
        payload = IngressMessageSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        result = services.message_ingest(
            store=self.store,
            message_id=data["message_id"],
            buyer=data["buyer"],
            order_id=data.get("order_id") or None,
            channel=data["channel"],
            text=data.get("text", ""),
            sent_at=data["sent_at"],
            image=data.get("image"),
        )
        body = {  # IngressMessageResultSerializer's shape, built directly: this is the hottest write path
            "conversation_id": result.conversation.pk,
            "message_id": result.message.external_id,
            "auto_replies": MessageSerializer(
                result.auto_replies, many=True, context={"request": request}
            ).data
            if result.auto_replies
            else [],  # auto-reply off or not due: no serializer to build
        }
        return Response(body, status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK)


class IngressBuyerMessagesApi(IngressAPIMixin, APIView):
    @extend_schema(responses=MessageSerializer(many=True))
    def get(self, request, buyer_id: str):
        messages = buyer_chat_messages(store=self.store, buyer_external_id=buyer_id)
        return Response(MessageSerializer(messages, many=True, context={"request": request}).data)


class IngressDisputeInSerializer(serializers.Serializer):
    dispute_id = serializers.CharField(max_length=64, validators=[url_safe_id])
    order_id = serializers.CharField(max_length=64, validators=[url_safe_id])
    opened_at = serializers.DateTimeField()
    reason = serializers.CharField(max_length=200)
    refund_amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    return_goods = serializers.BooleanField(default=False)
    description = serializers.CharField(allow_blank=True, required=False, default="", max_length=5000)
    evidence = serializers.ListField(
        child=serializers.FileField(allow_empty_file=False),
        required=False,
        max_length=10,
        help_text="Multipart: photos (JPG/PNG, 5 MB) and videos (MP4/WebM), repeated `evidence` parts; "
        "checked by content.",
    )
    evidence_urls = serializers.ListField(
        child=serializers.URLField(max_length=1000),
        required=False,
        max_length=10,
        help_text="Photos or videos the marketplace hosts (shown as links).",
    )
    chat_excerpts = serializers.ListField(
        child=serializers.CharField(max_length=2000),
        required=False,
        max_length=20,
        help_text="Lines the buyer quoted from their chat with the seller.",
    )


class IngressDisputesApi(IngressAPIMixin, APIView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        request={
            "application/json": IngressDisputeInSerializer,
            "multipart/form-data": IngressDisputeInSerializer,
        },
        responses={201: DisputeOutSerializer, 200: DisputeOutSerializer},
    )
    def post(self, request):
        """Open a dispute; 400 outside the window (6 days after shipment until protection ends). Multipart adds
        `evidence` files; `evidence_urls` and `chat_excerpts` work in JSON and multipart."""
        data = request.data
        if hasattr(data, "getlist"):
            data = {
                key: data.get(key)
                for key in data
                if key not in ("evidence", "evidence_urls", "chat_excerpts")
            }
            data["evidence"] = request.FILES.getlist("evidence")
            data["evidence_urls"] = request.data.getlist("evidence_urls")
            data["chat_excerpts"] = request.data.getlist("chat_excerpts")
        payload = IngressDisputeInSerializer(data=data)
        payload.is_valid(raise_exception=True)
        dispute, created = services.dispute_open(store=self.store, **payload.validated_data)
        return Response(DisputeOutSerializer(dispute).data, status=201 if created else 200)


class CardClickInSerializer(serializers.Serializer):
    buyer_id = serializers.CharField(max_length=64, validators=[url_safe_id])
    keyword_id = serializers.IntegerField()


class IngressCardClickApi(IngressAPIMixin, APIView):
    @extend_schema(request=CardClickInSerializer, responses={201: MessageSerializer})
    def post(self, request):
        payload = CardClickInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        buyer = buyer_get(store=self.store, external_id=data["buyer_id"])
        message = card_click_answer(store=self.store, buyer=buyer, keyword_id=data["keyword_id"])
        return Response(
            MessageSerializer(message, context={"request": request}).data, status=status.HTTP_201_CREATED
        )
