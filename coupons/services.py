"""Writes for DDWL coupons: set-up and edits, grants to buyers, redemptions from orders.

Limits live in the database: one grant per buyer is a ``UniqueConstraint``; the quantity is a conditional
``UPDATE … SET granted_count = granted_count + 1 WHERE granted_count < quantity`` plus a ``CheckConstraint``.
"""

import logging
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext, ngettext

from seller_desk.errors import ApplicationError, date_value
from seller_desk.models import Buyer, Order, OrderStatus, Store
from seller_desk.selectors import store_local_date
from seller_desk.services import AuditKind, actor_or_none, audit_log

from .models import (
    FIXED_NAME_PREFIX,
    Coupon,
    CouponGrant,
    CouponRedemption,
    CouponStatus,
    Distribution,
    GrantSource,
    Scope,
)

logger = logging.getLogger(__name__)

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
MAX_MONEY = Decimal("99999999.99")
SUFFIX_MAX_CHARS = 100

# Settings a buyer was promised once a coupon has grants; they can't change after the first grant.
LOCKED_AFTER_GRANTS = ("denomination", "threshold", "currency", "valid_from", "activity_start")
EDITABLE_FIELDS = (
    "name_suffix",
    "denomination",
    "threshold",
    "currency",
    "quantity",
    "activity_start",
    "activity_end",
    "valid_from",
    "valid_until",
)


def max_activity_days() -> int:
    return int(settings.SELLER_DESK["COUPON_MAX_ACTIVITY_DAYS"])


def earliest_valid_from(*, store: Store, today: date | None = None) -> tuple[date, str]:
    """The first day a coupon may be valid (R14) and the reason, for messages and the form's hint."""
    today = today or store_local_date(store)
    if store.resume_shipping_date is None:
        tomorrow = today + timedelta(days=1)
        return tomorrow, f"{tomorrow.isoformat()} (tomorrow; the store has no resume-shipping date set)"
    day_after = store.resume_shipping_date + timedelta(days=1)
    if day_after < today:
        return (
            today,
            f"{today.isoformat()} (today; the store could ship again from {store.resume_shipping_date})",
        )
    return day_after, (
        f"{day_after.isoformat()}, the day after the store can ship again ({store.resume_shipping_date.isoformat()})"
    )


@dataclass(frozen=True)
class CouponDefaults:
    activity_start: date
    activity_end: date
    valid_from: date
    valid_from_reason: str


def coupon_defaults(*, store: Store) -> CouponDefaults:
    """Activity from store-local today for the longest period the platform allows; validity from R14's day."""
    today = store_local_date(store)
    valid_from, reason = earliest_valid_from(store=store, today=today)
    return CouponDefaults(
        activity_start=today,
        activity_end=today + timedelta(days=max_activity_days() - 1),
        valid_from=valid_from,
        valid_from_reason=reason,
    )


def _money(value, field: str, errors: dict, *, label: str) -> Decimal | None:
    if value is None or value == "":
        errors[field] = gettext("%(label)s is required.") % {"label": label}
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        errors[field] = gettext("%(label)s must be a number such as 5 or 4.99.") % {"label": label}
        return None
    if not amount.is_finite():
        errors[field] = gettext("%(label)s must be a number such as 5 or 4.99.") % {"label": label}
        return None
    if amount.as_tuple().exponent < -2:
        errors[field] = gettext("%(label)s has at most 2 decimal places (got %(value)s).") % {
            "label": label,
            "value": value,
        }
        return None
    if amount > MAX_MONEY:
        errors[field] = gettext("%(label)s can be at most %(max)s.") % {"label": label, "max": MAX_MONEY}
        return None
    return amount


def name_suffix_tidy(raw: str) -> str:
    """The merchant part as it follows "DDWL": trailing spaces dropped, leading spaces kept as one ("DDWL Winter"),
    and a repeated "DDWL" at its start removed (the stored suffix never includes the prefix)."""
    text = str(raw).rstrip()
    if text.lstrip().startswith(FIXED_NAME_PREFIX):
        text = text.lstrip()[len(FIXED_NAME_PREFIX) :]
    return " " + text.lstrip() if text[:1].isspace() else text


