"""Writes for conversations: inbound messages from the marketplace and replies from the desk."""

import logging
import re
from datetime import datetime
from decimal import Decimal
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q, Subquery
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.translation import gettext

from coupons.services import coupon_grant_for_reply
from seller_desk.errors import ApplicationError
from seller_desk.models import (
    DISPUTE_ACTIVE_STATUSES,
    DISPUTE_TRANSITIONS,
    Buyer,
    Dispute,
    DisputeAction,
    DisputeEvidence,
    DisputeResponse,
    DisputeStatus,
    EvidenceKind,
    EvidenceSide,
    MemberRole,
    Order,
    ProtectionExtension,
    Store,
)
from seller_desk.prepared import PreparedRead, server_statement, statement_name
from seller_desk.selectors import model_columns, model_from_row, reply_due_within, store_related_read
from seller_desk.services import (
    AuditKind,
    audit_log,
    audit_log_many,
    dispute_deadline_sync,
    protection_extend,
)
from seller_desk.shared_cache import redis_client
from seller_desk.writes import bound_values, insert_unless_conflict, inserted_fields, mark_stored
from templates_i18n.guard import text_guard_enforce
from templates_i18n.languages import DEFAULT_LANGUAGE, detect_language, normalize_language
from templates_i18n.selectors import placeholders

from . import selectors
from .delivery import deliver_after_commit, deliver_many_after_commit
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
from .selectors import reply_language_for, reply_text_for_conversation
from .uploads import picture_validate, video_validate

PREVIEW_CHARS = 140

logger = logging.getLogger(__name__)


def _reply_due(opened_at: datetime) -> datetime:
    return opened_at + reply_due_within()


def conversation_get_or_create(*, store: Store, buyer, order: Order | None, channel: str) -> Conversation:
    """One conversation per buyer, order and channel; safe when two requests race to create it."""
    lookup = {"store": store, "buyer": buyer, "order": order, "channel": channel}
    conversation = Conversation.objects.filter(**lookup).first()
    if conversation is not None:
        return conversation
    try:
        with transaction.atomic():
            return Conversation.objects.create(**lookup)
    except IntegrityError:
        return Conversation.objects.get(**lookup)


def chat_conversations_get_or_create(*, store: Store, buyer_ids: list[int]) -> dict[int, Conversation]:
    """The buyers' order-less chat conversations, created where missing: three queries for any number of buyers
    (existing ones, the missing ones inserted, those read back); a conversation made meanwhile by a racing request
    is simply read."""
    lookup = {"store": store, "order__isnull": True, "channel": Channel.CHAT}
    found = {c.buyer_id: c for c in Conversation.objects.filter(buyer_id__in=buyer_ids, **lookup)}
    missing = [b for b in dict.fromkeys(buyer_ids) if b not in found]
    if missing:
        Conversation.objects.bulk_create(
            [Conversation(store=store, buyer_id=b, order=None, channel=Channel.CHAT) for b in missing],
            ignore_conflicts=True,
        )
        found.update({c.buyer_id: c for c in Conversation.objects.filter(buyer_id__in=missing, **lookup)})
    return found


def _message_language(*, text: str, conversation: Conversation, buyer) -> str:
    """A message's language, one of the nine: detected in its text, else the conversation's, else the buyer's
    locale, else English; a picture or a coupon without text still gets one (API.md's Message.language)."""
    return (
        detect_language(text) or conversation.language or normalize_language(buyer.locale) or DEFAULT_LANGUAGE
    )


def _touch_fields(conversation: Conversation, message: Message) -> list[str]:
    """Set the conversation's latest-message fields from ``message``; returns the fields to save."""
    conversation.last_message_at = message.created_at
    conversation.last_message_preview = (message.text or ("[picture]" if message.image else ""))[
        :PREVIEW_CHARS
    ]
    fields = ["last_message_at", "last_message_preview"]
    if message.direction == Direction.INBOUND and message.language:
        conversation.language = message.language
        fields.append("language")
    return fields


def _touch_conversation(conversation: Conversation, message: Message) -> None:
    conversation.save(update_fields=_touch_fields(conversation, message))


def _wait_close(conversation: Conversation, message: Message) -> None:
    """The first seller reply closes the open wait; auto-replies and campaign pushes never do."""
    ReplyWait.objects.filter(conversation=conversation, closed_at__isnull=True).update(
        closed_at=message.created_at, closed_by=message
    )
    conversation.status = ConversationStatus.ANSWERED
    conversation.waiting_since = None
    conversation.reply_due_at = None
    conversation.save(update_fields=["status", "waiting_since", "reply_due_at"])


@lru_cache(maxsize=2)
def _conversation_lock_read(with_order: bool) -> PreparedRead:
    """Asked by every buyer message: compiled once per process, with an order and without (the SQL differs)."""

    # The buyer's id as a sub-select, not a join condition on its marketplace id: PostgreSQL then looks the
    # conversation up by (store, buyer, channel) instead of walking every order-less conversation of the store.
    def build(store_id, buyer_external_id, channel, *order_id):
        buyer_id = Subquery(
            Buyer.objects.filter(store_id=store_id, external_id=buyer_external_id).values("id")
        )
        order = {"order_id": order_id[0]} if with_order else {"order__isnull": True}
        return (
            Conversation.objects.select_for_update(of=("self",))
            .filter(store_id=store_id, buyer_id=buyer_id, channel=channel, **order)
            .values(*model_columns(Conversation), *model_columns(Buyer, "buyer__"))
        )

    return PreparedRead(build, int, str, str, *([int] if with_order else []))


def inbound_conversation_lock(
    *, store: Store, buyer_external_id: str, order: Order | None, channel: str
) -> Conversation | None:
    """The conversation a buyer message goes to, locked, with its buyer, in one query (caller holds the
    transaction); None when the buyer or the conversation is new. Pass it on to ``inbound_message_append``."""
    args = (store.pk, buyer_external_id, channel) + ((order.pk,) if order is not None else ())
    rows = _conversation_lock_read(order is not None)(
        *args
    )  # unique (conversation_unique_per_*): one row at most
    if not rows:
        return None
    conversation = model_from_row(Conversation, rows[0])
    conversation.buyer = model_from_row(Buyer, rows[0], "buyer__")
    if order is not None:
        conversation.order = order
    return conversation


_NOT_LOOKED_UP = object()  # inbound_message_append: the caller did not look the conversation up


