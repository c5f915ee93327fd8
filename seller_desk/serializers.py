"""Serializers of the ground floor's facts that several apps' APIs read or accept."""

from rest_framework import serializers

from .validators import url_safe_id


class BuyerInSerializer(serializers.Serializer):
    buyer_id = serializers.CharField(max_length=64, validators=[url_safe_id])
    # No defaults: a field the marketplace leaves out keeps the buyer's stored value ("" clears it).
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    country = serializers.RegexField(r"^[A-Za-z]{2}$", required=False, allow_blank=True)
    locale = serializers.CharField(max_length=16, required=False, allow_blank=True)
