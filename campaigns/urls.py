from django.urls import path

from . import views

urlpatterns = [
    path("campaigns/", views.campaign_list, name="campaigns"),
    path("campaigns/new/", views.campaign_new, name="campaign-new"),
    path("campaigns/text-check/", views.campaign_text_check, name="campaign-text-check"),
    path("campaigns/groups/", views.customer_groups, name="campaign-groups"),
    path("campaigns/<int:campaign_id>/", views.campaign_detail, name="campaign-detail"),
    path("campaigns/<int:campaign_id>/progress/", views.campaign_progress, name="campaign-progress"),
    path("campaigns/<int:campaign_id>/identify/", views.campaign_identify, name="campaign-identify"),
    path("campaigns/<int:campaign_id>/send/", views.campaign_send, name="campaign-send"),
    path("campaigns/<int:campaign_id>/pause/", views.campaign_pause, name="campaign-pause"),
    path("campaigns/<int:campaign_id>/resume/", views.campaign_resume, name="campaign-resume"),
    path("campaigns/<int:campaign_id>/cancel/", views.campaign_cancel, name="campaign-cancel"),
]