@lru_cache(maxsize=32)
def _message_insert_and_update_sql(
    update_fields: tuple[str, ...], wait: bool
) -> tuple[str, str, list, list, list]:
    """The SQL of ``_message_insert_and_conversation_update`` for one set of conversation fields (and a wait opened
    or not), written once per process from the models' metadata, with the fields whose values it binds: the
    message's, the wait's (its ``opened_by`` is the new message, read in the statement), the conversation's."""
    quote = connection.ops.quote_name
    message_meta, conversation_meta = Message._meta, Conversation._meta
    inserted = inserted_fields(Message)
    waited = [f for f in inserted_fields(ReplyWait) if f.name != "opened_by"] if wait else []
    updated = [conversation_meta.get_field(name) for name in update_fields]
    message_id = quote(message_meta.pk.column)
    sql = (
        f"WITH message AS (INSERT INTO {quote(message_meta.db_table)} "
        f"({', '.join(quote(f.column) for f in inserted)}) VALUES ({', '.join(['%s'] * len(inserted))}) "
        f"RETURNING {message_id})"
    )
    if wait:
        opened_by = ReplyWait._meta.get_field("opened_by")
        sql += (
            f", wait AS (INSERT INTO {quote(ReplyWait._meta.db_table)} "
            f"({', '.join(quote(f.column) for f in [*waited, opened_by])}) "
            f"SELECT {', '.join(['%s'] * len(waited))}, {message_id} FROM message)"
        )
    sql += (
        f" UPDATE {quote(conversation_meta.db_table)} SET {', '.join(f'{quote(f.column)} = %s' for f in updated)} "
        f"WHERE {quote(conversation_meta.pk.column)} = %s RETURNING (SELECT {message_id} FROM message)"
    )
    return statement_name("ingress"), sql, inserted, waited, updated


def _message_insert_and_conversation_update(
    message: Message, conversation: Conversation, fields: list[str], wait: ReplyWait | None = None
) -> None:
    """Insert ``message`` (and ``wait``, the reply wait it opens, if any) and save ``fields`` of its (locked)
    conversation: on PostgreSQL in one statement whose SQL is written once per process (every buyer message pays
    this; the ORM's statements cost ≈ 0.5 ms of CPU to build and a round trip each), with the values Django's
    ``save()`` would bind (each field's ``pre_save``, which also stores an uploaded picture, then
    ``get_db_prep_save``). Elsewhere the ORM's ``save()`` for each. A message id the store already has raises
    ``IntegrityError`` either way."""
    if connection.vendor != "postgresql":
        message.save(force_insert=True)
        conversation.save(update_fields=fields)
        if wait is not None:
            wait.opened_by = message
            wait.save(force_insert=True)
        return
    name, sql, inserted, waited, updated = _message_insert_and_update_sql(
        tuple(dict.fromkeys(fields)), wait is not None
    )
    params = bound_values(message, inserted) + bound_values(wait, waited)
    params += bound_values(conversation, updated, add=False)
    with connection.cursor() as cursor:
        cursor.execute(server_statement(connection, name, sql, len(params) + 1), [*params, conversation.pk])
        mark_stored(message, cursor.fetchone()[0])
    if wait is not None:  # stored without its own id, which no caller reads
        wait.opened_by = message


def _conversation_create_or_lock(lookup: dict) -> Conversation:
    """A new conversation (ours, so already locked); the one a racing request made first, locked, when it won."""
    if connection.vendor == "postgresql":
        conversation = Conversation(**lookup)
        if insert_unless_conflict(conversation):
            return conversation
    else:
        try:
            with transaction.atomic():
                return Conversation.objects.create(**lookup)
        except IntegrityError:
            pass
    return Conversation.objects.select_for_update(of=("self",)).get(**lookup)


def inbound_message_append(
    *,
    store: Store,
    buyer,
    order: Order | None,
    channel: str,
    text: str,
    sent_at: datetime,
    external_id: str,
    image=None,
    conversation: Conversation | None | object = _NOT_LOOKED_UP,
) -> Message:
    """Store a buyer message in its conversation and open the 24-hour wait (caller holds the transaction).

    The conversation row is locked first, so its ``waiting_since`` tells whether a wait is open (the first
    unanswered message counts) without asking the waits table, and the conversation is written once, in the
    message's own statement: two statements for a known conversation (the lock; the message with the wait it
    opens, if any, and the conversation's update). A caller that already locked it with
    ``inbound_conversation_lock`` passes what that returned as ``conversation`` (None: there was none, so it is
    created without asking again), and the lock is not repeated.
    """
    lookup = {"store": store, "buyer": buyer, "order": order, "channel": channel}
    if conversation is _NOT_LOOKED_UP:
        conversation = Conversation.objects.select_for_update(of=("self",)).filter(**lookup).first()
    if conversation is None:
        conversation = _conversation_create_or_lock(lookup)
    # Team inbox (issue 10): a new conversation, or one resolved or snoozed, is (re)opened by the buyer's message
    # and, when nobody holds it, goes through auto-assignment.
    arriving = conversation.last_message_at is None or conversation.inbox_state != InboxState.OPEN
    message = Message(
        store=store,
        conversation=conversation,
        buyer=buyer,
        direction=Direction.INBOUND,
        sender=SenderKind.BUYER,
        text=text,
        language=_message_language(text=text, conversation=conversation, buyer=buyer),
        image=image or "",
        external_id=external_id,
        created_at=sent_at,
    )
    fields = _touch_fields(conversation, message)
    wait_opens = conversation.waiting_since is None
    if wait_opens:
        due = _reply_due(message.created_at)
        conversation.status = ConversationStatus.NEEDS_REPLY
        conversation.waiting_since = message.created_at
        conversation.reply_due_at = due
        fields += ["status", "waiting_since", "reply_due_at"]
    if conversation.inbox_state != InboxState.OPEN:  # a new conversation starts open: this one is reopened
        conversation.buyer = buyer
        audit_log(
            store=store,
            kind=AuditKind.CONVERSATION_REOPENED,
            subject=conversation,
            details={"was": conversation.inbox_state},
        )
        conversation.inbox_state = InboxState.OPEN
        conversation.snoozed_until = None
        conversation.resolved_at = None
        fields += ["inbox_state", "snoozed_until", "resolved_at"]
    wait = None
    if wait_opens:
        wait = ReplyWait(
            store_id=conversation.store_id,
            conversation=conversation,
            opened_at=message.created_at,
            due_at=due,
        )
    _message_insert_and_conversation_update(message, conversation, fields, wait)
    if arriving and conversation.assignee_id is None:
        conversation_auto_assign(conversation=conversation, store=store)
    if text.strip():
        conversation_id = conversation.pk
        transaction.on_commit(lambda: _suggestion_prepare_enqueue(conversation_id))
    return message


