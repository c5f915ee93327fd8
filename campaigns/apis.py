"""Batch campaign and customer-group APIs: owners write, every store member reads."""

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from seller_desk.auth import IsStoreOwner, StoreAPIMixin, owner_writes
from seller_desk.serializers import JSONObjectField

from . import selectors, services
from .models import Campaign, CampaignStatus, CustomerGroup, Scenario

OwnerWrites = owner_writes(gettext_lazy("Only the store owner may create or run batch campaigns."))


# ----------------------------------------------------------------- customer groups


class CustomerGroupInSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, allow_blank=True)
    buyer_ids = serializers.ListField(
        child=serializers.CharField(max_length=64),
        min_length=1,
        help_text="The marketplace's buyer ids of this store (at least one).",
    )


class CustomerGroupCreatedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    buyers = serializers.IntegerField()


class CustomerGroupOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    buyers = serializers.IntegerField()
    buyer_ids = serializers.ListField(child=serializers.CharField(), required=False)
    created_at = serializers.DateTimeField()


def group_out(group: CustomerGroup, *, with_buyers: bool = False) -> dict:
    data = {"id": group.pk, "name": group.name, "buyers": group.n_buyers, "created_at": group.created_at}
    if with_buyers:
        data["buyer_ids"] = list(group.buyers.order_by("external_id").values_list("external_id", flat=True))
    return data


class CustomerGroupListApi(StoreAPIMixin, APIView):
    permission_classes = [*StoreAPIMixin.permission_classes, OwnerWrites]

    @extend_schema(responses=CustomerGroupOutSerializer(many=True))
    def get(self, request):
        return Response(
            CustomerGroupOutSerializer(
                [group_out(g) for g in selectors.customer_group_list(store=self.store)], many=True
            ).data
        )

    @extend_schema(request=CustomerGroupInSerializer, responses={201: CustomerGroupCreatedSerializer})
    def post(self, request):
        """R4: a customer group from marketplace buyer ids; unknown ids are a 400 that names them."""
        payload = CustomerGroupInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        group = services.customer_group_create(
            store=self.store,
            acting_user=request.user,
            name=payload.validated_data["name"],
            buyer_ids=payload.validated_data["buyer_ids"],
        )
        fresh = selectors.customer_group_get(store=self.store, group_id=group.pk)
        return Response(
            CustomerGroupCreatedSerializer(
                {"id": fresh.pk, "name": fresh.name, "buyers": fresh.n_buyers}
            ).data,
            status=status.HTTP_201_CREATED,
        )


class CustomerGroupDetailApi(StoreAPIMixin, APIView):
    @extend_schema(responses=CustomerGroupOutSerializer)
    def get(self, request, group_id: int):
        group = selectors.customer_group_get(store=self.store, group_id=group_id)
        return Response(CustomerGroupOutSerializer(group_out(group, with_buyers=True)).data)


# ----------------------------------------------------------------- campaigns


CROWD_HELP = (
    '{"method": "conditions", "orders_from": "YYYY-MM-DD", "orders_to": "YYYY-MM-DD", "unshipped_only": bool, '
    '"transactions_min": 1, "transactions_max": 99999} or {"method": "groups", "group_ids": [id], '
    '"countries_include": ["RU"], "countries_exclude": ["ES"]}. Dates are store-local. In multipart, a JSON string.'
)


class CampaignInSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, allow_blank=True)
    scenario = serializers.ChoiceField(choices=Scenario.choices, default=Scenario.RETENTION)
    crowd = JSONObjectField(help_text=CROWD_HELP)
    text = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text="English base, at most 1,000 characters.",
    )
    variants = serializers.JSONField(
        required=False,
        help_text='{"ru": "…", "es": "…"}: the buyer\'s locale picks; English is the base text.',
    )
    coupon_id = serializers.IntegerField(
        required=False, allow_null=True, help_text="Required for retention; at most one."
    )
    image = serializers.FileField(required=False, help_text="Multipart only: one JPG/JPEG/PNG, at most 5 MB.")


