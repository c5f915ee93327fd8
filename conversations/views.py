"""Browser pages: the three-pane inbox (queue, thread, order).

Views stay thin: reads through ``selectors``, writes through ``services``; htmx asks for partials
(queue rows, messages since an id, the reply box) and the same URLs serve full pages without JavaScript.
"""

import hashlib
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.http import Http404, HttpResponse, HttpResponseBadRequest, HttpResponseNotModified
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coupons.selectors import coupon_list_attachable
from seller_desk.auth import owner_required, store_member_required
from seller_desk.errors import ApplicationError
from seller_desk.models import DISPUTE_TRANSITIONS, DisputeAction, EvidenceSide
from seller_desk.selectors import store_local_date
from seller_desk.services import protection_extend_check, protection_limits
from templates_i18n import selectors as scenario_selectors
from templates_i18n.dates import find_dates
from templates_i18n.guard import text_check
from templates_i18n.languages import LANGUAGE_NAMES, SUPPORTED_LANGUAGES, direction, normalize_language
from templates_i18n.models import Voice
from templates_i18n.services import scenario_pick_record

from . import selectors, services
from .forms import DisputeAnswerForm, ProtectionExtensionForm, ReplyForm
from .models import Channel, Note
from .presenters import queue_row_views

QUEUE_LIMIT = 200
QUEUE_TABS = (
    ("needs_reply", _("Needs reply")),
    ("mine", _("Mine")),
    ("unassigned", _("Unassigned")),
    ("all", _("All")),
)
# The second row of tabs: smaller, for the conversations out of the way.
QUEUE_TABS_MORE = (("answered", _("Answered")), ("snoozed", _("Snoozed")), ("resolved", _("Resolved")))


def _render(request, template: str, context: dict, status: int = 200):
    """Render with dates in the store's time zone (the store's local day is what agents think in)."""
    with timezone.override(request.display_tz):
        return render(request, template, context, status=status)


def _poll_ms() -> int:
    return int(settings.SELLER_DESK.get("INBOX_POLL_SECONDS", 3) * 1000)


def _filters(request) -> dict:
    """The queue filters from the query string; unknown values fall back to no filter."""
    queue = request.GET.get("queue", "needs_reply")
    channel = request.GET.get("channel") or None
    language = request.GET.get("language") or None
    assignee = request.GET.get("assignee") or None
    return {
        "queue": queue if queue in selectors.QUEUES else "needs_reply",
        "channel": channel if channel in Channel.values else None,
        "language": language if language in SUPPORTED_LANGUAGES else None,
        "search": (request.GET.get("q") or "").strip()[:100] or None,
        "assignee": int(assignee) if (assignee or "").isdigit() else ("none" if assignee == "none" else None),
        **_team_filters(request),
    }


def _team_filters(request) -> dict:
    """Issue 10's queue filters: a tag (by name), an order-status group, the blocked buyers' view."""
    group = request.GET.get("group") or None
    return {
        "tag": (request.GET.get("tag") or "").strip()[:40] or None,
        "group": group if group in selectors.ORDER_GROUPS else None,
        "blocked": request.GET.get("blocked") == "1",
    }


def _selector_filters(store, filters: dict) -> dict:
    """The filters ``selectors.conversation_list`` and ``queue_counts`` take beyond the queue. A search is run once
    per request (``selectors.search_ids``, kept in ``filters``): the rows, the tab counts and the poll's tag then
    read those ids instead of searching again."""
    keys = ("channel", "language", "tag", "group", "blocked", "assignee")
    values = {key: filters[key] for key in keys}
    values["search"] = None
    if filters["search"]:
        if "_search_ids" not in filters:
            filters["_search_ids"] = selectors.search_ids(store=store, search=filters["search"])
        values["search"] = filters["_search_ids"]
    return values


def _filter_query(filters: dict, **overrides) -> str:
    values = {**filters, **overrides}
    pairs = {
        "queue": values["queue"],
        "channel": values["channel"] or "",
        "language": values["language"] or "",
        "q": values["search"] or "",
        "tag": values["tag"] or "",
        "group": values["group"] or "",
        "blocked": "1" if values["blocked"] else "",
        "assignee": values.get("assignee") or "",
    }
    return urlencode({k: v for k, v in pairs.items() if v and not (k == "queue" and v == "needs_reply")})


def _queue_context(
    store, filters: dict, current_id: int | None, counts: dict | None = None, *, user=None
) -> dict:
    conversations = selectors.inbox_rows(
        store=store, queue=filters["queue"], limit=QUEUE_LIMIT, user=user, **_selector_filters(store, filters)
    )
    counts = counts or _counts(store, filters, user)
    query = _filter_query(filters)
    tabs = [
        {
            "key": key,
            "label": label,
            "count": _count_label(counts[key]),
            "query": _filter_query(filters, queue=key),
        }
        for key, label in QUEUE_TABS
    ]
    more_tabs = [
        {
            "key": key,
            "label": label,
            "count": _count_label(counts[key]),
            "query": _filter_query(filters, queue=key),
        }
        for key, label in QUEUE_TABS_MORE
    ]
    counts = {**counts, "overdue": _count_label(counts["overdue"]) if counts["overdue"] else 0}
    team = _team_queue_context(store, filters, conversations, user)
    return {
        **_assign_queue_context(store, filters, user, len(conversations)),
        "more_tabs": more_tabs,
        "conversations": conversations,
        "queue_rows": queue_row_views(
            conversations, current_id=current_id, filter_query=query, draft_ids=team["draft_ids"]
        ),
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
        **team,
    }


