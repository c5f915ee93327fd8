"""Writes for buyer-session batch sends (R1-R10).

Limits live in the database:
- the daily cap (R1) is ``StoreDailyQuota``: ``daily_quota_reserve`` moves ``used`` with a conditional
  ``UPDATE … SET used = used + n WHERE used + n <= cap`` and a ``CheckConstraint(used <= cap)`` backs it;
- one recipient row per campaign and buyer (``UniqueConstraint``), claimed with ``select_for_update(skip_locked)``;
- at most one campaign push per buyer per store-local day across the store's campaigns (a partial
  ``UniqueConstraint(buyer, send_day)``); buyers pushed the day before are skipped (R6).
"""

import logging
import os
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext

from conversations.models import Channel, SenderKind
from conversations.services import (
    buyer_only_messages_create,
    chat_conversations_get_or_create,
    conversation_get_or_create,
    outbound_message_create,
)
from conversations.uploads import picture_validate
from coupons.models import GrantSource
from coupons.selectors import coupon_find, coupon_grant_held, coupon_state
from coupons.services import coupon_grant
from seller_desk.errors import ApplicationError, date_value
from seller_desk.models import Buyer, Store, StoreTier
from seller_desk.selectors import store_local_date
from seller_desk.services import AuditKind, actor_or_none, audit_log
from templates_i18n.dates import stale_dates_errors
from templates_i18n.guard import text_check, text_guard_collect
from templates_i18n.languages import DEFAULT_LANGUAGE, LANGUAGE_NAMES, SUPPORTED_LANGUAGES, normalize_language

from . import selectors
from .countries import COUNTRIES
from .models import (
    TRANSACTIONS_MAX,
    TRANSACTIONS_MIN,
    Campaign,
    CampaignRecipient,
    CampaignStatus,
    CrowdMethod,
    CustomerGroup,
    RecipientStatus,
    Scenario,
    StoreDailyQuota,
)

logger = logging.getLogger(__name__)

TEXT_MAX_CHARS = 1000
NAME_MAX_CHARS = 100
GROUP_MAX_BUYERS = 100_000
# Recipients claimed and sent per transaction: a pause or a cancel waits for at most one chunk.
CHUNK = 100
CLOSED = (CampaignStatus.CANCELLED, CampaignStatus.DONE)


# ----------------------------------------------------------------- R1: the daily cap


def daily_quota_reserve(*, store: Store, day: date, wanted: int) -> int:
    """Take up to ``wanted`` of the store's batch messages for store-local ``day``; returns how many it got.

    The one gate every send path passes. The database decides: the row is created first (get_or_create, safe
    under a race), then ``UPDATE … SET used = used + n WHERE used + n <= cap`` with n = wanted, falling back to
    what is left; a lost race just retries with the new remainder. Called inside the sender's transaction, so a
    rolled-back batch gives its reservation back.
    """
    if wanted <= 0:
        return 0
    StoreDailyQuota.objects.get_or_create(store=store, day=day, defaults={"cap": selectors.daily_cap()})
    rows = StoreDailyQuota.objects.filter(store=store, day=day)
    take = wanted
    while take > 0:
        if rows.filter(used__lte=F("cap") - take).update(used=F("used") + take):
            return take
        used, cap = rows.values_list("used", "cap").get()
        take = min(wanted, cap - used)
    return 0


def daily_quota_release(*, store: Store, day: date, count: int) -> None:
    """Give back reserved messages that were not sent (same transaction as the reservation)."""
    if count > 0:
        StoreDailyQuota.objects.filter(store=store, day=day, used__gte=count).update(used=F("used") - count)


# ----------------------------------------------------------------- R2: who may batch-send


def batch_send_check(store: Store) -> None:
    if selectors.batch_send_allowed(store):
        return
    allowed = ", ".join(
        StoreTier(t).label.lower() for t in selectors.batch_send_tiers() if t in StoreTier.values
    )
    raise ApplicationError(
        {
            "store": gettext(
                "Batch send is open to %(allowed)s stores; this store's tier is %(value)s. Grow the store to an eligible tier to send campaigns."
            )
            % {"allowed": allowed, "value": StoreTier(store.tier).label.lower()}
        }
    )


# ----------------------------------------------------------------- validation (R3, R4, R7, R8, R9)


def _is_han(ch: str) -> bool:
    return unicodedata.name(ch, "").startswith(("CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY IDEOGRAPH")) or (
        "\u2e80" <= ch <= "\u2fdf"
        or ch in "\u3005\u3007"
        or "\u3021" <= ch <= "\u3029"
        or "\u3038" <= ch <= "\u303b"
    )


def han_characters(text: str) -> list[tuple[int, str]]:
    """(position, character) of every Han (Chinese) character in ``text``."""
    return [(i, ch) for i, ch in enumerate(text or "") if ord(ch) >= 0x2E80 and _is_han(ch)]


