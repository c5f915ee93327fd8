from django.urls import path

from . import apis

urlpatterns = [
    path("conversations", apis.ConversationListApi.as_view(), name="api-conversations"),
    path(
        "conversations/<int:conversation_id>", apis.ConversationDetailApi.as_view(), name="api-conversation"
    ),
    path(
        "conversations/<int:conversation_id>/replies",
        apis.ConversationReplyApi.as_view(),
        name="api-conversation-replies",
    ),
    path(
        "conversations/<int:conversation_id>/notes",
        apis.ConversationNotesApi.as_view(),
        name="api-conversation-notes",
    ),
    path(
        "disputes/<int:dispute_id>/responses",
        apis.DisputeResponsesApi.as_view(),
        name="api-dispute-responses",
    ),
    path(
        "orders/<str:order_id>/protection-extensions",
        apis.ProtectionExtensionsApi.as_view(),
        name="api-protection-extensions",
    ),
]
