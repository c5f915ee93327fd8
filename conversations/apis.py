"""Conversation APIs: marketplace ingress of messages and the seller's conversations and replies."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from seller_desk.auth import IntegrationTokenAuthentication, IsMarketplace, StoreAPIMixin
from seller_desk.errors import ApplicationError

from . import selectors, services
from .serializers import (
    ConversationDetailSerializer,
    ConversationSerializer,
    IngressMessageResultSerializer,
    IngressMessageSerializer,
    MessageSerializer,
    ReplyInSerializer,
)


class IngressAPIMixin:
    authentication_classes = [IntegrationTokenAuthentication]
    permission_classes = [IsAuthenticated, IsMarketplace]

    @property
    def store(self):
        return self.request.user.store


class IngressMessageApi(IngressAPIMixin, APIView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

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
        body = IngressMessageResultSerializer(
            {
                "conversation_id": result.conversation.pk,
                "message_id": result.message.external_id,
                "auto_replies": result.auto_replies,
            },
            context={"request": request},
        ).data
        return Response(body, status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK)


class IngressBuyerMessagesApi(IngressAPIMixin, APIView):
    @extend_schema(responses=MessageSerializer(many=True))
    def get(self, request, buyer_id: str):
        messages = selectors.buyer_chat_messages(store=self.store, buyer_external_id=buyer_id)
        return Response(MessageSerializer(messages, many=True, context={"request": request}).data)


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

    @extend_schema(request=ReplyInSerializer, responses={201: MessageSerializer})
    def post(self, request, conversation_id: int):
        conversation = selectors.conversation_get(store=self.store, conversation_id=conversation_id)
        payload = ReplyInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        text, language = data.get("text", ""), data.get("language", "")
        if data.get("scenario") and not text:
            from templates_i18n.selectors import reply_text_for_conversation

            rendered = reply_text_for_conversation(
                store=self.store,
                conversation=conversation,
                code=data["scenario"],
                language=language or None,
                variables=data.get("variables") or {},
            )
            text, language = rendered.text, rendered.language
        message = services.reply_send(
            conversation=conversation,
            acting_user=request.user,
            text=text,
            language=language or conversation.language,
            image=data.get("image"),
            coupon_id=data.get("coupon_id"),
        )
        return Response(
            MessageSerializer(message, context={"request": request}).data, status=status.HTTP_201_CREATED
        )
