from django.urls import path

from . import views

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:conversation_id>/", views.inbox, name="inbox-thread"),
]