class CountsSerializer(serializers.Serializer):
    sent = serializers.IntegerField()
    pending = serializers.IntegerField()
    skipped = serializers.IntegerField()
    failed = serializers.IntegerField()


# "from" is a Python keyword, so these two are built with type().
WindowSerializer = type(
    "WindowSerializer",
    (serializers.Serializer,),
    {"from": serializers.DateField(), "to": serializers.DateField()},
)
PlanWindowSerializer = type(
    "PlanWindowSerializer",
    (serializers.Serializer,),
    {
        "from": serializers.DateField(allow_null=True),
        "to": serializers.DateField(allow_null=True),
        "count": serializers.IntegerField(),
    },
)


class CampaignOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    scenario = serializers.ChoiceField(choices=Scenario.choices)
    status = serializers.ChoiceField(choices=CampaignStatus.choices)
    crowd = serializers.JSONField()
    text = serializers.CharField()
    variants = serializers.DictField(child=serializers.CharField())
    image_url = serializers.CharField(allow_null=True)
    coupon_id = serializers.IntegerField(allow_null=True)
    counts = CountsSerializer()
    identified_count = serializers.IntegerField(allow_null=True)
    start_on = serializers.DateField(allow_null=True)
    last_window = WindowSerializer(allow_null=True)
    last_sent_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()


class PlanDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    count = serializers.IntegerField()
    windows = PlanWindowSerializer(many=True)


class IdentifySerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Buyers the campaign would message (after R6's filter).")
    matched = serializers.IntegerField(help_text="Buyers the crowd settings select.")
    recently_pushed = serializers.IntegerField(
        help_text="Skipped: pushed by the store's batch sends yesterday/today."
    )
    first_day_capacity = serializers.IntegerField(help_text="What is left of the first day's quota.")
    plan = PlanDaySerializer(many=True)


class SendInSerializer(serializers.Serializer):
    start_on = serializers.DateField(
        required=False, allow_null=True, help_text="Store-local day; default today."
    )
    dates_confirmed = serializers.BooleanField(
        required=False,
        default=False,
        help_text="The text names a date that is over and the sender confirms it is meant (issue 13).",
    )


class QueuedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=CampaignStatus.choices)


def crowd_out(campaign: Campaign) -> dict:
    if campaign.crowd_method == "conditions":
        return {
            "method": "conditions",
            "orders_from": campaign.orders_from.isoformat() if campaign.orders_from else None,
            "orders_to": campaign.orders_to.isoformat() if campaign.orders_to else None,
            "unshipped_only": campaign.unshipped_only,
            "transactions_min": campaign.transactions_min,
            "transactions_max": campaign.transactions_max,
        }
    return {
        "method": "groups",
        "group_ids": sorted(g.pk for g in campaign.groups.all()),
        "countries_include": campaign.countries_include,
        "countries_exclude": campaign.countries_exclude,
    }


def campaign_out(campaign: Campaign) -> dict:
    return {
        "id": campaign.pk,
        "name": campaign.name,
        "scenario": campaign.scenario,
        "status": campaign.status,
        "crowd": crowd_out(campaign),
        "text": campaign.text,
        "variants": campaign.variants,
        "image_url": campaign.image.url if campaign.image else None,
        "coupon_id": campaign.coupon_id,
        "counts": selectors.campaign_counts(campaign),
        "identified_count": campaign.identified_count,
        "start_on": campaign.start_on,
        "last_window": campaign.last_window,
        "last_sent_at": campaign.last_sent_at,
        "created_at": campaign.created_at,
    }


def identification_out(result: selectors.Identification) -> dict:
    return {
        "count": result.count,
        "matched": result.matched,
        "recently_pushed": result.recently_pushed,
        "first_day_capacity": result.first_day_capacity,
        "plan": [
            {
                "date": d.day,
                "count": d.count,
                "windows": [{"from": w.start, "to": w.end, "count": w.count} for w in d.windows],
            }
            for d in result.plan
        ],
    }


