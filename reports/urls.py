from django.urls import path

from . import views

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/waits/", views.dashboard_waits, name="dashboard-waits"),
    path("dashboard/agents.csv", views.dashboard_agents_csv, name="dashboard-agents-csv"),
    path("dashboard/disputes/", views.dashboard_disputes, name="dashboard-disputes"),
]
