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
