"""Writes for the tenancy core and the marketplace's facts (buyers, orders)."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, models, transaction
from django.db.models import OuterRef, Subquery
from django.utils import formats, timezone
from django.utils.text import slugify
from django.utils.translation import gettext

from .errors import ApplicationError
from .models import (
    DISPUTE_ACTIVE_STATUSES,
    ApiToken,
    AuditEvent,
    AuditKind,
    Buyer,
    Dispute,
    DisputeStatus,
    MemberRole,
    Membership,
    Order,
    OrderStatus,
    ProtectionExtension,
    Store,
    StoreTier,
    UserProfile,
    hash_token,
    new_api_token,
    new_integration_token,
    password_fingerprint,
)
from .writes import buyer_upsert_one

User = get_user_model()


def actor_or_none(user):
    """The user to record as the actor of a change: a signed-in person, else nobody (the marketplace, a task)."""
    return (
        user if getattr(user, "pk", None) is not None and getattr(user, "is_authenticated", False) else None
    )


def audit_log(
    *,
    kind: str,
    store: Store | None = None,
    store_id: int | None = None,
    subject=None,
    actor=None,
    details: dict | None = None,
    at=None,
) -> AuditEvent:
    """Record a change people will ask about later; ``subject`` is the model row it is about.

    Give ``store`` or ``store_id`` (neither for a platform-wide change). Call it inside the transaction of
    the change, so the row exists exactly when the change does.
    """
    return AuditEvent.objects.create(
        store_id=store.pk if store is not None else store_id,
        actor=actor_or_none(actor),
        kind=kind,
        subject_type=subject._meta.model_name if subject is not None else "",
        subject_id=str(subject.pk) if subject is not None else "",
        subject_label=str(subject)[:200] if subject is not None else "",
        details=details or {},
        **({"created_at": at} if at is not None else {}),
    )


def audit_log_many(
    *, kind: str, store: Store, subjects, actor=None, details_of=None, at=None
) -> list[AuditEvent]:
    """``audit_log`` for a bulk action: one row per subject, all in one INSERT whatever their number.
    ``details_of(subject)`` gives each row's details."""
    actor = actor_or_none(actor)
    when = at or timezone.now()
    return AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                store_id=store.pk,
                actor=actor,
                kind=kind,
                subject_type=subject._meta.model_name,
                subject_id=str(subject.pk),
                subject_label=str(subject)[:200],
                details=details_of(subject) if details_of else {},
                created_at=when,
            )
            for subject in subjects
        ]
    )


@dataclass(frozen=True)
class CreatedStore:
    store: Store
    integration_token: str


def store_create(
    *,
    name: str,
    tier: str,
    timezone: str | None = None,
    resume_shipping_date: date | None = None,
    is_demo: bool = False,
) -> CreatedStore:
    """Create a store; the plain integration token is returned once and only its hash is kept."""
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = gettext("A store needs a name.")
    if tier not in StoreTier.values:
        errors["tier"] = gettext("Tier must be one of %(value)s.") % {"value": ", ".join(StoreTier.values)}
    if timezone:
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            errors["timezone"] = gettext(
                "'%(timezone)s' is not an IANA time zone (e.g. America/Los_Angeles)."
            ) % {"timezone": timezone}
    if errors:
        raise ApplicationError(errors)
    base = slugify(name)[:60] or "store"
    slug, n = base, 1
    while Store.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    token = new_integration_token()
    fields = {
        "name": name.strip(),
        "slug": slug,
        "tier": tier,
        "integration_token_hash": hash_token(token),
        "is_demo": is_demo,
    }
    if timezone:
        fields["timezone"] = timezone
    if resume_shipping_date:
        fields["resume_shipping_date"] = resume_shipping_date
    store = Store.objects.create(**fields)
    return CreatedStore(store=store, integration_token=token)


