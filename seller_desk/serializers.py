"""Serializers of the ground floor's facts that several apps' APIs read or accept."""

from rest_framework import serializers


class BuyerInSerializer(serializers.Serializer):
    buyer_id = serializers.CharField(max_length=64)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    country = serializers.RegexField(r"^[A-Za-z]{2}$", required=False, allow_blank=True, default="")
    locale = serializers.CharField(max_length=16, required=False, allow_blank=True, default="")
