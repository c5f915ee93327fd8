"""Serializers of the ground floor's facts that several apps' APIs read or accept."""

from django.utils.functional import cached_property
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


class FieldsBuiltOnce:
    # Mix into a hot path's input serializer: its fields are copied from the declaration and bound once per class
    # (to one prototype instance), not for every instance as DRF does (a deep copy of every field per request: half
    # of what validating an ingress message cost, issue 14). The validation is DRF's, unchanged. Only for serializers
    # whose fields keep nothing of one request: no ``context`` or request-dependent defaults (``CurrentUserDefault``,
    # ``UniqueValidator``), no fields changed per instance, never ``partial``; nested serializers are shared the same
    # way. (A comment, not a docstring: drf-spectacular would show a docstring as the request body's description.)

    @cached_property
    def fields(self):
        cls = type(self)
        shared = cls.__dict__.get("_shared_fields")
        if shared is None:  # a racing thread may build its own: both are equal, the last one is kept
            shared = serializers.Serializer.fields.func(cls())  # DRF's copy, bound to a prototype instance
            for field in shared.values():
                if isinstance(field, serializers.Serializer):
                    field.fields  # noqa: B018 - the nested fields bound now, before requests share them
            cls._shared_fields = shared
        return shared


class BuyerInSerializer(serializers.Serializer):
    buyer_id = serializers.CharField(max_length=64, validators=[url_safe_id])
    # No defaults: a field the marketplace leaves out keeps the buyer's stored value ("" clears it).
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    country = serializers.RegexField(r"^[A-Za-z]{2}$", required=False, allow_blank=True)
    locale = serializers.CharField(max_length=16, required=False, allow_blank=True)