@transaction.atomic
def store_marketplace_endpoint_set(
    *, store: Store, acting_user=None, endpoint: str, secret: str | None = None
) -> Store:
    """Where the store's outbound messages are POSTed and the secret both sides sign with.

    ``secret=None`` keeps the current one, ``""`` removes it (unsigned ingress again). The audit event records
    the endpoint and whether a secret is set, never the secret."""
    from django.core.exceptions import ValidationError
    from django.core.validators import URLValidator

    endpoint = (endpoint or "").strip()
    if endpoint:
        try:
            URLValidator(schemes=["http", "https"])(endpoint)
        except ValidationError:
            raise ApplicationError(
                {"endpoint": gettext("The endpoint is a full http:// or https:// URL.")}
            ) from None
        if len(endpoint) > 500:
            raise ApplicationError({"endpoint": gettext("The endpoint URL may be at most 500 characters.")})
    if secret is not None:
        secret = secret.strip()
        if secret and not 16 <= len(secret) <= 200:
            raise ApplicationError(
                {"secret": gettext("The signing secret is 16 to 200 characters (or empty to remove it).")}
            )
    locked = Store.objects.select_for_update().get(pk=store.pk)
    before = {"endpoint": locked.marketplace_endpoint, "signed": bool(locked.marketplace_secret)}
    locked.marketplace_endpoint = endpoint
    if secret is not None:
        locked.marketplace_secret = secret
    locked.save(update_fields=["marketplace_endpoint", "marketplace_secret"])
    after = {"endpoint": locked.marketplace_endpoint, "signed": bool(locked.marketplace_secret)}
    secret_changed = secret is not None and bool(secret or before["signed"])
    if before != after or secret_changed:
        audit_log(
            store=locked,
            kind=AuditKind.MARKETPLACE_ENDPOINT_CHANGED,
            subject=locked,
            actor=acting_user,
            details={"before": before, "after": after, "secret_changed": secret_changed},
        )
    store.marketplace_endpoint, store.marketplace_secret = (
        locked.marketplace_endpoint,
        locked.marketplace_secret,
    )
    return locked


@transaction.atomic
def store_rotate_integration_token(*, store: Store, acting_user=None) -> str:
    """A new integration token for the store; the old one stops working at once."""
    token = new_integration_token()
    store.integration_token_hash = hash_token(token)
    store.save(update_fields=["integration_token_hash"])
    audit_log(store=store, kind=AuditKind.INTEGRATION_TOKEN_ROTATED, subject=store, actor=acting_user)
    return token


@transaction.atomic
def store_revoke_integration_token(*, store: Store, acting_user=None) -> None:
    """The store's integration token stops working at once and no new one is issued (until a rotation)."""
    # Nothing hashes to this value: hashes are 64 hex digits, this is not.
    store.integration_token_hash = "revoked:" + new_integration_token()[4:40]
    store.save(update_fields=["integration_token_hash"])
    audit_log(store=store, kind=AuditKind.INTEGRATION_TOKEN_REVOKED, subject=store, actor=acting_user)


def api_token_issue(*, user) -> tuple[str, ApiToken]:
    """A new seller API token for ``user``: (the token, shown once; its row, which keeps only a hash)."""
    from django.conf import settings

    raw = new_api_token()
    token = ApiToken.objects.create(
        user=user,
        key_hash=hash_token(raw),
        password_fingerprint=password_fingerprint(user),
        expires_at=timezone.now() + timedelta(hours=settings.SELLER_DESK["API_TOKEN_TTL_HOURS"]),
    )
    # Expired tokens of this user are of no use to anyone.
    ApiToken.objects.filter(user=user, expires_at__lte=timezone.now()).delete()
    return raw, token


def api_token_revoke(*, token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk).delete()


@transaction.atomic
def member_add(*, store: Store, username: str, password: str, role: str) -> Membership:
    """Create or update a user and make them a member of ``store`` with ``role``."""
    if role not in MemberRole.values:
        raise ApplicationError(
            {"role": gettext("Role must be one of %(value)s.") % {"value": ", ".join(MemberRole.values)}}
        )
    if len(password) < 8:
        raise ApplicationError({"password": gettext("Passwords have at least 8 characters.")})
    user, _ = User.objects.get_or_create(username=username)
    user.set_password(password)
    user.is_active = True
    user.save()
    membership, _ = Membership.objects.update_or_create(user=user, defaults={"store": store, "role": role})
    audit_log(
        store=store,
        kind=AuditKind.MEMBER_ADDED,
        subject=membership,
        details={"username": username, "role": role, "by": "bootstrap command"},
    )
    return membership


def platform_admin_create(*, username: str, password: str):
    """A platform admin edits the banned-word list and the official scenarios (Django admin and desk pages)."""
    if len(password) < 8:
        raise ApplicationError({"password": gettext("Passwords have at least 8 characters.")})
    user, _ = User.objects.get_or_create(username=username)
    user.set_password(password)
    user.is_staff = True
    user.is_superuser = True
    user.save()
    return user