@dataclass(frozen=True)
class TextFindings:
    """What R7 and the banned-word guard find in one batch text: the page shows it as typed, the service
    refuses on it."""

    chars: int
    han: list[tuple[int, str]]
    hits: list

    @property
    def too_long(self) -> bool:
        return self.chars > TEXT_MAX_CHARS

    @property
    def over(self) -> int:
        return self.chars - TEXT_MAX_CHARS

    @property
    def ok(self) -> bool:
        return not (self.too_long or self.han or self.hits)


def campaign_text_findings(text: str) -> TextFindings:
    """R7 on one text: at most 1,000 characters, no Han characters, no banned word."""
    return TextFindings(chars=len(text), han=han_characters(text), hits=text_check(text))


def _text_rules(text: str, field: str, errors: dict, banned: list) -> None:
    found = campaign_text_findings(text)
    if found.too_long:
        errors[field] = gettext(
            "Batch texts are at most %(TEXT_MAX_CHARS)s characters (this one has %(chars)s); shorten it."
        ) % {"TEXT_MAX_CHARS": f"{TEXT_MAX_CHARS:,}", "chars": f"{found.chars:,}"}
    elif found.han:
        shown = "".join(ch for _, ch in found.han[:5])
        errors[field] = gettext(
            "Batch texts can't contain Chinese characters (found “%(shown)s” at position %(value)s); write in English or the buyer's language."
        ) % {"shown": shown, "value": found.han[0][0] + 1}
    else:
        text_guard_collect(text=text, field=field, errors=errors, banned=banned, hits=found.hits)


def content_check(
    *,
    store: Store,
    scenario: str,
    text: str,
    variants: dict | None,
    coupon_id,
    errors: dict,
    banned: list,
    for_sending: bool = False,
) -> dict:
    """R7 texts, R9 coupon. Adds messages to ``errors``; returns the cleaned values."""
    text = (text or "").strip()
    if scenario == Scenario.RETENTION and not text:
        errors["text"] = gettext(
            "The retention scenario needs a text (English base, at most 1,000 characters)."
        )
    elif text:
        _text_rules(text, "text", errors, banned)
    cleaned_variants: dict[str, str] = {}
    if variants not in (None, ""):
        if not isinstance(variants, dict):
            errors["variants"] = gettext(
                'Variants are an object of language → text, e.g. {"ru": "…", "es": "…"}.'
            )
        else:
            for raw_lang, value in variants.items():
                lang = normalize_language(str(raw_lang))
                key = f"variants.{raw_lang}"
                if lang is None or lang not in SUPPORTED_LANGUAGES:
                    errors[key] = gettext("'%(raw_lang)s' is not one of the buyer languages: %(value)s.") % {
                        "raw_lang": raw_lang,
                        "value": ", ".join(SUPPORTED_LANGUAGES),
                    }
                    continue
                if lang == DEFAULT_LANGUAGE:
                    errors[key] = gettext("English is the base language: put the English text in text.")
                    continue
                value = str(value or "").strip()
                if not value:
                    continue
                if not text:
                    errors.setdefault(
                        "text",
                        gettext(
                            "Write the English base text first; variants translate it for buyers' languages."
                        ),
                    )
                _text_rules(value, f"variants.{lang}", errors, banned)
                cleaned_variants[lang] = value
    coupon = None
    if coupon_id in (None, ""):
        if scenario == Scenario.RETENTION:
            errors["coupon_id"] = gettext("The retention scenario needs exactly one store coupon; pick one.")
    else:
        coupon = coupon_find(store=store, coupon_id=coupon_id)
        if coupon is None:
            errors["coupon_id"] = gettext(
                "No coupon %(coupon_id)s in this store; pick one of your coupons."
            ) % {"coupon_id": coupon_id}
        else:
            state = coupon_state(coupon)
            usable = state.attachable if for_sending else state.label in ("Active", "Scheduled", "Draft")
            if not usable:
                errors["coupon_id"] = gettext(
                    "Coupon %(name)s can't be sent now (%(value)s); activate it, raise its quantity, or pick another coupon."
                ) % {"name": coupon.name, "value": state.label.lower()}
    return {"text": text, "variants": cleaned_variants, "coupon": coupon}


def _int_or_none(value):
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _count(value, field: str, errors: dict, default: int) -> int | None:
    if value in (None, ""):
        return default
    number = _int_or_none(value) if not isinstance(value, bool) else None
    if number is None or not (TRANSACTIONS_MIN <= number <= TRANSACTIONS_MAX):
        errors[field] = gettext(
            "The transaction count is a whole number from %(TRANSACTIONS_MIN)s to %(TRANSACTIONS_MAX)s."
        ) % {"TRANSACTIONS_MIN": TRANSACTIONS_MIN, "TRANSACTIONS_MAX": f"{TRANSACTIONS_MAX:,}"}
        return None
    return number


def _countries(value, field: str, errors: dict) -> list[str]:
    if value in (None, ""):
        return []
    items = value.replace(";", ",").split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        errors[field] = gettext('Countries are a list of ISO 3166-1 alpha-2 codes such as ["RU", "ES"].')
        return []
    codes = [str(c).strip().upper() for c in items if str(c).strip()]
    unknown = [c for c in codes if c not in COUNTRIES]
    if unknown:
        errors[field] = gettext(
            "Not ISO 3166-1 alpha-2 country codes: %(value)s. Use two letters such as RU, ES, US."
        ) % {"value": ", ".join(unknown)}
    return sorted(set(codes))


