"""Reads for conversations; every read is scoped to a store and a fetch raises 404 itself."""

import functools
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from time import monotonic
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.postgres.expressions import ArraySubquery
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce, JSONObject
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from rest_framework import fields as _rest_fields

from seller_desk.errors import ApplicationError
from seller_desk.models import (
    DISPUTE_ACTIVE_STATUSES,
    Buyer,
    Dispute,
    DisputeEvidence,
    DisputeResponse,
    Membership,
    Order,
    OrderStatus,
    ProtectionExtension,
    Store,
)
from seller_desk.prepared import PreparedRead, any_of, iso_time, moment
from seller_desk.row_versions import KeptRows, RowVersion
from templates_i18n.languages import bcp47
from templates_i18n.selectors import reply_language, reply_text_render, suggestions_for_text

from .models import (
    AgentAvailability,
    BuyerBlock,
    Channel,
    Conversation,
    ConversationStatus,
    ConversationTag,
    Direction,
    Draft,
    InboxSettings,
    InboxState,
    Message,
    Note,
    NoteMention,
    ReplyWait,
    SenderKind,
    Tag,
)

User = get_user_model()

QUEUES = ("needs_reply", "mine", "unassigned", "snoozed", "resolved", "all", "answered")


def conversation_list(
    *,
    store: Store,
    queue: str = "needs_reply",
    channel: str | None = None,
    language: str | None = None,
    search: str | None = None,
    tag: str | None = None,
    group: str | None = None,
    blocked: bool = False,
    user=None,
    assignee: str | int | None = None,
) -> QuerySet[Conversation]:
    """The inbox queue: needs-reply soonest due first; otherwise most recent first. Constant queries.

    The team queues (``mine``, ``unassigned``, ``snoozed``, ``resolved``) and ``assignee`` (a user id or
    ``"none"``) narrow it further (``team_queue_filter``, ``assignee_filter``)."""
    qs = _queue_filtered(
        store=store,
        queue=queue,
        channel=channel,
        language=language,
        search=search,
        tag=tag,
        group=group,
        blocked=blocked,
        user=user,
        assignee=assignee,
    ).select_related("buyer", "order", "assignee")
    if queue == "needs_reply":
        return qs.annotate(dispute_deadline=_dispute_deadline()).order_by(
            F("dispute_deadline").asc(nulls_last=True), "reply_due_at", "id"
        )
    return qs.order_by("-last_message_at", "-id")


def _queue_filtered(
    *, store: Store, queue: str, user=None, assignee=None, now=None, **filters
) -> QuerySet[Conversation]:
    """The rows of a queue, unordered: ``conversation_list`` orders them, ``queue_rows`` pages them."""
    qs = assignee_filter(
        team_queue_filter(_conversations_filtered(store=store, **filters), queue=queue, user=user),
        assignee=assignee,
    )
    if queue == "needs_reply":
        return qs.filter(status=ConversationStatus.NEEDS_REPLY).filter(open_condition(now))
    if queue == "answered":
        return qs.filter(status=ConversationStatus.ANSWERED)
    return qs


# A dispute escalating to the platform within this time goes to the top of the needs-reply queue, the one
# escalating soonest first (issue 12): missing a reply by a day costs less than losing the dispute.
DISPUTE_NEAR_DEADLINE = timedelta(days=3)


def _dispute_deadline():
    """The needs-reply queue's first sort key: an active dispute's deadline when it is near, else none
    (``Conversation.dispute_escalates_at`` is set only while the dispute is active)."""
    return Case(
        When(
            dispute_escalates_at__lte=timezone.now() + DISPUTE_NEAR_DEADLINE,
            then=F("dispute_escalates_at"),
        ),
        default=None,
    )


def _conversations_filtered(
    *,
    store: Store,
    channel: str | None = None,
    language: str | None = None,
    search: str | list[int] | None = None,
    tag: str | None = None,
    group: str | None = None,
    blocked: bool = False,
) -> QuerySet[Conversation]:
    # A chat opened only to carry campaign pushes has no seller-visible message (R10): not an inbox row.
    qs = Conversation.objects.filter(store=store, last_message_at__isnull=False)
    if channel:
        qs = qs.filter(channel=channel)
    if language:
        qs = qs.filter(language=language)
    if isinstance(search, list):  # the ids ``search_ids`` found for the text, read once for a whole page
        # No match: a condition that is false but still compiles (the capped counts render their SQL).
        qs = qs.filter(pk__in=search) if search else qs.filter(pk__isnull=True)
    elif search:
        qs = qs.filter(search_condition(store=store, search=search))
    qs = _blocked_filter(qs, blocked=blocked)
    if tag:
        qs = _tag_filter(qs, store=store, tag=tag)
    if group:
        qs = _order_group_filter(qs, group=group)
    return qs


# --- team inbox, part A (issue 10): queue filters, members, auto-assignment's choice, the stale-reply check ---


def open_condition(now=None) -> Q:
    """Open for the team: not resolved, and not snoozed (a snooze whose time has passed counts as open)."""
    return Q(inbox_state=InboxState.OPEN) | Q(
        inbox_state=InboxState.SNOOZED, snoozed_until__lte=now or timezone.now()
    )


def _mine(user) -> Q:
    """Assigned to ``user`` (a user or its id); nothing at all without a user (never "assigned to nobody")."""
    pk = user if isinstance(user, int) else getattr(user, "pk", None)
    return Q(assignee_id=pk) if pk is not None else Q(assignee__isnull=True) & Q(assignee__isnull=False)


def team_queue_filter(qs: QuerySet[Conversation], *, queue: str, user=None) -> QuerySet[Conversation]:
    """Mine (open, assigned to ``user``), Unassigned (open, nobody's), Snoozed (until a later time), Resolved."""
    if queue == "mine":
        return qs.filter(open_condition(), _mine(user))
    if queue == "unassigned":
        return qs.filter(open_condition(), assignee__isnull=True)
    if queue == "snoozed":
        return qs.filter(inbox_state=InboxState.SNOOZED, snoozed_until__gt=timezone.now())
    if queue == "resolved":
        return qs.filter(inbox_state=InboxState.RESOLVED)
    return qs


def assignee_parse(raw) -> str | int | None:
    """``assignee`` from a query string: a user id, ``none`` (unassigned), or nothing."""
    if raw in (None, ""):
        return None
    if raw == "none":
        return "none"
    if str(raw).isdigit():
        return int(raw)
    raise ApplicationError({"assignee": gettext("assignee is a user id or 'none'.")})


def assignee_filter(qs: QuerySet[Conversation], *, assignee) -> QuerySet[Conversation]:
    if assignee is None:
        return qs
    if assignee == "none":
        return qs.filter(assignee__isnull=True)
    return qs.filter(assignee_id=assignee)


def store_member(*, store: Store, user_id):
    """The active user ``user_id`` with a membership of ``store``, else None."""
    if not str(user_id).isdigit():
        return None
    return User.objects.filter(pk=int(user_id), is_active=True, membership__store=store).first()


def store_members(*, store: Store) -> list[dict]:
    """The store's members as API.md's ``GET members`` lists them, one query."""
    return [
        {"id": user_id, "username": username, "role": role}
        for user_id, username, role in Membership.objects.filter(store=store, user__is_active=True)
        .order_by("user__username")
        .values_list("user_id", "user__username", "role")
    ]


def open_counts_by_assignee(*, store: Store, member_ids) -> dict[int | None, int]:
    """Open conversations of each member and unassigned (``None``), each capped at ``QUEUE_COUNT_CAP`` like the
    tab counts: one statement of index range reads on (store, assignee, inbox_state), so the per-agent menu costs
    the same at 100,000 conversations as at 10,000 (a grouped count read every open conversation of the store)."""
    open_ = Conversation.objects.filter(open_condition(), store=store, last_message_at__isnull=False)
    parts = {None: open_.filter(assignee__isnull=True)}
    parts.update({user_id: open_.filter(assignee_id=user_id) for user_id in member_ids})
    return capped_counts(parts)


