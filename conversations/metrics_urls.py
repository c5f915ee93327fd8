from django.urls import path

from . import metrics_views

urlpatterns = [
    path("dashboard/", metrics_views.dashboard, name="dashboard"),
    path("dashboard/waits/", metrics_views.dashboard_waits, name="dashboard-waits"),
]
