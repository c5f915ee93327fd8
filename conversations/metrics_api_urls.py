from django.urls import path

from . import metrics_apis

urlpatterns = [
    path("metrics/response-rate", metrics_apis.ResponseRateApi.as_view(), name="api-metrics-response-rate"),
]
