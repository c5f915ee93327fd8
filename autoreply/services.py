"""Writes for auto-reply (R15–R17): the settings and keyword card, the daily welcome, and keyword taps.

- ``autoreply_settings_update``: the owner's whole set-up in one go (switch, welcome, 0 or 3–9 keywords), checked
  completely before anything is written; keywords sent back with their ``id`` keep it, so cards already in buyers'
  chats keep working; keywords left out are taken off the card (kept, marked removed).
- ``autoreply_respond``: called by ``conversations.services.message_ingest`` inside the ingest transaction. The
  first buyer message of a store-local day claims an ``AutoReplyDay`` row (unique per store, buyer and date); only
  the claimant sends the welcome, through ``outbound_message_create`` (which never closes the 24-hour wait).
- ``card_click_answer``: a buyer tapped a keyword; the keyword's one reply goes into the conversation of the card.
"""

import logging
import os
import re
from dataclasses import dataclass
from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from conversations.models import Channel, Conversation, Direction, Message, SenderKind
from conversations.selectors import card_conversation
from conversations.services import conversation_get_or_create, outbound_message_create
from conversations.uploads import picture_validate
from coupons.models import Coupon, GrantSource
from coupons.selectors import coupon_find, coupon_grant_held, coupon_state
from coupons.services import coupon_grant
from seller_desk.errors import ApplicationError
from seller_desk.models import AuditKind, Buyer, Store
from seller_desk.selectors import store_local_date
from seller_desk.services import actor_or_none, audit_log
from templates_i18n.guard import text_guard_collect
from templates_i18n.languages import detect_language

from . import selectors
from .models import (
    KEYWORD_MAX_CHARS,
    KEYWORDS_MAX,
    KEYWORDS_MIN,
    REPLY_TEXT_MAX_CHARS,
    WELCOME_MAX_CHARS,
    AutoReplyDay,
    AutoReplySettings,
    Keyword,
    KeywordClick,
    ReplyType,
)

logger = logging.getLogger(__name__)

# Channels the auto-reply answers: buyer messages and chat. Product comments are public remarks on a product page,
# not a conversation a welcome card belongs in.
ANSWERED_CHANNELS = (Channel.MESSAGE, Channel.CHAT)
# A buyer message that reaches the desk later than this after it was sent (a replay or a history import) gets no
# welcome: a greeting hours late reads as a mistake to the buyer.
LATE_AFTER = timedelta(hours=1)

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


# ----------------------------------------------------------------------------- settings


@dataclass
class _CleanKeyword:
    id: int | None
    keyword: str
    reply_type: str
    text: str
    upload: object | None
    coupon: Coupon | None


def _guard(text: str, field: str, errors: dict, banned: list) -> None:
    text_guard_collect(text=text, field=field, errors=errors, banned=banned)


def _coupon_pick(store: Store, raw, field: str, errors: dict, *, number: int) -> Coupon | None:
    if raw in (None, ""):
        errors[field] = (
            f"Keyword {number} replies with a coupon: pick one of the store's coupons (coupon_id)."
        )
        return None
    try:
        coupon_id = int(raw)
    except (TypeError, ValueError):
        errors[field] = f"coupon_id is a coupon's number (got '{raw}')."
        return None
    coupon = coupon_find(store=store, coupon_id=coupon_id)
    if coupon is None:
        errors[field] = f"No coupon {coupon_id} in this store; pick one from the store's coupons."
        return None
    state = coupon_state(coupon, today=store_local_date(store))
    if not state.attachable:
        errors[field] = (
            f"Coupon {coupon.name} can't be sent now ({state.label.lower()}): buyers tapping keyword {number} would "
            "get nothing. Pick an active coupon that isn't sold out, or change the reply type."
        )
        return None
    return coupon