# Issue 13 point 6: buyer messages whose suggestion vector is still to be embedded wait in a Redis list; one
# ``conversations.prepare_suggestions`` task (queue ``suggest``) takes them in batches, so a burst of ingress costs
# the worker one task, not one per message. The task published by a burst's first message runs SUGGEST_GATHER_SECONDS
# later, so the messages of that window share it: at 180 messages a second a task per message (each taking the one
# or two noted since the last) had cost the worker ≈ 2 ms of CPU a message (docs/benchmarks.md).
SUGGEST_PENDING_KEY = "sd:suggest:pending"
SUGGEST_SCHEDULED_KEY = "sd:suggest:scheduled"  # set while a task is on its way
SUGGEST_SCHEDULED_SECONDS = 10
SUGGEST_GATHER_SECONDS = 0.5
SUGGEST_BATCH = 200
SUGGEST_PENDING_MAX = 10_000


def _suggestion_prepare_enqueue(conversation_id: int) -> bool:
    """Note the conversation for the next ``prepare_suggestions`` task, publishing one when none is on its way.

    One Redis round trip per message and at most one publish, never retried: a broker or Redis that is down costs
    the request nothing but a log line, and the reply box then embeds the text itself when the agent opens the
    conversation. Without Redis (embedded mode) each message gets its task, run in-process."""
    from .tasks import prepare_suggestions

    client = redis_client()
    try:
        if client is None:
            prepare_suggestions.apply_async(([conversation_id],), retry=False)
            return True
        pending, scheduled = cache.make_key(SUGGEST_PENDING_KEY), cache.make_key(SUGGEST_SCHEDULED_KEY)
        pipe = client.pipeline(transaction=False)
        pipe.rpush(pending, conversation_id)
        pipe.ltrim(pending, -SUGGEST_PENDING_MAX, -1)
        pipe.set(scheduled, 1, nx=True, ex=SUGGEST_SCHEDULED_SECONDS)
        if pipe.execute()[2]:
            _suggestions_task_publish(client, scheduled, countdown=SUGGEST_GATHER_SECONDS)
    except Exception:  # kombu/redis raise many kinds; the vector is only an optimisation
        logger.warning("could not queue the suggestion of conversation %s", conversation_id, exc_info=True)
        return False
    return True


def _suggestions_task_publish(client, scheduled: str, countdown: float | None = None) -> None:
    """Publish the batch task; a backlog left after a batch is published with no wait."""
    from .tasks import prepare_suggestions

    try:
        prepare_suggestions.apply_async(retry=False, countdown=countdown)
    except Exception:
        client.delete(scheduled)  # the next message publishes again
        raise


def _suggestions_pending_take() -> list[int]:
    """The next batch of pending conversation ids, taken off the list atomically (two tasks never share one). The
    "on its way" mark is cleared first, so a message noted after this take publishes a task of its own."""
    client = redis_client()
    if client is None:
        return []
    pending, scheduled = cache.make_key(SUGGEST_PENDING_KEY), cache.make_key(SUGGEST_SCHEDULED_KEY)
    pipe = client.pipeline(transaction=True)
    pipe.delete(scheduled)
    pipe.lrange(pending, 0, SUGGEST_BATCH - 1)
    pipe.ltrim(pending, SUGGEST_BATCH, -1)
    pipe.llen(pending)
    _, ids, _, left = pipe.execute()
    if left and client.set(scheduled, 1, nx=True, ex=SUGGEST_SCHEDULED_SECONDS):
        _suggestions_task_publish(client, scheduled)
    return [int(i) for i in ids]


def suggestions_prepare(*, conversation_ids: list[int] | None = None) -> int:
    """Embed the suggestion text of ``conversation_ids``, or of the next pending batch, so each vector sits in the
    shared ``embeddings`` cache before an agent opens the conversation; returns how many were prepared (a
    conversation gone or without buyer text is skipped, no model call). The texts are read in one query."""
    from templates_i18n.suggest import embed_query

    ids = _suggestions_pending_take() if conversation_ids is None else conversation_ids
    if not ids:
        return 0
    prepared = 0
    for text in selectors.suggestion_texts_for_conversation_ids(ids).values():
        if text.strip():
            embed_query(text.strip())
            prepared += 1
    return prepared


def suggestion_prepare(*, conversation_id: int) -> bool:
    """``suggestions_prepare`` of one conversation: False (and nothing done) when it is gone or has no buyer text."""
    return suggestions_prepare(conversation_ids=[conversation_id]) == 1


def outbound_message_create(
    *,
    conversation: Conversation,
    sender: str,
    text: str,
    language: str = "",
    image=None,
    coupon=None,
    card: dict | None = None,
    buyer_only: bool = False,
    sent_by=None,
    triggered_by: Message | None = None,
    text_field: str = "text",
    tapped_keyword: str = "",
    agent_note: str = "",
    idempotency_key: str | None = None,
) -> Message:
    """The one path for every outbound message: guard, picture check, store, deliver after commit.

    ``image`` is a new upload (checked here) or a picture the desk already stored and checked when it was
    saved (a campaign's or a keyword's): that one is referenced, not copied or checked again per message.
    """
    if text:
        text_guard_enforce(text=text, field=text_field)
    if image is not None and not isinstance(image, FieldFile):
        picture_validate(image)
    now = timezone.now()
    message = Message.objects.create(
        store=conversation.store,
        conversation=conversation,
        buyer=conversation.buyer,
        direction=Direction.OUTBOUND,
        sender=sender,
        sent_by=sent_by,
        text=text or "",
        language=language
        or _message_language(text=text or "", conversation=conversation, buyer=conversation.buyer),
        image=image or "",
        coupon=coupon,
        card=card,
        buyer_only=buyer_only,
        triggered_by=triggered_by,
        tapped_keyword=tapped_keyword,
        agent_note=agent_note,
        idempotency_key=idempotency_key or None,
        created_at=now,
        next_attempt_at=now,
    )
    if not buyer_only:
        _touch_conversation(conversation, message)
    deliver_after_commit(message)
    return message


def buyer_only_messages_create(
    *,
    conversations: list[Conversation],
    sender: str,
    texts: list[tuple[str, str, str]],
    image=None,
) -> list[Message]:
    """Many buyer-only messages (a batch send's chunk) in one insert, with one delivery publish after commit.

    ``texts[i]`` is (text, language, field) for ``conversations[i]``. Each distinct text goes through the text guard
    once (an ApplicationError names its field); ``image`` is a picture the desk already stored and checked. Buyer-only
    messages never touch the seller's side of the conversation (R10).
    """
    for text, _, field in {(t, "", f) for t, _, f in texts}:
        if text:
            text_guard_enforce(text=text, field=field)
    if image is not None and not isinstance(image, FieldFile):
        picture_validate(image)
    now = timezone.now()
    messages = Message.objects.bulk_create(
        [
            Message(
                store_id=conversation.store_id,
                conversation=conversation,
                buyer_id=conversation.buyer_id,
                direction=Direction.OUTBOUND,
                sender=sender,
                text=text or "",
                language=language or DEFAULT_LANGUAGE,
                image=image or "",
                buyer_only=True,
                created_at=now,
                next_attempt_at=now,
            )
            for conversation, (text, language, _) in zip(conversations, texts, strict=True)
        ]
    )
    deliver_many_after_commit(messages)
    return messages


