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
from dataclasses import field as dataclass_field
from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from conversations.models import Channel, Conversation, Direction, Message, SenderKind
from conversations.selectors import agent_replied_between, card_conversation
from conversations.services import conversation_get_or_create, outbound_message_create
from conversations.uploads import picture_validate
from coupons.models import Coupon, GrantSource
from coupons.selectors import coupon_find, coupon_grant_held, coupon_state
from coupons.services import coupon_grant
from seller_desk.errors import ApplicationError
from seller_desk.models import AuditKind, Buyer, Store
from seller_desk.selectors import store_local_date, store_related_read
from seller_desk.services import actor_or_none, audit_log
from templates_i18n.dates import stale_dates_errors
from templates_i18n.guard import text_guard_collect
from templates_i18n.languages import LANGUAGE_NAMES, SUPPORTED_LANGUAGES, normalize_language

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
    TapOutcome,
)
from .texts import ALREADY_HELD, DEFAULT_TEXTS, REASONS, UNAVAILABLE

LIVE_HOURS_MAX = 72

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
    texts: dict = dataclass_field(default_factory=dict)


def _guard(text: str, field: str, errors: dict, banned: list) -> None:
    text_guard_collect(text=text, field=field, errors=errors, banned=banned)


def _versions_clean(raw, field: str, errors: dict, banned: list, *, limit: int, what: str) -> dict[str, str]:
    """Optional language versions ``{lang: text}`` of a text: known languages, within ``limit``, guarded.
    Empty versions are dropped (the buyer then gets the base text)."""
    if raw in (None, ""):
        return {}
    if not isinstance(raw, dict):
        errors[field] = gettext("%(what)s: language versions are an object of language code to text.") % {
            "what": what
        }
        return {}
    clean: dict[str, str] = {}
    for key, value in raw.items():
        language = normalize_language(str(key))
        text = str(value or "").strip()
        if not text:
            continue
        if language is None or language != str(key):
            errors[f"{field}.{key}"] = gettext(
                "%(what)s: '%(key)s' is not one of the buyer languages (%(languages)s)."
            ) % {"what": what, "key": key, "languages": ", ".join(SUPPORTED_LANGUAGES)}
            continue
        if len(text) > limit:
            errors[f"{field}.{key}"] = gettext(
                "%(what)s in %(language)s has %(count)s characters; at most %(limit)s."
            ) % {
                "what": what,
                "language": LANGUAGE_NAMES[language],
                "count": f"{len(text):,}",
                "limit": f"{limit:,}",
            }
            continue
        _guard(text, f"{field}.{key}", errors, banned)
        clean[language] = text
    return clean