class CampaignListApi(StoreAPIMixin, APIView):
    permission_classes = [*StoreAPIMixin.permission_classes, OwnerWrites]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(responses=CampaignOutSerializer(many=True))
    def get(self, request):
        campaigns = selectors.campaign_list(store=self.store).prefetch_related("groups")
        return Response(CampaignOutSerializer([campaign_out(c) for c in campaigns], many=True).data)

    @extend_schema(request=CampaignInSerializer, responses={201: CampaignOutSerializer})
    def post(self, request):
        """A draft batch campaign (R2-R4, R7-R9). Multipart adds one ``image``; ``crowd``/``variants`` are then
        JSON strings. Every broken rule comes back at once under its field name."""
        payload = CampaignInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        values = dict(payload.validated_data)
        values.pop("image", None)
        image = services.single_picture(request.FILES.getlist("image"))
        campaign = services.campaign_create(
            store=self.store, acting_user=request.user, values=values, image=image
        )
        fresh = selectors.campaign_get(store=self.store, campaign_id=campaign.pk)
        return Response(CampaignOutSerializer(campaign_out(fresh)).data, status=status.HTTP_201_CREATED)


class CampaignDetailApi(StoreAPIMixin, APIView):
    @extend_schema(responses=CampaignOutSerializer)
    def get(self, request, campaign_id: int):
        """Status, counts per recipient status, the last 2-day window worked and when it was sent."""
        campaign = selectors.campaign_get(store=self.store, campaign_id=campaign_id)
        return Response(CampaignOutSerializer(campaign_out(campaign)).data)


class CampaignIdentifyApi(StoreAPIMixin, APIView):
    permission_classes = [*StoreAPIMixin.permission_classes, IsStoreOwner]

    @extend_schema(request=None, responses=IdentifySerializer)
    def post(self, request, campaign_id: int):
        """R3: how many buyers the crowd reaches and the day-by-day plan under the daily cap, oldest window first."""
        campaign = selectors.campaign_get(store=self.store, campaign_id=campaign_id)
        result = services.campaign_identify(campaign=campaign, acting_user=request.user)
        return Response(IdentifySerializer(identification_out(result)).data)


class CampaignSendApi(StoreAPIMixin, APIView):
    permission_classes = [*StoreAPIMixin.permission_classes, IsStoreOwner]

    @extend_schema(request=SendInSerializer, responses={202: QueuedSerializer})
    def post(self, request, campaign_id: int):
        """Send now: the crowd is frozen and the first batch is queued (202). Sending again is a no-op."""
        campaign = selectors.campaign_get(store=self.store, campaign_id=campaign_id)
        payload = SendInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        campaign = services.campaign_send_now(
            campaign=campaign,
            acting_user=request.user,
            start_on=payload.validated_data.get("start_on"),
            dates_confirmed=payload.validated_data["dates_confirmed"],
        )
        return Response({"id": campaign.pk, "status": campaign.status}, status=status.HTTP_202_ACCEPTED)


class _CampaignActionApi(StoreAPIMixin, APIView):
    permission_classes = [*StoreAPIMixin.permission_classes, IsStoreOwner]
    service = None

    @extend_schema(request=None, responses=CampaignOutSerializer)
    def post(self, request, campaign_id: int):
        campaign = selectors.campaign_get(store=self.store, campaign_id=campaign_id)
        self.service(campaign=campaign, acting_user=request.user)
        fresh = selectors.campaign_get(store=self.store, campaign_id=campaign_id)
        return Response(CampaignOutSerializer(campaign_out(fresh)).data)


class CampaignPauseApi(_CampaignActionApi):
    """Pause after the batch in flight; pending buyers stay pending."""

    service = staticmethod(services.campaign_pause)


class CampaignResumeApi(_CampaignActionApi):
    """Resume a paused campaign; today's remaining quota is used at once."""

    service = staticmethod(services.campaign_resume)


class CampaignCancelApi(_CampaignActionApi):
    """Cancel for good; buyers not reached yet are marked skipped."""

    service = staticmethod(services.campaign_cancel)