@transaction.atomic
def reply_send(
    *,
    conversation: Conversation,
    acting_user,
    text: str,
    language: str = "",
    image=None,
    coupon_id: int | None = None,
    idempotency_key: str | None = None,
    last_seen_message_id: int | None = None,
    force: bool = False,
) -> Message:
    """An agent's reply: text guard, picture check, optional coupon grant, delivery, and the wait closed.

    With ``last_seen_message_id`` (the newest message the agent saw) the reply is refused with ``ReplyConflict``
    when a buyer message or another agent's reply arrived since, unless ``force``: the conversation row is locked
    first, so of two agents replying from the same message one sends and the other is told.

    Nothing is stored or sent when any part fails (one transaction). With ``idempotency_key`` a second
    request carrying the same key raises ``IntegrityError`` (unique per store); callers answer it with
    ``reply_replay``.
    """
    text = (text or "").strip()
    if not text and image is None and coupon_id is None:
        raise ApplicationError({"text": gettext("Write a reply, attach a picture or a coupon.")})
    if len(text) > 5000:
        raise ApplicationError(
            {
                "text": gettext("Replies may be at most 5,000 characters (this one has %(value)s).")
                % {"value": f"{len(text):,}"}
            }
        )
    unfilled = placeholders(text)
    if unfilled:
        names = ", ".join(f"{{{name}}}" for name in unfilled)
        raise ApplicationError(
            {"text": gettext("Fill the placeholder %(names)s before sending this reply.") % {"names": names}}
        )
    Conversation.objects.select_for_update().filter(pk=conversation.pk).first()
    if last_seen_message_id is not None and not force:
        newer = list(
            selectors.messages_newer_than_seen(
                conversation=conversation, last_seen_id=last_seen_message_id, acting_user=acting_user
            )
        )
        if newer:
            raise ReplyConflict(newer)
    coupon = None
    if coupon_id is not None:
        coupon = coupon_grant_for_reply(
            store=conversation.store, coupon_id=coupon_id, buyer=conversation.buyer, acting_user=acting_user
        )
    message = outbound_message_create(
        conversation=conversation,
        sender=SenderKind.AGENT,
        text=text,
        language=language,
        image=image,
        coupon=coupon,
        sent_by=acting_user,
        idempotency_key=idempotency_key,
    )
    _wait_close(conversation, message)
    return message


class ReplyConflict(ApplicationError):
    """A reply written from a stale view: ``newer`` holds the messages that arrived since (API answers 409)."""

    def __init__(self, newer: list[Message]):
        self.newer = newer
        super().__init__(
            {
                "last_seen_message_id": gettext(
                    "New messages arrived since you opened this conversation; read them, then send again "
                    "(or send anyway with force)."
                )
            }
        )


def _evidence_excerpts(*, dispute: Dispute, message_ids) -> list[Message]:
    """The chosen messages of the dispute's own conversations (the dispute thread and the buyer's other
    threads about the same order); an id from anywhere else is refused by name."""
    ids = []
    for raw in message_ids or []:
        try:
            ids.append(int(raw))
        except (TypeError, ValueError):
            raise ApplicationError(
                {"excerpt_ids": gettext("“%(raw)s” is not a message id.") % {"raw": raw}}
            ) from None
    if not ids:
        return []
    found = {
        m.pk: m
        for m in Message.objects.filter(
            store_id=dispute.store_id, buyer_id=dispute.order.buyer_id, buyer_only=False, pk__in=ids
        )
    }
    missing = [i for i in ids if i not in found]
    if missing:
        raise ApplicationError(
            {
                "excerpt_ids": gettext(
                    "Message %(value)s is not in this buyer's conversations; pick excerpts from the chat."
                )
                % {"value": missing[0]}
            }
        )
    return [found[i] for i in dict.fromkeys(ids)]


def _evidence_files(*, photos, video) -> list[tuple[str, object]]:
    limit = settings.SELLER_DESK["DISPUTE_EVIDENCE_MAX_PHOTOS"]
    photos = [p for p in (photos or []) if p]
    if len(photos) > limit:
        raise ApplicationError(
            {
                "photos": gettext("Attach at most %(limit)s photos (got %(value)s).")
                % {"limit": limit, "value": len(photos)}
            }
        )
    files = []
    for index, photo in enumerate(photos):
        picture_validate(photo, field="photos" if len(photos) == 1 else f"photos[{index}]")
        files.append(("photo", photo))
    if video:
        video_validate(video, field="video")
        files.append(("video", video))
    return files


def dispute_evidence_store(
    *, dispute: Dispute, side: str, files=(), urls=(), excerpts=(), response: DisputeResponse | None = None
) -> list[DisputeEvidence]:
    """Attach checked evidence to a dispute (caller holds the transaction): ``files`` as (kind, upload),
    ``urls`` the marketplace's links, ``excerpts`` chat messages or plain texts."""
    rows = [
        DisputeEvidence(
            store_id=dispute.store_id, dispute=dispute, response=response, side=side, kind=k, file=f
        )
        for k, f in files
    ]
    rows += [
        DisputeEvidence(
            store_id=dispute.store_id,
            dispute=dispute,
            response=response,
            side=side,
            kind=EvidenceKind.LINK,
            url=u,
        )
        for u in urls
    ]
    for excerpt in excerpts:
        if isinstance(excerpt, Message):
            rows.append(
                DisputeEvidence(
                    store_id=dispute.store_id,
                    dispute=dispute,
                    response=response,
                    side=side,
                    kind=EvidenceKind.CHAT,
                    message=excerpt,
                    text=excerpt.text or ("[picture]" if excerpt.image else ""),
                    excerpt_at=excerpt.created_at,
                    excerpt_sender=excerpt.sender,
                )
            )
        else:
            rows.append(
                DisputeEvidence(
                    store_id=dispute.store_id,
                    dispute=dispute,
                    response=response,
                    side=side,
                    kind=EvidenceKind.CHAT,
                    text=str(excerpt),
                    excerpt_sender="buyer",
                )
            )
    for row in rows:
        row.save()
    return rows


