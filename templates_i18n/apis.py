"""Scenario, suggestion, text-check and banned-word APIs."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext, gettext_lazy
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from seller_desk.auth import IsPlatformAdminOrReadOnly, StoreAPIMixin, is_platform_admin, membership_of
from seller_desk.errors import ApplicationError
from seller_desk.models import OrderStatus

from . import selectors as scenario_selectors
from . import services as scenario_services
from .languages import DEFAULT_LANGUAGE, SUPPORTED_LANGUAGES

# --- scenarios ---


class IsStoreMemberOrPlatformAdmin(permissions.BasePermission):
    message = gettext_lazy("This account is not a member of a store.")

    def has_permission(self, request, view):
        return membership_of(request.user) is not None or is_platform_admin(request.user)


class ScenarioAPIMixin:
    """Store members see the official scenarios and their store's own; platform admins without a store, the official."""

    permission_classes = [permissions.IsAuthenticated, IsStoreMemberOrPlatformAdmin]

    @property
    def store(self):
        membership = membership_of(self.request.user)
        return membership.store if membership else None


class ScenarioSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    official = serializers.BooleanField()
    order_statuses = serializers.ListField(child=serializers.CharField())
    languages = serializers.ListField(child=serializers.CharField(), help_text="Languages with text.")
    missing_languages = serializers.ListField(
        child=serializers.CharField(), help_text="Languages without text."
    )
    placeholders = serializers.ListField(child=serializers.CharField(), help_text="e.g. days for {days}.")


class ScenarioDetailSerializer(ScenarioSerializer):
    texts = serializers.DictField(child=serializers.CharField(), help_text="Language code -> text.")


class ScenarioWriteSerializer(serializers.Serializer):
    title = serializers.CharField(required=False, max_length=300)
    texts = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        help_text='{"en": "…", "ru": "…"}; "" removes.',
    )
    order_statuses = serializers.ListField(child=serializers.CharField(), required=False)
    dates_confirmed = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Platform admins editing an official text: it names a date that is over and that is meant.",
    )


class RenderedTextSerializer(serializers.Serializer):
    text = serializers.CharField()
    language = serializers.CharField()
    direction = serializers.ChoiceField(choices=["ltr", "rtl"])


def _scenario_payload(scenario, *, detail: bool = False) -> dict:
    payload = {
        "code": scenario.code,
        "title": scenario_selectors.scenario_title(scenario),
        "official": scenario.is_official,
        "order_statuses": list(scenario.order_statuses or []),
        "languages": scenario_selectors.scenario_languages(scenario),
        "missing_languages": scenario_selectors.scenario_missing_languages(scenario),
        "placeholders": scenario_selectors.scenario_placeholders(scenario),
    }
    if detail:
        payload["texts"] = scenario_selectors.scenario_texts(scenario)
    return payload


class ScenarioListApi(ScenarioAPIMixin, APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("order_status", str, description="Only scenarios that fit this order status.")
        ],
        responses=ScenarioSerializer(many=True),
    )
    def get(self, request):
        order_status = request.query_params.get("order_status") or None
        if order_status and order_status not in OrderStatus.values:
            raise ApplicationError(
                {
                    "order_status": gettext("Unknown order status '%(value)s'; use one of: %(values)s.")
                    % {"value": order_status, "values": ", ".join(OrderStatus.values)}
                }
            )
        scenarios = scenario_selectors.scenario_list(store=self.store, order_status=order_status)
        return Response([_scenario_payload(s) for s in scenarios])

    @extend_schema(request=ScenarioWriteSerializer, responses={201: ScenarioDetailSerializer})
    def post(self, request):
        if self.store is None:
            raise PermissionDenied(
                gettext("Store templates belong to a store; platform admins edit the official scenarios.")
            )
        payload = ScenarioWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        scenario = scenario_services.store_template_create(
            store=self.store,
            acting_user=request.user,
            title=data.get("title", ""),
            texts=data.get("texts") or {},
            order_statuses=data.get("order_statuses"),
        )
        return Response(_scenario_payload(scenario, detail=True), status=status.HTTP_201_CREATED)


