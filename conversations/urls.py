from django.urls import path

from . import views

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/queue/", views.inbox_queue, name="inbox-queue"),
    path("inbox/undelivered/", views.undelivered_list, name="inbox-undelivered"),
    path(
        "inbox/undelivered/<int:undelivered_id>/retry/",
        views.undelivered_retry,
        name="inbox-undelivered-retry",
    ),
    path("inbox/mentions/", views.inbox_mentions, name="inbox-mentions"),
    path("inbox/tags/", views.tags_manage, name="inbox-tags"),
    path("inbox/tags/<int:tag_id>/delete/", views.tag_delete_view, name="inbox-tag-delete"),
    path("inbox/<int:conversation_id>/", views.inbox, name="inbox-thread"),
    path("inbox/<int:conversation_id>/notes/", views.inbox_note, name="inbox-note"),
    path("inbox/<int:conversation_id>/tags/", views.conversation_tag_add_view, name="inbox-tag-add"),
    path(
        "inbox/<int:conversation_id>/tags/<int:tag_id>/remove/",
        views.conversation_tag_remove_view,
        name="inbox-tag-remove",
    ),
    path("inbox/<int:conversation_id>/block/", views.buyer_block_view, name="inbox-buyer-block"),
    path("inbox/<int:conversation_id>/unblock/", views.buyer_unblock_view, name="inbox-buyer-unblock"),
    path("inbox/<int:conversation_id>/draft/", views.draft_save_view, name="inbox-draft"),
    path("inbox/bulk/", views.inbox_bulk, name="inbox-bulk"),
    path("inbox/availability/", views.inbox_availability, name="inbox-availability"),
    path("inbox/settings/", views.inbox_settings, name="inbox-settings"),
    path("inbox/<int:conversation_id>/assign/", views.inbox_assign, name="inbox-assign"),
    path("inbox/<int:conversation_id>/resolve/", views.inbox_resolve, name="inbox-resolve"),
    path("inbox/<int:conversation_id>/snooze/", views.inbox_snooze, name="inbox-snooze"),
    path("inbox/<int:conversation_id>/presence/", views.inbox_presence, name="inbox-presence"),
    path("inbox/<int:conversation_id>/messages/", views.thread_messages_since, name="inbox-thread-since"),
    path("inbox/<int:conversation_id>/reply/", views.inbox_reply, name="inbox-reply"),
    path(
        "inbox/<int:dispute_conversation_id>/dispute/answer/",
        views.dispute_answer,
        name="inbox-dispute-answer",
    ),
    path(
        "inbox/<int:conversation_id>/protection/extend/",
        views.protection_extend_view,
        name="inbox-protection-extend",
    ),
    path("inbox/<int:conversation_id>/assist/", views.reply_assist, name="reply-assist"),
    path(
        "inbox/<int:conversation_id>/assist/suggestions/",
        views.reply_assist_suggestions,
        name="reply-assist-suggestions",
    ),
    path("inbox/<int:conversation_id>/assist/render/", views.reply_assist_render, name="reply-assist-render"),
    path("inbox/<int:conversation_id>/assist/check/", views.reply_assist_check, name="reply-assist-check"),
]
