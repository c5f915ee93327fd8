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
urlpatterns += [
    path("banned-words/", views.banned_words, name="banned-words"),
    path("banned-words/new", views.banned_word_new, name="banned-word-new"),
    path("banned-words/<int:banned_word_id>/edit", views.banned_word_edit, name="banned-word-edit"),
    path("banned-words/<int:banned_word_id>/row", views.banned_word_row, name="banned-word-row"),
    path("banned-words/<int:banned_word_id>/delete", views.banned_word_delete, name="banned-word-delete"),
    path("text-check/", views.text_check_partial, name="text-check-partial"),
]

# --- reply assist (the panel above the inbox reply box; docs/reply-assist.md) ---
urlpatterns += [
    path("inbox/<int:conversation_id>/assist/", views.reply_assist, name="reply-assist"),
    path(
        "inbox/<int:conversation_id>/assist/suggestions/",
        views.reply_assist_suggestions,
        name="reply-assist-suggestions",
    ),
    path("inbox/<int:conversation_id>/assist/render/", views.reply_assist_render, name="reply-assist-render"),
    path("inbox/<int:conversation_id>/assist/check/", views.reply_assist_check, name="reply-assist-check"),
]