IDEMPOTENCY_KEY_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:")


def idempotency_key_check(key: str | None, *, field: str = "Idempotency-Key") -> str | None:
    """A client's idempotency key: absent, or 1 to 100 letters, digits and ``- _ . :`` (a UUID fits)."""
    if key is None:
        return None
    if not key or len(key) > 100 or not set(key) <= IDEMPOTENCY_KEY_CHARS:
        raise ApplicationError(
            {
                field: gettext(
                    "An idempotency key is 1 to 100 letters, digits, '-', '_', '.' or ':' (a UUID fits)."
                )
            }
        )
    return key


def reply_replay(*, conversation: Conversation, acting_user, idempotency_key: str | None) -> Message | None:
    """The reply already sent with this key (the retry of a request whose answer was lost), or None.

    A key is the store's: used before for another conversation or by another person, it is refused."""
    if not idempotency_key:
        return None
    sent = Message.objects.filter(store=conversation.store, idempotency_key=idempotency_key).first()
    if sent is None:
        return None
    if sent.conversation_id != conversation.pk or sent.sent_by_id != getattr(acting_user, "pk", None):
        raise ApplicationError(
            {
                "Idempotency-Key": gettext(
                    "This key was already used for another reply; "
                    "send a new key for each new reply and the same key only to retry it."
                )
            }
        )
    return sent


@transaction.atomic
def dispute_respond(
    *,
    dispute: Dispute,
    acting_user,
    action: str,
    text: str,
    refund_amount: Decimal | None = None,
    return_goods: bool = False,
    image=None,
    photos=None,
    video=None,
    excerpt_ids=None,
) -> DisputeResponse:
    """The seller answers a dispute (R22): agree to the buyer's request, propose another refund (at most the
    order's amount) or a return, or reject with evidence (photos, a video, chat excerpts).

    The allowed answers come from ``DISPUTE_TRANSITIONS``: an agreed, escalated or closed dispute takes none.
    The text is a reply in the dispute conversation, so it passes the same reply rules (guard, placeholders,
    picture check) and closes the 24-hour wait like any reply. Nothing is stored when any rule is broken."""
    dispute = (
        Dispute.objects.select_for_update(of=("self",))
        .select_related("conversation", "order")
        .get(pk=dispute.pk)
    )
    allowed = DISPUTE_TRANSITIONS.get(dispute.status, {})
    if not allowed:
        raise ApplicationError(
            {
                "dispute": gettext("This dispute is %(value)s; it takes no more answers from the seller.")
                % {"value": dispute.get_status_display().lower()}
            }
        )
    if action not in allowed:
        raise ApplicationError(
            {"action": gettext("Action must be one of %(value)s.") % {"value": ", ".join(allowed)}}
        )
    if not (text or "").strip():
        raise ApplicationError({"text": gettext("Explain your answer to the buyer.")})
    if action == DisputeAction.PROPOSE:
        if refund_amount is None and not return_goods:
            raise ApplicationError(
                {
                    "refund_amount": gettext(
                        "A proposal needs a refund amount (0 or more) or a return of the goods."
                    )
                }
            )
        if refund_amount is not None and refund_amount < 0:
            raise ApplicationError(
                {"refund_amount": gettext("A proposal needs a refund amount of 0 or more.")}
            )
        if refund_amount is not None and refund_amount > dispute.order.amount:
            raise ApplicationError(
                {
                    "refund_amount": gettext("A refund cannot exceed the order amount (%(amount)s).")
                    % {"amount": dispute.order.amount}
                }
            )
    files = _evidence_files(photos=[*(photos or []), *([image] if image else [])], video=video)
    excerpts = _evidence_excerpts(dispute=dispute, message_ids=excerpt_ids)
    if action == DisputeAction.REJECT and not (files or excerpts):
        raise ApplicationError(
            {
                "evidence": gettext(
                    "A rejection needs evidence: attach a photo or a video, or pick chat excerpts."
                )
            }
        )
    first_photo = next((f for kind, f in files if kind == "photo"), None)
    message = reply_send(
        conversation=dispute.conversation, acting_user=acting_user, text=text, image=first_photo
    )
    new_status = allowed[action]
    response = DisputeResponse.objects.create(
        store=dispute.store,
        dispute=dispute,
        action=action,
        refund_amount={
            DisputeAction.AGREE: dispute.refund_amount,
            DisputeAction.PROPOSE: refund_amount,
            DisputeAction.REJECT: None,
        }[action],
        return_goods={
            DisputeAction.AGREE: dispute.return_goods,
            DisputeAction.PROPOSE: bool(return_goods),
            DisputeAction.REJECT: False,
        }[action],
        status_after=new_status,
        message=message,
        author=acting_user,
    )
    if first_photo is not None:
        first_photo.seek(0)
    dispute_evidence_store(
        dispute=dispute, side=EvidenceSide.SELLER, files=files, excerpts=excerpts, response=response
    )
    previous = dispute.status
    dispute.status = new_status
    fields = ["status"]
    if new_status == DisputeStatus.AGREED:
        dispute.agreed_at = timezone.now()
        fields.append("agreed_at")
    dispute.save(update_fields=fields)
    if (new_status in DISPUTE_ACTIVE_STATUSES) != (previous in DISPUTE_ACTIVE_STATUSES):
        dispute_deadline_sync(dispute_ids=[dispute.pk])
    audit_log(
        store=dispute.store,
        kind=AuditKind.DISPUTE_ANSWERED,
        subject=dispute.order,
        actor=acting_user,
        details={
            "dispute_id": dispute.external_id,
            "action": action,
            "from": previous,
            "to": new_status,
            "refund_amount": str(response.refund_amount) if response.refund_amount is not None else None,
            "evidence": len(files) + len(excerpts),
        },
    )
    return response


def _order_conversation(order: Order) -> Conversation:
    """Where the desk tells a buyer about their order: the order's latest non-dispute thread, else a chat."""
    found = (
        Conversation.objects.filter(store_id=order.store_id, order=order)
        .exclude(channel=Channel.DISPUTE)
        .order_by(F("last_message_at").desc(nulls_last=True), "-id")
        .first()
    )
    return found or conversation_get_or_create(
        store=order.store, buyer=order.buyer, order=order, channel=Channel.CHAT
    )


PROTECTION_SCENARIO = "extend_protection"