BUYER_FIELDS = ("name", "country", "locale")


def _buyer_upsert_many(*, store: Store, buyers: list[dict]) -> dict[str, Buyer]:
    """Upsert buyers by marketplace id: one query when they are all known and unchanged, at most four otherwise;
    returns external_id -> Buyer."""
    by_id: dict[str, dict] = {}
    for b in buyers:
        by_id[b["buyer_id"]] = b
    existing = {b.external_id: b for b in Buyer.objects.filter(store=store, external_id__in=list(by_id))}
    to_create, to_update = [], []
    for external_id, data in by_id.items():
        fields = _buyer_fields(data)
        buyer = existing.get(external_id)
        if buyer is None:
            to_create.append(Buyer(store=store, external_id=external_id, **fields))
        elif any(getattr(buyer, k) != v for k, v in fields.items()):
            for k, v in fields.items():
                setattr(buyer, k, v)
            to_update.append(buyer)
    if to_update:
        Buyer.objects.bulk_update(to_update, ["name", "country", "locale"])
    if not to_create:
        return existing
    Buyer.objects.bulk_create(to_create, ignore_conflicts=True)
    return {b.external_id: b for b in Buyer.objects.filter(store=store, external_id__in=list(by_id))}


def buyer_upsert(*, store: Store, buyer: dict, known: Buyer | None = None) -> Buyer:
    """One buyer by marketplace id. ``known``: the stored row, when the caller read it already (ingress reads it with
    the buyer's conversation): then no query when nothing changed, one update otherwise. Without it one statement
    on PostgreSQL (``buyer_upsert_one``), the batch upsert's reads and insert elsewhere."""
    if known is not None:
        fields = _buyer_fields(buyer)
        if any(getattr(known, k) != v for k, v in fields.items()):
            for k, v in fields.items():
                setattr(known, k, v)
            known.save(update_fields=list(fields))
        return known
    if connection.vendor == "postgresql":
        return buyer_upsert_one(store=store, external_id=buyer["buyer_id"], fields=_buyer_fields(buyer))
    return _buyer_upsert_many(store=store, buyers=[buyer])[buyer["buyer_id"]]


def _buyer_fields(data: dict) -> dict[str, str]:
    # Only the fields the marketplace sent: one it left out keeps its stored value (issue 9, point 8).
    fields = {key: data[key] or "" for key in BUYER_FIELDS if key in data}
    if "country" in fields:
        fields["country"] = fields["country"].upper()
    return fields


ORDER_FIELDS = (
    "status",
    "placed_at",
    "shipped_at",
    "delivered_at",
    "protection_ends_at",
    "amount",
    "currency",
    "overseas_warehouse",
    "coupon_code",
)


@transaction.atomic
def orders_upsert(*, store: Store, orders: list[dict]) -> tuple[dict[str, int], list[Order]]:
    """Upsert a validated batch of orders with their buyers; all or nothing.

    Returns the counts and the orders that carry a ``coupon_code`` (the caller records the redemptions).
    """
    buyers = _buyer_upsert_many(store=store, buyers=[o["buyer"] for o in orders])
    ids = [o["order_id"] for o in orders]
    existing = {o.external_id: o for o in Order.objects.filter(store=store, external_id__in=ids)}
    to_create, to_update, seen = [], [], set()
    for data in orders:
        if data["order_id"] in seen:
            continue
        seen.add(data["order_id"])
        # Only the fields the marketplace sent: one it left out keeps its stored value (issue 9, point 8).
        values = {f: data[f] for f in ORDER_FIELDS if f in data}
        if "coupon_code" in values:
            values["coupon_code"] = values["coupon_code"] or ""
        if "overseas_warehouse" in values:
            values["overseas_warehouse"] = bool(values["overseas_warehouse"])
        values["currency"] = values["currency"].upper()
        buyer = buyers[data["buyer"]["buyer_id"]]
        order = existing.get(data["order_id"])
        if order is None:
            to_create.append(Order(store=store, buyer=buyer, external_id=data["order_id"], **values))
        else:
            order.buyer = buyer
            for k, v in values.items():
                setattr(order, k, v)
            to_update.append(order)
    try:
        Order.objects.bulk_create(to_create)
    except IntegrityError as exc:
        raise ApplicationError(
            {"orders": gettext("Another request created one of these orders at the same time; retry.")}
        ) from exc
    if to_update:
        Order.objects.bulk_update(to_update, ["buyer", *ORDER_FIELDS])
    with_coupon = [o for o in [*to_create, *to_update] if o.coupon_code]
    return {"created": len(to_create), "updated": len(to_update)}, with_coupon