class ScenarioDetailApi(ScenarioAPIMixin, APIView):
    @extend_schema(responses=ScenarioDetailSerializer)
    def get(self, request, code: str):
        scenario = scenario_selectors.scenario_get(store=self.store, code=code)
        return Response(_scenario_payload(scenario, detail=True))

    @extend_schema(request=ScenarioWriteSerializer, responses=ScenarioDetailSerializer)
    def patch(self, request, code: str):
        payload = ScenarioWriteSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        scenario = scenario_services.scenario_update(
            store=self.store,
            acting_user=request.user,
            code=code,
            title=data.get("title"),
            texts=data.get("texts"),
            order_statuses=data.get("order_statuses"),
            confirm_dates=data.get("dates_confirmed", False),
        )
        return Response(_scenario_payload(scenario, detail=True))

    @extend_schema(responses={204: None})
    def delete(self, request, code: str):
        if self.store is None:
            scenario_selectors.scenario_get(store=None, code=code)
            raise PermissionDenied(gettext("Official scenarios cannot be deleted."))
        scenario_services.store_template_delete(store=self.store, acting_user=request.user, code=code)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ScenarioRenderApi(ScenarioAPIMixin, APIView):
    @extend_schema(
        description="Every query parameter other than `language` fills the placeholder of its name: "
        "`?language=ru&days=12` fills `{days}`.",
        parameters=[
            OpenApiParameter(
                "language", str, description="One of the nine (en, ar, es, fr, he, ko, pl, pt-BR, ru)."
            ),
            OpenApiParameter("days", str, description="Example variable: fills {days}."),
        ],
        responses=RenderedTextSerializer,
    )
    def get(self, request, code: str):
        variables = {k: v for k, v in request.query_params.items() if k not in ("language", "format")}
        rendered = scenario_selectors.scenario_render(
            store=self.store,
            code=code,
            language=request.query_params.get("language") or DEFAULT_LANGUAGE,
            variables=variables,
        )
        return Response(
            {"text": rendered.text, "language": rendered.language, "direction": rendered.direction}
        )


# --- suggestions ---


class ScenarioSuggestionSerializer(serializers.Serializer):
    text = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=True,
        max_length=5000,
        help_text="The buyer's message, any of the nine languages.",
    )
    order_status = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text=f"The conversation's order status, one of: {', '.join(OrderStatus.values)}. Omit when there is no order.",
    )
    buyer_country = serializers.RegexField(
        r"^[A-Za-z]{2}$",
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="The buyer's country (ISO 3166-1 alpha-2). Scenarios meant for other markets (the Russian "
        "border) are left out unless the message names their market. Omit when unknown.",
        error_messages={
            "invalid": gettext_lazy("Give the buyer's country as two letters (ISO 3166-1 alpha-2), e.g. RU.")
        },
    )


class ScenarioSuggestionItemSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="Scenario code: an official one or one of the store's own templates."
    )
    score = serializers.FloatField(help_text="Higher is better; only comparable within one response.")
    confident = serializers.BooleanField(
        help_text="Whether this scenario fits well enough to be offered as the answer; when the first "
        "suggestion is not confident, no official scenario fits the message."
    )


class ScenarioSuggestionResultSerializer(serializers.Serializer):
    language = serializers.ChoiceField(
        choices=list(SUPPORTED_LANGUAGES), help_text="Language detected in text."
    )
    suggestions = ScenarioSuggestionItemSerializer(many=True, help_text="Best first.")


class ScenarioSuggestionErrorSerializer(serializers.Serializer):
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), help_text="Field name -> messages."
    )


class ScenarioSuggestionApi(StoreAPIMixin, APIView):
    @extend_schema(
        summary="Suggest reply scenarios for a buyer message",
        description="Ranks the official scenarios and the store's own templates by what the message means "
        "and how well each scenario fits the order status. 400 names `text` when it is empty and "
        "`order_status` when it is not a known status.",
        request=ScenarioSuggestionSerializer,
        responses={
            200: ScenarioSuggestionResultSerializer,
            400: OpenApiResponse(
                ScenarioSuggestionErrorSerializer, description="`text` is empty or `order_status` is unknown."
            ),
        },
        examples=[
            OpenApiExample(
                "in transit, Russian",
                value={"text": "Посылка уже едет, но я передумал её получать", "order_status": "in_transit"},
                request_only=True,
            ),
            OpenApiExample(
                "empty text",
                value={
                    "errors": {
                        "text": ["Text is required: give the buyer's message to get scenario suggestions."]
                    }
                },
                response_only=True,
                status_codes=["400"],
            ),
        ],
    )
    def post(self, request):
        payload = ScenarioSuggestionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        result = scenario_selectors.scenario_suggestions(
            store=self.store,
            text=data.get("text", ""),
            order_status=data.get("order_status") or None,
            buyer_country=(data.get("buyer_country") or "").upper() or None,
        )
        return Response(result.as_dict())


# --- banned words and text checks ---