@transaction.atomic
def protection_extend_and_tell(
    *,
    store: Store,
    order: Order,
    days: int,
    reason: str = "",
    acting_user,
    template_code: str = "",
    conversation: Conversation | None = None,
) -> ProtectionExtension:
    """R23 and Scenario 6 as one action: extend the order's buyer protection (limits, one audit event) and tell
    the buyer in their language with the Scenario 6 reply (or the store's own template ``template_code``).

    The reply is an agent reply in the order's conversation (guard, delivery after commit, closes the wait);
    a scenario without the buyer's language falls back to English. ``conversation`` is the thread the agent
    extends from (when it is about this order, the buyer is told there). Nothing happens when any part fails."""
    order = protection_extend(store=store, order=order, days=days, acting_user=acting_user, reason=reason)
    extension = order.last_extension
    if conversation is None or conversation.order_id != order.pk or conversation.store_id != store.pk:
        conversation = _order_conversation(order)
    code = template_code or PROTECTION_SCENARIO
    language = reply_language_for(conversation)
    variables = {"days": str(days), "protection_ends_at": f"{order.protection_ends_at:%Y-%m-%d}"}
    try:
        rendered = reply_text_for_conversation(
            store=store, conversation=conversation, code=code, language=language, variables=variables
        )
    except ApplicationError as error:
        if "language" not in error.errors:
            raise
        rendered = reply_text_for_conversation(
            store=store, conversation=conversation, code=code, language=DEFAULT_LANGUAGE, variables=variables
        )
    message = reply_send(
        conversation=conversation, acting_user=acting_user, text=rendered.text, language=rendered.language
    )
    extension.message = message
    extension.save(update_fields=["message"])
    return extension


@transaction.atomic
def message_delivery_retry(*, store: Store, message_id: int, acting_user) -> Message:
    """Send a dead-letter message again: its tries start over and it is queued after commit (API.md-free, UI)."""
    message = selectors.undelivered_get(store=store, message_id=message_id, lock=True)
    previous = {"attempts": message.delivery_attempts, "error": message.delivery_error}
    message.delivery_failed_at = None
    message.delivery_attempts = 0
    message.next_attempt_at = timezone.now()
    message.save(update_fields=["delivery_failed_at", "delivery_attempts", "next_attempt_at"])
    audit_log(
        store=store,
        kind=AuditKind.DELIVERY_RETRIED,
        subject=message.conversation,
        actor=acting_user,
        details={"message_id": message.pk, **previous},
    )
    deliver_after_commit(message)
    return message


# --- Team inbox, part B (issue 10): notes with @mentions, tags, buyer blocks, drafts ---

NOTE_MAX_CHARS = 5000
# "@name" where name is a Django username (letters, digits and @.+-_), not part of an e-mail address.
MENTION = re.compile(r"(?<![\w@.+-])@([\w.@+-]*\w)")


@transaction.atomic
def note_create(*, conversation: Conversation, acting_user, text: str) -> Note:
    """An internal note in the thread; every store member @mentioned in it gets it in their Mentions view.

    Notes never leave the desk (they are not messages: no delivery, no buyer chat, no reply wait), so the banned-word
    guard, which protects what buyers read, does not apply; templates escape the text like any other."""
    text = (text or "").strip()
    if not text:
        raise ApplicationError({"text": gettext("Write the note's text.")})
    if len(text) > NOTE_MAX_CHARS:
        raise ApplicationError(
            {"text": gettext("A note is at most %(n)s characters.") % {"n": f"{NOTE_MAX_CHARS:,}"}}
        )
    now = timezone.now()
    note = Note.objects.create(
        store_id=conversation.store_id,
        conversation=conversation,
        author=acting_user,
        text=text,
        created_at=now,
    )
    names = set(MENTION.findall(text))
    if names:
        users = selectors.members_by_username(store=conversation.store, usernames=names)
        NoteMention.objects.bulk_create(
            [NoteMention(store_id=conversation.store_id, note=note, user=u, created_at=now) for u in users],
            ignore_conflicts=True,
        )
    return note


TAG_MAX_CHARS = 40


