from django.urls import path

from . import views

urlpatterns: list = []

# --- scenarios (scenario-library page, reply-assist partials) ---
urlpatterns += [
    path("replies/", views.scenario_library, name="scenario-library"),
    path("replies/new", views.scenario_new, name="scenario-new"),
    path("replies/<slug:code>/edit", views.scenario_edit, name="scenario-edit"),
    path("replies/<slug:code>/delete", views.scenario_delete, name="scenario-delete"),
    path("replies/<slug:code>/preview", views.scenario_preview, name="scenario-preview"),
]

# --- banned words (banned-words page) ---
