"""The buyer simulator: the buyer's side of the chat as the marketplace shows it, for demos and browser tests.

Every message typed here goes through the same ingest as ``POST /api/v1/ingress/messages``.
"""

import functools
import uuid

from django.conf import settings
from django.contrib import messages as flash_messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from autoreply.services import card_click_answer
from conversations.models import Channel
from conversations.selectors import buyer_chat_since, buyer_orders, dead_letters, simulator_buyers
from seller_desk.auth import owner_required, store_member_required
from seller_desk.errors import ApplicationError
from seller_desk.selectors import buyer_get
from seller_desk.services import store_marketplace_endpoint_set

from . import services
from .forms import BuyerMessageForm, MarketplaceEndpointForm, NewBuyerForm


def _render(request, template: str, context: dict, status: int = 200):
    with timezone.override(request.display_tz):
        return render(request, template, context, status=status)


def demo_only(view):
    """The simulator exists only in demo mode, and only for a demo store: otherwise its routes answer 404, so
    it can never post buyer messages into a real store."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not settings.DEMO_MODE or not request.store.is_demo:
            raise Http404(_("The buyer simulator is only available in demo mode, for a demo store."))
        return view(request, *args, **kwargs)

    return wrapper


def _poll_ms() -> int:
    return int(settings.SELLER_DESK.get("INBOX_POLL_SECONDS", 3) * 1000)


@require_http_methods(["GET", "POST"])
@store_member_required
@demo_only
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
    buyers = list(simulator_buyers(store=request.store, search=search))
    context = {"nav": "buyer-simulator", "buyers": buyers, "form": form, "search": search or ""}
    return _render(request, "marketplace/simulator_picker.html", context, status=400 if form.errors else 200)


def _simulated_message_id() -> str:
    return f"sim-{uuid.uuid4().hex}"


def _chat_context(request, buyer, form: BuyerMessageForm | None = None) -> dict:
    messages = list(buyer_chat_since(store=request.store, buyer_external_id=buyer.external_id))
    orders = list(buyer_orders(store=request.store, buyer=buyer))
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
@demo_only
def buyer_simulator_chat(request, buyer_id: str):
    """The buyer's chat as the marketplace shows it; posting sends a message as this buyer (ingress path)."""
    buyer = buyer_get(store=request.store, external_id=buyer_id)
    if request.method == "GET":
        return _render(request, "marketplace/simulator_chat.html", _chat_context(request, buyer))
    orders = list(buyer_orders(store=request.store, buyer=buyer))
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
            response = _render(request, "marketplace/_buyer_composer.html", {"form": fresh, "buyer": buyer})
            response["HX-Trigger"] = "chat-changed"
            return response
    if request.htmx:
        return _render(request, "marketplace/_buyer_composer.html", {"form": form, "buyer": buyer})
    return _render(
        request, "marketplace/simulator_chat.html", _chat_context(request, buyer, form=form), status=400
    )


@require_GET
@store_member_required
@demo_only
def buyer_simulator_since(request, buyer_id: str):
    """Messages in the buyer's chat newer than ``after`` (204 when there are none)."""
    after = request.GET.get("after", "0")
    new = list(
        buyer_chat_since(
            store=request.store, buyer_external_id=buyer_id, after_id=int(after) if after.isdigit() else 0
        )
    )
    if not new:
        return HttpResponse(status=204)
    return _render(request, "marketplace/_chat_messages.html", {"chat_messages": new})


@require_POST
@store_member_required
@demo_only
def buyer_simulator_card_click(request, buyer_id: str):
    """The buyer taps a keyword on an auto-reply card: the same service as ``POST /api/v1/ingress/card-clicks``."""
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


@require_http_methods(["GET", "POST"])
@owner_required
def marketplace_endpoint(request):
    """The owner's delivery settings: where outbound messages are POSTed and the secret both sides sign with."""
    store = request.store
    form = MarketplaceEndpointForm(request.POST or None, initial={"endpoint": store.marketplace_endpoint})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        secret = "" if data["remove_secret"] else (data["secret"] or None)
        try:
            store_marketplace_endpoint_set(
                store=store, acting_user=request.user, endpoint=data["endpoint"], secret=secret
            )
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            flash_messages.success(request, _("Delivery settings saved."))
            return redirect("marketplace-endpoint")
    context = {
        "nav": "marketplace-endpoint",
        "store": store,
        "form": form,
        "signed": bool(store.marketplace_secret),
        "http_delivery": settings.SELLER_DESK["DELIVERY_BACKEND"].endswith("MarketplaceHttp"),
        "undelivered_count": dead_letters(store=store).count(),
    }
    return _render(request, "marketplace/endpoint.html", context, status=400 if form.errors else 200)
