"""Writes for the tenancy core and the marketplace's facts (buyers, orders)."""

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from .errors import ApplicationError
from .models import Buyer, MemberRole, Membership, Order, Store, StoreTier, hash_token, new_integration_token

User = get_user_model()


@dataclass(frozen=True)
class CreatedStore:
    store: Store
    integration_token: str


def store_create(
    *, name: str, tier: str, timezone: str | None = None, resume_shipping_date: date | None = None
) -> CreatedStore:
    """Create a store; the plain integration token is returned once and only its hash is kept."""
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "A store needs a name."
    if tier not in StoreTier.values:
        errors["tier"] = f"Tier must be one of {', '.join(StoreTier.values)}."
    if timezone:
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            errors["timezone"] = f"'{timezone}' is not an IANA time zone (e.g. America/Los_Angeles)."
    if errors:
        raise ApplicationError(errors)
    base = slugify(name)[:60] or "store"
    slug, n = base, 1
    while Store.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    token = new_integration_token()
    fields = {"name": name.strip(), "slug": slug, "tier": tier, "integration_token_hash": hash_token(token)}
    if timezone:
        fields["timezone"] = timezone
    if resume_shipping_date:
        fields["resume_shipping_date"] = resume_shipping_date
    store = Store.objects.create(**fields)
    return CreatedStore(store=store, integration_token=token)


def store_rotate_integration_token(*, store: Store) -> str:
    token = new_integration_token()
    store.integration_token_hash = hash_token(token)
    store.save(update_fields=["integration_token_hash"])
    return token


@transaction.atomic
def member_add(*, store: Store, username: str, password: str, role: str) -> Membership:
    """Create or update a user and make them a member of ``store`` with ``role``."""
    if role not in MemberRole.values:
        raise ApplicationError({"role": f"Role must be one of {', '.join(MemberRole.values)}."})
    if len(password) < 8:
        raise ApplicationError({"password": "Passwords have at least 8 characters."})
    user, _ = User.objects.get_or_create(username=username)
    user.set_password(password)
    user.is_active = True
    user.save()
    membership, _ = Membership.objects.update_or_create(user=user, defaults={"store": store, "role": role})
    return membership


def platform_admin_create(*, username: str, password: str):
    """A platform admin edits the banned-word list and the official scenarios (Django admin and desk pages)."""
    if len(password) < 8:
        raise ApplicationError({"password": "Passwords have at least 8 characters."})
    user, _ = User.objects.get_or_create(username=username)
    user.set_password(password)
    user.is_staff = True
    user.is_superuser = True
    user.save()
    return user


def _buyer_upsert_many(*, store: Store, buyers: list[dict]) -> dict[str, Buyer]:
    """Upsert buyers by marketplace id in two queries; returns external_id -> Buyer."""
    by_id: dict[str, dict] = {}
    for b in buyers:
        by_id[b["buyer_id"]] = b
    existing = {b.external_id: b for b in Buyer.objects.filter(store=store, external_id__in=list(by_id))}
    to_create, to_update = [], []
    for external_id, data in by_id.items():
        fields = {
            "name": data.get("name") or "",
            "country": (data.get("country") or "").upper(),
            "locale": data.get("locale") or "",
        }
        buyer = existing.get(external_id)
        if buyer is None:
            to_create.append(Buyer(store=store, external_id=external_id, **fields))
        elif any(getattr(buyer, k) != v for k, v in fields.items()):
            for k, v in fields.items():
                setattr(buyer, k, v)
            to_update.append(buyer)
    if to_create:
        Buyer.objects.bulk_create(to_create, ignore_conflicts=True)
    if to_update:
        Buyer.objects.bulk_update(to_update, ["name", "country", "locale"])
    return {b.external_id: b for b in Buyer.objects.filter(store=store, external_id__in=list(by_id))}


def buyer_upsert(*, store: Store, buyer: dict) -> Buyer:
    return _buyer_upsert_many(store=store, buyers=[buyer])[buyer["buyer_id"]]


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
def orders_upsert(*, store: Store, orders: list[dict]) -> dict[str, int]:
    """Upsert a validated batch of orders with their buyers; all or nothing.

    Orders carrying a ``coupon_code`` of one of the store's coupons record a redemption.
    """
    from coupons.services import coupon_redemptions_record

    buyers = _buyer_upsert_many(store=store, buyers=[o["buyer"] for o in orders])
    ids = [o["order_id"] for o in orders]
    existing = {o.external_id: o for o in Order.objects.filter(store=store, external_id__in=ids)}
    to_create, to_update, seen = [], [], set()
    for data in orders:
        if data["order_id"] in seen:
            continue
        seen.add(data["order_id"])
        values = {f: data.get(f) for f in ORDER_FIELDS}
        values["coupon_code"] = values["coupon_code"] or ""
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
            {"orders": "Another request created one of these orders at the same time; retry."}
        ) from exc
    if to_update:
        Order.objects.bulk_update(to_update, ["buyer", *ORDER_FIELDS])
    with_coupon = [o for o in [*to_create, *to_update] if o.coupon_code]
    if with_coupon:
        coupon_redemptions_record(store=store, orders=with_coupon)
    return {"created": len(to_create), "updated": len(to_update)}