def crowd_check(*, store: Store, crowd, errors: dict) -> dict:
    """R3 / R4 crowd settings; errors name ``crowd.<field>``."""
    if not isinstance(crowd, dict):
        errors["crowd"] = gettext('Pick a crowd: {"method": "conditions", …} or {"method": "groups", …}.')
        return {}
    method = crowd.get("method")
    if method not in CrowdMethod.values:
        errors["crowd.method"] = gettext(
            "The crowd method is conditions (orders in a date range) or groups (customer groups)."
        )
        return {}
    out: dict = {"crowd_method": method}
    if method == CrowdMethod.CONDITIONS:
        first = date_value(crowd.get("orders_from"), "crowd.orders_from", errors)
        last = date_value(crowd.get("orders_to"), "crowd.orders_to", errors)
        if first is None and "crowd.orders_from" not in errors:
            errors["crowd.orders_from"] = gettext(
                "Pick the first order date (e.g. the day shipping stopped)."
            )
        if last is None and "crowd.orders_to" not in errors:
            errors["crowd.orders_to"] = gettext("Pick the last order date.")
        if first and last and last < first:
            errors["crowd.orders_to"] = gettext(
                "The last order date must be on or after the first (%(first)s)."
            ) % {"first": first}
        low = _count(crowd.get("transactions_min"), "crowd.transactions_min", errors, TRANSACTIONS_MIN)
        high = _count(crowd.get("transactions_max"), "crowd.transactions_max", errors, TRANSACTIONS_MAX)
        if low is not None and high is not None and low > high:
            errors["crowd.transactions_max"] = gettext(
                "The largest transaction count must be at least the smallest (%(low)s)."
            ) % {"low": low}
        unshipped = crowd.get("unshipped_only", False)
        if isinstance(unshipped, str):
            unshipped = unshipped.strip().lower() in ("1", "true", "on", "yes")
        out.update(
            orders_from=first,
            orders_to=last,
            unshipped_only=bool(unshipped),
            transactions_min=low,
            transactions_max=high,
        )
    else:
        raw_ids = crowd.get("group_ids") or []
        if not isinstance(raw_ids, list | tuple):
            raw_ids = [raw_ids]
        ids = [_int_or_none(g) for g in raw_ids]
        groups = list(CustomerGroup.objects.filter(store=store, pk__in=[i for i in ids if i is not None]))
        missing = [str(raw) for raw, i in zip(raw_ids, ids, strict=True) if i not in {g.pk for g in groups}]
        if not raw_ids:
            errors["crowd.group_ids"] = gettext("Pick at least one customer group.")
        elif missing:
            errors["crowd.group_ids"] = gettext("No customer group %(value)s in this store.") % {
                "value": ", ".join(missing)
            }
        include = _countries(crowd.get("countries_include"), "crowd.countries_include", errors)
        exclude = _countries(crowd.get("countries_exclude"), "crowd.countries_exclude", errors)
        both = sorted(set(include) & set(exclude))
        if both:
            errors["crowd.countries_exclude"] = gettext(
                "%(countries)s is both included and excluded; pick one."
            ) % {"countries": ", ".join(both)}
        out.update(groups=groups, countries_include=include, countries_exclude=exclude)
    return out


def single_picture(files: list) -> object | None:
    """R8: at most one picture per campaign."""
    files = [f for f in files or [] if f]
    if len(files) > 1:
        raise ApplicationError(
            {
                "image": gettext("Only 1 picture is allowed per batch message (got %(value)s).")
                % {"value": len(files)}
            }
        )
    return files[0] if files else None


# ----------------------------------------------------------------- events


# ----------------------------------------------------------------- customer groups (R4)


@transaction.atomic
def customer_group_create(*, store: Store, acting_user, name: str, buyer_ids: list) -> CustomerGroup:
    """A named group of the store's buyers, by the marketplace's buyer ids; unknown ids are named in the error."""
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = gettext("Give the group a name, e.g. “Russia – unshipped since Jan 20”.")
    elif len(name) > NAME_MAX_CHARS:
        errors["name"] = gettext("Group names are at most %(NAME_MAX_CHARS)s characters.") % {
            "NAME_MAX_CHARS": NAME_MAX_CHARS
        }
    elif CustomerGroup.objects.filter(store=store, name=name).exists():
        errors["name"] = gettext("There is already a group called “%(name)s”; pick another name.") % {
            "name": name
        }
    if isinstance(buyer_ids, str):
        buyer_ids = re.split(r"[\s,;]+", buyer_ids)
    wanted = list(dict.fromkeys(str(b).strip() for b in buyer_ids or [] if str(b).strip()))
    if not wanted:
        errors["buyer_ids"] = gettext("Add at least one buyer id (the marketplace's buyer ids).")
    elif len(wanted) > GROUP_MAX_BUYERS:
        errors["buyer_ids"] = gettext("A group holds at most %(GROUP_MAX_BUYERS)s buyers; split it.") % {
            "GROUP_MAX_BUYERS": f"{GROUP_MAX_BUYERS:,}"
        }
    buyers = list(Buyer.objects.filter(store=store, external_id__in=wanted).only("id", "external_id"))
    known = {b.external_id for b in buyers}
    unknown = [b for b in wanted if b not in known]
    if wanted and unknown:
        shown = ", ".join(unknown[:20]) + (f" and {len(unknown) - 20} more" if len(unknown) > 20 else "")
        errors["buyer_ids"] = gettext("Unknown buyer ids in this store: %(shown)s.") % {"shown": shown}
    if errors:
        raise ApplicationError(errors)
    try:
        with transaction.atomic():
            group = CustomerGroup.objects.create(
                store=store, name=name, created_by=actor_or_none(acting_user)
            )
    except IntegrityError as exc:
        raise ApplicationError(
            {
                "name": gettext("There is already a group called “%(name)s”; pick another name.")
                % {"name": name}
            }
        ) from exc
    group.buyers.add(*buyers)
    return group


