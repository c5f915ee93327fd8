"""Serializers of the ground floor's facts that several apps' APIs read or accept."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .validators import url_safe_id


@extend_schema_field({"type": "object", "additionalProperties": True})
class JSONObjectField(serializers.JSONField):
    """A JSON object (in multipart, a JSON string holding one); ``null``, lists and scalars are a 400."""

    default_error_messages = {"not_an_object": 'Must be a JSON object, e.g. {{"method": "groups", …}}.'}

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not isinstance(value, dict):
            self.fail("not_an_object")
        return value


class BuyerInSerializer(serializers.Serializer):
    buyer_id = serializers.CharField(max_length=64, validators=[url_safe_id])
    # No defaults: a field the marketplace leaves out keeps the buyer's stored value ("" clears it).
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    country = serializers.RegexField(r"^[A-Za-z]{2}$", required=False, allow_blank=True)
    locale = serializers.CharField(max_length=16, required=False, allow_blank=True)
