"""Small builders for test data; every row belongs to a store."""

import io
import itertools
from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from conversations.models import Channel
from marketplace.services import message_ingest
from seller_desk.models import Buyer, Order, OrderStatus, Store
from seller_desk.services import api_token_issue, member_add, store_create

_seq = itertools.count(1)


def make_store(*, name: str | None = None, tier: str = "advanced", **kwargs) -> Store:
    # Test stores are demo stores (the buyer simulator drives many tests); pass is_demo=False for a real one.
    kwargs.setdefault("is_demo", True)
    created = store_create(name=name or f"Store {next(_seq)}", tier=tier, **kwargs)
    created.store.integration_token = created.integration_token
    return created.store


def make_api_token(user) -> str:
    """A seller API token for ``user`` (the raw value; the desk keeps only its hash)."""
    return api_token_issue(user=user)[0]


def make_member(
    store: Store, *, role: str = "agent", username: str | None = None, password: str = "pass-word-1"
):
    membership = member_add(
        store=store, username=username or f"user{next(_seq)}", password=password, role=role
    )
    return membership.user


def make_buyer(
    store: Store, *, name: str = "Ivan Petrov", country: str = "RU", locale: str = "ru_RU"
) -> Buyer:
    return Buyer.objects.create(
        store=store, external_id=f"B{next(_seq)}", name=name, country=country, locale=locale
    )


def make_order(
    store: Store,
    buyer: Buyer | None = None,
    *,
    status: str = OrderStatus.IN_TRANSIT,
    days_ago: int = 10,
    **kwargs,
) -> Order:
    buyer = buyer or make_buyer(store)
    placed = timezone.now() - timedelta(days=days_ago)
    fields = {
        "placed_at": placed,
        "shipped_at": placed + timedelta(days=2)
        if status in ("in_transit", "delivered", "completed")
        else None,
        "protection_ends_at": placed + timedelta(days=60),
        "amount": Decimal("25.00"),
        "currency": "USD",
    }
    fields.update(kwargs)
    return Order.objects.create(
        store=store, buyer=buyer, external_id=f"O{next(_seq)}", status=status, **fields
    )


def buyer_payload(buyer: Buyer) -> dict:
    return {
        "buyer_id": buyer.external_id,
        "name": buyer.name,
        "country": buyer.country,
        "locale": buyer.locale,
    }


def make_inbound(
    store: Store,
    *,
    buyer: Buyer | None = None,
    order: Order | None = None,
    text: str = "Where is my order?",
    channel: str = Channel.MESSAGE,
    sent_at=None,
    message_id: str | None = None,
):
    buyer = buyer or (order.buyer if order else make_buyer(store))
    return message_ingest(
        store=store,
        message_id=message_id or f"M{next(_seq)}",
        buyer=buyer_payload(buyer),
        order_id=order.external_id if order else None,
        channel=channel,
        text=text,
        sent_at=sent_at or timezone.now(),
    )


def picture_bytes(fmt: str = "PNG", size=(8, 8)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 80, 20)).save(buf, format=fmt)
    return buf.getvalue()


def picture_upload(
    name: str = "photo.png", fmt: str = "PNG", content: bytes | None = None
) -> SimpleUploadedFile:
    data = content if content is not None else picture_bytes(fmt)
    return SimpleUploadedFile(name, data, content_type="image/png" if fmt == "PNG" else "image/jpeg")


def events_of(subject):
    """The audit events about one row (a coupon, a campaign, an order), oldest first."""
    from seller_desk.models import AuditEvent

    return AuditEvent.objects.filter(
        subject_type=subject._meta.model_name, subject_id=str(subject.pk)
    ).order_by("created_at", "id")


def with_prepared_text(queries: list[str]) -> list[str]:
    """Captured SQL with each ``EXECUTE`` of a server-side prepared statement (``seller_desk.prepared``) replaced by
    the statement it runs, so a test can read what was asked."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return queries
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, statement FROM pg_prepared_statements")
        texts = {name: statement.split(" AS ", 1)[1] for name, statement in cursor.fetchall()}
    return [texts[sql.split()[1].split("(")[0]] if sql.startswith("EXECUTE sd_") else sql for sql in queries]
