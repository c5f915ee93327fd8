from django.urls import path

from . import views

urlpatterns = [
    path("autoreply/", views.autoreply_settings, name="autoreply"),
    path("autoreply/report/", views.autoreply_report, name="autoreply-report"),
    path("autoreply/welcome-check/", views.autoreply_welcome_check, name="autoreply-welcome-check"),
]