# ----------------------------------------------------------------- campaigns


@transaction.atomic
def campaign_create(*, store: Store, acting_user, values: dict, image=None) -> Campaign:
    """A draft campaign. ``values``: name, scenario, crowd {…}, text, variants, coupon_id. Every broken rule is
    reported at once, each under its field (``crowd.orders_from``, ``variants.ru``, ``coupon_id``, …)."""
    batch_send_check(store)
    errors: dict[str, str] = {}
    banned: list[dict] = []
    name = str(values.get("name") or "").strip()
    if not name:
        errors["name"] = gettext("Give the campaign a name your team will recognise.")
    elif len(name) > NAME_MAX_CHARS:
        errors["name"] = gettext("Campaign names are at most %(NAME_MAX_CHARS)s characters.") % {
            "NAME_MAX_CHARS": NAME_MAX_CHARS
        }
    scenario = values.get("scenario") or Scenario.RETENTION
    if scenario not in Scenario.values:
        errors["scenario"] = gettext("The scenario is retention (order/user retention) or reminder.")
        scenario = Scenario.RETENTION
    crowd = crowd_check(store=store, crowd=values.get("crowd"), errors=errors)
    content = content_check(
        store=store,
        scenario=scenario,
        text=values.get("text") or "",
        variants=values.get("variants"),
        coupon_id=values.get("coupon_id"),
        errors=errors,
        banned=banned,
    )
    if image is not None and "image" not in errors:
        try:
            picture_validate(image)
        except ApplicationError as error:
            errors["image"] = error.errors["image"][0]
    if not content["text"] and image is None and content["coupon"] is None and "text" not in errors:
        errors["text"] = gettext("A batch message needs a text, a picture or a coupon.")
    if errors:
        raise ApplicationError(errors, banned_words=banned)
    groups = crowd.pop("groups", [])
    campaign = Campaign.objects.create(
        store=store,
        name=name,
        scenario=scenario,
        text=content["text"],
        variants=content["variants"],
        coupon=content["coupon"],
        image=image or "",
        created_by=actor_or_none(acting_user),
        **crowd,
    )
    if groups:
        campaign.groups.set(groups)
    audit_log(
        store_id=campaign.store_id,
        kind=AuditKind.CAMPAIGN_CREATED,
        subject=campaign,
        actor=acting_user,
        details={"scenario": scenario, "method": campaign.crowd_method},
    )
    return campaign


def _content_recheck(campaign: Campaign, *, dates_confirmed: bool = False) -> None:
    """Before sending (again): the banned-word list or the coupon may have changed since the draft."""
    errors: dict[str, str] = {}
    banned: list[dict] = []
    content_check(
        store=campaign.store,
        scenario=campaign.scenario,
        text=campaign.text,
        variants=campaign.variants,
        coupon_id=campaign.coupon_id,
        errors=errors,
        banned=banned,
        for_sending=True,
    )
    # Issue 13: a text naming a date that is over is not sent unless the sender confirmed it (dates_confirmed).
    if not dates_confirmed:
        texts = {"text": campaign.text, **{f"variants.{k}": v for k, v in (campaign.variants or {}).items()}}
        for field, message in stale_dates_errors(
            texts,
            store=campaign.store,
            confirm_hint=gettext("Confirm the dates (dates_confirmed) to send it as written."),
        ).items():
            errors.setdefault(field, message)
    if errors:
        raise ApplicationError(errors, banned_words=banned)


@transaction.atomic
def campaign_identify(*, campaign: Campaign, acting_user) -> selectors.Identification:
    """Count the crowd and plan its days (R3); records the count so the page shows when it was identified."""
    result = selectors.campaign_identification(campaign=campaign)
    Campaign.objects.filter(pk=campaign.pk).update(
        identified_count=result.count, identified_at=timezone.now()
    )
    audit_log(
        store_id=campaign.store_id,
        kind=AuditKind.CAMPAIGN_IDENTIFIED,
        subject=campaign,
        actor=acting_user,
        details={"count": result.count, "matched": result.matched, "days": len(result.plan)},
    )
    return result