def _tag_name_clean(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ApplicationError({"name": gettext("Give the tag a name.")})
    if len(name) > TAG_MAX_CHARS:
        raise ApplicationError(
            {"name": gettext("A tag name is at most %(n)s characters.") % {"n": TAG_MAX_CHARS}}
        )
    return name


@transaction.atomic
def tag_create(*, store: Store, acting_user, name: str) -> Tag:
    name = _tag_name_clean(name)
    try:
        with transaction.atomic():
            return Tag.objects.create(store=store, name=name)
    except IntegrityError:
        raise ApplicationError(
            {"name": gettext("The store already has a tag named “%(name)s”.") % {"name": name}}
        ) from None


@transaction.atomic
def tag_delete(*, store: Store, acting_user, tag_id: int) -> None:
    """Delete a tag: it comes off every conversation that had it."""
    selectors.tag_get(store=store, tag_id=tag_id).delete()


@transaction.atomic
def conversation_tag_add(*, conversation: Conversation, acting_user, name: str) -> Tag:
    """Put one of the store's tags on a conversation (again is a no-op). Tags are made on the Tags page."""
    name = " ".join((name or "").split())
    tag = selectors.tag_find(store=conversation.store, name=name) if name else None
    if tag is None:
        raise ApplicationError(
            {
                "tag": gettext("The store has no tag “%(name)s”; an owner adds tags on the Tags page.")
                % {"name": name}
            }
        )
    ConversationTag.objects.bulk_create(
        [
            ConversationTag(
                store_id=conversation.store_id, conversation=conversation, tag=tag, added_by=acting_user
            )
        ],
        ignore_conflicts=True,
    )
    return tag


@transaction.atomic
def conversation_tag_remove(*, conversation: Conversation, acting_user, tag_id: int) -> None:
    tag = selectors.tag_get(store=conversation.store, tag_id=tag_id)
    ConversationTag.objects.filter(conversation=conversation, tag=tag).delete()


@transaction.atomic
def conversations_tag_bulk(*, store: Store, acting_user, conversation_ids: list[int], tag_id: int) -> int:
    """Put a tag on many conversations at once (the queue's bulk action); ids of other stores are ignored.
    Returns how many conversations got the tag now."""
    tag = selectors.tag_get(store=store, tag_id=tag_id)
    ids = list(Conversation.objects.filter(store=store, pk__in=conversation_ids).values_list("id", flat=True))
    created = ConversationTag.objects.bulk_create(
        [ConversationTag(store=store, conversation_id=i, tag=tag, added_by=acting_user) for i in ids],
        ignore_conflicts=True,
    )
    return len(created)


@transaction.atomic
def buyer_block(*, store: Store, buyer, acting_user, reason: str = "") -> BuyerBlock:
    """Block a buyer who spams: what they send is still stored, but their conversations leave the queue and the
    waits they open stay out of the response rate. The block reaches back to their first unanswered message.
    Blocking a blocked buyer changes nothing. Audited."""
    active = selectors.buyer_block_active(store=store, buyer_id=buyer.pk)
    if active is not None:
        return active
    now = timezone.now()
    waiting = (
        Conversation.objects.filter(store=store, buyer=buyer, waiting_since__isnull=False)
        .order_by("waiting_since")
        .values_list("waiting_since", flat=True)
        .first()
    )
    try:
        with transaction.atomic():
            block = BuyerBlock.objects.create(
                store=store,
                buyer=buyer,
                started_at=min(waiting, now) if waiting else now,
                blocked_by=acting_user,
                reason=reason[:200],
            )
    except IntegrityError:  # a teammate blocked them a moment earlier
        return selectors.buyer_block_active(store=store, buyer_id=buyer.pk)
    audit_log(
        store=store,
        kind=AuditKind.BUYER_BLOCKED,
        subject=buyer,
        actor=acting_user,
        details={"block_id": block.pk, "since": block.started_at.isoformat(), "reason": block.reason},
    )
    return block


@transaction.atomic
def buyer_unblock(*, store: Store, buyer, acting_user) -> bool:
    """End the buyer's block: their conversations are back in the queue. Waits opened while they were blocked stay
    out of the response rate. Returns whether a block was ended. Audited."""
    now = timezone.now()
    ended = BuyerBlock.objects.filter(store=store, buyer=buyer, ended_at__isnull=True).update(
        ended_at=now, unblocked_by=acting_user
    )
    if ended:
        audit_log(store=store, kind=AuditKind.BUYER_UNBLOCKED, subject=buyer, actor=acting_user, details={})
    return bool(ended)


DRAFT_MAX_CHARS = 10000


def draft_save(*, conversation: Conversation, acting_user, text: str) -> Draft | None:
    """Keep the agent's unsent reply (one per agent and conversation, one statement, last write wins); an empty
    text drops it."""
    if not text.strip():
        draft_discard(conversation=conversation, acting_user=acting_user)
        return None
    draft = Draft(
        store_id=conversation.store_id,
        conversation=conversation,
        user=acting_user,
        text=text[:DRAFT_MAX_CHARS],
        updated_at=timezone.now(),
    )
    Draft.objects.bulk_create(
        [draft],
        update_conflicts=True,
        unique_fields=["conversation", "user"],
        update_fields=["text", "updated_at"],
    )
    return draft


def draft_discard(*, conversation: Conversation, acting_user) -> None:
    Draft.objects.filter(conversation=conversation, user=acting_user).delete()


# --- team inbox, part A (issue 10): assignment, auto-assignment, resolve, snooze, bulk actions ---
# Every write scopes the conversations to the acting user's store; the reply status (``status``) and the 24-hour
# wait are only touched by resolve (it closes the wait without a reply, docs/response-rate.md).


def _member_of_store(*, store: Store, user_id) -> object:
    """The active member ``user_id`` of ``store``; anyone else (another store's user, unknown) is a 400."""
    member = selectors.store_member(store=store, user_id=user_id)
    if member is None:
        raise ApplicationError(
            {"assignee_id": gettext("Assign the conversation to an owner or agent of this store.")}
        )
    return member


def _is_owner(user) -> bool:
    membership = getattr(user, "membership", None)
    return membership is not None and membership.role == MemberRole.OWNER


@transaction.atomic
def conversation_assign(*, conversation: Conversation, assignee_id: int | None, acting_user) -> Conversation:
    """Give the conversation to one member of its store, or to nobody (``None``).

    Owners assign anyone of the store; agents take a conversation themselves or give up their own."""
    store = conversation.store
    assignee = None if assignee_id is None else _member_of_store(store=store, user_id=assignee_id)
    if not _is_owner(acting_user):
        if assignee is not None and assignee.pk != acting_user.pk:
            raise ApplicationError(
                {"assignee_id": gettext("Agents take conversations themselves; an owner assigns others.")}
            )
        if assignee is None and conversation.assignee_id not in (None, acting_user.pk):
            raise ApplicationError(
                {"assignee_id": gettext("Only its assignee or an owner may unassign this conversation.")}
            )
    conversation_ids_assign(
        store=store, conversation_ids=[conversation.pk], assignee=assignee, acting_user=acting_user
    )
    conversation.assignee = assignee
    return conversation


def _audit_rows(*, store: Store, conversation_ids, changing: Q) -> list[Conversation]:
    """The store's conversations among ``conversation_ids`` that the action changes, with what their audit rows
    name (buyer, previous assignee): one query whatever their number."""
    return list(
        Conversation.objects.filter(changing, store=store, pk__in=list(conversation_ids))
        .select_related("buyer", "assignee")
        .only(
            "id",
            "channel",
            "inbox_state",
            "buyer",
            "buyer__name",
            "buyer__external_id",
            "assignee",
            "assignee__username",
        )
    )


def conversation_ids_assign(*, store: Store, conversation_ids, assignee, acting_user=None) -> int:
    """One UPDATE of the store's conversations among ``conversation_ids``; returns how many. Each conversation
    whose assignee changes gets an audit row (assigned, or unassigned when ``assignee`` is None)."""
    ids = list(conversation_ids)
    changing = ~Q(assignee=assignee) if assignee is not None else Q(assignee__isnull=False)
    rows = _audit_rows(store=store, conversation_ids=ids, changing=changing)
    count = Conversation.objects.filter(store=store, pk__in=ids).update(assignee=assignee)
    audit_log_many(
        kind=AuditKind.CONVERSATION_ASSIGNED if assignee is not None else AuditKind.CONVERSATION_UNASSIGNED,
        store=store,
        subjects=rows,
        actor=acting_user,
        details_of=lambda c: {
            "assignee": assignee.username if assignee is not None else "",
            "previous_assignee": c.assignee.username if c.assignee_id else "",
        },
    )
    return count


def _resolve_ids(*, store: Store, conversation_ids, now, acting_user) -> int:
    """Resolve in two statements: close the open waits without a reply, then mark the conversations (and one
    audit row for each that was not resolved yet)."""
    ids = list(conversation_ids)
    rows = _audit_rows(store=store, conversation_ids=ids, changing=~Q(inbox_state=InboxState.RESOLVED))
    audit_log_many(
        kind=AuditKind.CONVERSATION_RESOLVED,
        store=store,
        subjects=rows,
        actor=acting_user,
        at=now,
        details_of=lambda c: {"was": c.inbox_state} if c.inbox_state != InboxState.OPEN else {},
    )
    ReplyWait.objects.filter(store=store, conversation_id__in=ids, closed_at__isnull=True).update(
        closed_at=now, resolved_without_reply=True
    )
    return Conversation.objects.filter(store=store, pk__in=ids).update(
        inbox_state=InboxState.RESOLVED,
        resolved_at=now,
        snoozed_until=None,
        status=ConversationStatus.ANSWERED,
        waiting_since=None,
        reply_due_at=None,
    )


@transaction.atomic
def conversation_resolve(*, conversation: Conversation, acting_user) -> Conversation:
    """Close the conversation without a reply (a "thanks!", spam). A new buyer message opens it again."""
    now = timezone.now()
    _resolve_ids(
        store=conversation.store, conversation_ids=[conversation.pk], now=now, acting_user=acting_user
    )
    conversation.refresh_from_db()
    return conversation


def _snooze_check(until) -> datetime:
    if until is None or until <= timezone.now():
        raise ApplicationError({"until": gettext("Snooze until a time in the future.")})
    return until


def _snooze_ids(*, store: Store, conversation_ids, until, acting_user) -> int:
    ids = list(conversation_ids)
    rows = _audit_rows(store=store, conversation_ids=ids, changing=Q())
    audit_log_many(
        kind=AuditKind.CONVERSATION_SNOOZED,
        store=store,
        subjects=rows,
        actor=acting_user,
        details_of=lambda c: {"until": until.isoformat()},
    )
    return Conversation.objects.filter(store=store, pk__in=ids).update(
        inbox_state=InboxState.SNOOZED, snoozed_until=until
    )


@transaction.atomic
def conversation_snooze(*, conversation: Conversation, until, acting_user) -> Conversation:
    """Hide the conversation from the open queues until ``until`` (the 24-hour wait keeps running)."""
    _snooze_ids(
        store=conversation.store,
        conversation_ids=[conversation.pk],
        until=_snooze_check(until),
        acting_user=acting_user,
    )
    conversation.refresh_from_db()
    return conversation


# The bulk actions of the queue, by name: each takes (store, ids, acting_user, values) and returns how many
# conversations it changed.
def _bulk_assign(*, store, ids, acting_user, values) -> int:
    raw = values.get("assignee_id")
    if raw in (None, "", "none"):
        assignee = None
    else:
        assignee = _member_of_store(store=store, user_id=raw)
    if not _is_owner(acting_user) and assignee is not None and assignee.pk != acting_user.pk:
        raise ApplicationError(
            {"assignee_id": gettext("Agents take conversations themselves; an owner assigns others.")}
        )
    return conversation_ids_assign(
        store=store, conversation_ids=ids, assignee=assignee, acting_user=acting_user
    )


def _bulk_resolve(*, store, ids, acting_user, values) -> int:
    return _resolve_ids(store=store, conversation_ids=ids, now=timezone.now(), acting_user=acting_user)


def _bulk_snooze(*, store, ids, acting_user, values) -> int:
    until = _snooze_check(values.get("until"))
    return _snooze_ids(store=store, conversation_ids=ids, until=until, acting_user=acting_user)


def _bulk_tag(*, store, ids, acting_user, values) -> int:
    raw = str(values.get("tag_id") or "")
    if not raw.isdigit():
        raise ApplicationError({"tag_id": gettext("Pick one of the store's tags.")})
    return conversations_tag_bulk(store=store, acting_user=acting_user, conversation_ids=ids, tag_id=int(raw))


BULK_ACTIONS = {"assign": _bulk_assign, "resolve": _bulk_resolve, "snooze": _bulk_snooze, "tag": _bulk_tag}


@transaction.atomic
def conversations_bulk_apply(
    *, store: Store, conversation_ids, action: str, acting_user, values: dict | None = None
) -> int:
    """Apply one bulk action to the store's conversations among ``conversation_ids`` (ids of other stores are
    simply not found); constant statements whatever the number of ids."""
    handler = BULK_ACTIONS.get(action)
    if handler is None:
        raise ApplicationError({"action": gettext("Pick an action: %s.") % ", ".join(BULK_ACTIONS)})
    ids = [int(i) for i in conversation_ids if str(i).isdigit()]
    if not ids:
        raise ApplicationError({"ids": gettext("Select at least one conversation.")})
    return handler(store=store, ids=ids, acting_user=acting_user, values=values or {})


def conversation_auto_assign(*, conversation: Conversation, store: Store | None = None) -> None:
    """Auto-assignment (store setting): the available agent with the fewest open conversations, never above the
    store's cap; nobody when all are at the cap. Caller holds the transaction.

    The store's settings row is locked first, so concurrent arrivals choose one after the other, and the choice
    is one query: agents with their open counts, under the cap, fewest first (no count-then-write race). With
    auto-assignment off nothing is locked (arrivals of a store do not wait for each other), and when the store row
    came with its settings (``store``, read by ingress with ``store_select_related``) it costs no query at all."""
    known, row = store_related_read(store, "inbox_settings") if store is not None else (False, None)
    if known and (row is None or not row.auto_assign):
        return
    settings_row = (
        InboxSettings.objects.select_for_update()
        .filter(store_id=conversation.store_id, auto_assign=True)
        .first()
    )
    if settings_row is None:
        return
    chosen = selectors.auto_assign_candidate(store_id=conversation.store_id, cap=settings_row.agent_cap)
    if chosen is not None:
        Conversation.objects.filter(pk=conversation.pk).update(assignee_id=chosen)
        conversation.assignee_id = chosen


@transaction.atomic
def inbox_settings_update(*, store: Store, acting_user, auto_assign: bool, agent_cap: int) -> InboxSettings:
    if not 1 <= int(agent_cap) <= 1000:
        raise ApplicationError({"agent_cap": gettext("The cap is a whole number from 1 to 1000.")})
    row, _ = InboxSettings.objects.select_for_update().get_or_create(store=store)
    row.auto_assign = bool(auto_assign)
    row.agent_cap = int(agent_cap)
    row.save(update_fields=["auto_assign", "agent_cap"])
    return row


@transaction.atomic
def agent_availability_set(*, store: Store, acting_user, available: bool) -> AgentAvailability:
    row, _ = AgentAvailability.objects.update_or_create(
        user=acting_user, defaults={"store": store, "available": bool(available)}
    )
    return row


# --- end team inbox, part A ---


def presence_touch(*, conversation: Conversation, user, typing: bool = False) -> None:
    """Mark ``user`` as viewing (and maybe typing in) the conversation for the next few seconds (cache only)."""
    cache.set(
        selectors.presence_key(conversation.pk, user.pk),
        {"typing": bool(typing)},
        timeout=selectors.PRESENCE_TTL,
    )
