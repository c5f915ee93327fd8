from django.urls import path

from . import views

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/queue/", views.inbox_queue, name="inbox-queue"),
    path("inbox/<int:conversation_id>/", views.inbox, name="inbox-thread"),
    path("inbox/<int:conversation_id>/messages/", views.thread_messages_since, name="inbox-thread-since"),
    path("inbox/<int:conversation_id>/reply/", views.inbox_reply, name="inbox-reply"),
    path("simulator/", views.buyer_simulator, name="buyer-simulator"),
    path("simulator/<str:buyer_id>/", views.buyer_simulator_chat, name="buyer-simulator-chat"),
    path("simulator/<str:buyer_id>/messages/", views.buyer_simulator_since, name="buyer-simulator-since"),
    path(
        "simulator/<str:buyer_id>/card-clicks/",
        views.buyer_simulator_card_click,
        name="buyer-simulator-card-click",
    ),
]