def _suffix_clean(raw: str | None, *, name: str | None, errors: dict) -> str | None:
    """The merchant part of the name (R11): "DDWL" is fixed and can't be changed or removed.

    A ``name`` sent whole must start with "DDWL" exactly; a ``name_suffix`` that repeats "DDWL" at its start is
    taken as the whole name (so "DDWL-Spring" stays "DDWL-Spring", never "DDWLDDWL-Spring").
    """
    suffix = None if raw is None else name_suffix_tidy(raw)
    if name is not None:
        name = str(name).strip()
        if not name.startswith(FIXED_NAME_PREFIX):
            errors["name"] = gettext(
                'The activity name must start with "%(prefix)s" (the platform tracks coupon effect by it); '
                '"%(prefix)s" can\'t be changed or removed. Send only your part as name_suffix.'
            ) % {"prefix": FIXED_NAME_PREFIX}
            return None
        from_name = name_suffix_tidy(name[len(FIXED_NAME_PREFIX) :])
        if suffix is not None and suffix != from_name:
            errors["name_suffix"] = gettext("name and name_suffix disagree; send one of them.")
            return None
        suffix = from_name
    if suffix is None or not suffix.strip():
        errors["name_suffix"] = gettext(
            'Add your own part of the activity name after "%(prefix)s", e.g. "-Spring".'
        ) % {"prefix": FIXED_NAME_PREFIX}
        return None
    if len(suffix) > SUFFIX_MAX_CHARS:
        errors["name_suffix"] = gettext(
            "Your part of the name is at most %(max)s characters (got %(got)s)."
        ) % {
            "max": SUFFIX_MAX_CHARS,
            "got": len(suffix),
        }
        return None
    if any(ord(ch) < 32 for ch in suffix):
        errors["name_suffix"] = gettext("The name can't contain line breaks or control characters.")
        return None
    return suffix


def _currency_clean(raw, errors: dict) -> str | None:
    value = str(raw or "").strip()
    if len(value) != 3 or not value.isascii() or not value.isalpha():
        errors["currency"] = gettext(
            "Currency is a 3-letter ISO 4217 code such as USD or EUR (got '%(raw)s')."
        ) % {"raw": raw}
        return None
    return value.upper()


def _quantity_clean(raw, errors: dict, *, granted: int) -> int | None:
    try:
        if isinstance(raw, bool) or (isinstance(raw, float) and not raw.is_integer()):
            raise ValueError
        quantity = raw if isinstance(raw, int) else int(str(raw).strip())
    except (TypeError, ValueError):
        errors["quantity"] = gettext("Quantity is a whole number of coupons, at least 1.")
        return None
    if quantity < 1:
        errors["quantity"] = gettext("Quantity must be at least 1 coupon.")
        return None
    if quantity < granted:
        errors["quantity"] = ngettext(
            "%(granted)s coupon is already granted to buyers; quantity must be at least %(granted)s (got %(quantity)s).",
            "%(granted)s coupons are already granted to buyers; quantity must be at least %(granted)s (got %(quantity)s).",
            granted,
        ) % {"granted": granted, "quantity": quantity}
        return None
    if quantity > 10_000_000:
        errors["quantity"] = gettext("Quantity can be at most 10,000,000.")
        return None
    return quantity


