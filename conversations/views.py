"""Browser pages: the three-pane inbox (queue, thread, order) and the buyer simulator.

Views stay thin: reads through ``selectors``, writes through ``services``; htmx asks for partials
(queue rows, messages since an id, the reply box) and the same URLs serve full pages without JavaScript.
"""

import uuid
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages as flash_messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coupons.selectors import coupon_list_attachable
from seller_desk.auth import store_member_required
from seller_desk.errors import ApplicationError
from seller_desk.selectors import buyer_get
from templates_i18n.languages import LANGUAGE_NAMES, SUPPORTED_LANGUAGES, normalize_language

from . import selectors, services
from .forms import BuyerMessageForm, NewBuyerForm, ReplyForm
from .models import Channel

QUEUE_LIMIT = 200
QUEUE_TABS = (("needs_reply", "Needs reply"), ("answered", "Answered"), ("all", "All"))


def _render(request, template: str, context: dict, status: int = 200):
    """Render with dates in the store's time zone (the store's local day is what agents think in)."""
    with timezone.override(ZoneInfo(request.store.timezone)):
        return render(request, template, context, status=status)


def _poll_ms() -> int:
    return int(settings.SELLER_DESK.get("INBOX_POLL_SECONDS", 3) * 1000)


def _filters(request) -> dict:
    """The queue filters from the query string; unknown values fall back to no filter."""
    queue = request.GET.get("queue", "needs_reply")
    channel = request.GET.get("channel") or None
    language = request.GET.get("language") or None
    return {
        "queue": queue if queue in selectors.QUEUES else "needs_reply",
        "channel": channel if channel in Channel.values else None,
        "language": language if language in SUPPORTED_LANGUAGES else None,
        "search": (request.GET.get("q") or "").strip()[:100] or None,
    }


def _filter_query(filters: dict, **overrides) -> str:
    values = {**filters, **overrides}
    pairs = {
        "queue": values["queue"],
        "channel": values["channel"] or "",
        "language": values["language"] or "",
        "q": values["search"] or "",
    }
    return urlencode({k: v for k, v in pairs.items() if v and not (k == "queue" and v == "needs_reply")})


def _queue_context(store, filters: dict, current_id: int | None) -> dict:
    conversations = list(
        selectors.conversation_list(
            store=store,
            queue=filters["queue"],
            channel=filters["channel"],
            language=filters["language"],
            search=filters["search"],
        )[:QUEUE_LIMIT]
    )
    counts = selectors.queue_counts(
        store=store, channel=filters["channel"], language=filters["language"], search=filters["search"]
    )
    query = _filter_query(filters)
    tabs = [
        {"key": key, "label": label, "count": counts[key], "query": _filter_query(filters, queue=key)}
        for key, label in QUEUE_TABS
    ]
    return {
        "conversations": conversations,
        "counts": counts,
        "shown_limit": QUEUE_LIMIT,
        "tabs": tabs,
        "filters": filters,
        "filter_query": query,
        "queue_url": reverse("inbox-queue") + (f"?{query}" if query else ""),
        "current_id": current_id,
        "tab_base": reverse("inbox-thread", args=[current_id]) if current_id else reverse("inbox"),
        "channels": Channel.choices,
        "languages": [(code, LANGUAGE_NAMES[code]) for code in SUPPORTED_LANGUAGES],
        "poll_ms": _poll_ms(),
    }


def _reply_language(conversation) -> str:
    return conversation.language or normalize_language(conversation.buyer.locale) or "en"


def _reply_form(conversation, coupons, data=None, files=None, language: str | None = None) -> ReplyForm:
    initial = {"language": language or _reply_language(conversation)}
    return ReplyForm(data, files, coupons=coupons, initial=initial)


def _reply_assist_url(conversation) -> str | None:
    try:
        return reverse("reply-assist", args=[conversation.id])
    except NoReverseMatch:
        return None


def _thread_context(request, conversation, form: ReplyForm | None = None) -> dict:
    coupons = list(coupon_list_attachable(store=request.store))
    messages = conversation.seller_messages
    return {
        "conversation": conversation,
        "thread_messages": messages,
        "last_message_id": max((m.id for m in messages), default=0),
        "order": conversation.order,
        "buyer": conversation.buyer,
        "other_conversations": list(selectors.buyer_other_conversations(conversation=conversation)),
        "dispute": selectors.conversation_dispute(conversation=conversation),
        "form": form or _reply_form(conversation, coupons),
        "reply_assist_url": _reply_assist_url(conversation),
        "poll_ms": _poll_ms(),
        "now": timezone.now(),
    }


