from django.urls import path

from . import apis

urlpatterns = [
    path("ingress/messages", apis.IngressMessageApi.as_view(), name="api-ingress-messages"),
    path(
        "ingress/buyers/<str:buyer_id>/messages",
        apis.IngressBuyerMessagesApi.as_view(),
        name="api-ingress-buyer-messages",
    ),
    path("conversations", apis.ConversationListApi.as_view(), name="api-conversations"),
    path(
        "conversations/<int:conversation_id>", apis.ConversationDetailApi.as_view(), name="api-conversation"
    ),
    path(
        "conversations/<int:conversation_id>/replies",
        apis.ConversationReplyApi.as_view(),
        name="api-conversation-replies",
    ),
]