def coupon_settings_check(*, store: Store, values: dict, coupon: Coupon | None = None) -> dict:
    """Validate a full set of coupon settings (new, or ``coupon`` edited); returns them cleaned.

    Raises ApplicationError with one message per broken rule, naming the rule and the fix. Writes nothing.
    """
    errors: dict[str, str] = {}
    today = store_local_date(store)
    granted = coupon.granted_count if coupon else 0
    suffix = _suffix_clean(values.get("name_suffix"), name=values.get("name"), errors=errors)
    denomination = _money(values.get("denomination"), "denomination", errors, label=gettext("Denomination"))
    threshold_raw = values.get("threshold")
    threshold = _money(
        0 if threshold_raw in (None, "") else threshold_raw, "threshold", errors, label=gettext("Threshold")
    )
    currency = _currency_clean(values.get("currency") or "USD", errors)
    quantity = _quantity_clean(values.get("quantity"), errors, granted=granted)
    if values.get("distribution") not in (None, "", Distribution.TARGETED_DIRECT):
        errors["distribution"] = gettext("DDWL coupons use targeted distribution – direct.")
    if values.get("scope") not in (None, "", Scope.STORE):
        errors["scope"] = gettext("DDWL coupons apply to the whole store (store).")
    if denomination is not None and denomination <= 0:
        errors["denomination"] = gettext("Denomination must be more than 0 (got %(denomination)s).") % {
            "denomination": denomination
        }
    if threshold is not None and threshold < 0:
        errors["threshold"] = gettext(
            "Threshold can't be negative (got %(threshold)s); use 0 for a no-threshold coupon."
        ) % {"threshold": threshold}
    if denomination is not None and threshold is not None and threshold > 0 and denomination > 0:
        if denomination >= threshold:
            errors["denomination"] = gettext(
                "The denomination (%(denomination)s) must be below the threshold (%(threshold)s): a coupon can't pay for the whole order. Lower the denomination, raise the threshold, or set the threshold to 0."
            ) % {"denomination": denomination, "threshold": threshold}

    defaults = coupon_defaults(store=store)
    activity_start = date_value(values.get("activity_start"), "activity_start", errors)
    activity_end = date_value(values.get("activity_end"), "activity_end", errors)
    valid_from = date_value(values.get("valid_from"), "valid_from", errors)
    valid_until = date_value(values.get("valid_until"), "valid_until", errors)
    if "activity_start" not in errors and activity_start is None:
        activity_start = defaults.activity_start
    if "activity_end" not in errors and activity_end is None and activity_start is not None:
        activity_end = activity_start + timedelta(days=max_activity_days() - 1)
    if "valid_from" not in errors and valid_from is None:
        valid_from = defaults.valid_from
    if (
        activity_start is not None
        and activity_start < today
        and (coupon is None or activity_start != coupon.activity_start)
    ):
        errors["activity_start"] = gettext(
            "The activity can't start in the past; start on or after today (%(today)s)."
        ) % {"today": today}
    if activity_start is not None and activity_end is not None:
        longest = activity_start + timedelta(days=max_activity_days() - 1)
        if activity_end < activity_start:
            errors["activity_end"] = gettext(
                "The activity must end on or after its start (%(activity_start)s)."
            ) % {"activity_start": activity_start}
        elif activity_end > longest and (
            coupon is None or (activity_end, activity_start) != (coupon.activity_end, coupon.activity_start)
        ):
            errors["activity_end"] = gettext(
                "The platform allows an activity of at most %(value)s days: end on or before %(longest)s (it starts %(activity_start)s)."
            ) % {"value": max_activity_days(), "longest": longest, "activity_start": activity_start}
        elif coupon is not None and activity_end != coupon.activity_end and activity_end < today:
            errors["activity_end"] = gettext(
                "The activity can't end in the past (%(activity_end)s); use End now to stop it."
            ) % {"activity_end": activity_end}
    if valid_from is not None and (coupon is None or valid_from != coupon.valid_from):
        earliest, reason = earliest_valid_from(store=store, today=today)
        if valid_from < earliest:
            errors["valid_from"] = gettext(
                "The coupon can be valid from %(reason)s at the earliest; pick that day or later."
            ) % {"reason": reason}
    if "valid_until" not in errors and valid_until is None:
        errors["valid_until"] = gettext("Pick the last day buyers can use the coupon: fill in “Valid until”.")
    elif valid_until is not None and valid_from is not None and valid_until <= valid_from:
        errors["valid_until"] = gettext(
            "The coupon must stay valid after it starts: pick a day after %(valid_from)s."
        ) % {"valid_from": valid_from}

    if coupon is not None:
        _edit_limits_check(
            coupon=coupon,
            errors=errors,
            new={
                "denomination": denomination,
                "threshold": threshold,
                "currency": currency,
                "valid_from": valid_from,
                "activity_start": activity_start,
                "valid_until": valid_until,
            },
        )
    if errors:
        raise ApplicationError(errors)
    return {
        "name_suffix": suffix,
        "denomination": denomination,
        "threshold": threshold,
        "currency": currency,
        "quantity": quantity,
        "activity_start": activity_start,
        "activity_end": activity_end,
        "valid_from": valid_from,
        "valid_until": valid_until,
    }