def _coupon_pick(store: Store, raw, field: str, errors: dict, *, number: int) -> Coupon | None:
    if raw in (None, ""):
        errors[field] = gettext(
            "Keyword %(number)s replies with a coupon: pick one of the store's coupons."
        ) % {"number": number}
        return None
    try:
        coupon_id = int(raw)
    except (TypeError, ValueError):
        errors[field] = gettext("coupon_id is a coupon's number (got '%(value)s').") % {"value": raw}
        return None
    coupon = coupon_find(store=store, coupon_id=coupon_id)
    if coupon is None:
        errors[field] = gettext(
            "No coupon %(coupon_id)s in this store; pick one from the store's coupons."
        ) % {"coupon_id": coupon_id}
        return None
    state = coupon_state(coupon, today=store_local_date(store))
    if not state.attachable:
        errors[field] = gettext(
            "Coupon %(name)s can't be sent now (%(value)s): buyers tapping keyword %(number)s would get nothing. Pick an active coupon that isn't sold out, or change the reply type."
        ) % {"name": coupon.name, "value": state.label.lower(), "number": number}
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
            errors[f"{prefix}.id"] = gettext(
                "Keyword %(number)s: no keyword %(value)s is on this store's card; leave id out to add a new keyword."
            ) % {"number": number, "value": raw.get("id")}
            keyword_id = None
    kept = existing.get(keyword_id) if keyword_id else None

    word = " ".join(str(raw.get("keyword") or "").split())
    if not word:
        errors[f"{prefix}.keyword"] = gettext(
            "Keyword %(number)s is empty: type the word or short question buyers tap."
        ) % {"number": number}
    elif len(word) > KEYWORD_MAX_CHARS:
        errors[f"{prefix}.keyword"] = gettext(
            "Keyword %(number)s has %(value)s characters; keywords are at most %(KEYWORD_MAX_CHARS)s."
        ) % {"number": number, "value": len(word), "KEYWORD_MAX_CHARS": KEYWORD_MAX_CHARS}
    else:
        _guard(word, f"{prefix}.keyword", errors, banned)

    reply_type = raw.get("reply_type") or ""
    text = str(raw.get("text") or "").strip()
    upload = raw.get("image") or None
    coupon_raw = raw.get("coupon_id")
    coupon = None
    if reply_type not in ReplyType.values:
        errors[f"{prefix}.reply_type"] = gettext(
            "Keyword %(number)s: pick one reply type: text, picture or coupon (got '%(reply_type)s')."
        ) % {"number": number, "reply_type": reply_type}
        return _CleanKeyword(keyword_id, word, reply_type, text, None, None)

    others = {
        ReplyType.TEXT: (
            "text",
            bool(text) or any(str(v or "").strip() for v in (raw.get("texts") or {}).values()),
        ),
        ReplyType.PICTURE: ("image", upload is not None),
        ReplyType.COUPON: ("coupon_id", coupon_raw not in (None, "")),
    }
    for other_type, (field, given) in others.items():
        if other_type != reply_type and given:
            errors[f"{prefix}.{field}"] = gettext(
                "Keyword %(number)s replies with a %(reply_type)s; a keyword has exactly one reply type, so leave %(field)s out (or set reply_type to %(other_type)s)."
            ) % {"number": number, "reply_type": reply_type, "field": field, "other_type": other_type}

    if reply_type == ReplyType.TEXT:
        if not text:
            errors[f"{prefix}.text"] = gettext("Keyword %(number)s replies with text: write the reply.") % {
                "number": number
            }
        elif len(text) > REPLY_TEXT_MAX_CHARS:
            errors[f"{prefix}.text"] = gettext(
                "Keyword %(number)s's reply has %(value)s characters; replies are at most %(REPLY_TEXT_MAX_CHARS)s."
            ) % {
                "number": number,
                "value": f"{len(text):,}",
                "REPLY_TEXT_MAX_CHARS": f"{REPLY_TEXT_MAX_CHARS:,}",
            }
        else:
            _guard(text, f"{prefix}.text", errors, banned)
        texts = _versions_clean(
            raw.get("texts"),
            f"{prefix}.texts",
            errors,
            banned,
            limit=REPLY_TEXT_MAX_CHARS,
            what=gettext("Keyword %(number)s's reply") % {"number": number},
        )
        return _CleanKeyword(keyword_id, word, reply_type, text, None, None, texts)
    elif reply_type == ReplyType.PICTURE:
        if upload is not None:
            try:
                picture_validate(upload, field=f"{prefix}.image")
            except ApplicationError as error:
                errors.update({k: v[0] for k, v in error.errors.items()})
                upload = None
        elif kept is None or kept.reply_type != ReplyType.PICTURE or not kept.image:
            errors[f"{prefix}.image"] = gettext(
                "Keyword %(number)s replies with a picture: attach a JPG or PNG of at most 5 MB."
            ) % {"number": number}
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
    welcome_texts: dict | None = None,
    live_hours=None,
    unavailable_texts: dict | None = None,
    extras: dict | None = None,
) -> tuple[str, list[_CleanKeyword]]:
    """Check a whole set-up (R15): every broken rule at once, each under its field. Writes nothing."""
    if existing is None:
        existing = {k.pk: k for k in selectors.keyword_list(store=store)}
    errors: dict[str, str] = {}
    banned: list[dict] = []
    welcome = (welcome_text or "").strip()
    if enabled and not welcome:
        errors["welcome_text"] = gettext(
            "Write a welcome message before switching auto-reply on: it is what buyers get with their first message of the day."
        )
    elif len(welcome) > WELCOME_MAX_CHARS:
        errors["welcome_text"] = gettext(
            "The welcome has %(value)s characters; it may be at most %(WELCOME_MAX_CHARS)s."
        ) % {"value": f"{len(welcome):,}", "WELCOME_MAX_CHARS": f"{WELCOME_MAX_CHARS:,}"}
    elif welcome:
        _guard(welcome, "welcome_text", errors, banned)
    clean_extras = extras if extras is not None else {}
    clean_extras["welcome_texts"] = _versions_clean(
        welcome_texts, "welcome_texts", errors, banned, limit=WELCOME_MAX_CHARS, what=gettext("The welcome")
    )
    if clean_extras["welcome_texts"] and not welcome:
        errors["welcome_text"] = gettext("Write the base welcome too: buyers in other languages get it.")
    if live_hours is not None:
        if (
            isinstance(live_hours, bool)
            or not isinstance(live_hours, int)
            or not 1 <= live_hours <= LIVE_HOURS_MAX
        ):
            errors["live_hours"] = gettext(
                "Hours since an agent's reply are a whole number from 1 to %(LIVE_HOURS_MAX)s."
            ) % {"LIVE_HOURS_MAX": LIVE_HOURS_MAX}
        else:
            clean_extras["live_hours"] = live_hours
    clean_extras["unavailable_texts"] = {}
    for reason, versions in (unavailable_texts or {}).items():
        if reason not in REASONS:
            errors[f"unavailable_texts.{reason}"] = gettext("Texts are given for %(value)s.") % {
                "value": " or ".join(REASONS)
            }
            continue
        clean_extras["unavailable_texts"][reason] = _versions_clean(
            versions,
            f"unavailable_texts.{reason}",
            errors,
            banned,
            limit=REPLY_TEXT_MAX_CHARS,
            what=gettext("The coupon-unavailable text")
            if reason == UNAVAILABLE
            else gettext("The already-held text"),
        )

    count = len(keywords)
    if count and count < KEYWORDS_MIN:
        errors["keywords"] = gettext(
            "A keyword card has %(KEYWORDS_MIN)s to %(KEYWORDS_MAX)s keywords (this one has %(count)s): add %(value)s more, or remove them all to send the welcome alone."
        ) % {
            "KEYWORDS_MIN": KEYWORDS_MIN,
            "KEYWORDS_MAX": KEYWORDS_MAX,
            "count": count,
            "value": KEYWORDS_MIN - count,
        }
    elif count > KEYWORDS_MAX:
        errors["keywords"] = gettext(
            "A keyword card has at most %(KEYWORDS_MAX)s keywords (this one has %(count)s): remove %(value)s."
        ) % {"KEYWORDS_MAX": KEYWORDS_MAX, "count": count, "value": count - KEYWORDS_MAX}
    cleaned = [_keyword_clean(store, i, raw, existing, errors, banned) for i, raw in enumerate(keywords)]

    seen: dict[str, int] = {}
    for i, item in enumerate(cleaned):
        if not item.keyword:
            continue
        key = item.keyword.casefold()
        if key in seen and f"keywords[{i}].keyword" not in errors:
            errors[f"keywords[{i}].keyword"] = gettext(
                "Keyword %(value)s repeats keyword %(value2)s (“%(keyword)s”); each keyword appears once."
            ) % {"value": i + 1, "value2": seen[key] + 1, "keyword": item.keyword}
        seen.setdefault(key, i)
        if item.id is not None:
            first = next(j for j, other in enumerate(cleaned) if other.id == item.id)
            if first != i:
                errors[f"keywords[{i}].id"] = gettext(
                    "Keyword %(value)s has the same id as keyword %(value2)s."
                ) % {"value": i + 1, "value2": first + 1}
    if errors:
        raise ApplicationError(errors, banned_words=banned)
    return welcome, cleaned


