"""Conversation APIs: the seller's conversations, replies and dispute responses."""

from django.db import IntegrityError
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from seller_desk.auth import StoreAPIMixin
from seller_desk.errors import ApplicationError
from seller_desk.models import DisputeAction
from seller_desk.selectors import dispute_get

from . import selectors, services
from .serializers import (
    ConversationDetailSerializer,
    ConversationSerializer,
    MessageSerializer,
    ReplyInSerializer,
)


class ConversationListApi(StoreAPIMixin, APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("queue", str, enum=list(selectors.QUEUES)),
            OpenApiParameter("channel", str),
            OpenApiParameter("language", str),
        ],
        responses=ConversationSerializer(many=True),
    )
    def get(self, request):
        qs = selectors.conversation_list(
            store=self.store,
            queue=request.query_params.get("queue", "needs_reply"),
            channel=request.query_params.get("channel") or None,
            language=request.query_params.get("language") or None,
        )
        raw_limit = request.query_params.get("limit") or "200"
        if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= 1000:
            raise ApplicationError({"limit": "limit is a whole number from 1 to 1000."})
        limit = int(raw_limit)
        return Response(ConversationSerializer(qs[:limit], many=True).data)


class ConversationDetailApi(StoreAPIMixin, APIView):
    @extend_schema(responses=ConversationDetailSerializer)
    def get(self, request, conversation_id: int):
        conversation = selectors.conversation_with_messages(store=self.store, conversation_id=conversation_id)
        return Response(ConversationDetailSerializer(conversation, context={"request": request}).data)


class ConversationReplyApi(StoreAPIMixin, APIView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        request=ReplyInSerializer,
        responses={201: MessageSerializer},
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                required=False,
                description="Optional, 1 to 100 of [A-Za-z0-9-_.:]. A retry with the same key answers the reply "
                "already sent (201, Idempotent-Replayed: true) and sends nothing again.",
            )
        ],
    )
    def post(self, request, conversation_id: int):
        conversation = selectors.conversation_get(store=self.store, conversation_id=conversation_id)
        key = services.idempotency_key_check(request.headers.get("Idempotency-Key"))
        replayed = services.reply_replay(
            conversation=conversation, acting_user=request.user, idempotency_key=key
        )
        if replayed is not None:
            return self._created(request, replayed, replayed=True)
        payload = ReplyInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        text, language = data.get("text", ""), data.get("language", "")
        if data.get("scenario") and not text:
            rendered = selectors.reply_text_for_conversation(
                store=self.store,
                conversation=conversation,
                code=data["scenario"],
                language=language or None,
                variables=data.get("variables") or {},
            )
            text, language = rendered.text, rendered.language
        try:
            message = services.reply_send(
                conversation=conversation,
                acting_user=request.user,
                text=text,
                language=language or conversation.language,
                image=data.get("image"),
                coupon_id=data.get("coupon_id"),
                idempotency_key=key,
            )
        except IntegrityError:
            # The same key raced in from a parallel retry that committed first: answer what it sent.
            replayed = services.reply_replay(
                conversation=conversation, acting_user=request.user, idempotency_key=key
            )
            if replayed is None:
                raise
            return self._created(request, replayed, replayed=True)
        return self._created(request, message)

    def _created(self, request, message, replayed: bool = False) -> Response:
        response = Response(
            MessageSerializer(message, context={"request": request}).data, status=status.HTTP_201_CREATED
        )
        if replayed:
            response["Idempotent-Replayed"] = "true"
        return response


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
        response = services.dispute_respond(
            dispute=dispute, acting_user=request.user, **payload.validated_data
        )
        return Response(DisputeResponseOutSerializer(response).data, status=201)
