"""Auto-reply API: the store's set-up (members read, the owner writes); taps come in through marketplace/."""

import json
import re

from django.utils.translation import gettext, gettext_lazy
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from conversations.serializers import CouponBriefSerializer
from seller_desk.auth import StoreAPIMixin, owner_writes
from seller_desk.errors import ApplicationError

from . import selectors, services
from .models import ReplyType

PICTURE_PART = re.compile(r"^keywords\[(\d+)\]\.image$")


OwnerWrites = owner_writes(gettext_lazy("Only the store owner may change the auto-reply."))


class KeywordInSerializer(serializers.Serializer):
    id = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="Keep an existing keyword (and its id on cards already sent).",
    )
    keyword = serializers.CharField(allow_blank=True, max_length=2000, help_text="At most 300 characters.")
    reply_type = serializers.CharField(help_text="text | picture | coupon: exactly one per keyword.")
    text = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    coupon_id = serializers.IntegerField(required=False, allow_null=True)
    texts = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=20000),
        required=False,
        help_text='Text replies: optional versions per buyer language ({"ar": "…"}); `text` is the base.',
    )


class AutoReplyInSerializer(serializers.Serializer):
    enabled = serializers.BooleanField()
    welcome_text = serializers.CharField(allow_blank=True, max_length=20000, trim_whitespace=False)
    keywords = KeywordInSerializer(
        many=True,
        help_text="The whole card, in order: none, or 3 to 9 keywords. Keywords left out are removed.",
    )
    welcome_texts = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=20000),
        required=False,
        help_text="Optional versions of the welcome per buyer language; left out: kept as stored.",
    )
    skip_live_conversations = serializers.BooleanField(
        required=False, help_text="No welcome when an agent replied in the conversation within live_hours."
    )
    live_hours = serializers.IntegerField(required=False, help_text="1 to 72 (default 2).")
    unavailable_texts = serializers.DictField(
        child=serializers.DictField(child=serializers.CharField(allow_blank=True, max_length=20000)),
        required=False,
        help_text="Polite texts for a coupon tap that can't give the coupon: "
        '{"unavailable"|"already_held": {lang: text}}; empty uses the desk\'s defaults.',
    )


class AutoReplyPatchSerializer(AutoReplyInSerializer):
    enabled = serializers.BooleanField(required=False)
    welcome_text = serializers.CharField(
        required=False, allow_blank=True, max_length=20000, trim_whitespace=False
    )
    keywords = KeywordInSerializer(many=True, required=False)


class AutoReplyMultipartSerializer(serializers.Serializer):
    payload = serializers.CharField(help_text="The JSON body (enabled, welcome_text, keywords) as a string.")
    image = serializers.FileField(
        required=False,
        help_text="Picture keywords: one part per picture named keywords[<index>].image (JPG/PNG, at most 5 MB).",
    )


class KeywordOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    keyword = serializers.CharField()
    position = serializers.IntegerField()
    reply_type = serializers.ChoiceField(choices=ReplyType.choices)
    text = serializers.CharField(required=False)
    texts = serializers.DictField(child=serializers.CharField(), required=False)
    image_url = serializers.CharField(required=False)
    coupon_id = serializers.IntegerField(required=False)
    coupon = CouponBriefSerializer(required=False)

    def to_representation(self, keyword):
        data = {
            "id": keyword.pk,
            "keyword": keyword.keyword,
            "position": keyword.position,
            "reply_type": keyword.reply_type,
        }
        if keyword.reply_type == ReplyType.TEXT:
            data["text"] = keyword.text
            data["texts"] = keyword.texts or {}
        elif keyword.reply_type == ReplyType.PICTURE:
            request = self.context.get("request")
            url = keyword.image.url
            data["image_url"] = request.build_absolute_uri(url) if request else url
        else:
            data["coupon_id"] = keyword.coupon_id
            data["coupon"] = CouponBriefSerializer(keyword.coupon).data
        return data


class AutoReplyOutSerializer(serializers.Serializer):
    enabled = serializers.BooleanField()
    welcome_text = serializers.CharField()
    welcome_texts = serializers.DictField(child=serializers.CharField())
    skip_live_conversations = serializers.BooleanField()
    live_hours = serializers.IntegerField()
    unavailable_texts = serializers.DictField(child=serializers.DictField(child=serializers.CharField()))
    keywords = KeywordOutSerializer(many=True)
    updated_at = serializers.DateTimeField(allow_null=True)
    updated_by = serializers.CharField(allow_null=True)


def autoreply_out(store, request) -> dict:
    config = selectors.autoreply_settings_get(store=store)
    return AutoReplyOutSerializer(
        {
            "enabled": config.enabled,
            "welcome_text": config.welcome_text,
            "welcome_texts": config.welcome_texts or {},
            "skip_live_conversations": config.skip_live_conversations,
            "live_hours": config.live_hours,
            "unavailable_texts": config.unavailable_texts or {},
            "keywords": list(selectors.keyword_list(store=store)),
            "updated_at": config.updated_at,
            "updated_by": config.updated_by.get_username() if config.updated_by else None,
        },
        context={"request": request},
    ).data