def _edit_limits_check(*, coupon: Coupon, errors: dict, new: dict) -> None:
    """After the first grant, what buyers were promised stays: amounts, currency, start days; validity only longer."""
    if coupon.granted_count == 0 and coupon.status != CouponStatus.ENDED:
        return
    why = (
        ngettext(
            "%(count)s buyer already holds this coupon",
            "%(count)s buyers already hold this coupon",
            coupon.granted_count,
        )
        % {"count": coupon.granted_count}
        if coupon.granted_count
        else gettext("the coupon has ended")
    )
    labels = {
        "denomination": gettext("The denomination"),
        "threshold": gettext("The threshold"),
        "currency": gettext("The currency"),
        "valid_from": gettext("The validity start"),
        "activity_start": gettext("The activity start"),
    }
    for field in LOCKED_AFTER_GRANTS:
        if field in errors or new[field] is None:
            continue
        if new[field] != getattr(coupon, field):
            errors[field] = gettext(
                "%(field)s can't change once %(why)s (it is %(value)s); create a new coupon for different terms."
            ) % {"field": labels[field], "why": why, "value": getattr(coupon, field)}
    if (
        "valid_until" not in errors
        and new["valid_until"] is not None
        and new["valid_until"] < coupon.valid_until
    ):
        errors["valid_until"] = gettext(
            "Validity can only be extended once %(why)s: pick %(valid_until)s or later."
        ) % {"why": why, "valid_until": coupon.valid_until}


def _new_code() -> str:
    random_part = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"{FIXED_NAME_PREFIX}-{random_part[:4]}-{random_part[4:]}"


def _jsonable(value):
    return (
        value.isoformat() if isinstance(value, date) else str(value) if isinstance(value, Decimal) else value
    )


@transaction.atomic
def coupon_create(
    *,
    store: Store,
    acting_user,
    values: dict,
    status: str = CouponStatus.ACTIVE,
) -> Coupon:
    """Set up a DDWL coupon. ``values`` holds the API/form fields (name_suffix or name, denomination, threshold,
    currency, quantity, activity_start?, activity_end?, valid_from?, valid_until). Nothing is stored on error."""
    if status not in (CouponStatus.DRAFT, CouponStatus.ACTIVE):
        raise ApplicationError({"status": gettext("A new coupon is either draft or active.")})
    cleaned = coupon_settings_check(store=store, values=values)
    for _attempt in range(5):
        code = _new_code()
        try:
            with transaction.atomic():
                coupon = Coupon.objects.create(
                    store=store,
                    code=code,
                    status=status,
                    created_by=actor_or_none(acting_user),
                    **cleaned,
                )
            break
        except IntegrityError:
            if not Coupon.objects.filter(store=store, code=code).exists():
                raise
    else:
        raise ApplicationError({"code": gettext("Could not pick a unique coupon code; try again.")})
    audit_log(
        store_id=coupon.store_id,
        kind=AuditKind.COUPON_CREATED,
        subject=coupon,
        actor=acting_user,
        details={k: _jsonable(v) for k, v in cleaned.items()} | {"status": status},
    )
    return coupon


@transaction.atomic
def coupon_update(*, coupon: Coupon, acting_user, changes: dict) -> Coupon:
    """Edit a coupon's settings and/or move its status (draft → active → ended).

    Once buyers hold the coupon only the name, the quantity (never below what is granted), the activity end and a
    longer validity may change. A change that changes nothing stores nothing and logs nothing.
    """
    locked = Coupon.objects.select_for_update().get(pk=coupon.pk, store=coupon.store)
    status = changes.get("status")
    unknown = set(changes) - set(EDITABLE_FIELDS) - {"status", "name", "distribution", "scope"}
    if unknown:
        raise ApplicationError({sorted(unknown)[0]: gettext("This field can't be changed.")})
    values = {f: getattr(locked, f) for f in EDITABLE_FIELDS}
    values.update(
        {k: v for k, v in changes.items() if k in EDITABLE_FIELDS or k in ("name", "distribution", "scope")}
    )
    if "name" in changes and "name_suffix" not in changes:
        values["name_suffix"] = None
    changed = {k for k, v in changes.items() if k not in EDITABLE_FIELDS or v != getattr(locked, k)}
    if locked.status == CouponStatus.ENDED and changed - {"status", "name", "name_suffix", "valid_until"}:
        raise ApplicationError(
            {
                "status": gettext(
                    "This coupon has ended; only its name and a longer validity can change. Create a new coupon."
                )
            }
        )
    cleaned = coupon_settings_check(store=locked.store, values=values, coupon=locked)
    diff = {
        f: [_jsonable(getattr(locked, f)), _jsonable(v)]
        for f, v in cleaned.items()
        if getattr(locked, f) != v
    }
    if diff:
        for field in diff:
            setattr(locked, field, cleaned[field])
        try:
            with transaction.atomic():
                locked.save(update_fields=list(diff))
        except IntegrityError as exc:
            raise ApplicationError(
                {"quantity": gettext("Quantity can't go below the coupons already granted.")}
            ) from exc
        audit_log(
            store_id=locked.store_id,
            kind=AuditKind.COUPON_EDITED,
            subject=locked,
            actor=acting_user,
            details={"changes": diff},
        )
    if status is not None and status != locked.status:
        _status_move(locked, status, acting_user)
    coupon.refresh_from_db()
    return coupon


