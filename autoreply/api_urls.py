from django.urls import path

from . import apis

urlpatterns = [
    path("autoreply", apis.AutoReplyApi.as_view(), name="api-autoreply"),
]
