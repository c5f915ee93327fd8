from django.urls import path

from . import apis

urlpatterns = [
    path("ingress/orders", apis.IngressOrdersApi.as_view(), name="api-ingress-orders"),
    path("ingress/messages", apis.IngressMessageApi.as_view(), name="api-ingress-messages"),
    path(
        "ingress/buyers/<str:buyer_id>/messages",
        apis.IngressBuyerMessagesApi.as_view(),
        name="api-ingress-buyer-messages",
    ),
    path("ingress/disputes", apis.IngressDisputesApi.as_view(), name="api-ingress-disputes"),
    path("ingress/card-clicks", apis.IngressCardClickApi.as_view(), name="api-ingress-card-clicks"),
]
