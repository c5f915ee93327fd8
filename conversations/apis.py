"""Conversation APIs: the seller's conversations, replies and dispute responses."""

from django.conf import settings
from django.db import IntegrityError
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from seller_desk.auth import StoreAPIMixin
from seller_desk.errors import ApplicationError
from seller_desk.models import DisputeAction
from seller_desk.selectors import dispute_get, order_get
from templates_i18n.services import scenario_pick_record

from . import selectors, services
from .serializers import (
    AssigneeSerializer,
    AssignInSerializer,
    ConversationDetailSerializer,
    ConversationSerializer,
    MessageSerializer,
    NoteInSerializer,
    NoteSerializer,
    ReplyInSerializer,
    SnoozeInSerializer,
)


class ReplyConflictSerializer(serializers.Serializer):
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    newer = MessageSerializer(many=True)


class ConversationListApi(StoreAPIMixin, APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("queue", str, enum=list(selectors.QUEUES)),
            OpenApiParameter("channel", str),
            OpenApiParameter("language", str),
            OpenApiParameter("q", str, description="search: buyer name or id, order id, message text"),
            OpenApiParameter("tag", str, description="only conversations with this tag (its name)"),
            OpenApiParameter("order_group", str, enum=list(selectors.ORDER_GROUPS)),
            OpenApiParameter("blocked", bool, description="only blocked buyers' conversations"),
            OpenApiParameter("assignee", str, description="a member's user id, or 'none' for unassigned"),
            OpenApiParameter("limit", int, description="rows per page, 1 to 1000 (default 50)"),
            OpenApiParameter(
                "cursor", str, description='the next page: the value given by the Link header (rel="next")'
            ),
        ],
        responses=ConversationSerializer(many=True),
    )
    def get(self, request):
        raw_limit = request.query_params.get("limit") or str(PAGE_SIZE)
        if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= 1000:
            raise ApplicationError({"limit": gettext("limit is a whole number from 1 to 1000.")})
        rows, next_cursor = selectors.queue_rows(
            store=self.store,
            queue=request.query_params.get("queue", "needs_reply"),
            limit=int(raw_limit),
            cursor=request.query_params.get("cursor") or None,
            channel=request.query_params.get("channel") or None,
            language=request.query_params.get("language") or None,
            **_team_filters(request),
            user=request.user,
            assignee=selectors.assignee_parse(request.query_params.get("assignee")),
        )
        response = Response(rows)
        if next_cursor is not None:
            query = request.query_params.copy()
            query["cursor"] = next_cursor
            url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
            response["Link"] = f'<{url}>; rel="next"'
            response["X-Next-Cursor"] = next_cursor
        return response


def _team_filters(request) -> dict:
    """The list's search, tag, order-status group and blocked filters (issue 10)."""
    params = request.query_params
    group = params.get("order_group") or None
    if group is not None and group not in selectors.ORDER_GROUPS:
        raise ApplicationError(
            {
                "order_group": gettext("order_group is one of %(values)s.")
                % {"values": ", ".join(selectors.ORDER_GROUPS)}
            }
        )
    search = (params.get("q") or "").strip()
    if len(search) > selectors.SEARCH_MAX_CHARS:
        raise ApplicationError(
            {"q": gettext("Search for at most %(max)s characters.") % {"max": selectors.SEARCH_MAX_CHARS}}
        )
    return {
        "search": search or None,
        "tag": (params.get("tag") or "").strip() or None,
        "group": group,
        "blocked": params.get("blocked") in ("1", "true"),
    }


# A page of the queue is 50 rows; the next one is asked with the ``cursor`` given in the ``Link: <…>; rel="next"``
# header (also ``X-Next-Cursor``): keyset paging on the queue's own order (``selectors.queue_rows``), so page 100
# costs what page 1 does.
PAGE_SIZE = 50


class ConversationDetailApi(StoreAPIMixin, APIView):
    @extend_schema(responses=ConversationDetailSerializer)
    def get(self, request, conversation_id: int):
        return Response(
            selectors.thread_payload(
                store=self.store, conversation_id=conversation_id, build_uri=request.build_absolute_uri
            )
        )


class ConversationReplyApi(StoreAPIMixin, APIView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        request=ReplyInSerializer,
        responses={201: MessageSerializer, 409: ReplyConflictSerializer},
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
        pick_text = selectors.suggestion_text_for_conversation(conversation) if data.get("scenario") else ""
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
                last_seen_message_id=data.get("last_seen_message_id"),
                force=data.get("force", False),
            )
        except services.ReplyConflict as conflict:
            return Response(
                {
                    **conflict.as_payload(),
                    "newer": MessageSerializer(conflict.newer, many=True, context={"request": request}).data,
                },
                status=status.HTTP_409_CONFLICT,
            )
        except IntegrityError:
            # The same key raced in from a parallel retry that committed first: answer what it sent.
            replayed = services.reply_replay(
                conversation=conversation, acting_user=request.user, idempotency_key=key
            )
            if replayed is None:
                raise
            return self._created(request, replayed, replayed=True)
        if pick_text:
            scenario_pick_record(
                store=self.store,
                acting_user=request.user,
                buyer_text=pick_text,
                language=message.language,
                picked_code=data["scenario"],
                suggested_code=data.get("suggested_scenario", ""),
            )
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
    return_goods = serializers.BooleanField(required=False, default=False, help_text="propose: a return.")
    image = serializers.FileField(required=False, allow_empty_file=False, help_text="One photo (as before).")
    photos = serializers.ListField(
        child=serializers.FileField(allow_empty_file=False),
        required=False,
        help_text="Multipart: repeated `photos` parts, JPG/PNG checked by content.",
    )
    video = serializers.FileField(
        required=False, allow_empty_file=False, help_text="MP4 or WebM, checked by content."
    )
    excerpt_ids = serializers.ListField(
        child=serializers.IntegerField(), required=False, help_text="Ids of the buyer's messages to quote."
    )


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
        data = request.data
        if hasattr(data, "getlist"):
            data = {k: data.get(k) for k in data if k not in ("photos", "excerpt_ids")}
            data["photos"] = request.FILES.getlist("photos")
            data["excerpt_ids"] = request.data.getlist("excerpt_ids")
        payload = DisputeResponseInSerializer(data=data)
        payload.is_valid(raise_exception=True)
        response = services.dispute_respond(
            dispute=dispute, acting_user=request.user, **payload.validated_data
        )
        return Response(DisputeResponseOutSerializer(response).data, status=201)