def _keyword_clean(
    store: Store,
    index: int,
    raw: dict,
    existing: dict[int, Keyword],
    errors: dict,
    banned: list,
) -> _CleanKeyword:
    prefix = f"keywords[{index}]"
    number = index + 1
    keyword_id = raw.get("id")
    if keyword_id in ("", None):
        keyword_id = None
    else:
        try:
            keyword_id = int(keyword_id)
        except (TypeError, ValueError):
            keyword_id = -1
        if keyword_id not in existing:
            errors[f"{prefix}.id"] = (
                f"Keyword {number}: no keyword {raw.get('id')} is on this store's card; "
                "leave id out to add a new keyword."
            )
            keyword_id = None
    kept = existing.get(keyword_id) if keyword_id else None

    word = " ".join(str(raw.get("keyword") or "").split())
    if not word:
        errors[f"{prefix}.keyword"] = (
            f"Keyword {number} is empty: type the word or short question buyers tap."
        )
    elif len(word) > KEYWORD_MAX_CHARS:
        errors[f"{prefix}.keyword"] = (
            f"Keyword {number} has {len(word)} characters; keywords are at most {KEYWORD_MAX_CHARS}."
        )
    else:
        _guard(word, f"{prefix}.keyword", errors, banned)

    reply_type = raw.get("reply_type") or ""
    text = str(raw.get("text") or "").strip()
    upload = raw.get("image") or None
    coupon_raw = raw.get("coupon_id")
    coupon = None
    if reply_type not in ReplyType.values:
        errors[f"{prefix}.reply_type"] = (
            f"Keyword {number}: pick one reply type: text, picture or coupon (got '{reply_type}')."
        )
        return _CleanKeyword(keyword_id, word, reply_type, text, None, None)

    others = {
        ReplyType.TEXT: ("text", bool(text)),
        ReplyType.PICTURE: ("image", upload is not None),
        ReplyType.COUPON: ("coupon_id", coupon_raw not in (None, "")),
    }
    for other_type, (field, given) in others.items():
        if other_type != reply_type and given:
            errors[f"{prefix}.{field}"] = (
                f"Keyword {number} replies with a {reply_type}; a keyword has exactly one reply type, "
                f"so leave {field} out (or set reply_type to {other_type})."
            )

    if reply_type == ReplyType.TEXT:
        if not text:
            errors[f"{prefix}.text"] = f"Keyword {number} replies with text: write the reply."
        elif len(text) > REPLY_TEXT_MAX_CHARS:
            errors[f"{prefix}.text"] = (
                f"Keyword {number}'s reply has {len(text):,} characters; replies are at most "
                f"{REPLY_TEXT_MAX_CHARS:,}."
            )
        else:
            _guard(text, f"{prefix}.text", errors, banned)
    elif reply_type == ReplyType.PICTURE:
        if upload is not None:
            try:
                picture_validate(upload, field=f"{prefix}.image")
            except ApplicationError as error:
                errors.update({k: v[0] for k, v in error.errors.items()})
                upload = None
        elif kept is None or kept.reply_type != ReplyType.PICTURE or not kept.image:
            errors[f"{prefix}.image"] = (
                f"Keyword {number} replies with a picture: attach a JPG or PNG of at most 5 MB."
            )
    else:
        coupon = _coupon_pick(store, coupon_raw, f"{prefix}.coupon_id", errors, number=number)
    return _CleanKeyword(keyword_id, word, reply_type, text, upload, coupon)


def autoreply_settings_check(
    *,
    store: Store,
    enabled: bool,
    welcome_text: str,
    keywords: list[dict],
    existing: dict[int, Keyword] | None = None,
) -> tuple[str, list[_CleanKeyword]]:
    """Check a whole set-up (R15): every broken rule at once, each under its field. Writes nothing."""
    if existing is None:
        existing = {k.pk: k for k in selectors.keyword_list(store=store)}
    errors: dict[str, str] = {}
    banned: list[dict] = []
    welcome = (welcome_text or "").strip()
    if enabled and not welcome:
        errors["welcome_text"] = (
            "Write a welcome message before switching auto-reply on: it is what buyers get with their first "
            "message of the day."
        )
    elif len(welcome) > WELCOME_MAX_CHARS:
        errors["welcome_text"] = (
            f"The welcome has {len(welcome):,} characters; it may be at most {WELCOME_MAX_CHARS:,}."
        )
    elif welcome:
        _guard(welcome, "welcome_text", errors, banned)

    count = len(keywords)
    if count and count < KEYWORDS_MIN:
        errors["keywords"] = (
            f"A keyword card has {KEYWORDS_MIN} to {KEYWORDS_MAX} keywords (this one has {count}): add "
            f"{KEYWORDS_MIN - count} more, or remove them all to send the welcome alone."
        )
    elif count > KEYWORDS_MAX:
        errors["keywords"] = (
            f"A keyword card has at most {KEYWORDS_MAX} keywords (this one has {count}): remove {count - KEYWORDS_MAX}."
        )
    cleaned = [_keyword_clean(store, i, raw, existing, errors, banned) for i, raw in enumerate(keywords)]

    seen: dict[str, int] = {}
    for i, item in enumerate(cleaned):
        if not item.keyword:
            continue
        key = item.keyword.casefold()
        if key in seen and f"keywords[{i}].keyword" not in errors:
            errors[f"keywords[{i}].keyword"] = (
                f"Keyword {i + 1} repeats keyword {seen[key] + 1} (“{item.keyword}”); each keyword appears once."
            )
        seen.setdefault(key, i)
        if item.id is not None:
            first = next(j for j, other in enumerate(cleaned) if other.id == item.id)
            if first != i:
                errors[f"keywords[{i}].id"] = f"Keyword {i + 1} has the same id as keyword {first + 1}."
    if errors:
        raise ApplicationError(errors, banned_words=banned)
    return welcome, cleaned


