"""Admin for auto-reply: read-only. Settings change through ``services.autoreply_settings_update`` (its rules
and its audit event), from the owner's page or the API."""

from django.contrib import admin

from seller_desk.admin import ReadOnlyAdmin

from .models import AutoReplyDay, AutoReplySettings, Keyword, KeywordClick


@admin.register(AutoReplySettings)
class AutoReplySettingsAdmin(ReadOnlyAdmin):
    list_display = ("store", "enabled", "updated_by", "updated_at")


@admin.register(Keyword)
class KeywordAdmin(ReadOnlyAdmin):
    list_display = ("keyword", "store", "reply_type", "position")


@admin.register(AutoReplyDay)
class AutoReplyDayAdmin(ReadOnlyAdmin):
    list_display = ("store", "buyer", "date")
    raw_id_fields = ("buyer", "message")


@admin.register(KeywordClick)
class KeywordClickAdmin(ReadOnlyAdmin):
    list_display = ("keyword", "store", "buyer", "clicked_at")
    raw_id_fields = ("buyer", "reply")
