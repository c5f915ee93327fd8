"""Core APIs: the seller token endpoint, the store's disputes and buyer-protection extensions."""

from django.utils.translation import gettext, ngettext
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from . import throttle
from .auth import ApiTokenAuthentication, StoreAPIMixin
from .errors import ApplicationError
from .middleware import client_ip
from .selectors import dispute_list
from .services import api_token_issue, api_token_revoke


class TokenInSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"})


class TokenOutSerializer(serializers.Serializer):
    token = serializers.CharField()


def login_locked_message(seconds: int) -> str:
    minutes = max(1, -(-seconds // 60))
    return ngettext(
        "Too many failed logins for this account or from this address. Logging in is locked for "
        "%(minutes)d more minute; try again later.",
        "Too many failed logins for this account or from this address. Logging in is locked for "
        "%(minutes)d more minutes; try again later.",
        minutes,
    ) % {"minutes": minutes}


class LoginRateThrottle(AnonRateThrottle):
    rate = "30/min"


class AuthTokenApi(APIView):
    """POST: a new token for a username and password (locked after repeated failures, see
    ``seller_desk/throttle.py``). DELETE: revoke the token the request carries (logout)."""

    throttle_classes = [LoginRateThrottle]

    def get_authenticators(self):
        # POST takes a password, not a token: a stale token header must not stand in the way of a new one.
        if getattr(getattr(self, "request", None), "method", None) == "POST":
            return []
        return [ApiTokenAuthentication()]

    def get_permissions(self):
        if getattr(getattr(self, "request", None), "method", None) == "POST":
            return [AllowAny()]
        return [IsAuthenticated()]

    @extend_schema(request=TokenInSerializer, responses={200: TokenOutSerializer}, auth=[])
    def post(self, request):
        from django.contrib.auth import authenticate

        payload = TokenInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        username, ip = payload.validated_data["username"], client_ip(request)
        wait = throttle.login_lockout_seconds(username=username, ip=ip)
        if wait:
            raise exceptions.Throttled(wait=wait, detail=login_locked_message(wait))
        user = authenticate(request, username=username, password=payload.validated_data["password"])
        if user is None:
            throttle.login_failure_record(username=username, ip=ip)
            raise ApplicationError({"password": gettext("Unknown username or wrong password.")})
        throttle.login_success_record(username=username)
        raw, _token = api_token_issue(user=user)
        # API.md's shape is {"token"}; the token expires after SELLER_DESK["API_TOKEN_TTL_HOURS"].
        return Response({"token": raw})

    @extend_schema(request=None, responses={204: None})
    def delete(self, request):
        api_token_revoke(token=request.auth)
        return Response(status=204)


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