def _enqueue_batch(campaign_id: int) -> None:
    transaction.on_commit(lambda: _queue_batch(campaign_id))


def _queue_batch(campaign_id: int) -> None:
    """A broker that is down never fails the request that started the campaign: the campaign is sending with
    pending buyers, and ``campaigns_resume_cut`` (beat, every minute) queues its batch once Redis is back."""
    from .tasks import send_batch

    try:
        send_batch.delay(campaign_id)
    except Exception:  # kombu/redis raise many kinds; the recipient rows are the outbox
        logger.warning("could not queue campaign %s's batch; the sweeper will", campaign_id, exc_info=True)


def _lock(campaign: Campaign) -> Campaign:
    return Campaign.objects.select_for_update().select_related("store").get(pk=campaign.pk)


@transaction.atomic
def campaign_send_now(
    *, campaign: Campaign, acting_user, start_on: date | None = None, dates_confirmed: bool = False
) -> Campaign:
    """Freeze the crowd as one pending recipient row per buyer and start sending (a batch is queued after commit).

    Asking again while it is sending or scheduled changes nothing (the queued batch is idempotent).
    """
    locked = _lock(campaign)
    if locked.status in (CampaignStatus.SENDING, CampaignStatus.SCHEDULED):
        if locked.status == CampaignStatus.SENDING:
            _enqueue_batch(locked.pk)
        return locked
    if locked.status != CampaignStatus.DRAFT:
        hint = "resume it" if locked.status == CampaignStatus.PAUSED else "create a new campaign"
        raise ApplicationError(
            {
                "status": gettext("This campaign is %(value)s; %(hint)s.")
                % {"value": locked.get_status_display().lower(), "hint": hint}
            }
        )
    store = locked.store
    batch_send_check(store)
    _content_recheck(locked, dates_confirmed=dates_confirmed)
    today = store_local_date(store)
    if start_on is not None and start_on < today:
        raise ApplicationError({"start_on": gettext("Start today (%(today)s) or later.") % {"today": today}})
    members = selectors.crowd_members(locked)
    if not members:
        raise ApplicationError(
            {
                "crowd": gettext(
                    "No buyer matches this crowd; widen the order dates, the transaction count or the groups."
                )
            }
        )
    CampaignRecipient.objects.bulk_create(
        [
            CampaignRecipient(
                store=store,
                campaign=locked,
                buyer_id=m.buyer_id,
                window_start=m.window_start,
                order_placed_at=m.oldest_order_at,
            )
            for m in members
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )
    scheduled = start_on is not None and start_on > today
    locked.status = CampaignStatus.SCHEDULED if scheduled else CampaignStatus.SENDING
    locked.start_on = start_on or today
    locked.save(update_fields=["status", "start_on"])
    audit_log(
        store_id=locked.store_id,
        kind=AuditKind.CAMPAIGN_SEND_REQUESTED,
        subject=locked,
        actor=acting_user,
        details={"recipients": len(members), "start_on": locked.start_on.isoformat()},
    )
    if not scheduled:
        _enqueue_batch(locked.pk)
    return locked


@transaction.atomic
def campaign_pause(*, campaign: Campaign, acting_user) -> Campaign:
    """Stop after the batch in flight (at most one chunk); pending buyers stay pending."""
    locked = _lock(campaign)
    if locked.status == CampaignStatus.PAUSED:
        return locked
    if locked.status not in (CampaignStatus.SENDING, CampaignStatus.SCHEDULED):
        raise ApplicationError(
            {
                "status": gettext(
                    "Only a sending or scheduled campaign can be paused; this one is %(value)s."
                )
                % {"value": locked.get_status_display().lower()}
            }
        )
    locked.status = CampaignStatus.PAUSED
    locked.save(update_fields=["status"])
    audit_log(store_id=locked.store_id, kind=AuditKind.CAMPAIGN_PAUSED, subject=locked, actor=acting_user)
    return locked


@transaction.atomic
def campaign_resume(*, campaign: Campaign, acting_user) -> Campaign:
    locked = _lock(campaign)
    if locked.status in (CampaignStatus.SENDING, CampaignStatus.SCHEDULED):
        return locked
    if locked.status != CampaignStatus.PAUSED:
        raise ApplicationError(
            {
                "status": gettext("Only a paused campaign can be resumed; this one is %(value)s.")
                % {"value": locked.get_status_display().lower()}
            }
        )
    batch_send_check(locked.store)
    _content_recheck(locked, dates_confirmed=True)  # dates were checked at the first send
    today = store_local_date(locked.store)
    scheduled = locked.start_on is not None and locked.start_on > today
    locked.status = CampaignStatus.SCHEDULED if scheduled else CampaignStatus.SENDING
    locked.save(update_fields=["status"])
    audit_log(store_id=locked.store_id, kind=AuditKind.CAMPAIGN_RESUMED, subject=locked, actor=acting_user)
    if not scheduled:
        _enqueue_batch(locked.pk)
    return locked


@transaction.atomic
def campaign_cancel(*, campaign: Campaign, acting_user) -> Campaign:
    """Stop for good: buyers not reached yet are marked skipped (reason: cancelled)."""
    locked = _lock(campaign)
    if locked.status == CampaignStatus.CANCELLED:
        return locked
    if locked.status == CampaignStatus.DONE:
        raise ApplicationError({"status": gettext("This campaign is done; there is nothing left to cancel.")})
    locked.status = CampaignStatus.CANCELLED
    locked.save(update_fields=["status"])
    skipped = CampaignRecipient.objects.filter(campaign=locked, status=RecipientStatus.PENDING).update(
        status=RecipientStatus.SKIPPED, reason=selectors.REASON_CANCELLED
    )
    audit_log(
        store_id=locked.store_id,
        kind=AuditKind.CAMPAIGN_CANCELLED,
        subject=locked,
        actor=acting_user,
        details={"not_reached": skipped},
    )
    return locked


# ----------------------------------------------------------------- sending (flow 3)


@dataclass
class BatchResult:
    campaign_id: int
    day: date | None = None
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    stopped: str = ""


@dataclass
class _Chunk:
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    stop: str = ""


def campaign_send_batch(*, campaign_id: int, day: date | None = None) -> BatchResult:
    """Send the next batch of one campaign for store-local ``day`` (default today): oldest window first, until the
    store's daily quota is used up, no buyer is pending, or the campaign is no longer sending.

    Safe to run twice and in parallel: each chunk of recipients is claimed with ``select_for_update(skip_locked)``
    in its own transaction, and every message is counted against the quota in that same transaction.
    """
    campaign = Campaign.objects.select_related("store").filter(pk=campaign_id).first()
    if campaign is None:
        return BatchResult(campaign_id=campaign_id, stopped="missing")
    day = day or store_local_date(campaign.store)
    result = BatchResult(campaign_id=campaign_id, day=day)
    while not result.stopped:
        chunk = _send_chunk(campaign_id=campaign_id, day=day)
        result.sent += chunk.sent
        result.skipped += chunk.skipped
        result.failed += chunk.failed
        result.stopped = chunk.stop
    if result.sent or result.skipped or result.failed:
        audit_log(
            store_id=campaign.store_id,
            kind=AuditKind.CAMPAIGN_BATCH,
            subject=campaign,
            details={
                "day": day.isoformat(),
                "sent": result.sent,
                "skipped": result.skipped,
                "failed": result.failed,
                "stopped": result.stopped,
            },
        )
    if result.stopped in ("no_pending", "quota"):
        _finish_if_done(campaign)
    return result


def _finish_if_done(campaign: Campaign) -> None:
    with transaction.atomic():
        if CampaignRecipient.objects.filter(campaign_id=campaign.pk, status=RecipientStatus.PENDING).exists():
            return
        if Campaign.objects.filter(pk=campaign.pk, status=CampaignStatus.SENDING).update(
            status=CampaignStatus.DONE
        ):
            audit_log(
                store_id=campaign.store_id,
                kind=AuditKind.CAMPAIGN_DONE,
                subject=campaign,
                details=selectors.campaign_counts(campaign),
            )


def _auto_pause(campaign: Campaign, reason: str) -> None:
    if Campaign.objects.filter(pk=campaign.pk, status=CampaignStatus.SENDING).update(
        status=CampaignStatus.PAUSED
    ):
        audit_log(
            store_id=campaign.store_id,
            kind=AuditKind.CAMPAIGN_AUTO_PAUSED,
            subject=campaign,
            details={"reason": reason},
        )


def _claim(campaign: Campaign, limit: int) -> list[CampaignRecipient]:
    return list(
        CampaignRecipient.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(campaign=campaign, status=RecipientStatus.PENDING)
        .select_related("buyer")
        .order_by(F("window_start").asc(nulls_last=True), F("order_placed_at").asc(nulls_last=True), "id")[
            :limit
        ]
    )


@transaction.atomic
def _send_chunk(*, campaign_id: int, day: date) -> _Chunk:
    # Lock order everywhere: campaign row, then its recipients, then the quota row (pause/cancel wait for the chunk).
    campaign = (
        Campaign.objects.select_for_update(of=("self",))
        .select_related("store", "coupon", "coupon__store")
        .get(pk=campaign_id)
    )
    if campaign.status != CampaignStatus.SENDING:
        return _Chunk(stop=f"status_{campaign.status}")
    if campaign.start_on and campaign.start_on > day:
        return _Chunk(stop="not_started")
    store = campaign.store
    if not selectors.batch_send_allowed(store):
        _auto_pause(campaign, f"The store's tier ({store.tier}) may no longer batch-send.")
        return _Chunk(stop="tier")
    quota = StoreDailyQuota.objects.filter(store=store, day=day).values_list("cap", "used").first()
    room = quota[0] - quota[1] if quota else selectors.daily_cap()
    if room <= 0:
        return _Chunk(stop="quota")
    claimed = _claim(campaign, min(CHUNK, room))
    if not claimed:
        pending_left = CampaignRecipient.objects.filter(
            campaign=campaign, status=RecipientStatus.PENDING
        ).exists()
        return _Chunk(stop="claimed_elsewhere" if pending_left else "no_pending")
    chunk = _Chunk()
    # R6: the store's batch sends pushed these buyers today or yesterday.
    recent = selectors.pushed_on(
        store=store, days=[day, day - timedelta(days=1)], buyer_ids=[r.buyer_id for r in claimed]
    )
    skipped, sendable = [], []
    for r in claimed:
        pushed = recent.get(r.buyer_id)
        if pushed is None:
            sendable.append(r)
            continue
        when = "today" if pushed[0] == day else "yesterday"
        r.status = RecipientStatus.SKIPPED
        r.reason = f"Already pushed {when} by the store's batch send “{pushed[1]}”."[:300]
        skipped.append(r)
    if skipped:
        CampaignRecipient.objects.bulk_update(skipped, ["status", "reason"])
        chunk.skipped += len(skipped)
    granted = daily_quota_reserve(store=store, day=day, wanted=len(sendable))
    last_window = None
    fast = campaign.coupon_id is None and _send_many(campaign, sendable[:granted], day)
    if fast:
        chunk.sent = granted
        last_window = next((r.window_start for r in reversed(sendable[:granted]) if r.window_start), None)
    for r in [] if fast else sendable[:granted]:
        outcome = _send_one(campaign, r, day)
        if outcome == RecipientStatus.SENT:
            chunk.sent += 1
            last_window = r.window_start or last_window
        elif outcome == RecipientStatus.SKIPPED:
            chunk.skipped += 1
        else:
            chunk.failed += 1
            _auto_pause(campaign, r.reason)
            chunk.stop = "auto_paused"
            break
    daily_quota_release(store=store, day=day, count=granted - chunk.sent)
    if chunk.sent:
        _progress_record(campaign, last_window)
    if not chunk.stop and granted < len(sendable):
        chunk.stop = "quota"
    return chunk


def _progress_record(campaign: Campaign, window_start: date | None) -> None:
    """R5: the last window worked and when it was sent (never moves back to an older window)."""
    now = timezone.now()
    Campaign.objects.filter(pk=campaign.pk).update(last_sent_at=now)
    if window_start is not None:
        Campaign.objects.filter(pk=campaign.pk).filter(
            Q(last_window_start__isnull=True) | Q(last_window_start__lte=window_start)
        ).update(
            last_window_start=window_start,
            last_window_end=window_start + timedelta(days=selectors.WINDOW_DAYS - 1),
        )


def _send_many(campaign: Campaign, recipients: list[CampaignRecipient], day: date) -> bool:
    """A chunk without a coupon in a few queries whatever its size: the recipients marked sent in one UPDATE, their
    chats found or made together, the messages inserted together and handed to delivery in one publish.

    All or nothing (a savepoint): when any part is refused — a text the guard now blocks, a buyer another campaign
    pushed meanwhile (the once-a-day constraint) — nothing of it is kept and False sends the chunk one by one, where
    each refusal gets its own reason.
    """
    if not recipients:
        return True
    texts = []
    for r in recipients:
        text, language = selectors.campaign_text_for(campaign, r.buyer.locale)
        texts.append((text, language, "text" if language == DEFAULT_LANGUAGE else f"variants.{language}"))
    now = timezone.now()
    try:
        with transaction.atomic():
            CampaignRecipient.objects.filter(
                pk__in=[r.pk for r in recipients], status=RecipientStatus.PENDING
            ).update(status=RecipientStatus.SENT, send_day=day, sent_at=now)
            chats = chat_conversations_get_or_create(
                store=campaign.store, buyer_ids=[r.buyer_id for r in recipients]
            )
            messages = buyer_only_messages_create(
                conversations=[chats[r.buyer_id] for r in recipients],
                sender=SenderKind.CAMPAIGN,
                texts=texts,
                image=campaign.image or None,
            )
            for r, message in zip(recipients, messages, strict=True):
                r.status, r.send_day, r.sent_at, r.message = RecipientStatus.SENT, day, now, message
            _recipients_link_messages(recipients)
    except (IntegrityError, ApplicationError):
        return False
    return True


def _recipients_link_messages(recipients: list[CampaignRecipient]) -> None:
    """Each recipient's ``message`` in one statement. On PostgreSQL an ``UPDATE … FROM unnest()`` of two arrays: the
    same SQL text for any chunk, built in microseconds, where ``bulk_update``'s ``CASE`` of 100 ``WHEN``s took ≈ 75 ms
    of ORM work per chunk."""
    if connection.vendor != "postgresql":
        CampaignRecipient.objects.bulk_update(recipients, ["message"])
        return
    table = CampaignRecipient._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS r SET message_id = v.message_id "
            "FROM unnest(%s::bigint[], %s::bigint[]) AS v(id, message_id) WHERE r.id = v.id",
            [[r.pk for r in recipients], [r.message_id for r in recipients]],
        )


