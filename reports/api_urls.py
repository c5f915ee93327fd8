from django.urls import path

from . import apis

urlpatterns = [
    path("metrics/response-rate", apis.ResponseRateApi.as_view(), name="api-metrics-response-rate"),
]
