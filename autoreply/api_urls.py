from django.urls import path

from . import apis

urlpatterns = [
    path("autoreply", apis.AutoReplyApi.as_view(), name="api-autoreply"),
    path("ingress/card-clicks", apis.IngressCardClickApi.as_view(), name="api-ingress-card-clicks"),
]
