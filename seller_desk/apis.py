"""Core APIs: the seller token endpoint, the store's disputes and buyer-protection extensions."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from .auth import StoreAPIMixin
from .errors import ApplicationError
from .selectors import dispute_list


class TokenInSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"})


class TokenOutSerializer(serializers.Serializer):
    token = serializers.CharField()


class LoginRateThrottle(AnonRateThrottle):
    rate = "30/min"


class AuthTokenApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [LoginRateThrottle]

    @extend_schema(request=TokenInSerializer, responses={200: TokenOutSerializer})
    def post(self, request):
        from django.contrib.auth import authenticate

        payload = TokenInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        user = authenticate(
            request, username=payload.validated_data["username"], password=payload.validated_data["password"]
        )
        if user is None:
            raise ApplicationError({"password": "Unknown username or wrong password."})
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class DisputeOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    dispute_id = serializers.CharField(source="external_id")
    order_id = serializers.CharField(source="order.external_id")
    conversation_id = serializers.IntegerField(allow_null=True)
    status = serializers.CharField()
    opened_at = serializers.DateTimeField()
    escalates_at = serializers.DateTimeField()
    reason = serializers.CharField()
    refund_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    return_goods = serializers.BooleanField()
    description = serializers.CharField()
    evidence = serializers.SerializerMethodField()

    def get_evidence(self, dispute) -> list[dict]:
        request = self.context.get("request")
        items = []
        for e in dispute.evidence.all():
            url = e.url or (e.file.url if e.file else "")
            if url and request is not None and e.file:
                url = request.build_absolute_uri(url)
            items.append({"side": e.side, "kind": e.kind, "url": url, "text": e.text})
        return items


class DisputeListApi(StoreAPIMixin, APIView):
    @extend_schema(responses=DisputeOutSerializer(many=True))
    def get(self, request):
        disputes = dispute_list(store=self.store, status=request.query_params.get("status") or None)
        disputes = disputes.prefetch_related("evidence")
        return Response(DisputeOutSerializer(disputes, many=True, context={"request": request}).data)