@require_GET
@store_member_required
def inbox(request, conversation_id: int | None = None):
    """The inbox page; with an id the thread and its order are open beside the queue."""
    filters = _filters(request)
    context = {"nav": "inbox", "store": request.store}
    if conversation_id is not None:
        conversation = selectors.conversation_with_messages(
            store=request.store, conversation_id=conversation_id
        )
        context.update(_thread_context(request, conversation))
        if request.htmx and request.htmx.target == "workspace" and not request.htmx.history_restore_request:
            return _render(request, "conversations/_workspace.html", context)
    context.update(_queue_context(request.store, filters, conversation_id))
    return _render(request, "conversations/inbox.html", context)


@require_GET
@store_member_required
def inbox_queue(request):
    """The queue rows and tab counts (polled by the inbox every few seconds)."""
    current = request.GET.get("current")
    context = _queue_context(
        request.store, _filters(request), int(current) if (current or "").isdigit() else None
    )
    return _render(request, "conversations/_queue_poll.html", context)


@require_GET
@store_member_required
def thread_messages_since(request, conversation_id: int):
    """Seller-visible messages newer than ``after`` for the open thread (204 when there are none)."""
    conversation = selectors.conversation_get(store=request.store, conversation_id=conversation_id)
    after = request.GET.get("after", "0")
    new = list(
        selectors.messages_since(conversation=conversation, after_id=int(after) if after.isdigit() else 0)
    )
    if not new:
        return HttpResponse(status=204)
    context = {"conversation": conversation, "thread_messages": new, "now": timezone.now()}
    return _render(request, "conversations/_messages_since.html", context)