class ProtectionExtensionInSerializer(serializers.Serializer):
    days = serializers.IntegerField(
        min_value=1,
        max_value=settings.SELLER_DESK["PROTECTION_EXTENSION_MAX_DAYS"],
        error_messages={
            key: f"Extend by 1 to {settings.SELLER_DESK['PROTECTION_EXTENSION_MAX_DAYS']} days at a time."
            for key in ("min_value", "max_value")
        },
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    template_code = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="The store's own template instead of Scenario 6.",
    )


class ProtectionExtensionOutSerializer(serializers.Serializer):
    order_id = serializers.CharField(source="order.external_id")
    protection_ends_at = serializers.DateTimeField(source="ends_after")
    days = serializers.IntegerField()
    reason = serializers.CharField()
    extended_days_total = serializers.IntegerField(source="order.protection_extended_days")
    message = MessageSerializer(allow_null=True)


class ProtectionExtensionsApi(StoreAPIMixin, APIView):
    @extend_schema(request=ProtectionExtensionInSerializer, responses={201: ProtectionExtensionOutSerializer})
    def post(self, request, order_id: str):
        """Extend an order's buyer-protection period (R23) and tell the buyer with Scenario 6 in their language."""
        order = order_get(store=self.store, external_id=order_id)
        payload = ProtectionExtensionInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        extension = services.protection_extend_and_tell(
            store=self.store, order=order, acting_user=request.user, **payload.validated_data
        )
        return Response(
            ProtectionExtensionOutSerializer(extension, context={"request": request}).data, status=201
        )


class ConversationNotesApi(StoreAPIMixin, APIView):
    @extend_schema(request=NoteInSerializer, responses={201: NoteSerializer})
    def post(self, request, conversation_id: int):
        """An internal note in the thread (never sent to the buyer); ``@username`` mentions a teammate."""
        conversation = selectors.conversation_get(store=self.store, conversation_id=conversation_id)
        payload = NoteInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        note = services.note_create(
            conversation=conversation, acting_user=request.user, text=payload.validated_data["text"]
        )
        return Response(NoteSerializer(note).data, status=status.HTTP_201_CREATED)


# --- team inbox, part A (issue 10): members, assignment, resolve, snooze ---


class MemberOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    role = serializers.CharField()


class MembersApi(StoreAPIMixin, APIView):
    @extend_schema(responses=MemberOutSerializer(many=True))
    def get(self, request):
        return Response(selectors.store_members(store=self.store))


class AssignOutSerializer(serializers.Serializer):
    assignee = AssigneeSerializer(allow_null=True)


class ConversationAssignApi(StoreAPIMixin, APIView):
    @extend_schema(request=AssignInSerializer, responses=AssignOutSerializer)
    def post(self, request, conversation_id: int):
        conversation = selectors.conversation_get(store=self.store, conversation_id=conversation_id)
        payload = AssignInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        conversation = services.conversation_assign(
            conversation=conversation,
            assignee_id=payload.validated_data["assignee_id"],
            acting_user=request.user,
        )
        return Response(AssignOutSerializer(conversation).data)


class StatusOutSerializer(serializers.Serializer):
    status = serializers.CharField(source="team_status")
    snoozed_until = serializers.DateTimeField(allow_null=True, required=False)


class ConversationResolveApi(StoreAPIMixin, APIView):
    @extend_schema(request=None, responses=StatusOutSerializer)
    def post(self, request, conversation_id: int):
        conversation = selectors.conversation_get(store=self.store, conversation_id=conversation_id)
        conversation = services.conversation_resolve(conversation=conversation, acting_user=request.user)
        return Response({"status": conversation.team_status})


class ConversationSnoozeApi(StoreAPIMixin, APIView):
    @extend_schema(request=SnoozeInSerializer, responses=StatusOutSerializer)
    def post(self, request, conversation_id: int):
        conversation = selectors.conversation_get(store=self.store, conversation_id=conversation_id)
        payload = SnoozeInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        conversation = services.conversation_snooze(
            conversation=conversation, until=payload.validated_data["until"], acting_user=request.user
        )
        return Response(StatusOutSerializer(conversation).data)
