from django.urls import path

from . import views

urlpatterns = [
    path("marketplace/endpoint/", views.marketplace_endpoint, name="marketplace-endpoint"),
    path("simulator/", views.buyer_simulator, name="buyer-simulator"),
    path("simulator/<str:buyer_id>/", views.buyer_simulator_chat, name="buyer-simulator-chat"),
    path("simulator/<str:buyer_id>/messages/", views.buyer_simulator_since, name="buyer-simulator-since"),
    path(
        "simulator/<str:buyer_id>/card-clicks/",
        views.buyer_simulator_card_click,
        name="buyer-simulator-card-click",
    ),
]