def _body(request) -> tuple[dict, dict[int, object]]:
    """The JSON document and the pictures: a JSON body, or multipart with ``payload`` and ``keywords[i].image``."""
    if not (request.content_type or "").startswith("multipart/"):
        return request.data, {}
    raw = request.data.get("payload")
    if raw is None:
        raise ApplicationError(
            {"payload": gettext("Multipart requests carry the JSON document in a part named payload.")}
        )
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise ApplicationError(
            {"payload": gettext("payload is not valid JSON (%(error)s).") % {"error": exc}}
        ) from exc
    pictures: dict[int, object] = {}
    for name, upload in request.FILES.items():
        match = PICTURE_PART.match(name)
        if match is None:
            raise ApplicationError(
                {name: gettext("Unexpected file part; name pictures keywords[<index>].image (index from 0).")}
            )
        pictures[int(match.group(1))] = upload
    return data, pictures


def _with_pictures(keywords: list[dict], pictures: dict[int, object]) -> list[dict]:
    items = [dict(k) for k in keywords]
    for index, upload in pictures.items():
        if index >= len(items):
            raise ApplicationError(
                {
                    f"keywords[{index}].image": gettext("There is no keyword %(value)s for this picture.")
                    % {"value": index + 1}
                }
            )
        items[index]["image"] = upload
    return items


def _current_keywords(store) -> list[dict]:
    return [
        {
            "id": k.pk,
            "keyword": k.keyword,
            "reply_type": k.reply_type,
            "text": k.text or None,
            "texts": k.texts or {},
            "coupon_id": k.coupon_id,
        }
        for k in selectors.keyword_list(store=store)
    ]


_PUT_EXAMPLE = {
    "enabled": True,
    "welcome_text": "Hi! Thanks for writing to us. Tap a question below, or write yours: we answer within 24 hours.",
    "keywords": [
        {
            "keyword": "Is my order shipping?",
            "reply_type": "text",
            "text": "Orders ship within 3 days.",
        },
        {
            "keyword": "Is my package safe?",
            "reply_type": "text",
            "text": "Yes: parcels are disinfected.",
        },
        {"keyword": "A coupon for waiting", "reply_type": "coupon", "coupon_id": 12},
    ],
}


class AutoReplyApi(StoreAPIMixin, APIView):
    permission_classes = [*StoreAPIMixin.permission_classes, OwnerWrites]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(responses=AutoReplyOutSerializer)
    def get(self, request):
        return Response(autoreply_out(self.store, request))

    @extend_schema(
        request={
            "application/json": AutoReplyInSerializer,
            "multipart/form-data": AutoReplyMultipartSerializer,
        },
        responses=AutoReplyOutSerializer,
        examples=[OpenApiExample("Welcome with three keywords", value=_PUT_EXAMPLE, request_only=True)],
        description="Replace the whole auto-reply: switch, welcome and keyword card (owner only). Keywords sent "
        "with their id keep it; keywords left out are taken off the card. Picture keywords: send multipart with "
        "the JSON in `payload` and each picture as `keywords[<index>].image`.",
    )
    def put(self, request):
        data, pictures = _body(request)
        payload = AutoReplyInSerializer(data=data)
        payload.is_valid(raise_exception=True)
        return self._save(request, payload.validated_data, pictures)

    @extend_schema(
        request={
            "application/json": AutoReplyPatchSerializer,
            "multipart/form-data": AutoReplyMultipartSerializer,
        },
        responses=AutoReplyOutSerializer,
        description="Change part of the auto-reply (owner only); fields left out stay as they are.",
    )
    def patch(self, request):
        data, pictures = _body(request)
        payload = AutoReplyPatchSerializer(data=data)
        payload.is_valid(raise_exception=True)
        current = selectors.autoreply_settings_get(store=self.store)
        values = {
            "enabled": current.enabled,
            "welcome_text": current.welcome_text,
            "keywords": _current_keywords(self.store),
        } | payload.validated_data
        return self._save(request, values, pictures)

    def _save(self, request, values: dict, pictures: dict):
        services.autoreply_settings_update(
            store=self.store,
            acting_user=request.user,
            enabled=values["enabled"],
            welcome_text=values["welcome_text"],
            keywords=_with_pictures(values["keywords"], pictures),
            welcome_texts=values.get("welcome_texts"),
            skip_live_conversations=values.get("skip_live_conversations"),
            live_hours=values.get("live_hours"),
            unavailable_texts=values.get("unavailable_texts"),
        )
        return Response(autoreply_out(self.store, request), status=status.HTTP_200_OK)
