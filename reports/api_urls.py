from django.urls import path

from . import apis

urlpatterns = [
    path("metrics/agents", apis.AgentMetricsApi.as_view(), name="api-metrics-agents"),
    path("metrics/response-rate", apis.ResponseRateApi.as_view(), name="api-metrics-response-rate"),
]
