from django.urls import path

from . import views

urlpatterns: list = []

# --- scenarios (scenario-library page, reply-assist partials) ---
urlpatterns += [
    path("replies/", views.scenario_library, name="scenario-library"),
    path("replies/new", views.scenario_new, name="scenario-new"),
    path("replies/picks/", views.scenario_pick_report, name="scenario-picks"),
    path("replies/<slug:code>/edit", views.scenario_edit, name="scenario-edit"),
    path("replies/<slug:code>/delete", views.scenario_delete, name="scenario-delete"),
    path("replies/<slug:code>/preview", views.scenario_preview, name="scenario-preview"),
]

# --- banned words (banned-words page) ---
urlpatterns += [
    path("banned-words/", views.banned_words, name="banned-words"),
    path("banned-words/new", views.banned_word_new, name="banned-word-new"),
    path("banned-words/<int:banned_word_id>/edit", views.banned_word_edit, name="banned-word-edit"),
    path("banned-words/<int:banned_word_id>/row", views.banned_word_row, name="banned-word-row"),
    path("banned-words/<int:banned_word_id>/delete", views.banned_word_delete, name="banned-word-delete"),
    path("text-check/", views.text_check_partial, name="text-check-partial"),
]