def _send_one(campaign: Campaign, recipient: CampaignRecipient, day: date) -> str:
    """Push the campaign to one buyer's chat; returns the recipient's new status. Nothing half-done is kept."""
    buyer = recipient.buyer
    try:
        with transaction.atomic():
            recipient.status = RecipientStatus.SENT
            recipient.send_day = day
            recipient.sent_at = timezone.now()
            recipient.save(update_fields=["status", "send_day", "sent_at"])
    except IntegrityError:
        recipient.status = RecipientStatus.SKIPPED
        recipient.send_day = None
        recipient.sent_at = None
        recipient.reason = selectors.REASON_PUSHED_BY_ANOTHER
        recipient.save(update_fields=["status", "reason"])
        return recipient.status
    try:
        with transaction.atomic():
            coupon = campaign.coupon
            if coupon is not None and not coupon_grant_held(coupon=coupon, buyer=buyer):
                coupon_grant(coupon=coupon, buyer=buyer, source=GrantSource.CAMPAIGN, acting_user=None)
            text, language = selectors.campaign_text_for(campaign, buyer.locale)
            conversation = conversation_get_or_create(
                store=campaign.store, buyer=buyer, order=None, channel=Channel.CHAT
            )
            message = outbound_message_create(
                conversation=conversation,
                sender=SenderKind.CAMPAIGN,
                text=text,
                language=language,
                image=campaign.image or None,
                coupon=coupon,
                buyer_only=True,
                text_field="text" if language == DEFAULT_LANGUAGE else f"variants.{language}",
            )
            recipient.message = message
            recipient.save(update_fields=["message"])
    except ApplicationError as error:
        recipient.status = RecipientStatus.FAILED
        recipient.send_day = None
        recipient.sent_at = None
        recipient.message = None
        recipient.reason = " ".join(m for ms in error.errors.values() for m in ms)[:300]
        recipient.save(update_fields=["status", "send_day", "sent_at", "message", "reason"])
    return recipient.status


