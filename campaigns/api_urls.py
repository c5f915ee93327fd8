from django.urls import path

from . import apis

urlpatterns = [
    path("customer-groups", apis.CustomerGroupListApi.as_view(), name="api-customer-groups"),
    path("customer-groups/<int:group_id>", apis.CustomerGroupDetailApi.as_view(), name="api-customer-group"),
    path("campaigns", apis.CampaignListApi.as_view(), name="api-campaigns"),
    path("campaigns/<int:campaign_id>", apis.CampaignDetailApi.as_view(), name="api-campaign"),
    path(
        "campaigns/<int:campaign_id>/identify",
        apis.CampaignIdentifyApi.as_view(),
        name="api-campaign-identify",
    ),
    path("campaigns/<int:campaign_id>/send", apis.CampaignSendApi.as_view(), name="api-campaign-send"),
    path("campaigns/<int:campaign_id>/pause", apis.CampaignPauseApi.as_view(), name="api-campaign-pause"),
    path("campaigns/<int:campaign_id>/resume", apis.CampaignResumeApi.as_view(), name="api-campaign-resume"),
    path("campaigns/<int:campaign_id>/cancel", apis.CampaignCancelApi.as_view(), name="api-campaign-cancel"),
]