def _keyword_values(item: _CleanKeyword, position: int) -> dict:
    values = {
        "keyword": item.keyword,
        "position": position,
        "reply_type": item.reply_type,
        "text": item.text if item.reply_type == ReplyType.TEXT else "",
        "texts": item.texts if item.reply_type == ReplyType.TEXT else {},
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


def autoreply_outgoing_texts(welcome: str, welcome_texts: dict, keywords) -> dict[str, str]:
    """Every text the auto-reply sends by itself, by its error field: the welcome, its versions, keyword texts."""
    texts = {"welcome_text": welcome, **{f"welcome_texts.{k}": v for k, v in (welcome_texts or {}).items()}}
    for i, item in enumerate(keywords):
        if item.reply_type == ReplyType.TEXT:
            texts[f"keywords[{i}].text"] = item.text
            texts.update({f"keywords[{i}].texts.{k}": v for k, v in (item.texts or {}).items()})
    return texts


def _autoreply_dates_check(store: Store, welcome: str, welcome_texts: dict, keywords) -> None:
    errors = stale_dates_errors(
        autoreply_outgoing_texts(welcome, welcome_texts, keywords),
        store=store,
        confirm_hint=gettext("Tick “The dates are right” to save it anyway."),
    )
    if errors:
        raise ApplicationError(errors)


@transaction.atomic
def autoreply_settings_update(
    *,
    store: Store,
    acting_user,
    enabled: bool,
    welcome_text: str,
    keywords: list[dict],
    welcome_texts: dict | None = None,
    skip_live_conversations: bool | None = None,
    live_hours: int | None = None,
    unavailable_texts: dict | None = None,
    dates_confirmed: bool = False,
) -> AutoReplySettings:
    """Save the store's auto-reply (R15, R16). ``keywords`` replaces the card, in order: each item is
    ``{"id"?, "keyword", "reply_type", "text"?, "texts"?: {lang: text}, "coupon_id"?, "image"?: uploaded file}``.
    ``welcome_texts`` are the welcome's language versions; ``skip_live_conversations``/``live_hours`` the
    live-conversation rule; ``unavailable_texts`` the polite coupon texts (``{"unavailable"|"already_held":
    {lang: text}}``). ``None`` keeps what is stored. Nothing is stored when any rule is broken; a save that
    changes nothing writes nothing. A welcome or keyword text naming a date that is over (issue 13) is refused
    under its field unless ``dates_confirmed``: the auto-reply sends it unattended, so the owner confirms it."""
    AutoReplySettings.objects.get_or_create(store=store)
    row = AutoReplySettings.objects.select_for_update().get(store=store)
    existing = {k.pk: k for k in selectors.keyword_list(store=store)}
    extras: dict = {}
    welcome, cleaned = autoreply_settings_check(
        store=store,
        enabled=bool(enabled),
        welcome_text=welcome_text,
        keywords=keywords,
        existing=existing,
        welcome_texts=row.welcome_texts if welcome_texts is None else welcome_texts,
        live_hours=live_hours,
        unavailable_texts=row.unavailable_texts if unavailable_texts is None else unavailable_texts,
        extras=extras,
    )
    if not dates_confirmed:
        _autoreply_dates_check(store, welcome, extras["welcome_texts"], cleaned)
    changed = _keyword_sync(store, existing, cleaned)
    wanted = [
        ("enabled", bool(enabled)),
        ("welcome_text", welcome),
        ("welcome_texts", extras["welcome_texts"]),
        ("unavailable_texts", extras["unavailable_texts"]),
    ]
    if skip_live_conversations is not None:
        wanted.append(("skip_live_conversations", bool(skip_live_conversations)))
    if "live_hours" in extras:
        wanted.append(("live_hours", extras["live_hours"]))
    fields = [name for name, value in wanted if getattr(row, name) != value]
    if fields or changed:
        details = {name: [getattr(row, name), value] for name, value in wanted if name in fields}
        if changed:
            details["keywords"] = [item.keyword for item in cleaned]
        for name, value in wanted:
            setattr(row, name, value)
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
    config = _enabled_settings(store)
    if config is None:
        return []
    if message.created_at < timezone.now() - LATE_AFTER:
        return []
    skipped = _live_conversation(config, message)
    keywords = list(selectors.keyword_list(store=store))
    locale, detected = selectors.buyer_language_hint(message=message)
    text, language = selectors.text_version(
        base=config.welcome_text, versions=config.welcome_texts, buyer_locale=locale, detected=detected
    )
    try:
        with transaction.atomic():
            AutoReplyDay.objects.create(
                store=store,
                buyer_id=message.buyer_id,
                date=store_local_date(store, message.created_at),
                message=message,
                skipped=skipped,
            )
            if skipped:
                return []
            welcome = outbound_message_create(
                conversation=message.conversation,
                sender=SenderKind.AUTOREPLY,
                text=text,
                language=language,
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


def _enabled_settings(store) -> AutoReplySettings | None:
    """The store's auto-reply settings when auto-reply is on. Ingress reads them with the store in one query
    (``store_select_related``); any other caller pays one query here."""
    known, config = store_related_read(store, "autoreply_settings")
    if known:
        return config if config is not None and config.enabled else None
    return AutoReplySettings.objects.filter(store=store, enabled=True).first()


LIVE_SKIP = "live"


def _live_conversation(config: AutoReplySettings, message: Message) -> str:
    """R17 read with the live-conversation rule: the day's first buyer message gets no welcome when an agent
    replied in the same conversation within the last ``live_hours`` hours (store setting, on by default).
    The day still counts as claimed, so no later message of that day gets one either. Returns the reason."""
    if not config.skip_live_conversations:
        return ""
    since = message.created_at - timedelta(hours=config.live_hours)
    replied = agent_replied_between(
        conversation_id=message.conversation_id, since=since, until=message.created_at
    )
    return LIVE_SKIP if replied else ""


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

    Another store's keyword is a 404. Nothing is sent when auto-reply is off (R16) or the keyword was taken off
    the card. A coupon that can't be given (sold out, ended, already held by this buyer) is not an error to the
    buyer: they get a polite text in their language (the store's, else the desk's default) and the agent sees why
    in the thread (``agent_note``); never a second grant. A text reply comes in the buyer's language when the
    keyword has that version (locale → detected → base). The reply says which keyword was tapped.
    """
    if buyer.store_id != store.pk:
        raise ApplicationError({"buyer_id": gettext("This buyer belongs to another store.")})
    if not str(keyword_id or "").strip().isdigit():
        raise ApplicationError(
            {"keyword_id": gettext("Say which keyword the buyer tapped: keyword_id is the id from the card.")}
        )
    keyword = selectors.keyword_get(store=store, keyword_id=keyword_id)
    if not AutoReplySettings.objects.filter(store=store, enabled=True).exists():
        raise ApplicationError(
            {
                "keyword_id": gettext(
                    "The store's auto-reply is switched off, and keywords only answer while it is on (R16). Nothing was sent; the buyer can write to the store instead."
                )
            }
        )
    if keyword.removed_at is not None:
        raise ApplicationError(
            {
                "keyword_id": gettext(
                    "The store took “%(keyword)s” off its keyword card; nothing was sent. Show the buyer the current card or let them write to the store."
                )
                % {"keyword": keyword.keyword}
            }
        )
    conversation = _card_conversation(store, buyer, keyword)
    config = AutoReplySettings.objects.get(store=store)
    detected = (
        conversation.messages.filter(direction=Direction.INBOUND)
        .order_by("-created_at", "-id")
        .values_list("language", flat=True)
        .first()
    ) or conversation.language
    text, language, image, coupon, note, outcome = "", "", None, None, "", TapOutcome.ANSWERED
    if keyword.reply_type == ReplyType.TEXT:
        text, language = selectors.text_version(
            base=keyword.text, versions=keyword.texts, buyer_locale=buyer.locale, detected=detected
        )
    elif keyword.reply_type == ReplyType.PICTURE:
        image = _picture_copy(keyword)
    else:
        outcome = _coupon_tap(keyword.coupon, buyer)
        if outcome == TapOutcome.GRANTED:
            coupon = keyword.coupon
        else:
            reason = ALREADY_HELD if outcome == TapOutcome.ALREADY_HELD else UNAVAILABLE
            versions = {**DEFAULT_TEXTS[reason], **(config.unavailable_texts or {}).get(reason, {})}
            text, language = selectors.text_version(
                base=versions["en"], versions=versions, buyer_locale=buyer.locale, detected=detected
            )
            note = _tap_note(keyword.coupon, outcome)
    reply = outbound_message_create(
        conversation=conversation,
        sender=SenderKind.AUTOREPLY,
        text=text,
        language=language,
        image=image,
        coupon=coupon,
        tapped_keyword=keyword.keyword,
        agent_note=note,
    )
    KeywordClick.objects.create(store=store, keyword=keyword, buyer=buyer, reply=reply, outcome=outcome)
    return reply


def _coupon_tap(coupon: Coupon, buyer: Buyer) -> str:
    """Grant the keyword's coupon once; otherwise say why not (the database decides: one grant per buyer,
    never above the quantity)."""
    if coupon_grant_held(coupon=coupon, buyer=buyer):
        return TapOutcome.ALREADY_HELD
    try:
        coupon_grant(coupon=coupon, buyer=buyer, source=GrantSource.AUTOREPLY)
    except ApplicationError:
        if coupon_grant_held(coupon=coupon, buyer=buyer):
            return TapOutcome.ALREADY_HELD
        coupon.refresh_from_db()
        return TapOutcome.SOLD_OUT if coupon_state(coupon).sold_out else TapOutcome.ENDED
    return TapOutcome.GRANTED


def _tap_note(coupon: Coupon, outcome: str) -> str:
    if outcome == TapOutcome.ALREADY_HELD:
        return f"Coupon {coupon.name} not given again: this buyer already holds it."
    if outcome == TapOutcome.SOLD_OUT:
        return (
            f"Coupon {coupon.name} not given: sold out ({coupon.granted_count} of {coupon.quantity} given)."
        )
    state = coupon_state(coupon)
    return f"Coupon {coupon.name} not given: {state.label.lower()}."