def protection_limits() -> tuple[int, int]:
    """Days one extension may add, and all extensions of an order together (settings, R23)."""
    return (
        settings.SELLER_DESK["PROTECTION_EXTENSION_MAX_DAYS"],
        settings.SELLER_DESK["PROTECTION_EXTENSION_TOTAL_MAX_DAYS"],
    )


def dispute_window_check(*, order: Order, opened_at: datetime, refund_amount: Decimal) -> None:
    """R22: a dispute can be opened from 6 days after shipment until buyer protection ends, for at most the
    order's amount."""
    if order.shipped_at is None:
        raise ApplicationError(
            {"opened_at": gettext("A dispute can only be opened once the order has shipped.")}
        )
    window_opens = order.shipped_at + Dispute.OPENS_AFTER_SHIPMENT
    if opened_at < window_opens:
        raise ApplicationError(
            {
                "opened_at": gettext(
                    "A dispute can be opened from 6 days after shipment, i.e. from %(value)s."
                )
                % {"value": window_opens.isoformat()}
            }
        )
    if order.protection_ends_at is not None and opened_at > order.protection_ends_at:
        raise ApplicationError(
            {
                "opened_at": gettext("Buyer protection ended at %(value)s; no dispute after that.")
                % {"value": order.protection_ends_at.isoformat()}
            }
        )
    if refund_amount > order.amount:
        raise ApplicationError(
            {
                "refund_amount": gettext("The refund asked exceeds the order amount (%(amount)s).")
                % {"amount": order.amount}
            }
        )


def dispute_deadline_sync(*, dispute_ids) -> None:
    """Copy the disputes' escalation deadlines onto their conversations while active, else clear them
    (``Conversation.dispute_escalates_at``, the needs-reply queue's first sort key). One ``UPDATE``; every service that
    opens a dispute or changes its status calls it. The conversations app sits above this one, so its table is
    reached through the dispute's relation instead of an import."""
    conversations = Dispute._meta.get_field("conversation").related_model.objects
    deadline = Dispute.objects.filter(conversation_id=OuterRef("pk"), status__in=DISPUTE_ACTIVE_STATUSES)
    conversations.filter(dispute__in=list(dispute_ids)).update(
        dispute_escalates_at=Subquery(deadline.values("escalates_at")[:1])
    )


@transaction.atomic
def disputes_escalate_due(*, now: datetime | None = None) -> int:
    """Disputes without agreement 15 days after opening go to the platform (R22), each with an audit event.
    Safe to run twice and from two workers at once: a dispute is claimed by a locked, skipped-if-taken read."""
    now = now or timezone.now()
    due = list(
        Dispute.objects.select_for_update(skip_locked=True)
        .filter(status__in=DISPUTE_ACTIVE_STATUSES, escalates_at__lte=now)
        .select_related("order")
    )
    for dispute in due:
        dispute.status = DisputeStatus.ESCALATED
        dispute.escalated_at = now
    Dispute.objects.bulk_update(due, ["status", "escalated_at"])
    if due:
        dispute_deadline_sync(dispute_ids=[d.pk for d in due])
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                store_id=d.store_id,
                kind=AuditKind.DISPUTE_ESCALATED,
                subject_type="order",
                subject_id=str(d.order_id),
                subject_label=str(d.order),
                details={"dispute_id": d.external_id, "escalates_at": d.escalates_at.isoformat()},
            )
            for d in due
        ]
    )
    return len(due)