def campaigns_run_daily(*, day: date | None = None, enqueue: bool = False) -> list[BatchResult]:
    """Every store's campaigns for the store-local ``day`` (default: each store's today): scheduled campaigns whose
    day has come start sending, and each sending campaign sends its next batch. Idempotent.

    ``enqueue`` hands each batch to the worker (the beat task); otherwise they run here, in order of creation.
    """
    results: list[BatchResult] = []
    due = Campaign.objects.filter(
        status__in=(CampaignStatus.SENDING, CampaignStatus.SCHEDULED)
    ).select_related("store")
    for campaign in due.order_by("created_at", "id").iterator():
        store_day = day or store_local_date(campaign.store)
        if campaign.status == CampaignStatus.SCHEDULED:
            if campaign.start_on and campaign.start_on > store_day:
                continue
            with transaction.atomic():
                if not Campaign.objects.filter(pk=campaign.pk, status=CampaignStatus.SCHEDULED).update(
                    status=CampaignStatus.SENDING
                ):
                    continue
                audit_log(
                    store_id=campaign.store_id,
                    kind=AuditKind.CAMPAIGN_RESUMED,
                    subject=campaign,
                    details={"started": store_day.isoformat()},
                )
        if enqueue:
            from .tasks import send_batch

            send_batch.delay(campaign.pk, store_day.isoformat() if day else None)
            results.append(BatchResult(campaign_id=campaign.pk, day=store_day, stopped="queued"))
        else:
            results.append(campaign_send_batch(campaign_id=campaign.pk, day=store_day))
    return results