def _keyword_values(item: _CleanKeyword, position: int) -> dict:
    values = {
        "keyword": item.keyword,
        "position": position,
        "reply_type": item.reply_type,
        "text": item.text if item.reply_type == ReplyType.TEXT else "",
        "coupon": item.coupon if item.reply_type == ReplyType.COUPON else None,
    }
    if item.reply_type != ReplyType.PICTURE:
        values["image"] = ""
    elif item.upload is not None:
        values["image"] = item.upload
    return values


def _keyword_sync(store: Store, existing: dict[int, Keyword], cleaned: list[_CleanKeyword]) -> bool:
    """Make the card what ``cleaned`` says; returns whether anything changed."""
    changed = False
    kept_ids = {item.id for item in cleaned if item.id is not None}
    removed = [pk for pk in existing if pk not in kept_ids]
    if removed:
        Keyword.objects.filter(store=store, pk__in=removed).update(removed_at=timezone.now())
        changed = True
    for position, item in enumerate(cleaned):
        values = _keyword_values(item, position)
        if item.id is None:
            Keyword.objects.create(store=store, **values)
            changed = True
            continue
        keyword = existing[item.id]
        fields = [name for name, value in values.items() if _differs(keyword, name, value)]
        if fields:
            for name in fields:
                setattr(keyword, name, values[name])
            keyword.save(update_fields=fields)
            changed = True
    return changed


def _differs(keyword: Keyword, name: str, new) -> bool:
    if name == "image":
        return new != "" or bool(keyword.image)
    return getattr(keyword, name) != new


@transaction.atomic
def autoreply_settings_update(
    *, store: Store, acting_user, enabled: bool, welcome_text: str, keywords: list[dict]
) -> AutoReplySettings:
    """Save the store's auto-reply (R15, R16). ``keywords`` replaces the card, in order: each item is
    ``{"id"?, "keyword", "reply_type", "text"?, "coupon_id"?, "image"?: uploaded file}``. Nothing is stored when any
    rule is broken; a save that changes nothing writes nothing."""
    AutoReplySettings.objects.get_or_create(store=store)
    row = AutoReplySettings.objects.select_for_update().get(store=store)
    existing = {k.pk: k for k in selectors.keyword_list(store=store)}
    welcome, cleaned = autoreply_settings_check(
        store=store, enabled=bool(enabled), welcome_text=welcome_text, keywords=keywords, existing=existing
    )
    changed = _keyword_sync(store, existing, cleaned)
    fields = [
        name
        for name, value in (("enabled", bool(enabled)), ("welcome_text", welcome))
        if getattr(row, name) != value
    ]
    if fields or changed:
        details = {
            name: [getattr(row, name), value]
            for name, value in (("enabled", bool(enabled)), ("welcome_text", welcome))
            if name in fields
        }
        if changed:
            details["keywords"] = [item.keyword for item in cleaned]
        row.enabled, row.welcome_text = bool(enabled), welcome
        row.updated_by = actor_or_none(acting_user)
        row.updated_at = timezone.now()
        row.save(update_fields=[*fields, "updated_by", "updated_at"])
        audit_log(
            store=store, kind=AuditKind.AUTOREPLY_UPDATED, subject=row, actor=acting_user, details=details
        )
    return row


# ----------------------------------------------------------------------------- the daily welcome