def protection_extend_check(*, order: Order, days, now: datetime | None = None) -> None:
    """Why ``order``'s protection can't be extended by ``days`` now (ApplicationError on ``days``), else nothing.

    Also what the order panel asks before it shows the button (``days=None``: only the order's state)."""
    now = now or timezone.now()
    per_extension, total = protection_limits()
    if order.status in (OrderStatus.COMPLETED, OrderStatus.CANCELLED):
        raise ApplicationError(
            {
                "days": gettext("The order is %(value)s; protection can't be extended.")
                % {"value": order.get_status_display().lower()}
            }
        )
    if order.protection_ends_at is None:
        raise ApplicationError({"days": gettext("This order has no buyer-protection end date to extend.")})
    if order.protection_ends_at < now:
        raise ApplicationError(
            {
                "days": gettext(
                    "Buyer protection ended on %(protection_ends_at)s; an ended protection can't be extended (the buyer can still write, or open a dispute while the platform allows it)."
                )
                % {
                    "protection_ends_at": formats.date_format(
                        timezone.localtime(order.protection_ends_at), "DATE_FORMAT"
                    )
                }
            }
        )
    left = total - order.protection_extended_days
    if left <= 0:
        raise ApplicationError(
            {
                "days": gettext(
                    "This order's protection has been extended by %(total)s days already, the most allowed."
                )
                % {"total": total}
            }
        )
    if days is None:
        return
    if not isinstance(days, int) or isinstance(days, bool) or days < 1 or days > per_extension:
        raise ApplicationError(
            {
                "days": gettext("Extend by 1 to %(per_extension)s days at a time.")
                % {"per_extension": per_extension}
            }
        )
    if days > left:
        raise ApplicationError(
            {
                "days": gettext(
                    "At most %(total)s days in total per order: %(protection_extended_days)s already added, so %(left)s more at most."
                )
                % {"total": total, "protection_extended_days": order.protection_extended_days, "left": left}
            }
        )


@transaction.atomic
def protection_extend(*, store: Store, order: Order, days: int, acting_user, reason: str = "") -> Order:
    """Extend the buyer-protection (delivery guarantee) period of an order (R23), within the limits per
    extension and per order; one ``ProtectionExtension`` row and one audit event.

    The total is held by a conditional UPDATE (``protection_extended_days + days <= total``), so two agents
    extending at once can't pass the limit together. ``extension.order`` is the updated order."""
    reason = " ".join((reason or "").split())
    if len(reason) > 300:
        raise ApplicationError(
            {
                "reason": gettext("Keep the reason to 300 characters (this one has %(value)s).")
                % {"value": len(reason)}
            }
        )
    order = Order.objects.select_for_update().get(pk=order.pk, store=store)
    protection_extend_check(order=order, days=days)
    _, total = protection_limits()
    previous = order.protection_ends_at
    updated = Order.objects.filter(
        pk=order.pk, protection_extended_days__lte=total - days, protection_ends_at=previous
    ).update(
        protection_ends_at=previous + timedelta(days=days),
        protection_extended_days=models.F("protection_extended_days") + days,
        updated_at=timezone.now(),
    )
    if not updated:
        raise ApplicationError(
            {"days": gettext("Someone extended this order at the same moment; reload and try again.")}
        )
    order.refresh_from_db()
    extension = ProtectionExtension.objects.create(
        store=store,
        order=order,
        days=days,
        reason=reason,
        ends_before=previous,
        ends_after=order.protection_ends_at,
        actor=actor_or_none(acting_user),
    )
    audit_log(
        store=store,
        kind=AuditKind.PROTECTION_EXTENDED,
        subject=order,
        actor=acting_user,
        details={
            "days": days,
            "reason": reason,
            "from": previous.isoformat(),
            "to": order.protection_ends_at.isoformat(),
            "extension_id": extension.pk,
        },
    )
    order.last_extension = extension
    return order


@transaction.atomic
def member_invite(*, store: Store, acting_user, username: str, password: str, role: str) -> Membership:
    """An owner adds a new person to the store. Unlike ``member_add`` (the bootstrap command), an existing
    username is refused: an owner must never move another store's user into their own."""
    username = (username or "").strip()
    errors: dict[str, str] = {}
    if not username:
        errors["username"] = gettext("Give the new member a username.")
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = gettext("The username '%(username)s' is taken; choose another.") % {
            "username": username
        }
    if role not in MemberRole.values:
        errors["role"] = gettext("Role must be one of %(value)s.") % {"value": ", ".join(MemberRole.values)}
    if len(password or "") < 8:
        errors["password"] = gettext("Passwords have at least 8 characters.")
    if errors:
        raise ApplicationError(errors)
    user = User.objects.create_user(username=username, password=password)
    membership = Membership.objects.create(user=user, store=store, role=role)
    audit_log(
        store=store,
        kind=AuditKind.MEMBER_ADDED,
        subject=membership,
        actor=acting_user,
        details={"username": username, "role": role},
    )
    return membership


