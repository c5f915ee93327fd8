"""The 24-hour response-rate API (R20): ``GET /api/v1/metrics/response-rate?days=30``."""

from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from seller_desk.auth import StoreAPIMixin

from . import selectors


class ResponseRateDaySerializer(serializers.Serializer):
    date = serializers.DateField(help_text="Store-local date the waits were opened on.")
    rate = serializers.FloatField(
        allow_null=True, help_text="Share 0..1; null when nothing was decided that day."
    )
    answered_within_24h = serializers.IntegerField()
    total = serializers.IntegerField(help_text="Decided waits: answered, or open and past due.")
    pending = serializers.IntegerField(help_text="Open waits not yet due; not in the rate.")


# Keys such as ``1_4h`` are not Python names, so the fields are built in get_fields.
class ResponseRateDistributionSerializer(serializers.Serializer):
    """How long each buyer message in the window waited for its first agent reply."""

    def get_fields(self):
        return {key: serializers.IntegerField(help_text=label) for key, label in selectors.DISTRIBUTION}


class ResponseRateSerializer(serializers.Serializer):
    rate = serializers.FloatField(
        allow_null=True,
        help_text="answered_within_24h / total, a share 0..1 (4 decimals); null when total is 0.",
    )
    answered_within_24h = serializers.IntegerField(
        help_text="Waits whose first agent reply came within 24 h."
    )
    total = serializers.IntegerField(help_text="Decided waits: answered at any time, or open and past due.")
    pending = serializers.IntegerField(help_text="Open waits not yet due (not in total).")
    answered = serializers.IntegerField()
    overdue = serializers.IntegerField(
        help_text="Open waits already past due (counted in total, not answered)."
    )
    missed = serializers.IntegerField(help_text="total - answered_within_24h.")
    days = serializers.IntegerField()
    start_date = serializers.DateField(help_text="First store-local date of the window.")
    end_date = serializers.DateField(help_text="Last store-local date of the window (today).")
    timezone = serializers.CharField(help_text="The store's time zone, which defines its days.")
    daily = ResponseRateDaySerializer(many=True, help_text="One entry per store-local day, oldest first.")
    distribution = ResponseRateDistributionSerializer(
        help_text="First-response time of every wait in the window."
    )


class ResponseRateApi(StoreAPIMixin, APIView):
    @extend_schema(
        summary="24-hour response rate",
        description=(
            "Share of buyer messages (reply waits) that got the first agent reply within 24 hours, over the last "
            "`days` store-local days (today included). Waits still open and not yet 24 hours old are `pending` and "
            "left out of `total`; `rate` is null when `total` is 0. See docs/response-rate.md."
        ),
        parameters=[
            OpenApiParameter(
                "days",
                int,
                description="Window in store-local days, today included (1..365, default 30).",
                required=False,
            )
        ],
        responses={
            200: ResponseRateSerializer,
            400: OpenApiResponse(
                response=inline_serializer(
                    "ResponseRateError",
                    {
                        "errors": serializers.DictField(
                            child=serializers.ListField(child=serializers.CharField())
                        )
                    },
                ),
                description="`days` is not a whole number from 1 to 365.",
            ),
        },
        examples=[
            OpenApiExample(
                "days out of range",
                value={"errors": {"days": ["days must be a whole number from 1 to 365 (...); got '0'."]}},
                response_only=True,
                status_codes=["400"],
            )
        ],
    )
    def get(self, request):
        days = selectors.days_parse(request.query_params.get("days"))
        data = selectors.response_rate(store=self.store, days=days)
        return Response(ResponseRateSerializer(data).data)


class AgentUserSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()


class AgentMetricsSerializer(serializers.Serializer):
    user = AgentUserSerializer()
    conversations = serializers.IntegerField(help_text="Conversations the member replied in.")
    replies = serializers.IntegerField()
    first_responses = serializers.IntegerField()
    within_24h = serializers.IntegerField()
    median_first_response_seconds = serializers.IntegerField(allow_null=True)


class AgentMetricsApi(StoreAPIMixin, APIView):
    @extend_schema(
        parameters=[OpenApiParameter("days", int, description="store-local days, today included (1..365)")],
        responses=AgentMetricsSerializer(many=True),
    )
    def get(self, request):
        """Per member of the store (issue 10): replies, first responses, within 24 h, median first response."""
        days = selectors.days_parse(request.query_params.get("days"))
        rows = selectors.agent_report(store=self.store, days=days)
        return Response(AgentMetricsSerializer(rows, many=True).data)