# A batch that sent nothing for this long while buyers are still pending was cut (a killed worker, a lost
# task): the sweeper queues it again. Batches are claimed with skip_locked, so a second one never doubles a push.
RESUME_AFTER_SECONDS = int(os.environ.get("CAMPAIGN_RESUME_AFTER_SECONDS", "30"))


def campaigns_resume_cut(*, now=None) -> list[int]:
    """Beat (every 30 s): queue the batch of every sending campaign that has pending buyers, room in its
    store's quota today and nothing sent for ``RESUME_AFTER_SECONDS`` — a batch cut by a killed worker resumes
    within a minute instead of at the next 15-minute run. Returns the campaign ids queued."""
    from .tasks import send_batch

    now = now or timezone.now()
    quiet_since = now - timedelta(seconds=RESUME_AFTER_SECONDS)
    candidates = (
        Campaign.objects.filter(status=CampaignStatus.SENDING)
        .filter(Q(last_sent_at__isnull=True) | Q(last_sent_at__lt=quiet_since))
        .filter(recipients__status=RecipientStatus.PENDING)
        .select_related("store")
        .distinct()
        .order_by("id")
    )
    queued = []
    for campaign in candidates:
        day = store_local_date(campaign.store)
        if campaign.start_on and campaign.start_on > day:
            continue
        if selectors.quota_used(store=campaign.store, day=day) >= selectors.quota_cap(
            store=campaign.store, day=day
        ):
            continue
        try:
            send_batch.delay(campaign.pk)
        except Exception:
            logger.warning("could not queue campaign %s's batch", campaign.pk, exc_info=True)
            break
        queued.append(campaign.pk)
    if queued:
        logger.info("re-queued cut campaign batches %s", queued)
    return queued


def language_label(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code)