def _other_owner_exists(store: Store, membership: Membership) -> bool:
    return (
        Membership.objects.filter(store=store, role=MemberRole.OWNER, user__is_active=True)
        .exclude(pk=membership.pk)
        .exists()
    )


@transaction.atomic
def member_role_change(*, store: Store, acting_user, membership_id: int, role: str) -> Membership:
    """Make a member owner or agent; a store always keeps at least one owner."""
    if role not in MemberRole.values:
        raise ApplicationError(
            {"role": gettext("Role must be one of %(value)s.") % {"value": ", ".join(MemberRole.values)}}
        )
    membership = Membership.objects.select_for_update().get(store=store, pk=membership_id)
    if (
        membership.role == MemberRole.OWNER
        and role != MemberRole.OWNER
        and not _other_owner_exists(store, membership)
    ):
        raise ApplicationError(
            {"role": gettext("A store needs at least one owner; make someone else owner first.")}
        )
    if membership.role != role:
        previous = membership.role
        membership.role = role
        membership.save(update_fields=["role"])
        audit_log(
            store=store,
            kind=AuditKind.MEMBER_ROLE_CHANGED,
            subject=membership,
            actor=acting_user,
            details={"username": membership.user.username, "from": previous, "to": role},
        )
    return membership


@transaction.atomic
def member_remove(*, store: Store, acting_user, membership_id: int) -> None:
    """Take a member off the store: their account is deactivated (history keeps their name), never yourself."""
    membership = (
        Membership.objects.select_for_update().select_related("user").get(store=store, pk=membership_id)
    )
    if membership.user_id == acting_user.pk:
        raise ApplicationError({"member": gettext("You can't remove yourself; ask another owner.")})
    if membership.role == MemberRole.OWNER and not _other_owner_exists(store, membership):
        raise ApplicationError({"member": gettext("A store needs at least one owner.")})
    membership.user.is_active = False
    membership.user.save(update_fields=["is_active"])
    ApiToken.objects.filter(user=membership.user).delete()
    audit_log(
        store=store,
        kind=AuditKind.MEMBER_REMOVED,
        subject=membership,
        actor=acting_user,
        details={"username": membership.user.username, "role": membership.role},
    )
    membership.delete()


@transaction.atomic
def profile_update(*, user, language: str | None = None, tz_name: str | None = None) -> UserProfile:
    """A user's own interface language (``""``: follow the browser) and display zone (``""``: the store's)."""
    errors: dict[str, str] = {}
    if language is not None and language and language not in dict(settings.LANGUAGES):
        errors["language"] = gettext("Choose one of the desk's languages: English or 简体中文.")
    if tz_name is not None and tz_name:
        try:
            ZoneInfo(tz_name)
        except (ZoneInfoNotFoundError, ValueError):
            errors["timezone"] = gettext("'%(zone)s' is not a time zone; pick one from the list.") % {
                "zone": tz_name
            }
    if errors:
        raise ApplicationError(errors)
    profile, _ = UserProfile.objects.select_for_update().get_or_create(user=user)
    fields = []
    if language is not None and profile.language != language:
        profile.language = language
        fields.append("language")
    if tz_name is not None and profile.timezone != tz_name:
        profile.timezone = tz_name
        fields.append("timezone")
    if fields:
        profile.save(update_fields=fields)
    return profile


@transaction.atomic
def member_password_reset(*, store: Store, acting_user, membership_id: int, password: str) -> Membership:
    """The owner sets a new password for a member of their store; the member's API tokens stop working."""
    membership = (
        Membership.objects.select_for_update().select_related("user").get(store=store, pk=membership_id)
    )
    if len(password or "") < 8:
        raise ApplicationError({"password": gettext("Passwords have at least 8 characters.")})
    membership.user.set_password(password)
    membership.user.save(update_fields=["password"])
    ApiToken.objects.filter(user=membership.user).delete()
    audit_log(
        store=store,
        kind=AuditKind.MEMBER_PASSWORD_RESET,
        subject=membership,
        actor=acting_user,
        details={"username": membership.user.username},
    )
    return membership