class TextCheckRequestSerializer(serializers.Serializer):
    text = serializers.CharField(
        allow_blank=True, trim_whitespace=False, max_length=20000, help_text="Any outbound text."
    )


class BannedWordHitSerializer(serializers.Serializer):
    term = serializers.CharField(help_text="The banned word on the list.")
    found = serializers.CharField(help_text="Exactly what the text contains (text[start:end]).")
    start = serializers.IntegerField(help_text="Offset of the first character, in Unicode code points.")
    end = serializers.IntegerField(help_text="Offset just after the last character.")
    suggestion = serializers.CharField(help_text="What to write instead; empty when none is set.")


class TextCheckResultSerializer(serializers.Serializer):
    ok = serializers.BooleanField(help_text="True when the text has no banned word and may be sent.")
    banned_words = BannedWordHitSerializer(many=True, help_text="In text order.")


class BannedWordSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    term = serializers.CharField()
    language = serializers.CharField(help_text="One of the nine languages, or empty for every language.")
    suggestion = serializers.CharField()
    match = serializers.ChoiceField(choices=["word", "stem", "substring"])
    is_active = serializers.BooleanField()
    updated_at = serializers.DateTimeField()


class BannedWordWriteSerializer(serializers.Serializer):
    """Shapes only; the rules (one word, known language, no duplicate…) are the service's."""

    term = serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=200)
    language = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="en, ar, es, fr, he, ko, pl, pt-BR, ru or empty (every language).",
    )
    suggestion = serializers.CharField(required=False, allow_blank=True, max_length=200)
    match = serializers.CharField(
        required=False,
        help_text="word: the whole word (English also -s, -es, -ly, -al, -ally, -ness); "
        "stem: every inflected form (Russian endings; other languages: words starting with it); "
        "substring: anywhere, even inside other words.",
    )
    is_active = serializers.BooleanField(required=False)


class BannedWordAPIMixin:
    """Store members and platform admins read the list; only platform admins change it (403 otherwise)."""

    permission_classes = [permissions.IsAuthenticated, IsPlatformAdminOrReadOnly]


class TextCheckApi(APIView):
    permission_classes = [permissions.IsAuthenticated, IsStoreMemberOrPlatformAdmin]

    @extend_schema(
        summary="Check a text against the banned-word list",
        description="The same check every outbound message passes (R19). Offsets are Unicode code points.",
        request=TextCheckRequestSerializer,
        responses={200: TextCheckResultSerializer},
    )
    def post(self, request):
        from .guard import text_check

        payload = TextCheckRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        hits = text_check(payload.validated_data["text"])
        return Response({"ok": not hits, "banned_words": [hit.as_dict() for hit in hits]})


class BannedWordListApi(BannedWordAPIMixin, APIView):
    @extend_schema(summary="The banned-word list", responses={200: BannedWordSerializer(many=True)})
    def get(self, request):
        return Response(BannedWordSerializer(scenario_selectors.banned_word_list(), many=True).data)

    @extend_schema(
        summary="Add a banned word (platform admins)",
        request=BannedWordWriteSerializer,
        responses={201: BannedWordSerializer},
    )
    def post(self, request):
        payload = BannedWordWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        banned_word = scenario_services.banned_word_create(acting_user=request.user, **payload.validated_data)
        return Response(BannedWordSerializer(banned_word).data, status=status.HTTP_201_CREATED)


class BannedWordDetailApi(BannedWordAPIMixin, APIView):
    @extend_schema(summary="One banned word", responses={200: BannedWordSerializer})
    def get(self, request, banned_word_id: int):
        banned_word = scenario_selectors.banned_word_get(banned_word_id=banned_word_id)
        return Response(BannedWordSerializer(banned_word).data)

    @extend_schema(
        summary="Change a banned word (platform admins)",
        request=BannedWordWriteSerializer(partial=True),
        responses={200: BannedWordSerializer},
    )
    def patch(self, request, banned_word_id: int):
        banned_word = scenario_selectors.banned_word_get(banned_word_id=banned_word_id)
        payload = BannedWordWriteSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        banned_word = scenario_services.banned_word_update(
            acting_user=request.user, banned_word=banned_word, **payload.validated_data
        )
        return Response(BannedWordSerializer(banned_word).data)

    @extend_schema(summary="Remove a banned word (platform admins)", request=None, responses={204: None})
    def delete(self, request, banned_word_id: int):
        banned_word = scenario_selectors.banned_word_get(banned_word_id=banned_word_id)
        scenario_services.banned_word_delete(acting_user=request.user, banned_word=banned_word)
        return Response(status=status.HTTP_204_NO_CONTENT)