def autoreply_respond(*, message: Message) -> list[Message]:
    """The auto-replies a buyer message triggers (R16, R17): the welcome, with the keyword card when the store has
    keywords, for the buyer's first message of the store-local day while auto-reply is on; otherwise nothing.

    Runs inside the ingest transaction. Two messages of one buyer-day racing (any number of workers) both try to
    insert the day's ``AutoReplyDay``; the unique constraint lets one through and the other sends nothing. A welcome
    that can't be sent (its text now holds a word the platform banned since) is logged and skipped: the buyer's own
    message is still stored.
    """
    if message.direction != Direction.INBOUND or message.conversation.channel not in ANSWERED_CHANNELS:
        return []
    store = message.store
    config = AutoReplySettings.objects.filter(store=store, enabled=True).first()
    if config is None:
        return []
    if message.created_at < timezone.now() - LATE_AFTER:
        return []
    keywords = list(selectors.keyword_list(store=store))
    try:
        with transaction.atomic():
            AutoReplyDay.objects.create(
                store=store,
                buyer_id=message.buyer_id,
                date=store_local_date(store, message.created_at),
                message=message,
            )
            welcome = outbound_message_create(
                conversation=message.conversation,
                sender=SenderKind.AUTOREPLY,
                text=config.welcome_text,
                language=detect_language(config.welcome_text) or "",
                card=selectors.card_for(keywords) if keywords else None,
                triggered_by=message,
                text_field="welcome_text",
            )
    except IntegrityError:
        return []
    except ApplicationError as error:
        logger.warning("store %s: auto-reply welcome not sent: %s", store.pk, error)
        return []
    return [welcome]


# ----------------------------------------------------------------------------- keyword taps


def _card_conversation(store: Store, buyer: Buyer, keyword: Keyword) -> Conversation:
    """Where a tap's reply goes: the conversation of the latest welcome whose card holds this keyword, else of the
    latest welcome with a card, else the buyer's chat with the store."""
    return card_conversation(store=store, buyer=buyer, keyword_id=keyword.pk) or conversation_get_or_create(
        store=store, buyer=buyer, order=None, channel=Channel.CHAT
    )


def _picture_copy(keyword: Keyword) -> ContentFile:
    with keyword.image.open("rb") as source:
        data = source.read()
    return ContentFile(data, name=os.path.basename(keyword.image.name))


@transaction.atomic
def card_click_answer(*, store: Store, buyer: Buyer, keyword_id) -> Message:
    """A buyer tapped a keyword: send its reply (text, picture, or the coupon granted through ``coupon_grant``).

    Another store's keyword is a 404. Nothing is sent when auto-reply is off (R16), the keyword was taken off the
    card, or the coupon can't be granted (sold out, ended): the grant and the message are one transaction.
    """
    if buyer.store_id != store.pk:
        raise ApplicationError({"buyer_id": "This buyer belongs to another store."})
    if not str(keyword_id or "").strip().isdigit():
        raise ApplicationError(
            {"keyword_id": "Say which keyword the buyer tapped: keyword_id is the id from the card."}
        )
    keyword = selectors.keyword_get(store=store, keyword_id=keyword_id)
    if not AutoReplySettings.objects.filter(store=store, enabled=True).exists():
        raise ApplicationError(
            {
                "keyword_id": "The store's auto-reply is switched off, and keywords only answer while it is on "
                "(R16). Nothing was sent; the buyer can write to the store instead."
            }
        )
    if keyword.removed_at is not None:
        raise ApplicationError(
            {
                "keyword_id": f"The store took “{keyword.keyword}” off its keyword card; nothing was sent. "
                "Show the buyer the current card or let them write to the store."
            }
        )
    conversation = _card_conversation(store, buyer, keyword)
    text, image, coupon = "", None, None
    if keyword.reply_type == ReplyType.TEXT:
        text = keyword.text
    elif keyword.reply_type == ReplyType.PICTURE:
        image = _picture_copy(keyword)
    else:
        coupon = keyword.coupon
        try:
            coupon_grant(coupon=coupon, buyer=buyer, source=GrantSource.AUTOREPLY)
        except ApplicationError as error:
            if not coupon_grant_held(coupon=coupon, buyer=buyer):
                reasons = " ".join(m for messages in error.errors.values() for m in messages)
                raise ApplicationError(
                    {
                        "keyword_id": f"“{keyword.keyword}” replies with a coupon that can't be given now; nothing was sent. {reasons}"
                    }
                ) from error
    reply = outbound_message_create(
        conversation=conversation,
        sender=SenderKind.AUTOREPLY,
        text=text,
        language=(detect_language(text) or "") if text else "",
        image=image,
        coupon=coupon,
    )
    KeywordClick.objects.create(store=store, keyword=keyword, buyer=buyer, reply=reply)
    return reply