def _status_move(coupon: Coupon, status: str, acting_user) -> None:
    if status not in CouponStatus.values:
        raise ApplicationError(
            {"status": gettext("Status is one of %(value)s.") % {"value": ", ".join(CouponStatus.values)}}
        )
    if coupon.status == CouponStatus.ENDED:
        raise ApplicationError({"status": gettext("An ended coupon stays ended; create a new coupon.")})
    if status == CouponStatus.DRAFT:
        raise ApplicationError(
            {"status": gettext("An active coupon can't go back to draft; end it instead.")}
        )
    coupon.status = status
    coupon.save(update_fields=["status"])
    kind = AuditKind.COUPON_ACTIVATED if status == CouponStatus.ACTIVE else AuditKind.COUPON_ENDED
    audit_log(
        store_id=coupon.store_id,
        kind=kind,
        subject=coupon,
        actor=acting_user,
        details={"granted": coupon.granted_count},
    )


def coupon_activate(*, coupon: Coupon, acting_user) -> Coupon:
    return coupon_update(coupon=coupon, acting_user=acting_user, changes={"status": CouponStatus.ACTIVE})


def coupon_end(*, coupon: Coupon, acting_user) -> Coupon:
    """End a coupon now: no more grants; buyers who hold it keep it until its validity ends."""
    return coupon_update(coupon=coupon, acting_user=acting_user, changes={"status": CouponStatus.ENDED})


def _grant_refusal(coupon: Coupon, buyer: Buyer, today: date) -> ApplicationError:
    """Why the conditional UPDATE matched no row, read after the fact (the database already decided)."""
    fresh = Coupon.objects.get(pk=coupon.pk)
    name = fresh.name
    if CouponGrant.objects.filter(coupon=fresh, buyer=buyer).exists():
        return ApplicationError(
            {
                "coupon_id": gettext("This buyer already has coupon %(name)s; each buyer gets it once.")
                % {"name": name}
            }
        )
    if fresh.status == CouponStatus.DRAFT:
        return ApplicationError(
            {
                "coupon_id": gettext("Coupon %(name)s is a draft; the owner must activate it first.")
                % {"name": name}
            }
        )
    if fresh.status == CouponStatus.ENDED or fresh.activity_end < today:
        return ApplicationError(
            {
                "coupon_id": gettext("Coupon %(name)s has ended (activity ended %(activity_end)s).")
                % {"name": name, "activity_end": fresh.activity_end}
            }
        )
    if fresh.activity_start > today:
        return ApplicationError(
            {
                "coupon_id": gettext(
                    "Coupon %(name)s is not active yet: its activity starts %(activity_start)s."
                )
                % {"name": name, "activity_start": fresh.activity_start}
            }
        )
    if fresh.valid_until < today:
        return ApplicationError(
            {
                "coupon_id": gettext("Coupon %(name)s has expired (valid until %(valid_until)s).")
                % {"name": name, "valid_until": fresh.valid_until}
            }
        )
    return ApplicationError(
        {
            "coupon_id": gettext(
                "Coupon %(name)s is sold out: all %(quantity)s have been granted. Raise its quantity or pick another."
            )
            % {"name": name, "quantity": fresh.quantity}
        }
    )