@require_POST
@store_member_required
def inbox_reply(request, conversation_id: int):
    """Send the agent's reply through ``services.reply_send``; on a broken rule the box comes back with the text."""
    conversation = selectors.conversation_get(store=request.store, conversation_id=conversation_id)
    coupons = list(coupon_list_attachable(store=request.store))
    form = _reply_form(conversation, coupons, request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.reply_send(
                conversation=conversation,
                acting_user=request.user,
                text=data["text"],
                language=data["language"] or _reply_language(conversation),
                image=data["image"],
                coupon_id=data["coupon_id"],
            )
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            if not request.htmx:
                return redirect(reverse("inbox-thread", args=[conversation.id]) + _query_suffix(request))
            language = data["language"] or None
            fresh = _reply_form(
                conversation, list(coupon_list_attachable(store=request.store)), language=language
            )
            response = _render(
                request, "conversations/_reply_form.html", {"form": fresh, "conversation": conversation}
            )
            response["HX-Trigger"] = "thread-changed, queue-changed"
            return response
    if request.htmx:
        return _render(
            request, "conversations/_reply_form.html", {"form": form, "conversation": conversation}
        )
    conversation = selectors.conversation_with_messages(store=request.store, conversation_id=conversation_id)
    context = {"nav": "inbox", "store": request.store}
    context.update(_thread_context(request, conversation, form=form))
    context.update(_queue_context(request.store, _filters(request), conversation.id))
    return _render(request, "conversations/inbox.html", context, status=400)


def _query_suffix(request) -> str:
    query = _filter_query(_filters(request))
    return f"?{query}" if query else ""


# Buyer simulator: the buyer's side of the chat, for demos and browser tests.


@require_http_methods(["GET", "POST"])
@store_member_required
def buyer_simulator(request):
    """Pick a buyer to act as, or start a chat as a new buyer."""
    search = (request.GET.get("q") or "").strip()[:100] or None
    form = NewBuyerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        buyer_id = f"sim-{uuid.uuid4().hex[:10]}"
        try:
            services.message_ingest(
                store=request.store,
                message_id=_simulated_message_id(),
                buyer={
                    "buyer_id": buyer_id,
                    "name": data["name"],
                    "country": data["country"],
                    "locale": data["locale"],
                },
                channel=data["channel"],
                text=data["text"],
                sent_at=timezone.now(),
            )
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            return redirect("buyer-simulator-chat", buyer_id=buyer_id)
    buyers = list(selectors.simulator_buyers(store=request.store, search=search))
    context = {"nav": "buyer-simulator", "buyers": buyers, "form": form, "search": search or ""}
    return _render(
        request, "conversations/simulator_picker.html", context, status=400 if form.errors else 200
    )


def _simulated_message_id() -> str:
    return f"sim-{uuid.uuid4().hex}"


def _chat_context(request, buyer, form: BuyerMessageForm | None = None) -> dict:
    messages = list(selectors.buyer_chat_since(store=request.store, buyer_external_id=buyer.external_id))
    orders = list(selectors.buyer_orders(store=request.store, buyer=buyer))
    return {
        "nav": "buyer-simulator",
        "buyer": buyer,
        "chat_messages": messages,
        "last_message_id": max((m.id for m in messages), default=0),
        "orders": orders,
        "form": form or _buyer_form(orders, last=messages[-1] if messages else None),
        "poll_ms": _poll_ms(),
    }


def _buyer_form(orders, data=None, files=None, last=None) -> BuyerMessageForm:
    """The composer, defaulting to the channel and order the buyer last wrote about."""
    initial = {"channel": Channel.CHAT, "order_id": ""}
    if last is not None and last.conversation.channel in (Channel.CHAT, Channel.MESSAGE, Channel.COMMENT):
        initial = {
            "channel": last.conversation.channel,
            "order_id": last.conversation.order.external_id if last.conversation.order else "",
        }
    return BuyerMessageForm(data, files, orders=orders, initial=initial)


@require_http_methods(["GET", "POST"])
@store_member_required
def buyer_simulator_chat(request, buyer_id: str):
    """The buyer's chat as the marketplace shows it; posting sends a message as this buyer (ingress path)."""
    buyer = buyer_get(store=request.store, external_id=buyer_id)
    if request.method == "GET":
        return _render(request, "conversations/simulator_chat.html", _chat_context(request, buyer))
    orders = list(selectors.buyer_orders(store=request.store, buyer=buyer))
    form = _buyer_form(orders, request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.message_ingest(
                store=request.store,
                message_id=_simulated_message_id(),
                buyer={
                    "buyer_id": buyer.external_id,
                    "name": buyer.name,
                    "country": buyer.country,
                    "locale": buyer.locale,
                },
                order_id=data["order_id"] or None,
                channel=data["channel"],
                text=data["text"],
                sent_at=timezone.now(),
                image=data["image"],
            )
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            if not request.htmx:
                return redirect("buyer-simulator-chat", buyer_id=buyer.external_id)
            fresh = BuyerMessageForm(
                orders=orders, initial={"channel": data["channel"], "order_id": data["order_id"]}
            )
            response = _render(request, "conversations/_buyer_composer.html", {"form": fresh, "buyer": buyer})
            response["HX-Trigger"] = "chat-changed"
            return response
    if request.htmx:
        return _render(request, "conversations/_buyer_composer.html", {"form": form, "buyer": buyer})
    return _render(
        request, "conversations/simulator_chat.html", _chat_context(request, buyer, form=form), status=400
    )


@require_GET
@store_member_required
def buyer_simulator_since(request, buyer_id: str):
    """Messages in the buyer's chat newer than ``after`` (204 when there are none)."""
    after = request.GET.get("after", "0")
    new = list(
        selectors.buyer_chat_since(
            store=request.store, buyer_external_id=buyer_id, after_id=int(after) if after.isdigit() else 0
        )
    )
    if not new:
        return HttpResponse(status=204)
    return _render(request, "conversations/_chat_messages.html", {"chat_messages": new})


@require_POST
@store_member_required
def buyer_simulator_card_click(request, buyer_id: str):
    """The buyer taps a keyword on an auto-reply card: the same service as ``POST /api/v1/ingress/card-clicks``."""
    from autoreply.services import card_click_answer

    buyer = buyer_get(store=request.store, external_id=buyer_id)
    try:
        card_click_answer(store=request.store, buyer=buyer, keyword_id=request.POST.get("keyword_id"))
    except ApplicationError as error:
        problem = " ".join(m for found in error.errors.values() for m in found)
        if request.htmx:
            return HttpResponse(format_html('<p class="field-errors" role="alert">{}</p>', problem))
        flash_messages.error(request, problem)
        return redirect("buyer-simulator-chat", buyer_id=buyer.external_id)
    if not request.htmx:
        return redirect("buyer-simulator-chat", buyer_id=buyer.external_id)
    response = HttpResponse("")
    response["HX-Trigger"] = "chat-changed"
    return response