def auto_assign_candidate(*, store_id: int, cap: int) -> int | None:
    """The available member with the fewest open conversations, under ``cap``; the lowest id wins a tie.

    One query; the caller holds the store's settings row locked, so the counts cannot move meanwhile."""
    load = (
        Conversation.objects.filter(
            store_id=store_id, assignee_id=OuterRef("user_id"), inbox_state=InboxState.OPEN
        )
        .order_by()
        .values("assignee_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return (
        AgentAvailability.objects.filter(
            store_id=store_id, available=True, user__is_active=True, user__membership__store_id=store_id
        )
        .annotate(load=Coalesce(Subquery(load), 0))
        .filter(load__lt=cap)
        .order_by("load", "user_id")
        .values_list("user_id", flat=True)
        .first()
    )


def inbox_settings_for(*, store: Store) -> InboxSettings:
    """The store's auto-assignment settings (the defaults, unsaved, until an owner changes them)."""
    return InboxSettings.objects.filter(store=store).first() or InboxSettings(store=store)


def availability_of(*, user) -> bool:
    return AgentAvailability.objects.filter(user=user, available=True).exists()


def messages_newer_than_seen(
    *, conversation: Conversation, last_seen_id: int, acting_user
) -> QuerySet[Message]:
    """What makes a reply stale: buyer messages, and other agents' replies, newer than the one the agent saw."""
    return seller_visible_messages(conversation=conversation).filter(
        Q(direction=Direction.INBOUND)
        | (Q(sender=SenderKind.AGENT) & ~Q(sent_by_id=getattr(acting_user, "pk", None))),
        id__gt=last_seen_id,
    )


# Presence (who has a thread open, who is typing) lives in the cache only: one key per conversation and member,
# expiring after PRESENCE_TTL seconds unless the thread's poll refreshes it.
PRESENCE_TTL = 15


def presence_key(conversation_id: int, user_id: int) -> str:
    return f"presence:{conversation_id}:{user_id}"


def presence_others(*, conversation: Conversation, user) -> list[dict]:
    """Other members viewing the conversation right now: [{"username", "typing"}], one cache read."""
    members = store_members(store=conversation.store)
    keys = {presence_key(conversation.pk, m["id"]): m for m in members if m["id"] != user.pk}
    found = cache.get_many(list(keys))
    return [
        {"username": keys[key]["username"], "typing": bool(value.get("typing"))}
        for key, value in sorted(found.items(), key=lambda kv: keys[kv[0]]["username"])
    ]


# --- end team inbox, part A ---


# Tab counts stop at this many: each is an index range read of at most this many rows, so the inbox and its poll
# cost the same for a store of 10,000 conversations and one of 100,000 (the tab shows "1,000+").
QUEUE_COUNT_CAP = 1000


def queue_counts(
    *,
    store: Store,
    channel: str | None = None,
    language: str | None = None,
    search: str | None = None,
    exact: bool = False,
    tag: str | None = None,
    group: str | None = None,
    blocked: bool = False,
    user=None,
    assignee: str | int | None = None,
) -> dict[str, int]:
    """Sizes of the three queues (and how many needs-reply are overdue) under the same filters; a count of
    ``QUEUE_COUNT_CAP`` means "that many or more" (``exact`` counts everything: one query over all the store's
    conversations). Without filters (what every inbox page and poll asks) the statement is compiled once, on
    PostgreSQL (``PreparedRead`` binds a time as psycopg2 writes it; SQLite compares Django's own text of it)."""
    now = timezone.now()
    unfiltered = not (channel or language or search or tag or group or blocked or exact) and assignee is None
    if unfiltered and getattr(user, "pk", None) is not None and connection.vendor == "postgresql":
        return _unfiltered_counts(QUEUE_COUNT_CAP)(store.pk, now, user.pk)[0]
    qs = assignee_filter(
        _conversations_filtered(
            store=store,
            channel=channel,
            language=language,
            search=search,
            tag=tag,
            group=group,
            blocked=blocked,
        ),
        assignee=assignee,
    )
    parts = _tab_count_parts(qs, now=now, user=user)
    if exact:
        return qs.aggregate(**{key: Count("id", filter=part or None) for key, part in parts.items()})
    return capped_counts({key: qs.filter(part) for key, part in parts.items()})


def _tab_count_parts(qs: QuerySet[Conversation], *, now, user) -> dict[str, Q]:
    """What each tab count counts (and the overdue badge), as conditions on ``qs``'s conversations."""
    open_ = open_condition(now)
    needs_reply = Q(status=ConversationStatus.NEEDS_REPLY) & open_
    return {
        "needs_reply": needs_reply,
        "answered": Q(status=ConversationStatus.ANSWERED),
        "all": Q(),
        "overdue": needs_reply & Q(reply_due_at__lt=now),
        "mine": open_ & _mine(user),
        "unassigned": open_ & Q(assignee__isnull=True),
        "snoozed": Q(inbox_state=InboxState.SNOOZED, snoozed_until__gt=now),
        "resolved": Q(inbox_state=InboxState.RESOLVED),
    }


class _CappedCount(Subquery):
    """``(SELECT COUNT(*) FROM (… LIMIT cap))`` as one column: a capped count (``capped_counts``) in a ``values()``."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) capped)"
    output_field = IntegerField()


@functools.cache
def _unfiltered_counts(cap: int) -> PreparedRead:
    """The tab counts without filters, ``(store id, now, user id)``, compiled once per cap: building and compiling
    the eight capped counts cost ≈ 7 ms of CPU on every inbox page and poll, PostgreSQL answering them ≈ 0.4 ms."""

    def build(store_id, now, user_id) -> QuerySet:
        qs = _conversations_filtered(store=store_id)
        parts = _tab_count_parts(qs, now=now, user=user_id)
        return Store.objects.filter(pk=store_id).values(
            **{
                key: _CappedCount(qs.filter(part).order_by().values("id")[:cap])
                for key, part in parts.items()
            }
        )

    return PreparedRead(build, int, datetime, int)


def capped_counts(parts: dict) -> dict:
    """The size of each queryset of ``parts``, capped at ``QUEUE_COUNT_CAP``, in one statement:
    ``SELECT (SELECT count(*) FROM (… LIMIT cap)), …`` — one round trip, each an index range read that stops."""
    if not parts:
        return {}
    selects, params = [], []
    for part in parts.values():
        sql, part_params = part.order_by().values("id")[:QUEUE_COUNT_CAP].query.sql_with_params()
        selects.append(f"(SELECT COUNT(*) FROM ({sql}) capped)")
        params.extend(part_params)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(selects), params)
        row = cursor.fetchone()
    return dict(zip(parts, row, strict=True))


def queue_page(qs: QuerySet, *, queue: str, limit: int) -> list:
    """The first ``limit`` rows of a ``conversation_list`` queryset (objects or values), in its order.

    The needs-reply order's ``CASE`` on the dispute deadline made PostgreSQL read and sort every needs-reply row of
    the store (34,000 at bench-big: 56 ms for the inbox's 200 rows). As in ``queue_rows``, the few conversations
    whose dispute escalates soon are read apart, and the rest in the ``(store, status, reply_due_at)`` index's
    order with those left out, stopping at the page: two short queries instead of one long sort. Both read the
    conversation's own copy of the deadline (``dispute_escalates_at``, its own index), no dispute join."""
    if queue != "needs_reply":
        return list(qs[:limit])
    head, rest = _queue_parts(
        qs, queue=queue, near_until=timezone.now() + DISPUTE_NEAR_DEADLINE, head_filter=Q()
    )
    head = list(head[:limit])
    if len(head) >= limit:
        return head
    return head + list(rest[: limit - len(head)])


_FINGERPRINT_FIELDS = (
    "id",
    "status",
    "inbox_state",
    "assignee_id",
    "language",
    "last_message_at",
    "last_message_preview",
    "reply_due_at",
    "buyer__name",
    "buyer__country",
    "order__external_id",
)


def queue_fingerprint(*, store: Store, queue: str, limit: int, user=None, **filters) -> list:
    """What the queue rows show, as plain values for the rows ``conversation_list`` would list (same filters): the
    poll compares it with the last answer's to say "not modified" without rendering. Two queries over at most
    ``limit`` rows (``queue_page``); the needs-reply queue without filters (what an inbox polls) compiled once on
    PostgreSQL."""
    unfiltered = all(value is None or value is False or value == "" for value in filters.values())
    if queue == "needs_reply" and unfiltered and connection.vendor == "postgresql":
        now = timezone.now()
        head_read, rest_read = _needs_reply_fingerprint(limit)
        head = head_read(store.pk, now, now + DISPUTE_NEAR_DEADLINE)
        if len(head) >= limit:
            return head
        return head + rest_read(store.pk, now, now + DISPUTE_NEAR_DEADLINE)[: limit - len(head)]
    rows = conversation_list(store=store, queue=queue, user=user, **filters).values_list(*_FINGERPRINT_FIELDS)
    return queue_page(rows, queue=queue, limit=limit)


@functools.cache
def _needs_reply_fingerprint(limit: int) -> tuple[PreparedRead, PreparedRead]:
    """``queue_page``'s two parts of the needs-reply queue without filters as ``queue_fingerprint`` reads them, each
    ``(store id, now, near-deadline end)`` and at most ``limit`` rows: building and compiling them cost ≈ 5 ms of
    CPU on every poll."""

    def part(index: int) -> PreparedRead:
        def build(store_id, now, near_until) -> QuerySet:
            base = _queue_filtered(store=store_id, queue="needs_reply", now=now)
            parts = _queue_parts(base, queue="needs_reply", near_until=near_until, head_filter=Q())
            return parts[index].values(*_FINGERPRINT_FIELDS)[:limit]

        return PreparedRead(build, int, datetime, datetime, tuples=True)

    return part(0), part(1)


def conversation_get(*, store: Store, conversation_id: int) -> Conversation:
    return get_object_or_404(
        Conversation.objects.select_related("buyer", "order", "assignee"), store=store, pk=conversation_id
    )


def seller_visible_messages(*, conversation: Conversation) -> QuerySet[Message]:
    """Messages the seller's side shows: campaign pushes (buyer-only) never appear here (R10)."""
    return (
        Message.objects.filter(conversation=conversation, buyer_only=False)
        .select_related("coupon", "sent_by")
        .order_by("created_at", "id")
    )


def conversation_with_messages(*, store: Store, conversation_id: int) -> Conversation:
    messages = (
        Message.objects.filter(buyer_only=False)
        .select_related("coupon", "sent_by")
        .order_by("created_at", "id")
    )
    return get_object_or_404(
        Conversation.objects.select_related("buyer", "order", "assignee").prefetch_related(
            Prefetch("messages", queryset=messages, to_attr="seller_messages")
        ),
        store=store,
        pk=conversation_id,
    )


def buyer_chat_messages(*, store: Store, buyer_external_id: str) -> QuerySet[Message]:
    """Everything the buyer's chat with this store shows, oldest first, campaign pushes included."""
    buyer = get_object_or_404(Buyer, store=store, external_id=buyer_external_id)
    return (
        Message.objects.filter(store=store, buyer=buyer).select_related("coupon").order_by("created_at", "id")
    )


def messages_since(*, conversation: Conversation, after_id: int) -> QuerySet[Message]:
    return seller_visible_messages(conversation=conversation).filter(id__gt=after_id)


def buyer_other_conversations(*, conversation: Conversation, limit: int = 8) -> QuerySet[Conversation]:
    """The buyer's other conversations with the store (history beside the open thread), latest first."""
    return (
        Conversation.objects.filter(store_id=conversation.store_id, buyer_id=conversation.buyer_id)
        .exclude(pk=conversation.pk)
        .select_related("order")
        .order_by("-last_message_at", "-id")[:limit]
    )


def simulator_buyers(*, store: Store, search: str | None = None, limit: int = 100) -> QuerySet[Buyer]:
    """Buyers for the simulator's picker, most recently active first, with their order count. One query."""
    last_message = (
        Message.objects.filter(buyer=OuterRef("pk")).order_by("-created_at").values("created_at")[:1]
    )
    orders = (
        Order.objects.filter(buyer=OuterRef("pk"))
        .order_by()
        .values("buyer")
        .annotate(n=Count("id"))
        .values("n")[:1]
    )
    qs = Buyer.objects.filter(store=store).annotate(
        last_message_at=Subquery(last_message), orders_count=Subquery(orders)
    )
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(external_id__iexact=search))
    return qs.order_by(F("last_message_at").desc(nulls_last=True), "name", "id")[:limit]


def buyer_orders(*, store: Store, buyer: Buyer) -> QuerySet[Order]:
    return Order.objects.filter(store=store, buyer=buyer).order_by("-placed_at", "-id")


def buyer_chat_since(*, store: Store, buyer_external_id: str, after_id: int = 0) -> QuerySet[Message]:
    """The buyer's chat (as ``buyer_chat_messages``) with each message's conversation and order, newer than an id."""
    messages = buyer_chat_messages(store=store, buyer_external_id=buyer_external_id).select_related(
        "conversation__order"
    )
    return messages.filter(id__gt=after_id) if after_id else messages


def inbound_message_find(*, store: Store, external_id: str) -> Message | None:
    """The message stored for a marketplace message id, with its conversation; None when it is new."""
    return Message.objects.select_related("conversation").filter(store=store, external_id=external_id).first()


# --- what reply assist reads of a conversation (templates_i18n gets plain inputs) ---
# How many of the buyer's latest messages the language detection and the suggestion read.
DETECTION_MESSAGES = 3
SUGGESTION_MESSAGES = 3


def reply_language_for(conversation: Conversation) -> str:
    """The buyer's language: their locale if it is one of the nine, else detected in their latest messages,
    else English."""
    texts = list(
        conversation.messages.filter(direction=Direction.INBOUND)
        .exclude(text="")
        .order_by("-created_at", "-id")
        .values_list("text", flat=True)[:DETECTION_MESSAGES]
    )
    return reply_language(locale=conversation.buyer.locale, buyer_texts=list(reversed(texts)))


def conversation_variables(conversation: Conversation) -> dict[str, str]:
    """Placeholder values known from the conversation: the order id and the buyer's name."""
    values = {}
    if conversation.order_id:
        values["order_id"] = conversation.order.external_id
    if conversation.buyer.name:
        values["buyer_name"] = conversation.buyer.name
    return values


def reply_text_for_conversation(*, store: Store, conversation: Conversation, code: str, language, variables):
    """Scenario ``code`` rendered for the conversation's buyer: order id and buyer name filled in."""
    return reply_text_render(
        store=store,
        code=code,
        language=language,
        buyer_language=reply_language_for(conversation),
        known=conversation_variables(conversation),
        variables=variables,
    )


def suggestion_text_for_conversation(conversation: Conversation) -> str:
    """The buyer's messages since the seller last answered (at most SUGGESTION_MESSAGES), oldest first.

    When the seller has already answered everything, the buyer's latest messages are used instead.
    Auto-replies and campaign pushes do not count as answers.
    """
    return suggestion_text_for_conversation_id(conversation.pk)


def suggestion_text_for_conversation_id(conversation_id: int) -> str:
    """``suggestion_text_for_conversation`` by id, in one query ("" for a conversation that is gone)."""
    return _suggestion_text(_suggestion_recent(Message.objects.filter(conversation_id=conversation_id)))


def suggestion_texts_for_conversation_ids(conversation_ids) -> dict[int, str]:
    """``suggestion_text_for_conversation_id`` of many conversations (a conversation that is gone is left out).

    On PostgreSQL one query: each conversation's latest messages as one array, read with a limit per conversation
    on the ``(conversation, created_at)`` index, so a long thread costs what a short one does. The worker's
    ``prepare_suggestions`` takes up to SUGGEST_BATCH conversations at a time and paid a query for each."""
    ids = list(dict.fromkeys(conversation_ids))
    if connection.vendor != "postgresql":
        existing = Conversation.objects.filter(pk__in=ids).values_list("pk", flat=True)
        return {i: suggestion_text_for_conversation_id(i) for i in existing}
    recent = _suggestion_recent(Message.objects.filter(conversation_id=OuterRef("pk"))).values(
        row=JSONObject(direction="direction", sender="sender", text="text")
    )
    rows = Conversation.objects.filter(pk__in=ids).values_list("pk", ArraySubquery(recent))
    return {
        pk: _suggestion_text((m["direction"], m["sender"], m["text"]) for m in messages)
        for pk, messages in rows
    }


def _suggestion_recent(messages: QuerySet) -> QuerySet:
    return (
        messages.filter(buyer_only=False)
        .order_by("-created_at", "-id")
        .values_list("direction", "sender", "text")[: SUGGESTION_MESSAGES * 4]
    )


def _suggestion_text(recent) -> str:
    """The rule of ``suggestion_text_for_conversation`` over (direction, sender, text), newest first."""
    unanswered: list[str] = []
    latest: list[str] = []
    answered = False
    for message_direction, sender, text in recent:
        if message_direction == Direction.OUTBOUND:
            answered = answered or sender == SenderKind.AGENT
            continue
        if not text.strip():
            continue
        if len(latest) < SUGGESTION_MESSAGES:
            latest.append(text)
        if not answered and len(unanswered) < SUGGESTION_MESSAGES:
            unanswered.append(text)
    chosen = unanswered or latest
    return "\n".join(reversed(chosen))


def suggestions_for_conversation(*, store: Store, conversation: Conversation):
    """Scenario suggestions for the reply box: the buyer's latest messages and the order's status, to answer
    in the buyer's language. A conversation of another store is a 404."""
    if conversation.store_id != store.pk:
        raise Http404(gettext("No such conversation."))
    return suggestions_for_text(
        store=store,
        text=suggestion_text_for_conversation(conversation),
        order_status=conversation.order.status if conversation.order_id else None,
        language=reply_language_for(conversation),
        buyer_country=conversation.buyer.country or None,
    )


def card_conversation(*, store: Store, buyer: Buyer, keyword_id: int) -> Conversation | None:
    """The conversation of the buyer's latest auto-reply card holding ``keyword_id``, else of their latest card;
    None when the buyer never got a card."""
    cards = list(
        Message.objects.filter(
            store=store,
            buyer=buyer,
            sender=SenderKind.AUTOREPLY,
            card__isnull=False,
            triggered_by__isnull=False,
        )
        .select_related("conversation")
        .order_by("-created_at", "-id")[:20]
    )
    for card_message in cards:
        if any(k.get("id") == keyword_id for k in (card_message.card or {}).get("keywords", [])):
            return card_message.conversation
    return cards[0].conversation if cards else None


# --- the dispute panel and the protection form beside a thread ---
EXCERPT_CHOICES = 40


def dispute_for_panel(*, conversation: Conversation):
    """The conversation's dispute with its evidence and answers (two prefetches), or None."""
    if conversation.channel != Channel.DISPUTE:
        return None
    return (
        Dispute.objects.filter(store_id=conversation.store_id, conversation=conversation)
        .select_related("order")
        .prefetch_related(
            Prefetch("evidence", queryset=DisputeEvidence.objects.order_by("created_at", "id")),
            Prefetch(
                "responses",
                queryset=DisputeResponse.objects.select_related("author", "message").order_by(
                    "created_at", "id"
                ),
            ),
        )
        .first()
    )


def dispute_excerpt_choices(*, dispute) -> QuerySet[Message]:
    """Messages an agent may quote as evidence: the buyer's seller-visible messages, newest first."""
    return (
        Message.objects.filter(store_id=dispute.store_id, buyer_id=dispute.order.buyer_id, buyer_only=False)
        .exclude(text="")
        .order_by("-created_at", "-id")[:EXCERPT_CHOICES]
    )


def protection_history(*, order: Order) -> QuerySet[ProtectionExtension]:
    return ProtectionExtension.objects.filter(store_id=order.store_id, order=order).select_related("actor")


def agent_replied_between(*, conversation_id: int, since, until) -> bool:
    """Whether an agent replied in the conversation between ``since`` and ``until`` (both included)."""
    return Message.objects.filter(
        conversation_id=conversation_id, sender=SenderKind.AGENT, created_at__gte=since, created_at__lte=until
    ).exists()


def undelivered_get(*, store, message_id: int, lock: bool = False):
    """One of the store's dead-letter messages (404 for any other id, another store's or a delivered one)."""
    qs = Message.objects.filter(store=store, pk=message_id, delivery_failed_at__isnull=False)
    if lock:
        qs = qs.select_for_update(of=("self",))
    message = qs.select_related("conversation").first()
    if message is None:
        raise Http404(gettext("No such undelivered message."))
    return message


def dead_letters(*, store):
    """The store's messages the marketplace never took (newest first), for the list and the thread."""
    return (
        Message.objects.filter(store=store, delivery_failed_at__isnull=False)
        .select_related("conversation", "buyer", "sent_by")
        .order_by("-delivery_failed_at", "-id")
    )


# --- Team inbox, part B (issue 10): search, tags, order-status groups, blocked buyers, notes, drafts ---

# Search (docs/inbox.md, "Search"). A trigram index (pg_trgm, conversations/migrations/0006) answers
# ``icontains`` of 3 characters or more from the index; a shorter text (a 2-character Chinese word, "ok") has no
# trigram to look up, so its message-text part reads only the store's newest SEARCH_SHORT_SCAN messages: a bounded
# scan instead of one over every message ever received. Names and ids are always searched whole.
# A common word ("посылка", "the") is in a good share of all messages: the text part then keeps the conversations of
# the newest SEARCH_TEXT_MATCHES matching messages (PostgreSQL walks the messages newest first and stops there,
# instead of reading every match through the index), which is more than the queue shows (200) or counts (1,000+).
SEARCH_TRIGRAM_MIN = 3
SEARCH_SHORT_SCAN = 100_000
SEARCH_TEXT_MATCHES = 2_000
SEARCH_MAX_CHARS = 100


def search_condition(*, store: Store, search: str) -> Q:
    """Conversations whose buyer name or id, order id or a seller-visible message's text contains ``search``
    (case-insensitive; any script). Each part is an uncorrelated subquery, so PostgreSQL reads each index once."""
    search = search[:SEARCH_MAX_CHARS]
    texts = Message.objects.filter(store=store, buyer_only=False, text__icontains=search)
    if len(search) < SEARCH_TRIGRAM_MIN:
        # Too short for a trigram: a buyer name still matches anywhere (王芳 is a whole name), ids only exactly,
        # and the message text is looked for in the newest messages only.
        buyers = Buyer.objects.filter(store=store).filter(Q(name__icontains=search) | Q(external_id=search))
        orders = Order.objects.filter(store=store, external_id=search)
        newest = (
            Message.objects.filter(store=store)
            .order_by("-id")
            .values("id")[SEARCH_SHORT_SCAN - 1 : SEARCH_SHORT_SCAN]
        )
        texts = texts.filter(id__gte=Coalesce(Subquery(newest), Value(0)))
    else:
        buyers = Buyer.objects.filter(store=store).filter(
            Q(name__icontains=search) | Q(external_id__icontains=search)
        )
        orders = Order.objects.filter(store=store, external_id__icontains=search)
    newest_matches = texts.order_by("-id").values("conversation_id")[:SEARCH_TEXT_MATCHES]
    return (
        Q(buyer_id__in=buyers.values("id")) | Q(order_id__in=orders.values("id")) | Q(pk__in=newest_matches)
    )


# The inbox page reads the queue and four tab counts under the same search: the matching conversations are found
# once (``search_ids``, the most recent SEARCH_RESULTS_CAP of them) and the other reads filter on those ids.
SEARCH_RESULTS_CAP = 2_000


def search_ids(*, store: Store, search: str) -> list[int]:
    """Ids of the store's conversations matching ``search``, most recent first, at most SEARCH_RESULTS_CAP.
    One query."""
    return list(
        Conversation.objects.filter(store=store, last_message_at__isnull=False)
        .filter(search_condition(store=store, search=search))
        .order_by("-last_message_at", "-id")
        .values_list("id", flat=True)[:SEARCH_RESULTS_CAP]
    )


def _blocked_filter(qs: QuerySet[Conversation], *, blocked: bool) -> QuerySet[Conversation]:
    """A blocked buyer's conversations stay out of every queue while the block lasts; ``blocked`` lists only them."""
    active = Exists(BuyerBlock.objects.filter(buyer_id=OuterRef("buyer_id"), ended_at__isnull=True))
    return qs.filter(active) if blocked else qs.filter(~active)


def _tag_filter(qs: QuerySet[Conversation], *, store: Store, tag: str) -> QuerySet[Conversation]:
    tagged = ConversationTag.objects.filter(store=store, tag__name=tag).values("conversation_id")
    return qs.filter(pk__in=tagged)


# The order-status groups of AliExpress's message centre. "In dispute" is any conversation whose order has an
# active dispute; the other groups leave those out, so each conversation with an order is in at most one group.
ORDER_GROUPS = {
    "awaiting_payment": (gettext_lazy("Awaiting payment"), (OrderStatus.AWAITING_PAYMENT,)),
    "awaiting_shipment": (
        gettext_lazy("Awaiting shipment"),
        (OrderStatus.AWAITING_SHIPMENT, OrderStatus.PARTIALLY_SHIPPED),
    ),
    "awaiting_receipt": (gettext_lazy("Awaiting receipt"), (OrderStatus.IN_TRANSIT, OrderStatus.DELIVERED)),
    "completed": (gettext_lazy("Completed"), (OrderStatus.COMPLETED,)),
    "in_dispute": (gettext_lazy("In dispute"), ()),
}
# The chips' short labels (the queue pane is narrow); the full name is their tooltip.
ORDER_GROUP_SHORT = {
    "awaiting_payment": gettext_lazy("To pay"),
    "awaiting_shipment": gettext_lazy("To ship"),
    "awaiting_receipt": gettext_lazy("To receive"),
    "completed": gettext_lazy("Completed"),
    "in_dispute": gettext_lazy("Dispute"),
}


def _order_group_filter(qs: QuerySet[Conversation], *, group: str) -> QuerySet[Conversation]:
    disputed = Exists(
        Dispute.objects.filter(order_id=OuterRef("order_id"), status__in=DISPUTE_ACTIVE_STATUSES)
    )
    if group == "in_dispute":
        return qs.filter(disputed)
    return qs.filter(order__status__in=ORDER_GROUPS[group][1]).filter(~disputed)


def _tags_prefetch() -> Prefetch:
    return Prefetch(
        "conversation_tags",
        queryset=ConversationTag.objects.select_related("tag").order_by("tag__name"),
        to_attr="tag_list",
    )


def with_tags(qs: QuerySet[Conversation]) -> QuerySet[Conversation]:
    """The rows' tags in one more query (``c.tag_list``), for the queue and the API list."""
    return qs.prefetch_related(_tags_prefetch())


def inbox_rows(*, store: Store, queue: str, limit: int, user=None, **filters) -> list[Conversation]:
    """The inbox page's rows: ``conversation_list``'s first ``limit`` (``queue_page``) with their tags, three
    queries whatever the store's size."""
    rows = queue_page(
        conversation_list(store=store, queue=queue, user=user, **filters), queue=queue, limit=limit
    )
    prefetch_related_objects(rows, _tags_prefetch())
    return rows


def tag_list(*, store: Store) -> QuerySet[Tag]:
    """The store's tags with how many conversations carry each (the tags page)."""
    return Tag.objects.filter(store=store).annotate(uses=Count("conversation_tags")).order_by("name", "id")


def tag_choices(*, store: Store) -> QuerySet[Tag]:
    """The store's tags for the pickers and filters: no usage count, so the queue never counts every tagged
    conversation of the store on each page and poll."""
    return Tag.objects.filter(store=store).order_by("name", "id")


def tag_get(*, store: Store, tag_id: int) -> Tag:
    return get_object_or_404(Tag, store=store, pk=tag_id)


def tag_find(*, store: Store, name: str) -> Tag | None:
    return Tag.objects.filter(store=store, name=name).first()


def conversation_tag_rows(*, conversation: Conversation) -> list[ConversationTag]:
    """The conversation's tags (as ``with_tags`` gives them to queue rows). One query."""
    return list(
        ConversationTag.objects.filter(conversation=conversation).select_related("tag").order_by("tag__name")
    )


def buyer_block_active(*, store: Store, buyer_id: int) -> BuyerBlock | None:
    return (
        BuyerBlock.objects.filter(store=store, buyer_id=buyer_id, ended_at__isnull=True)
        .select_related("blocked_by")
        .first()
    )


def conversation_notes(*, conversation: Conversation) -> QuerySet[Note]:
    return (
        Note.objects.filter(conversation=conversation).select_related("author").order_by("created_at", "id")
    )


def note_mentions(*, store: Store, user, limit: int = 100) -> QuerySet[NoteMention]:
    """Notes that @mention ``user``, newest first, with their conversation and buyer. One query."""
    return (
        NoteMention.objects.filter(store=store, user=user)
        .select_related("note__author", "note__conversation__buyer")
        .order_by("-created_at", "-id")[:limit]
    )


def members_by_username(*, store: Store, usernames: set[str]) -> list:
    """The store's active members among ``usernames`` (case-insensitive), for @mentions. One query."""
    lowered = {u.lower() for u in usernames}
    users = get_user_model().objects.filter(membership__store=store, is_active=True)
    return [u for u in users.only("id", "username") if u.username.lower() in lowered]


def draft_get(*, conversation: Conversation, user) -> Draft | None:
    return Draft.objects.filter(conversation=conversation, user=user).first()


def draft_conversation_ids(*, store: Store, user, conversation_ids) -> set[int]:
    """Which of the listed conversations hold a draft of ``user``. One query."""
    return set(
        Draft.objects.filter(store=store, user=user, conversation_id__in=list(conversation_ids)).values_list(
            "conversation_id", flat=True
        )
    )


def team_fingerprint(*, store: Store, user, conversation_ids) -> tuple:
    """What changes the queue rows besides their own columns: the agent's drafts, the store's tags (the filter and
    the pickers) and the tags on the rows shown (for the poll's "not modified" tag). One query, bounded by the page
    and the store's tag list, never by how many conversations are tagged; compiled once (the rows' ids are one
    array parameter on PostgreSQL)."""
    if connection.vendor == "postgresql":
        return tuple(_TEAM_FINGERPRINT(store.pk, user.pk, list(conversation_ids))[0])
    return _team_fingerprint(store.pk, user.pk, Q(conversation_id__in=list(conversation_ids))).get()


def _team_fingerprint(store_id, user_id, on_rows_condition) -> QuerySet:
    def aggregate(qs, expression):
        return Subquery(qs.order_by().values("store").annotate(v=expression).values("v")[:1])

    drafts = Draft.objects.filter(store=store_id, user=user_id)
    tags = Tag.objects.filter(store=store_id)
    on_rows = ConversationTag.objects.filter(on_rows_condition, store=store_id)
    return Store.objects.filter(pk=store_id).values_list(
        aggregate(drafts, Count("id")),
        aggregate(drafts, Max("updated_at")),
        aggregate(tags, Count("id")),
        aggregate(tags, Max("id")),
        aggregate(on_rows, Count("id")),
        aggregate(on_rows, Max("id")),
    )


# Building the six subqueries cost ≈ 7 ms of CPU on every poll (PostgreSQL's answer ≈ 1 ms).
_TEAM_FINGERPRINT = PreparedRead(
    lambda store_id, user_id, ids: _team_fingerprint(store_id, user_id, any_of(ids, "conversation_id")),
    int,
    int,
    list,
    tuples=True,
)


def counted_waits(*, store: Store) -> QuerySet[ReplyWait]:
    """The store's reply waits that count in the response rate: all but those opened while the buyer was
    blocked (a block's period stays excluded after it ends)."""
    blocked = BuyerBlock.objects.filter(
        buyer_id=OuterRef("conversation__buyer_id"), started_at__lte=OuterRef("opened_at")
    ).filter(Q(ended_at__isnull=True) | Q(ended_at__gt=OuterRef("opened_at")))
    return ReplyWait.objects.filter(store=store).filter(~Exists(blocked))


# --- team inbox, part A (issue 10): snooze presets in the store's time ---
def snooze_presets(*, store: Store, now=None) -> dict[str, tuple[str, object]]:
    """key → (label, until): in 1 hour, tomorrow 9:00 and next Monday 9:00, store-local time."""
    tz = ZoneInfo(store.timezone)
    now = (now or timezone.now()).astimezone(tz)
    tomorrow = datetime.combine(now.date() + timedelta(days=1), time(9, 0), tzinfo=tz)
    monday = now.date() + timedelta(days=7 - now.weekday())
    next_week = datetime.combine(monday, time(9, 0), tzinfo=tz)
    return {
        "1h": (gettext("In 1 hour"), now + timedelta(hours=1)),
        "tomorrow": (gettext("Tomorrow 9:00"), tomorrow),
        "next_week": (gettext("Next week (Mon 9:00)"), next_week),
    }


def snooze_until_parse(*, store: Store, preset: str | None, custom: str | None, now=None):
    """The snooze time chosen in the page: a preset key, or a custom store-local ``YYYY-MM-DDTHH:MM``."""
    presets = snooze_presets(store=store, now=now)
    if preset in presets:
        return presets[preset][1]
    if custom:
        try:
            local = datetime.fromisoformat(custom)
        except ValueError:
            raise ApplicationError(
                {"until": gettext("Pick a date and time, e.g. 2026-12-24T09:00.")}
            ) from None
        return local.replace(tzinfo=ZoneInfo(store.timezone)) if local.tzinfo is None else local
    raise ApplicationError(
        {"until": gettext("Pick when the conversation comes back: 1 hour, tomorrow, next week or a time.")}
    )


# --- The seller API's queue page and thread as plain dicts (issue 14) ---
# DRF's serializers walked every field of every nested object of every row; these read ``.values()`` and write the
# API.md shapes out once (the serializers in serializers.py stay the schema; tests/test_api_contract.py holds the
# two equal). Date-times and amounts are formatted by the same DRF fields the serializers use.

_AMOUNT = _rest_fields.DecimalField(max_digits=12, decimal_places=2)
_COUPON_AMOUNT = _rest_fields.DecimalField(max_digits=10, decimal_places=2)

_ROW_FIELDS = (
    "id",
    "channel",
    "status",
    "inbox_state",
    "snoozed_until",
    "language",
    "last_message_at",
    "reply_due_at",
    "buyer__external_id",
    "buyer__name",
    "buyer__country",
    "buyer__locale",
    "order_id",
    "order__external_id",
    "order__status",
    "order__placed_at",
    "order__shipped_at",
    "order__delivered_at",
    "order__protection_ends_at",
    "order__amount",
    "order__currency",
    "assignee_id",
    "assignee__username",
)


def _output_zone():
    """The current time zone, as ``datetime.timezone.utc`` when it is UTC (the zone the database's values come in)."""
    tz = timezone.get_current_timezone()
    return UTC if getattr(tz, "key", None) == "UTC" else tz


def _amount(value) -> str:
    """DRF's ``DecimalField(decimal_places=2)`` output; a value read from the ``numeric(12, 2)`` column already has
    two places, so only other values go through DRF's rounding."""
    if type(value) is Decimal:
        text = str(value)
        if text[-3:-2] == "." and "E" not in text:
            return text
    return _AMOUNT.to_representation(value)


def _row(v: dict, tags: list[str], now, tz) -> dict:
    state = v["inbox_state"]
    if state == InboxState.SNOOZED and v["snoozed_until"] and moment(v["snoozed_until"]) <= now:
        state = InboxState.OPEN
    order = None
    if v["order_id"] is not None:
        order = {
            "order_id": v["order__external_id"],
            "status": v["order__status"],
            "placed_at": iso_time(v["order__placed_at"], tz),
            "shipped_at": iso_time(v["order__shipped_at"], tz),
            "delivered_at": iso_time(v["order__delivered_at"], tz),
            "protection_ends_at": iso_time(v["order__protection_ends_at"], tz),
            "amount": _amount(v["order__amount"]),
            "currency": v["order__currency"],
        }
    return {
        "id": v["id"],
        "buyer": {
            "buyer_id": v["buyer__external_id"],
            "name": v["buyer__name"],
            "country": v["buyer__country"],
            "locale": bcp47(v["buyer__locale"]),
        },
        "order": order,
        "channel": v["channel"],
        "status": str(state),
        "reply_status": v["status"],
        "assignee": (
            {"id": v["assignee_id"], "username": v["assignee__username"]}
            if v["assignee_id"] is not None
            else None
        ),
        "language": v["language"],
        "last_message_at": iso_time(v["last_message_at"], tz),
        "reply_due_at": iso_time(v["reply_due_at"], tz),
        "tags": tags,
    }


def _tag_names(ids: list[int]) -> dict[int, list[str]]:
    names: dict[int, list[str]] = {}
    for conversation_id, name in (
        ConversationTag.objects.filter(conversation_id__in=ids)
        .order_by("tag__name")
        .values_list("conversation_id", "tag__name")
    ):
        names.setdefault(conversation_id, []).append(name)
    return names


def _micros(value) -> str:
    """A cursor's time: microseconds since the epoch of a row's time (a ``datetime`` or a read's text)."""
    value = moment(value)
    return "" if value is None else str(int(value.timestamp()) * 1_000_000 + value.microsecond)


def _from_micros(micros: str) -> datetime:
    seconds, rest = divmod(int(micros), 1_000_000)
    return datetime.fromtimestamp(seconds, tz=ZoneInfo("UTC")) + timedelta(microseconds=rest)


def _cursor_error() -> ApplicationError:
    return ApplicationError({"cursor": gettext("cursor is the value of the previous page's Link header.")})


def _after_key(queue: str, micros: str, last_id: int) -> Q:
    """Rows after (key, id) in the queue's order: needs-reply by ``reply_due_at`` ascending (none last), the others by
    ``last_message_at`` descending."""
    if micros == "":
        return Q(id__gt=last_id) if queue == "needs_reply" else Q(id__lt=last_id)
    key = _from_micros(micros)
    if queue == "needs_reply":
        return Q(reply_due_at__gt=key) | Q(reply_due_at=key, id__gt=last_id) | Q(reply_due_at__isnull=True)
    return Q(last_message_at__lt=key) | Q(last_message_at=key, id__lt=last_id)


def queue_rows(
    *, store: Store, queue: str = "needs_reply", limit: int = 50, cursor: str | None = None, **filters
) -> tuple[list[dict], str | None]:
    """A page of ``conversation_list`` (same filters, same order) as API.md rows, and the next page's cursor.

    The needs-reply order puts conversations whose dispute escalates within ``DISPUTE_NEAR_DEADLINE`` first. Sorting
    the whole queue by that key read and sorted every needs-reply row of the store (33,000 at bench-big: 77 ms); here
    the near-deadline head is read in the ``conversation_dispute_deadline`` index's order and the rest in the
    ``(store, status, reply_due_at)`` index's order without them, each stopping at the page (``d…`` cursors page
    through the head). Both reads are one ``UNION ALL`` inside the page's query, which joins buyer, order and
    assignee (and the tags, a row per tag) for those rows only; the two parts are put in order here. One query (on a
    backend without ordered parts in a compound query, each part's ids first); the unfiltered first page of the
    needs-reply queue, the one the desk polls, is compiled once per process (``PreparedRead``)."""
    now = timezone.now()
    near_until = now + DISPUTE_NEAR_DEADLINE
    tail_after: Q | None = None
    head_filter: Q | None = Q() if queue == "needs_reply" else None
    if cursor:
        if cursor.startswith("d") and queue == "needs_reply":
            head_filter = _head_after(cursor[1:])
        else:
            micros, _, last_id = cursor.partition("_")
            if not (micros.isdigit() or micros == "") or not last_id.isdigit():
                raise _cursor_error()
            tail_after = _after_key(queue, micros, int(last_id))
            head_filter = None
    compound = connection.features.supports_slicing_ordering_in_compound
    unfiltered = not any(value for name, value in filters.items() if name != "user")
    tz = _output_zone()
    if cursor is None and queue == "needs_reply" and unfiltered and compound:
        versions_read, rows_read = _needs_reply_first_page(limit)
        page = _page_built(versions_read, rows_read, (store.pk, now, near_until), now=now, tz=tz)
    else:
        parts = _page_parts(
            _queue_filtered(store=store, queue=queue, now=now, **filters),
            queue=queue,
            limit=limit,
            near_until=near_until,
            head_filter=head_filter,
            tail_after=tail_after,
        )
        if compound:
            ids = parts[0] if len(parts) == 1 else parts[0].union(parts[1], all=True)
            page = _page_built(_PAGE_VERSIONS, _PAGE_ROWS, (ids,), now=now, tz=tz)
        else:
            rows = _page_rows([pk for part in parts for pk in part.values_list("id", flat=True)])
            page = [_built(v, now, tz) for v in _tags_folded(list(rows))]
    page = _in_queue_order(page, queue=queue, near_until=near_until if head_filter is not None else None)
    next_cursor = None
    if len(page) > limit:
        last = page[limit - 1]
        if _in_head(last, near_until if head_filter is not None else None):
            next_cursor = (
                f"d{_micros(last['dispute_escalates_at'])}_{_micros(last['reply_due_at'])}_{last['id']}"
            )
        else:
            key = last["reply_due_at"] if queue == "needs_reply" else last["last_message_at"]
            next_cursor = f"{_micros(key)}_{last['id']}"
        page = page[:limit]
    return [v["api"] for v in page], next_cursor


def _page_parts(
    base, *, queue: str, limit: int, near_until, head_filter: Q | None, tail_after: Q | None
) -> list:
    """The ids of a page, at most ``limit + 1`` in each of ``_queue_parts``."""
    return [
        part.values("id")[: limit + 1]
        for part in _queue_parts(
            base, queue=queue, near_until=near_until, head_filter=head_filter, tail_after=tail_after
        )
    ]


def _queue_parts(base, *, queue: str, near_until, head_filter: Q | None, tail_after: Q | None = None) -> list:
    """The queue's order as index reads, each in its index's order (the one place the needs-reply order is
    written): the near-deadline head after ``head_filter`` (needs-reply, unless a cursor is past it: ``None``), by
    dispute deadline, then due time, then id; then the rest after ``tail_after``, by due time (none last) and id.
    The other queues are one part, newest first."""
    base = base.order_by()
    parts = []
    if head_filter is not None:
        parts.append(
            base.filter(Q(dispute_escalates_at__lte=near_until), head_filter).order_by(
                "dispute_escalates_at", F("reply_due_at").asc(nulls_last=True), "id"
            )
        )
    if queue == "needs_reply":
        tail = base.filter(Q(dispute_escalates_at__isnull=True) | Q(dispute_escalates_at__gt=near_until))
        tail = tail.order_by(F("reply_due_at").asc(nulls_last=True), "id")
    else:
        tail = base.order_by("-last_message_at", "-id")
    if tail_after is not None:
        tail = tail.filter(tail_after)
    parts.append(tail)
    return parts


@functools.cache
def _needs_reply_first_page(limit: int) -> tuple[PreparedRead, PreparedRead]:
    """The needs-reply queue's first page without filters (what the desk polls), built by the same functions as any
    page and compiled once per page size: its rows' versions and its rows, each ``(store id, now, near-deadline
    end)``."""

    def ids(store_id, now, near_until):
        head, tail = _page_parts(
            _queue_filtered(store=store_id, queue="needs_reply", now=now),
            queue="needs_reply",
            limit=limit,
            near_until=near_until,
            head_filter=Q(),
            tail_after=None,
        )
        return head.union(tail, all=True)

    return (
        PreparedRead(lambda *args: _page_versions(ids(*args)), int, datetime, datetime, tuples=True),
        PreparedRead(lambda *args: _page_rows(ids(*args)), int, datetime, datetime, times_as_text=True),
    )


# What a page row is built from, by row version (seller_desk.row_versions): the conversation's, its buyer's, its
# order's, its assignee's, and per tag the link's and the tag's.
_ROW_VERSIONS = {
    "v_conversation": RowVersion(),
    "v_buyer": RowVersion("buyer"),
    "v_order": RowVersion("order"),
    "v_assignee": RowVersion("assignee"),
    "v_tag_link": RowVersion("conversation_tags"),
    "v_tag": RowVersion("conversation_tags__tag"),
}


def _page_rows(ids) -> QuerySet:
    """The API rows of ``ids`` (a list or a subquery), one per tag (by name; none: one row with no tag name), with
    the versions they are built from."""
    return _page_rows_where(Q(pk__in=ids))


def _page_rows_where(condition) -> QuerySet:
    return (
        Conversation.objects.filter(condition)
        .annotate(**_ROW_VERSIONS)
        .order_by("conversation_tags__tag__name")
        .values(*_ROW_FIELDS, "dispute_escalates_at", "conversation_tags__tag__name", *_ROW_VERSIONS)
    )


def _page_versions(ids) -> QuerySet:
    """``_page_rows``' ids and versions alone: the same joins, one row per tag, in no order."""
    return (
        Conversation.objects.filter(pk__in=ids)
        .annotate(**_ROW_VERSIONS)
        .order_by()
        .values("id", *_ROW_VERSIONS)
    )


_PAGE_ROWS = PreparedRead(_page_rows, QuerySet, times_as_text=True)
# The rows a page had not built yet, by their ids (one array).
_PAGE_ROWS_OF = PreparedRead(lambda ids: _page_rows_where(any_of(ids)), list, times_as_text=True)
_PAGE_VERSIONS = PreparedRead(_page_versions, QuerySet, tuples=True)
# The page rows this process has built, by what they were built from (``_page_built``).
_BUILT_ROWS = KeptRows()


def _versions_folded(rows) -> dict[int, tuple]:
    """Per conversation id, in the order read, from ``(id, *versions)`` rows (one per tag): the conversation's,
    buyer's, order's and assignee's versions and its tags' pairs in a fixed order."""
    heads: dict[int, tuple] = {}
    tags: dict[int, list] = {}
    for pk, conversation, buyer, order, assignee, link, tag in rows:
        if pk not in heads:
            heads[pk] = (conversation, buyer, order, assignee)
            tags[pk] = []
        if link is not None:
            tags[pk].append((link, tag))
    return {
        pk: (*head, tuple(sorted(tags[pk])) if len(tags[pk]) > 1 else tuple(tags[pk]))
        for pk, head in heads.items()
    }


def _built(v: dict, now, tz) -> dict:
    """A folded page row built: its API row (``"api"``), the keys the page is put in order and cut by, and, when the
    row shows a snooze that has not ended, the time it ends (``"wakes_at"``), after which it is built again."""
    until = moment(v["snoozed_until"]) if v["inbox_state"] == InboxState.SNOOZED else None
    return {
        "id": v["id"],
        "dispute_escalates_at": v["dispute_escalates_at"],
        "reply_due_at": v["reply_due_at"],
        "last_message_at": v["last_message_at"],
        "api": _row(v, v["tags"], now, tz),
        "wakes_at": until if until is not None and until > now else None,
    }


def _page_built(versions_read, rows_read, args: tuple, *, now, tz) -> list[dict]:
    """The page's rows, each folded with its tags and built (``_built``), in no order.

    Outside a transaction on PostgreSQL the page first reads its rows' versions (``_page_versions``); a row built
    earlier from the same versions, in the same time zone, whose snooze has not ended since, is used as built, and
    only the others are read (``_page_rows``, by id) and built: one query when nothing on the page changed, two when
    something did. Otherwise the rows are read and built."""
    if not KeptRows.usable(connection):
        return [_built(v, now, tz) for v in _tags_folded(rows_read(*args))]
    alias, at = connection.alias, monotonic()
    page, missing = [], []
    for pk, versions in _versions_folded(versions_read(*args)).items():
        v = _BUILT_ROWS.get(alias, pk, (tz, *versions), at=at)
        if v is None or (v["wakes_at"] is not None and now >= v["wakes_at"]):
            missing.append(pk)
        else:
            page.append(v)
    if missing:
        rows = _PAGE_ROWS_OF(missing)
        versions = _versions_folded((v["id"], *(v[name] for name in _ROW_VERSIONS)) for v in rows)
        for v in _tags_folded(rows):
            built = _built(v, now, tz)
            page.append(built)
            _BUILT_ROWS.keep(alias, v["id"], (tz, *versions[v["id"]]), built, at=at)
    return page


def _tags_folded(rows: list[dict]) -> list[dict]:
    """One row per conversation with its ``tags`` (names in the order read), from the rows' join with its tags."""
    folded: dict[int, dict] = {}
    for v in rows:
        row = folded.get(v["id"])
        if row is None:
            row = folded[v["id"]] = v
            v["tags"] = []
        name = v["conversation_tags__tag__name"]
        if name is not None:
            row["tags"].append(name)
    return list(folded.values())


def _head_after(cursor: str) -> Q:
    """Rows after a ``d<escalates>_<due>_<id>`` cursor in the near-deadline head's order."""
    parts = cursor.split("_")
    if (
        len(parts) != 3
        or not parts[0].isdigit()
        or not parts[2].isdigit()
        or not (parts[1].isdigit() or parts[1] == "")
    ):
        raise _cursor_error()
    esc, due, last_id = _from_micros(parts[0]), parts[1], int(parts[2])
    after = Q(dispute_escalates_at__gt=esc)
    if due == "":
        return after | Q(dispute_escalates_at=esc, reply_due_at__isnull=True, id__gt=last_id)
    due_key = _from_micros(due)
    return after | Q(dispute_escalates_at=esc) & (
        Q(reply_due_at__gt=due_key) | Q(reply_due_at=due_key, id__gt=last_id) | Q(reply_due_at__isnull=True)
    )


def _in_head(v: dict, near_until) -> bool:
    return (
        near_until is not None
        and v["dispute_escalates_at"] is not None
        and moment(v["dispute_escalates_at"]) <= near_until
    )


_LAST = datetime.max.replace(tzinfo=ZoneInfo("UTC"))


def _in_queue_order(rows: list[dict], *, queue: str, near_until) -> list[dict]:
    """The page's rows in the queue's order (the query read them by id): the near-deadline head by deadline, then
    the rest by due time (none last) for needs-reply; newest first for the other queues."""
    if queue != "needs_reply":
        return sorted(rows, key=lambda v: (moment(v["last_message_at"]), v["id"]), reverse=True)
    head = sorted(
        (v for v in rows if _in_head(v, near_until)),
        key=lambda v: (moment(v["dispute_escalates_at"]), moment(v["reply_due_at"]) or _LAST, v["id"]),
    )
    rest = sorted(
        (v for v in rows if not _in_head(v, near_until)),
        key=lambda v: (moment(v["reply_due_at"]) or _LAST, v["id"]),
    )
    return head + rest


def thread_payload(*, store: Store, conversation_id: int, build_uri=None) -> dict:
    """One conversation with its seller-visible messages and notes, as API.md's thread (404 for another store's).
    ``build_uri`` makes a picture's URL absolute (``request.build_absolute_uri``). Three queries, each
    compiled once per process (``PreparedRead``): the row with its tags, the messages, the notes."""
    rows = _tags_folded(_THREAD_ROW(store.pk, conversation_id))
    if not rows:
        raise Http404(gettext("No conversation matches the given query."))
    tz = _output_zone()
    payload = _row(rows[0], rows[0]["tags"], timezone.now(), tz)
    storage = Message._meta.get_field("image").storage
    messages = []
    for m in _THREAD_MESSAGES(conversation_id):
        out = {
            "id": m["id"],
            "direction": m["direction"],
            "sender": m["sender"],
            "text": m["text"],
            "language": m["language"],
        }
        if m["image"]:
            url = storage.url(m["image"])
            out["image_url"] = build_uri(url) if build_uri else url
        if m["coupon_id"] is not None:
            out["coupon"] = m["coupon_id"]  # filled in below: a coupon's name is worked out by the model
        if m["card"] is not None:
            out["card"] = m["card"]
        out["created_at"] = iso_time(m["created_at"], tz)
        if m["tapped_keyword"]:
            out["tapped_keyword"] = m["tapped_keyword"]
        if m["agent_note"]:
            out["agent_note"] = m["agent_note"]
        messages.append(out)
    coupon_ids = {out["coupon"] for out in messages if "coupon" in out}
    if coupon_ids:
        from coupons.models import Coupon

        from .serializers import CouponBriefSerializer

        coupons = {c.pk: CouponBriefSerializer(c).data for c in Coupon.objects.filter(pk__in=coupon_ids)}
        for out in messages:
            if "coupon" in out:
                out["coupon"] = coupons[out["coupon"]]
    payload["messages"] = messages
    payload["notes"] = [
        {
            "id": n["id"],
            "text": n["text"],
            "author": {"id": n["author_id"], "username": n["author__username"]}
            if n["author_id"] is not None
            else None,
            "created_at": iso_time(n["created_at"], tz),
        }
        for n in _THREAD_NOTES(conversation_id)
    ]
    return payload


_THREAD_ROW = PreparedRead(
    lambda store_id, conversation_id: (
        Conversation.objects.filter(store_id=store_id, pk=conversation_id)
        .order_by("conversation_tags__tag__name")
        .values(*_ROW_FIELDS, "conversation_tags__tag__name")
    ),
    int,
    int,
    times_as_text=True,
)
_THREAD_MESSAGES = PreparedRead(
    lambda conversation_id: (
        Message.objects.filter(conversation_id=conversation_id, buyer_only=False)
        .order_by("created_at", "id")
        .values(
            "id",
            "direction",
            "sender",
            "text",
            "language",
            "image",
            "coupon_id",
            "card",
            "created_at",
            "tapped_keyword",
            "agent_note",
        )
    ),
    int,
    times_as_text=True,
)
_THREAD_NOTES = PreparedRead(
    lambda conversation_id: (
        Note.objects.filter(conversation_id=conversation_id)
        .order_by("created_at", "id")
        .values("id", "text", "author_id", "author__username", "created_at")
    ),
    int,
    times_as_text=True,
)
