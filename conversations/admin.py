"""Admin for conversations: read-only. Messages are written by ingest and the one outbound path, never here."""

from django.contrib import admin

from seller_desk.admin import ReadOnlyAdmin

from .models import Conversation, Message, ReplyWait


@admin.register(Conversation)
class ConversationAdmin(ReadOnlyAdmin):
    list_display = ("id", "store", "buyer", "channel", "status", "last_message_at", "reply_due_at")
    list_filter = ("channel", "status", "store")
    search_fields = ("buyer__external_id", "buyer__name", "order__external_id")
    raw_id_fields = ("buyer", "order")


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ("id", "store", "conversation", "direction", "sender", "language", "created_at")
    list_filter = ("direction", "sender", "store")
    search_fields = ("external_id", "text")
    raw_id_fields = ("conversation", "buyer", "coupon", "triggered_by", "sent_by")


@admin.register(ReplyWait)
class ReplyWaitAdmin(ReadOnlyAdmin):
    list_display = ("conversation", "opened_at", "due_at", "closed_at")
    raw_id_fields = ("conversation", "opened_by", "closed_by")