@transaction.atomic
def coupon_grant(*, coupon: Coupon, buyer: Buyer, source: str, acting_user=None) -> CouponGrant:
    """Give ``coupon`` to ``buyer``: the one path for replies, batch sends and auto-replies.

    The database decides: the counter moves only while ``granted_count < quantity`` and the coupon is active and in
    its activity period and validity (conditional UPDATE, row count checked); the grant row is unique per buyer. Both
    happen in one savepoint, so a duplicate grant leaves the counter where it was.
    """
    if buyer.store_id != coupon.store_id:
        raise ApplicationError({"buyer": gettext("This buyer belongs to another store.")})
    if source not in GrantSource.values:
        raise ApplicationError(
            {
                "source": gettext("Grant source is one of %(value)s.")
                % {"value": ", ".join(GrantSource.values)}
            }
        )
    today = store_local_date(coupon.store)
    try:
        with transaction.atomic():
            moved = Coupon.objects.filter(
                pk=coupon.pk,
                store_id=coupon.store_id,
                status=CouponStatus.ACTIVE,
                granted_count__lt=F("quantity"),
                activity_start__lte=today,
                activity_end__gte=today,
                valid_until__gte=today,
            ).update(granted_count=F("granted_count") + 1)
            if moved != 1:
                raise _grant_refusal(coupon, buyer, today)
            grant = CouponGrant.objects.create(
                store_id=coupon.store_id,
                coupon=coupon,
                buyer=buyer,
                source=source,
                granted_by=actor_or_none(acting_user),
            )
    except IntegrityError as exc:
        if CouponGrant.objects.filter(coupon=coupon, buyer=buyer).exists():
            raise ApplicationError(
                {
                    "coupon_id": gettext("This buyer already has coupon %(name)s; each buyer gets it once.")
                    % {"name": coupon.name}
                }
            ) from exc
        raise
    return grant


def coupon_grant_for_reply(*, store: Store, coupon_id: int, buyer: Buyer, acting_user) -> Coupon:
    """Grant a coupon picked in the reply box; raises ApplicationError('coupon_id') if it can't be granted."""
    coupon = Coupon.objects.filter(store=store, pk=coupon_id).first()
    if coupon is None:
        raise ApplicationError(
            {
                "coupon_id": gettext("No coupon %(coupon_id)s in this store; pick one from the list.")
                % {"coupon_id": coupon_id}
            }
        )
    coupon_grant(coupon=coupon, buyer=buyer, source=GrantSource.REPLY, acting_user=acting_user)
    return coupon


def normalize_code(raw: str) -> str:
    return (raw or "").strip().upper()


@transaction.atomic
def coupon_redemptions_record(*, store: Store, orders: list[Order]) -> int:
    """Orders whose ``coupon_code`` is a store coupon's code, placed by a buyer holding that coupon, redeem it.

    One order per grant and one coupon per order (OneToOne); codes of other stores, unknown codes and buyers
    without a grant are ignored (the marketplace's order is still stored). An order that turns ``cancelled``
    gives its redemption back. Returns how many orders matched a grant (repeats are ignored by the database).
    """
    cancelled = [o.pk for o in orders if o.status == OrderStatus.CANCELLED]
    if cancelled:
        CouponRedemption.objects.filter(store=store, order_id__in=cancelled).delete()
    live = [o for o in orders if o.status != OrderStatus.CANCELLED and normalize_code(o.coupon_code)]
    if not live:
        return 0
    coupons = {
        c.code: c
        for c in Coupon.objects.filter(store=store, code__in={normalize_code(o.coupon_code) for o in live})
    }
    grants = {
        (g.coupon_id, g.buyer_id): g
        for g in CouponGrant.objects.filter(
            store=store, coupon__in=list(coupons.values()), buyer_id__in={o.buyer_id for o in live}
        )
    }
    rows = []
    for order in live:
        coupon = coupons.get(normalize_code(order.coupon_code))
        grant = grants.get((coupon.pk, order.buyer_id)) if coupon else None
        if grant is None:
            logger.info(
                "order %s: coupon_code %r matches no coupon granted to its buyer",
                order.external_id,
                order.coupon_code,
            )
            continue
        rows.append(
            CouponRedemption(
                store=store,
                coupon=coupon,
                grant=grant,
                order=order,
                redeemed_at=order.placed_at,
                order_amount=order.amount,
            )
        )
    created = CouponRedemption.objects.bulk_create(rows, ignore_conflicts=True)
    return len(created)
