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
    path("members", apis.MembersApi.as_view(), name="api-members"),
    path(
        "conversations/<int:conversation_id>/assign",
        apis.ConversationAssignApi.as_view(),
        name="api-conversation-assign",
    ),
    path(
        "conversations/<int:conversation_id>/resolve",
        apis.ConversationResolveApi.as_view(),
        name="api-conversation-resolve",
    ),
    path(
        "conversations/<int:conversation_id>/snooze",
        apis.ConversationSnoozeApi.as_view(),
        name="api-conversation-snooze",
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
