from django.urls import path

from . import apis

urlpatterns: list = []

# --- scenarios ---
urlpatterns += [
    path("scenarios", apis.ScenarioListApi.as_view(), name="api-scenarios"),
    path("scenarios/<slug:code>", apis.ScenarioDetailApi.as_view(), name="api-scenario"),
    path("scenarios/<slug:code>/render", apis.ScenarioRenderApi.as_view(), name="api-scenario-render"),
]

# --- suggestions ---
urlpatterns += [
    path("scenario-suggestions", apis.ScenarioSuggestionApi.as_view(), name="api-scenario-suggestions"),
]

# --- banned words and text checks ---
urlpatterns += [
    path("text-checks", apis.TextCheckApi.as_view(), name="api-text-checks"),
    path("banned-words", apis.BannedWordListApi.as_view(), name="api-banned-words"),
    path("banned-words/<int:banned_word_id>", apis.BannedWordDetailApi.as_view(), name="api-banned-word"),
]
