from django.shortcuts import render

from seller_desk.auth import store_member_required

from . import selectors


@store_member_required
def inbox(request, conversation_id: int | None = None):
    conversations = selectors.conversation_list(store=request.store)[:200]
    current = None
    if conversation_id is not None:
        current = selectors.conversation_with_messages(store=request.store, conversation_id=conversation_id)
    return render(request, "conversations/inbox.html", {"conversations": conversations, "current": current, "nav": "inbox"})