def _team_queue_context(store, filters: dict, conversations: list, user) -> dict:
    """Drafts marked on the rows, the tag picker and the order-status groups (two queries)."""
    return {
        "draft_ids": selectors.draft_conversation_ids(
            store=store, user=user, conversation_ids=[c.id for c in conversations]
        )
        if user is not None
        else set(),
        "store_tags": list(selectors.tag_choices(store=store)),
        "order_groups": [
            {
                "key": key,
                "label": label,
                "short": selectors.ORDER_GROUP_SHORT[key],
                "query": _filter_query(filters, group=None if filters["group"] == key else key),
            }
            for key, (label, _) in selectors.ORDER_GROUPS.items()
        ],
        "blocked_query": _filter_query(filters, blocked=not filters["blocked"]),
    }


def _counts(store, filters: dict, user) -> dict:
    return selectors.queue_counts(store=store, user=user, **_selector_filters(store, filters))


def _count_label(n: int):
    """A tab count; at the cap it reads "1,000+" (the counts stop there, see ``selectors.QUEUE_COUNT_CAP``)."""
    return f"{n:,}+" if n >= selectors.QUEUE_COUNT_CAP else n


def _queue_etag(request, filters: dict, current_id: int | None) -> tuple[str, dict]:
    """A tag for what the poll would render: the rows' values, the tab counts, the open conversation, the
    language and the minute (due times read "in 3 h", so the rows are re-rendered at least once a minute)."""
    store = request.store
    rows = selectors.queue_fingerprint(
        store=store,
        queue=filters["queue"],
        limit=QUEUE_LIMIT,
        user=request.user,
        **_selector_filters(store, filters),
    )
    counts = _counts(store, filters, request.user)
    team = selectors.team_fingerprint(
        store=store, user=request.user, conversation_ids=[row[0] for row in rows]
    )
    minute = int(timezone.now().timestamp() // 60)
    language = getattr(request, "LANGUAGE_CODE", "")
    state = repr((rows, sorted(counts.items()), team, current_id, language, store.timezone, minute))
    return '"' + hashlib.blake2b(state.encode(), digest_size=16).hexdigest() + '"', counts


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


def _with_gists(request, conversation, messages):
    """Each buyer message gets ``gist``: its language and what it is about, for agents who can't read it."""
    inbound = [m for m in messages if m.direction == "inbound"]
    gists = scenario_selectors.message_gists(
        store=request.store,
        messages=inbound,
        order_status=conversation.order.status if conversation.order_id else None,
        buyer_country=conversation.buyer.country or None,
    )
    for m in inbound:
        m.gist = gists.get(m.id)
    return messages


def _thread_context(request, conversation, form: ReplyForm | None = None) -> dict:
    coupons = list(coupon_list_attachable(store=request.store))
    messages = _with_gists(request, conversation, conversation.seller_messages)
    team = _team_thread_context(request, conversation, messages)
    if form is None:
        form = _reply_form(conversation, coupons)
        if team["draft"] is not None:
            form.initial["text"] = team["draft"].text
    return {
        **team,
        "conversation": conversation,
        "thread_messages": messages,
        "last_message_id": max((m.id for m in messages), default=0),
        "order": conversation.order,
        "buyer": conversation.buyer,
        "other_conversations": list(selectors.buyer_other_conversations(conversation=conversation)),
        "form": form,
        "reply_assist_url": _reply_assist_url(conversation),
        "poll_ms": _poll_ms(),
        "now": timezone.now(),
        **_order_side_context(request, conversation),
        **_assign_thread_context(request, conversation),
    }


def _team_thread_context(request, conversation, messages) -> dict:
    """Notes woven into the thread by time, the conversation's tags, the buyer's block and the agent's draft."""
    notes = list(selectors.conversation_notes(conversation=conversation))
    return {
        "thread_timeline": _timeline(messages, notes),
        "conversation_tags": [row.tag for row in selectors.conversation_tag_rows(conversation=conversation)],
        "store_tags": list(selectors.tag_choices(store=request.store)),
        "buyer_block": selectors.buyer_block_active(store=request.store, buyer_id=conversation.buyer_id),
        "draft": selectors.draft_get(conversation=conversation, user=request.user),
        "note_form_text": "",
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
        services.presence_touch(conversation=conversation, user=request.user)
        context.update(_thread_context(request, conversation))
        if request.htmx and request.htmx.target == "workspace" and not request.htmx.history_restore_request:
            return _render(request, "conversations/_workspace.html", context)
    context.update(_queue_context(request.store, filters, conversation_id, user=request.user))
    return _render(request, "conversations/inbox.html", context)


@require_GET
@store_member_required
def inbox_queue(request):
    """The queue rows and tab counts (polled by the inbox every few seconds); "304 Not Modified" when the
    ``If-None-Match`` tag still matches what would be rendered."""
    current = request.GET.get("current")
    current_id = int(current) if (current or "").isdigit() else None
    filters = _filters(request)
    etag, counts = _queue_etag(request, filters, current_id)
    if etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
        response = HttpResponseNotModified()
    else:
        context = _queue_context(request.store, filters, current_id, counts=counts, user=request.user)
        response = _render(request, "conversations/_queue_poll.html", context)
    # The browser asks again with If-None-Match every poll and gets "304 Not Modified" while nothing changed.
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    return response


@require_GET
@store_member_required
def thread_messages_since(request, conversation_id: int):
    """Seller-visible messages newer than ``after`` for the open thread (204 when there are none)."""
    conversation = selectors.conversation_get(store=request.store, conversation_id=conversation_id)
    after = request.GET.get("after", "0")
    new = list(
        selectors.messages_since(conversation=conversation, after_id=int(after) if after.isdigit() else 0)
    )
    notes = _notes_since(request, conversation)
    if not new and not notes:
        return HttpResponse(status=204)
    _with_gists(request, conversation, new)
    context = {
        "conversation": conversation,
        "thread_messages": new,
        "thread_timeline": _timeline(new, notes),
        "now": timezone.now(),
    }
    return _render(request, "conversations/_messages_since.html", context)


def _notes_since(request, conversation) -> list:
    """Teammates' notes newer than ``after_note`` (sent by the thread's poll beside ``after``)."""
    after_note = request.GET.get("after_note")
    if after_note is None or not after_note.isdigit():
        return []
    return list(selectors.conversation_notes(conversation=conversation).filter(id__gt=int(after_note)))


def _timeline(messages, notes) -> list:
    """Messages and notes in one list by time (a note after a message of the same instant)."""
    return sorted([*messages, *notes], key=lambda item: (item.created_at, isinstance(item, Note), item.id))


@require_POST
@store_member_required
def inbox_reply(request, conversation_id: int):
    """Send the agent's reply through ``services.reply_send``; on a broken rule the box comes back with the text."""
    conversation = selectors.conversation_get(store=request.store, conversation_id=conversation_id)
    coupons = list(coupon_list_attachable(store=request.store))
    form = _reply_form(conversation, coupons, request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        pick_text = _pick_buyer_text(request, conversation)
        try:
            key = services.idempotency_key_check(data["idempotency_key"] or None, field="text")
            if not services.reply_replay(
                conversation=conversation, acting_user=request.user, idempotency_key=key
            ):
                try:
                    services.reply_send(
                        conversation=conversation,
                        acting_user=request.user,
                        text=data["text"],
                        language=data["language"] or _reply_language(conversation),
                        image=data["image"],
                        coupon_id=data["coupon_id"],
                        idempotency_key=key,
                        last_seen_message_id=data["last_seen_message_id"],
                        force=data["force"],
                    )
                except IntegrityError:
                    if not services.reply_replay(
                        conversation=conversation, acting_user=request.user, idempotency_key=key
                    ):
                        raise
        except services.ReplyConflict as error:
            return _reply_conflict(request, conversation, form, error)
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            services.draft_discard(conversation=conversation, acting_user=request.user)
            _pick_record(request, pick_text, data["language"] or _reply_language(conversation))
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
    context.update(_queue_context(request.store, _filters(request), conversation.id, user=request.user))
    return _render(request, "conversations/inbox.html", context, status=400)


def _query_suffix(request) -> str:
    query = _filter_query(_filters(request))
    return f"?{query}" if query else ""


# --- reply assist ---
# The panel above the inbox reply box (docs/reply-assist.md): suggested scenarios, the reply language,
# the "/" search over every scenario the store can use, rendering a pick for the conversation, and the
# banned-word check as the agent types. The conversation comes from conversations.selectors, scoped to
# the member's store (another store's conversation is a 404).

REPLY_ASSIST_SUGGESTIONS = 3
# Snippet of text shown on each side of a banned word under the reply box.
REPLY_ASSIST_CONTEXT = 32


def _assist_conversation(request, conversation_id: int):
    return selectors.conversation_get(store=request.store, conversation_id=conversation_id)


def _assist_language(request, conversation) -> str:
    """The language asked for (one of the nine), else the buyer's language."""
    return normalize_language(request.GET.get("language")) or selectors.reply_language_for(conversation)


def _language_reason(conversation) -> str:
    """Why this language was chosen, in the words of the rule (locale, else detected, else English)."""
    locale = conversation.buyer.locale
    if normalize_language(locale):
        return gettext("buyer's locale: %(locale)s") % {"locale": locale}
    shown = gettext("%(locale)s (not one of the nine)") % {"locale": locale} if locale else gettext("not set")
    return gettext("buyer's locale: %(shown)s — read from their messages, else English") % {"shown": shown}


def _assist_languages(available=None) -> list[dict]:
    return [
        {
            "code": code,
            "name": LANGUAGE_NAMES[code],
            "dir": direction(code),
            "present": available is None or code in available,
        }
        for code in SUPPORTED_LANGUAGES
    ]


def _assist_scenario(scenario) -> dict:
    return {
        "code": scenario.code,
        "title": scenario_selectors.scenario_title(scenario),
        "official": scenario.is_official,
        "languages": scenario_selectors.scenario_languages(scenario),
        "advice": scenario.voice == Voice.ADVICE,
    }


@require_GET
@store_member_required
def reply_assist(request, conversation_id: int):
    """The assist panel: reply language with the nine to switch to, the "/" list, and a slot the
    suggestions load into (they may take a moment on a cold process, the rest must not wait)."""
    conversation = _assist_conversation(request, conversation_id)
    language = _assist_language(request, conversation)
    scenarios = [_assist_scenario(s) for s in scenario_selectors.scenario_list(store=request.store)]
    return render(
        request,
        "templates_i18n/_reply_assist.html",
        {
            "conversation": conversation,
            "language": language,
            "language_name": LANGUAGE_NAMES[language],
            "language_reason": _language_reason(conversation),
            "languages": _assist_languages(),
            "scenarios": scenarios,
        },
    )


@require_GET
@store_member_required
def reply_assist_suggestions(request, conversation_id: int):
    """The top suggestions for the conversation (buyer's latest messages + order status), best first."""
    conversation = _assist_conversation(request, conversation_id)
    result = selectors.suggestions_for_conversation(store=request.store, conversation=conversation)
    language = _assist_language(request, conversation)
    by_code = {s.code: s for s in scenario_selectors.scenario_list(store=request.store)}
    ranked = [s for s in result.suggestions if s.code in by_code]
    lowest = ranked[-1].score if ranked else 0.0
    top = ranked[0].score if ranked else 0.0
    suggestions = []
    for rank, suggestion in enumerate(ranked[:REPLY_ASSIST_SUGGESTIONS], start=1):
        item = _assist_scenario(by_code[suggestion.code])
        spread = top - lowest
        item.update(
            rank=rank,
            score=suggestion.score,
            # Scores only compare within one ranking: the bar shows how close to the best it is,
            # measured against the weakest candidate of the same ranking.
            bar=round(100 * (suggestion.score - lowest) / spread) if spread > 0 else 100,
            has_language=language in item["languages"],
            confident=suggestion.confident,
            picked=suggestion.picked,
        )
        item["bar"] = max(item["bar"], 6)
        suggestions.append(item)
    return render(
        request,
        "templates_i18n/_reply_assist_suggestions.html",
        {
            "conversation": conversation,
            "suggestions": suggestions,
            # No confident first suggestion: the box says no official scenario fits and pre-selects none.
            "none_fits": bool(suggestions) and not suggestions[0]["confident"],
            "language": language,
            "language_name": LANGUAGE_NAMES[language],
            "order_status": conversation.order.get_status_display() if conversation.order_id else "",
        },
    )


@require_GET
@store_member_required
def reply_assist_render(request, conversation_id: int):
    """A scenario rendered for the conversation: order id and buyer name filled in, any other
    placeholder left as ``{name}`` for the agent to fill; a missing language names the ones there are."""
    conversation = _assist_conversation(request, conversation_id)
    if not request.GET.get("code"):
        return HttpResponseBadRequest("code: name the scenario to render (?code=…).")
    scenario = scenario_selectors.scenario_get(store=request.store, code=request.GET["code"])
    language = _assist_language(request, conversation)
    known = selectors.conversation_variables(conversation)
    # Placeholders the conversation cannot fill stay visible as {name}: the agent fills them in the box.
    variables = {name: f"{{{name}}}" for name in scenario_selectors.scenario_placeholders(scenario)}
    variables.update(known)
    available = scenario_selectors.scenario_languages(scenario)
    context = {
        "conversation": conversation,
        "scenario": _assist_scenario(scenario),
        "language": language,
        "language_name": LANGUAGE_NAMES[language],
        "available": [{"code": code, "name": LANGUAGE_NAMES[code]} for code in available],
        "languages": _assist_languages(available),
    }
    if language not in available:
        # Nothing is machine-translated: say so, and offer the languages the scenario is written in.
        context["missing_language"] = True
        return render(request, "templates_i18n/_reply_assist_render.html", context)
    try:
        rendered = scenario_selectors.scenario_render(
            store=request.store, code=scenario.code, language=language, variables=variables
        )
    except ApplicationError as exc:
        context["errors"] = [m for msgs in exc.errors.values() for m in msgs]
    else:
        context["rendered"] = rendered
        used = scenario_selectors.placeholders(scenario_selectors.scenario_texts(scenario)[language])
        context["unfilled"] = scenario_selectors.placeholders(rendered.text)
        context["filled"] = [{"name": name, "value": known[name]} for name in used if name in known]
    return render(request, "templates_i18n/_reply_assist_render.html", context)


def _utf16_length(text: str) -> int:
    """Length in UTF-16 code units: JavaScript's string offsets (an emoji counts twice)."""
    return len(text.encode("utf-16-le")) // 2


@require_POST
@store_member_required
def reply_assist_check(request, conversation_id: int):
    """POST ``text`` → the banned words in it, each in context with its suggestion (``data-ok`` says
    whether the text may be sent). Offsets are given in UTF-16 units for the box's "Replace" buttons."""
    _assist_conversation(request, conversation_id)
    text = request.POST.get("text", "")
    hits = []
    for hit in text_check(text):
        before, cut_before = _context_before(text, hit.start)
        after, cut_after = _context_after(text, hit.end)
        hits.append(
            {
                "hit": hit,
                "before": before,
                "after": after,
                "cut_before": cut_before,
                "cut_after": cut_after,
                "start16": _utf16_length(text[: hit.start]),
                "end16": _utf16_length(text[: hit.end]),
                "replacement": _matching_case(hit.found, hit.suggestion),
            }
        )
    return render(
        request,
        "templates_i18n/_reply_assist_check.html",
        {"hits": hits, "ok": not hits, "text": text, **_dated_context(text, store_local_date(request.store))},
    )


def _pick_buyer_text(request, conversation) -> str:
    """The buyer text the suggestions were made for, read before the reply is sent (issue 13, point 5);
    "" when the reply was not built from a scenario (the reply box posts ``scenario_code`` when it was)."""
    if not request.POST.get("scenario_code"):
        return ""
    return selectors.suggestion_text_for_conversation(conversation)


def _pick_record(request, buyer_text: str, language: str) -> None:
    """Record which scenario the sent reply was built from, against the first one the box suggested."""
    if buyer_text:
        scenario_pick_record(
            store=request.store,
            acting_user=request.user,
            buyer_text=buyer_text,
            language=language,
            picked_code=request.POST.get("scenario_code", ""),
            suggested_code=request.POST.get("suggested_code", ""),
        )


def _dated_context(text: str, today) -> dict:
    """Past dates (must be confirmed or edited) and relative or seasonal words (to check) in ``text``,
    each with its context, for the reply box."""
    past, notes = [], []
    for mention in find_dates(text, today=today):
        before, cut_before = _context_before(text, mention.start)
        after, cut_after = _context_after(text, mention.end)
        item = {
            "mention": mention,
            "message": mention.message(),
            "before": before,
            "after": after,
            "cut_before": cut_before,
            "cut_after": cut_after,
            "start16": _utf16_length(text[: mention.start]),
            "end16": _utf16_length(text[: mention.end]),
        }
        (past if mention.past else notes).append(item)
    return {"dated": past, "date_notes": [n for n in notes if n["mention"].kind in ("relative", "seasonal")]}


def _context_before(text: str, start: int) -> tuple[str, bool]:
    """Up to REPLY_ASSIST_CONTEXT characters before a hit, starting at a whole word; and whether it was cut."""
    if start <= REPLY_ASSIST_CONTEXT:
        return text[:start], False
    piece = text[start - REPLY_ASSIST_CONTEXT : start]
    space = next((i for i, ch in enumerate(piece) if ch.isspace()), -1)
    return (piece[space + 1 :] if 0 <= space < len(piece) - 1 else piece), True


def _context_after(text: str, end: int) -> tuple[str, bool]:
    """Up to REPLY_ASSIST_CONTEXT characters after a hit, ending at a whole word; and whether it was cut."""
    if end + REPLY_ASSIST_CONTEXT >= len(text):
        return text[end:], False
    piece = text[end : end + REPLY_ASSIST_CONTEXT]
    space = max((i for i, ch in enumerate(piece) if ch.isspace()), default=-1)
    return (piece[:space] if space > 0 else piece), True


def _matching_case(found: str, suggestion: str) -> str:
    """The suggestion written like the word it replaces: capitalised or all capitals when that was."""
    if not suggestion:
        return ""
    letters = [c for c in found if c.isalpha()]
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return suggestion.upper()
    if letters and letters[0].isupper():
        return suggestion[:1].upper() + suggestion[1:]
    return suggestion


# --- answering a dispute and extending buyer protection, beside the thread (issue 12) ---
# Both forms post to their own view and come back as the whole workspace (thread and order panel), so the
# new reply shows in the thread and the panel shows the new state; a broken rule returns the form with
# the text kept and the rule named.

DISPUTE_ACTION_LABELS = {
    DisputeAction.AGREE: _("Agree to the buyer's request"),
    DisputeAction.PROPOSE: _("Propose another refund or a return"),
    DisputeAction.REJECT: _("Reject with evidence"),
}


def _dispute_form(dispute, data=None, files=None) -> DisputeAnswerForm:
    allowed = DISPUTE_TRANSITIONS.get(dispute.status, {})
    actions = [(a, DISPUTE_ACTION_LABELS[a]) for a in DisputeAction.values if a in allowed]
    excerpts = list(selectors.dispute_excerpt_choices(dispute=dispute))
    return DisputeAnswerForm(data, files, actions=actions, excerpts=excerpts, initial={"action": "propose"})


def _protection_state(order) -> dict:
    """Whether the order panel offers the extension, and if not why (the service's own words)."""
    per_extension, total = protection_limits()
    state = {"per_extension": per_extension, "total": total, "available": True, "why_not": ""}
    if order is None:
        return {**state, "available": False}
    try:
        protection_extend_check(order=order, days=None)
    except ApplicationError as error:
        state.update(available=False, why_not=" ".join(m for ms in error.errors.values() for m in ms))
    state["left"] = max(total - order.protection_extended_days, 0)
    state["max_now"] = min(per_extension, state["left"])
    return state


def _order_side_context(request, conversation, *, dispute_form=None, protection_form=None) -> dict:
    dispute = selectors.dispute_for_panel(conversation=conversation)
    order = conversation.order
    context = {
        "dispute": dispute,
        "protection": _protection_state(order),
        "protection_history": list(selectors.protection_history(order=order)) if order else [],
        "protection_form": protection_form or ProtectionExtensionForm(),
        "protection_templates": [
            {"code": t.code, "title": scenario_selectors.scenario_title(t)}
            for t in scenario_selectors.scenario_list(store=request.store)
            if not t.is_official
        ]
        if order is not None
        else [],
    }
    if dispute is not None:
        evidence = list(dispute.evidence.all())
        context.update(
            dispute_form=dispute_form or _dispute_form(dispute),
            dispute_open=bool(DISPUTE_TRANSITIONS.get(dispute.status)),
            buyer_evidence=[e for e in evidence if e.side == EvidenceSide.BUYER],
            dispute_answers=[
                {"response": r, "evidence": [e for e in evidence if e.response_id == r.pk]}
                for r in dispute.responses.all()
            ],
        )
    return context


def _workspace_response(request, conversation_id: int, **forms):
    conversation = selectors.conversation_with_messages(store=request.store, conversation_id=conversation_id)
    context = {"nav": "inbox", "store": request.store}
    context.update(_thread_context(request, conversation))
    context.update(
        {name: form for name, form in forms.items() if form is not None}
    )  # the posted form, errors kept
    if request.htmx:
        response = _render(request, "conversations/_workspace.html", context)
        if not forms:
            response["HX-Trigger"] = "queue-changed"
        return response
    if not forms:
        return redirect(reverse("inbox-thread", args=[conversation.id]))
    context.update(_queue_context(request.store, _filters(request), conversation.id, user=request.user))
    return _render(request, "conversations/inbox.html", context, status=400)


# --- delivery to the marketplace: the store's dead letters (docs/operations.md) ---


@require_GET
@store_member_required
def undelivered_list(request):
    """Messages the marketplace never took after every try, with "Send again"."""
    messages = list(selectors.dead_letters(store=request.store)[:200])
    return _render(
        request,
        "conversations/undelivered.html",
        {"nav": "inbox", "store": request.store, "undelivered": messages},
    )


@require_POST
@store_member_required
def dispute_answer(request, dispute_conversation_id: int):
    """Answer the conversation's dispute through ``services.dispute_respond``."""
    conversation_id = dispute_conversation_id
    conversation = selectors.conversation_get(store=request.store, conversation_id=conversation_id)
    dispute = selectors.dispute_for_panel(conversation=conversation)
    if dispute is None:
        raise Http404(gettext("This conversation has no dispute."))
    form = _dispute_form(dispute, request.POST, request.FILES)
    if not DISPUTE_TRANSITIONS.get(dispute.status):
        form.is_valid()
        form.add_error(
            None,
            _("This dispute is %(status)s; it takes no more answers from the seller.")
            % {"status": dispute.get_status_display().lower()},
        )
        return _workspace_response(request, conversation_id, dispute_form=form)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.dispute_respond(
                dispute=dispute,
                acting_user=request.user,
                action=data["action"],
                text=data["text"],
                refund_amount=data["refund_amount"],
                return_goods=data["return_goods"],
                photos=data["photos"],
                video=data["video"],
                excerpt_ids=data["excerpt_ids"],
            )
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            return _workspace_response(request, conversation_id)
    return _workspace_response(request, conversation_id, dispute_form=form)


@require_POST
@store_member_required
def protection_extend_view(request, conversation_id: int):
    """Extend the order's buyer protection and tell the buyer (``services.protection_extend_and_tell``)."""
    conversation = selectors.conversation_get(store=request.store, conversation_id=conversation_id)
    if conversation.order is None:
        raise Http404(gettext("This conversation is not about an order."))
    form = ProtectionExtensionForm(request.POST)
    if form.is_valid():
        try:
            services.protection_extend_and_tell(
                store=request.store,
                order=conversation.order,
                days=form.cleaned_data["days"],
                reason=form.cleaned_data["reason"],
                template_code=form.cleaned_data["template_code"],
                acting_user=request.user,
                conversation=conversation,
            )
        except ApplicationError as error:
            form.add_application_error(error)
        else:
            return _workspace_response(request, conversation_id)
    return _workspace_response(request, conversation_id, protection_form=form)


@require_POST
@store_member_required
def undelivered_retry(request, undelivered_id: int):
    """Queue a dead-letter message again; back to the thread (``next=thread``) or the list."""
    message = services.message_delivery_retry(
        store=request.store, message_id=undelivered_id, acting_user=request.user
    )
    if request.POST.get("next") == "thread":
        return redirect(reverse("inbox-thread", args=[message.conversation_id]))
    return redirect(reverse("inbox-undelivered"))


# --- team inbox, part B (issue 10): notes and mentions, tags, blocked buyers, drafts (docs/inbox.md) ---
# --- team inbox, part A (issue 10): assignment, presence, resolve, snooze, bulk actions, auto-assignment ---
# Each write posts to its own view and answers with the workspace (thread head updated) or the queue rows;
# the services scope everything to the member's store.

# The queue's bulk actions: key → label. The services' ``BULK_ACTIONS`` does the work.
BULK_ACTION_LABELS = {
    "assign": _("Assign to…"),
    "resolve": _("Resolve"),
    "snooze": _("Snooze"),
    "tag": _("Tag…"),
}
BULK_ALL_MATCHING_LIMIT = 1000


def _is_owner(user) -> bool:
    membership = getattr(user, "membership", None)
    return membership is not None and membership.role == "owner"


def _assign_queue_context(store, filters: dict, user, shown: int) -> dict:
    """The per-agent filter with open counts (owners), the bulk bar and the availability switch: three queries."""
    members = selectors.store_members(store=store)
    open_counts = selectors.open_counts_by_assignee(store=store, member_ids=[m["id"] for m in members])
    return {
        "is_owner": _is_owner(user),
        "members": [{**m, "open": _count_label(open_counts[m["id"]])} for m in members],
        "unassigned_open": _count_label(open_counts[None]),
        "bulk_actions": BULK_ACTION_LABELS,
        "snooze_presets": selectors.snooze_presets(store=store),
        "available": bool(user and user.is_authenticated and selectors.availability_of(user=user)),
        "shown": shown,
    }


def _assign_thread_context(request, conversation) -> dict:
    return {
        "presence": selectors.presence_others(conversation=conversation, user=request.user),
        "thread_members": selectors.store_members(store=request.store) if _is_owner(request.user) else [],
        "is_owner": _is_owner(request.user),
        "snooze_presets": selectors.snooze_presets(store=request.store),
    }


def _reply_conflict(request, conversation, form, error):
    """The reply was written from a stale view: the box comes back with the text, the newer messages and a
    "send anyway?" dialog (409 on a full page; htmx swaps it in)."""
    context = {"form": form, "conversation": conversation, "conflict": error.newer, "now": timezone.now()}
    if request.htmx:
        return _render(request, "conversations/_reply_form.html", context)
    full = selectors.conversation_with_messages(store=request.store, conversation_id=conversation.pk)
    page = {"nav": "inbox", "store": request.store}
    page.update(_thread_context(request, full, form=form))
    page.update(context)
    page.update(_queue_context(request.store, _filters(request), conversation.pk, user=request.user))
    return _render(request, "conversations/inbox.html", page, status=409)


@require_POST
@store_member_required
def inbox_note(request, conversation_id: int):
    """Add an internal note; htmx gets the note form back fresh and the note appended to the thread."""
    conversation = selectors.conversation_get(store=request.store, conversation_id=conversation_id)
    text = request.POST.get("text", "")
    try:
        note = services.note_create(conversation=conversation, acting_user=request.user, text=text)
    except ApplicationError as error:
        context = {
            "conversation": conversation,
            "note_form_text": text,
            "note_errors": error.errors.get("text"),
        }
        if request.htmx:
            return _render(request, "conversations/_note_form.html", context, status=400)
        return HttpResponseBadRequest(" ".join(error.errors.get("text", [])))
    if not request.htmx:
        return redirect(reverse("inbox-thread", args=[conversation.id]))
    return _render(request, "conversations/_note_created.html", {"conversation": conversation, "note": note})


@require_POST
@store_member_required
def inbox_assign(request, conversation_id: int):
    """Assign to me (``assignee_id=me``), to a member (owners), or to nobody (empty)."""
    conversation = selectors.conversation_get(store=request.store, conversation_id=conversation_id)
    raw = request.POST.get("assignee_id", "")
    assignee_id = request.user.pk if raw == "me" else (int(raw) if raw.isdigit() else None)
    if raw and raw != "me" and not raw.isdigit():
        return HttpResponseBadRequest(gettext("assignee_id: 'me', a member's id, or empty for nobody."))
    try:
        services.conversation_assign(
            conversation=conversation, assignee_id=assignee_id, acting_user=request.user
        )
    except ApplicationError as error:
        return HttpResponseBadRequest(" ".join(m for ms in error.errors.values() for m in ms))
    return _workspace_response(request, conversation_id)


@require_POST
@store_member_required
def inbox_resolve(request, conversation_id: int):
    conversation = selectors.conversation_get(store=request.store, conversation_id=conversation_id)
    services.conversation_resolve(conversation=conversation, acting_user=request.user)
    return _workspace_response(request, conversation_id)


@require_POST
@store_member_required
def inbox_snooze(request, conversation_id: int):
    conversation = selectors.conversation_get(store=request.store, conversation_id=conversation_id)
    try:
        until = selectors.snooze_until_parse(
            store=request.store, preset=request.POST.get("preset"), custom=request.POST.get("until")
        )
        services.conversation_snooze(conversation=conversation, until=until, acting_user=request.user)
    except ApplicationError as error:
        return HttpResponseBadRequest(" ".join(m for ms in error.errors.values() for m in ms))
    return _workspace_response(request, conversation_id)


@require_GET
@store_member_required
def inbox_mentions(request):
    """Notes in which a teammate @mentioned the signed-in member, newest first."""
    mentions = list(selectors.note_mentions(store=request.store, user=request.user))
    return _render(
        request, "conversations/mentions.html", {"nav": "inbox", "store": request.store, "mentions": mentions}
    )


def _tags_panel(request, conversation, *, error: str = "", status: int = 200):
    context = {
        "conversation": conversation,
        "conversation_tags": [row.tag for row in selectors.conversation_tag_rows(conversation=conversation)],
        "store_tags": list(selectors.tag_choices(store=request.store)),
        "tag_error": error,
    }
    if request.htmx:
        response = _render(request, "conversations/_tags.html", context, status=status)
        if status == 200:
            response["HX-Trigger"] = "queue-changed"
        return response
    if status != 200:
        return HttpResponseBadRequest(error)
    return redirect(reverse("inbox-thread", args=[conversation.id]))


@require_GET
@store_member_required
def inbox_presence(request, conversation_id: int):
    """The thread's presence line, polled with the live updates; the poll itself says "I am here" (and
    ``typing=1`` while the agent types)."""
    conversation = selectors.conversation_get(store=request.store, conversation_id=conversation_id)
    services.presence_touch(
        conversation=conversation, user=request.user, typing=request.GET.get("typing") == "1"
    )
    return _render(
        request,
        "conversations/_presence.html",
        {
            "conversation": conversation,
            "presence": selectors.presence_others(conversation=conversation, user=request.user),
            "poll_ms": _poll_ms(),
        },
    )


@require_POST
@store_member_required
def conversation_tag_add_view(request, conversation_id: int):
    conversation = selectors.conversation_get(store=request.store, conversation_id=conversation_id)
    try:
        services.conversation_tag_add(
            conversation=conversation, acting_user=request.user, name=request.POST.get("tag", "")
        )
    except ApplicationError as error:
        return _tags_panel(request, conversation, error=" ".join(error.errors["tag"]), status=400)
    return _tags_panel(request, conversation)


@require_POST
@store_member_required
def inbox_bulk(request):
    """One action on the selected conversations, or on every one matching the queue's filters."""
    filters = _filters(request)
    if request.POST.get("all_matching") == "1":
        ids = list(
            selectors.conversation_list(
                store=request.store,
                queue=filters["queue"],
                user=request.user,
                **_selector_filters(request.store, filters),
            ).values_list("id", flat=True)[:BULK_ALL_MATCHING_LIMIT]
        )
    else:
        ids = request.POST.getlist("ids")
    action = request.POST.get("action", "")
    values = {"assignee_id": request.POST.get("assignee_id"), "tag_id": request.POST.get("tag_id")}
    if values["assignee_id"] == "me":
        values["assignee_id"] = str(request.user.pk)
    try:
        if action == "snooze":
            values["until"] = selectors.snooze_until_parse(
                store=request.store, preset=request.POST.get("preset"), custom=request.POST.get("until")
            )
        services.conversations_bulk_apply(
            store=request.store, conversation_ids=ids, action=action, acting_user=request.user, values=values
        )
    except ApplicationError as error:
        return HttpResponseBadRequest(" ".join(m for ms in error.errors.values() for m in ms))
    if request.htmx:
        context = _queue_context(request.store, filters, None, user=request.user)
        response = _render(request, "conversations/_queue_poll.html", context)
        response["HX-Trigger"] = "thread-changed"
        return response
    return redirect(reverse("inbox") + _query_suffix(request))


@require_POST
@store_member_required
def conversation_tag_remove_view(request, conversation_id: int, tag_id: int):
    conversation = selectors.conversation_get(store=request.store, conversation_id=conversation_id)
    services.conversation_tag_remove(conversation=conversation, acting_user=request.user, tag_id=tag_id)
    return _tags_panel(request, conversation)


@require_http_methods(["GET", "POST"])
@store_member_required
def tags_manage(request):
    """The store's tags: everyone sees them and how often they are used; the owner adds and deletes."""
    error, name = "", ""
    if request.method == "POST":
        if request.membership.role != "owner":
            raise PermissionDenied(gettext("Only the store owner manages tags."))
        name = request.POST.get("name", "")
        try:
            services.tag_create(store=request.store, acting_user=request.user, name=name)
        except ApplicationError as exc:
            error = " ".join(exc.errors["name"])
        else:
            return redirect(reverse("inbox-tags"))
    context = {
        "nav": "inbox",
        "store": request.store,
        "tags": list(selectors.tag_list(store=request.store)),
        "tag_error": error,
        "tag_name": name,
        "is_owner": request.membership.role == "owner",
    }
    return _render(request, "conversations/tags.html", context, status=400 if error else 200)


@require_POST
@owner_required
def tag_delete_view(request, tag_id: int):
    services.tag_delete(store=request.store, acting_user=request.user, tag_id=tag_id)
    return redirect(reverse("inbox-tags"))


@require_POST
@store_member_required
def buyer_block_view(request, conversation_id: int):
    """Block the conversation's buyer (spam): their conversations leave the queue until unblocked."""
    conversation = selectors.conversation_get(store=request.store, conversation_id=conversation_id)
    services.buyer_block(
        store=request.store,
        buyer=conversation.buyer,
        acting_user=request.user,
        reason=request.POST.get("reason", "")[:200],
    )
    return _workspace_response(request, conversation_id)


@require_POST
@store_member_required
def buyer_unblock_view(request, conversation_id: int):
    conversation = selectors.conversation_get(store=request.store, conversation_id=conversation_id)
    services.buyer_unblock(store=request.store, buyer=conversation.buyer, acting_user=request.user)
    return _workspace_response(request, conversation_id)


@require_POST
@store_member_required
def draft_save_view(request, conversation_id: int):
    """Keep the agent's unsent reply (the reply box posts it as they type); 204."""
    conversation = selectors.conversation_get(store=request.store, conversation_id=conversation_id)
    services.draft_save(
        conversation=conversation, acting_user=request.user, text=request.POST.get("text", "")
    )
    return HttpResponse(status=204)


@require_POST
@store_member_required
def inbox_availability(request):
    """The member marks themselves available for auto-assignment, or away."""
    services.agent_availability_set(
        store=request.store, acting_user=request.user, available=request.POST.get("available") == "1"
    )
    return redirect(
        request.POST.get("next") if request.POST.get("next", "").startswith("/inbox/") else "inbox"
    )


@store_member_required
def inbox_settings(request):
    """Auto-assignment: on or off and the per-agent cap (owners change it, members read it)."""
    row = selectors.inbox_settings_for(store=request.store)
    error = None
    if request.method == "POST":
        if not _is_owner(request.user):
            raise PermissionDenied(gettext("Only the store owner may change auto-assignment."))
        try:
            cap = request.POST.get("agent_cap", "")
            if not cap.isdigit():
                raise ApplicationError({"agent_cap": gettext("The cap is a whole number from 1 to 1000.")})
            services.inbox_settings_update(
                store=request.store,
                acting_user=request.user,
                auto_assign=request.POST.get("auto_assign") == "1",
                agent_cap=int(cap),
            )
        except ApplicationError as exc:
            error = " ".join(m for ms in exc.errors.values() for m in ms)
        else:
            return redirect("inbox-settings")
    return _render(
        request,
        "conversations/inbox_settings.html",
        {
            "nav": "inbox",
            "store": request.store,
            "settings_row": row,
            "is_owner": _is_owner(request.user),
            "error": error,
            "members": selectors.store_members(store=request.store),
        },
    )
