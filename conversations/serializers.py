"""API.md shapes for messages and conversations."""

from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from seller_desk.models import OrderStatus
from templates_i18n.languages import SUPPORTED_LANGUAGES, bcp47, normalize_language

from .models import Channel, ConversationStatus, InboxState


class CouponBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    denomination = serializers.DecimalField(max_digits=10, decimal_places=2)
    threshold = serializers.DecimalField(max_digits=10, decimal_places=2)
    currency = serializers.CharField()


@extend_schema_field({"type": "string", "format": "uri"})
class ImageUrlField(serializers.Field):
    """The picture's signed URL; absent on a text message (so not required in the schema)."""

    def __init__(self, **kwargs):
        super().__init__(source="*", required=False, **kwargs)

    def to_representation(self, message):
        if not message.image:
            return None
        request = self.context.get("request")
        url = message.image.url
        return request.build_absolute_uri(url) if request else url


class MessageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    direction = serializers.CharField()
    sender = serializers.CharField()
    text = serializers.CharField()
    language = serializers.CharField()
    image_url = ImageUrlField()
    coupon = CouponBriefSerializer(allow_null=True, required=False)
    card = serializers.JSONField(allow_null=True, required=False)
    created_at = serializers.DateTimeField()

    def to_representation(self, instance):
        data = super().to_representation(instance)
        for key in ("image_url", "coupon", "card"):
            if data.get(key) is None:
                data.pop(key, None)
        return data


class SellerMessageSerializer(MessageSerializer):
    """A message as the seller's side sees it: also which keyword a tap answered and the agent-only note (never
    sent to the marketplace)."""

    tapped_keyword = serializers.CharField(required=False)
    agent_note = serializers.CharField(required=False)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        for key in ("tapped_keyword", "agent_note"):
            if not data.get(key):
                data.pop(key, None)
        return data


class BuyerOutSerializer(serializers.Serializer):
    buyer_id = serializers.CharField(source="external_id")
    name = serializers.CharField()
    country = serializers.CharField()
    locale = serializers.SerializerMethodField(
        help_text="BCP 47, e.g. pt-BR (the marketplace may send pt_BR)."
    )

    def get_locale(self, buyer) -> str:
        return bcp47(buyer.locale)

    def to_representation(self, buyer):
        # Written out: a queue page nests one buyer and one order per row, and DRF's per-field machinery was most
        # of the list API's time (docs/benchmarks.md). Same output as the declared fields.
        return {
            "buyer_id": buyer.external_id,
            "name": buyer.name,
            "country": buyer.country,
            "locale": bcp47(buyer.locale),
        }


class OrderOutSerializer(serializers.Serializer):
    order_id = serializers.CharField(source="external_id")
    status = serializers.ChoiceField(choices=OrderStatus.choices)
    placed_at = serializers.DateTimeField()
    shipped_at = serializers.DateTimeField(allow_null=True)
    delivered_at = serializers.DateTimeField(allow_null=True)
    protection_ends_at = serializers.DateTimeField(allow_null=True)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    currency = serializers.CharField()

    def to_representation(self, order):
        fields = self.fields
        when = fields["placed_at"].to_representation
        return {
            "order_id": order.external_id,
            "status": order.status,
            "placed_at": when(order.placed_at),
            "shipped_at": when(order.shipped_at) if order.shipped_at else None,
            "delivered_at": when(order.delivered_at) if order.delivered_at else None,
            "protection_ends_at": when(order.protection_ends_at) if order.protection_ends_at else None,
            "amount": fields["amount"].to_representation(order.amount),
            "currency": order.currency,
        }


class AssigneeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()

    def to_representation(self, user):
        return {"id": user.pk, "username": user.get_username()}


class ConversationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    buyer = BuyerOutSerializer()
    order = OrderOutSerializer(allow_null=True)
    channel = serializers.ChoiceField(choices=Channel.choices)
    status = serializers.ChoiceField(
        choices=InboxState.choices, source="team_status", help_text="Where the team is with it (issue 10)."
    )
    reply_status = serializers.ChoiceField(
        choices=ConversationStatus.choices, source="status", help_text="needs_reply while a reply is owed."
    )
    assignee = AssigneeSerializer(allow_null=True)
    language = serializers.CharField()
    last_message_at = serializers.DateTimeField(allow_null=True)
    reply_due_at = serializers.DateTimeField(allow_null=True)
    tags = serializers.SerializerMethodField(help_text="Names of the store's tags on the conversation.")

    def get_tags(self, conversation) -> list[str]:
        tags = getattr(conversation, "tag_list", None)
        return [t.tag.name for t in tags] if tags is not None else []


class UserBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()


class NoteSerializer(serializers.Serializer):
    """An internal note: the team's only, never part of the buyer's chat."""

    id = serializers.IntegerField()
    text = serializers.CharField()
    author = UserBriefSerializer(allow_null=True)
    created_at = serializers.DateTimeField()


class NoteInSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=5000, help_text="Plain text; @username mentions a teammate.")


class ConversationDetailSerializer(ConversationSerializer):
    messages = SellerMessageSerializer(many=True, source="seller_messages")
    notes = NoteSerializer(many=True, source="thread_notes", required=False)


class ReplyInSerializer(serializers.Serializer):
    text = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    scenario = serializers.CharField(required=False, max_length=80)
    language = serializers.CharField(required=False, max_length=8)
    variables = serializers.DictField(child=serializers.CharField(allow_blank=True), required=False)
    suggested_scenario = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=80,
        help_text="The scenario suggested first, when the reply uses `scenario`: the pick is recorded (issue 13).",
    )
    coupon_id = serializers.IntegerField(required=False, allow_null=True)
    image = serializers.FileField(required=False, allow_empty_file=False)
    last_seen_message_id = serializers.IntegerField(
        required=False, allow_null=True, help_text="The newest message the agent saw; a newer one → 409."
    )
    force = serializers.BooleanField(required=False, default=False, help_text="Send despite newer messages.")

    def validate_language(self, value: str) -> str:
        """'pt_BR' or 'pt-br' -> 'pt-BR': replies are stored and shown with BCP 47 codes."""
        if not value:
            return value
        code = normalize_language(value)
        if code is None:
            raise serializers.ValidationError(
                gettext("Language '%(value)s' is not supported; use one of: %(value2)s.")
                % {"value": value, "value2": ", ".join(SUPPORTED_LANGUAGES)}
            )
        return code

    def validate(self, attrs):
        if (
            not attrs.get("text")
            and not attrs.get("scenario")
            and not attrs.get("image")
            and not attrs.get("coupon_id")
        ):
            raise serializers.ValidationError(
                {"text": gettext("Give the reply 'text', or a 'scenario' to render.")}
            )
        return attrs


class AssignInSerializer(serializers.Serializer):
    assignee_id = serializers.IntegerField(allow_null=True)


class SnoozeInSerializer(serializers.Serializer):
    until = serializers.DateTimeField()
