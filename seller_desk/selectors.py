"""Reads for the tenancy core; every read is scoped to a store."""

import functools
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from .models import AuditEvent, Buyer, Order, Store
from .prepared import PreparedRead


def order_get(*, store: Store, external_id: str) -> Order:
    return get_object_or_404(Order.objects.select_related("buyer"), store=store, external_id=external_id)


def buyer_get(*, store: Store, external_id: str) -> Buyer:
    return get_object_or_404(Buyer, store=store, external_id=external_id)


@functools.cache
def model_columns(model, prefix: str = "") -> tuple[str, ...]:
    """The ``.values()`` names of ``model``'s columns, reached through ``prefix`` (``"user__"``); worked out once."""
    return tuple(prefix + f.attname for f in model._meta.concrete_fields)


def model_from_row(model, row: dict, prefix: str = ""):
    """The ``model`` instance whose columns a ``PreparedRead`` row holds under ``prefix``, as the ORM would have
    built it (``from_db``); None when a left join found no row (its primary key is empty)."""
    if row[prefix + model._meta.pk.attname] is None:
        return None
    names = model_columns(model)
    return model.from_db(DEFAULT_DB_ALIAS, names, [row[prefix + name] for name in names])


@functools.cache
def _store_read(related: tuple[str, ...]) -> PreparedRead:
    paths = [(Store, "")] + [(Store._meta.get_field(name).related_model, f"{name}__") for name in related]
    return PreparedRead(
        lambda token_hash: Store.objects.filter(integration_token_hash=token_hash).values(
            *[column for model, prefix in paths for column in model_columns(model, prefix)]
        ),
        str,
    )


def store_for_integration_token(*, token_hash: str, related: tuple[str, ...] = ()) -> Store | None:
    """The store of an integration token, with the one-to-one rows ``related`` read in the same query and marked
    as read now (``store_related_read``). Every ingress request asks it: the query is compiled once per process
    and per ``related`` (``PreparedRead``), and the rows are cached on the store as ``select_related`` would."""
    rows = _store_read(tuple(related))(token_hash)
    if not rows:
        return None
    store = model_from_row(Store, rows[0])
    for name in related:
        relation = Store._meta.get_field(name)  # the reverse one-to-one
        row = model_from_row(relation.related_model, rows[0], f"{name}__")
        relation.set_cached_value(store, row)  # None: ``store.<name>`` raises DoesNotExist, as select_related
        if row is not None:
            relation.field.set_cached_value(row, store)
    store._related_read = frozenset(related)
    return store


def store_related_read(store: Store, name: str) -> tuple[bool, object]:
    """``(True, row or None)`` when this request read ``store`` together with its one-to-one ``name`` (ingress:
    the auto-reply and inbox settings); ``(False, None)`` otherwise, and the caller asks the database. A relation
    Django merely cached on the instance earlier (a settings row created through it) does not count: it may be
    stale."""
    if name not in getattr(store, "_related_read", ()):
        return False, None
    return True, getattr(store, name, None)  # None: the store has no such row


def store_local_date(store: Store, when=None) -> date:
    """The store-local calendar date of ``when`` (default: now): "today" is always the store's day."""
    when = when or timezone.now()
    return when.astimezone(ZoneInfo(store.timezone)).date()


def day_start(day: date, tz: ZoneInfo) -> datetime:
    """The aware instant ``day`` begins in ``tz`` (DST-safe: local midnight)."""
    return datetime.combine(day, time.min, tzinfo=tz)


def store_day_start(store: Store, day: date) -> datetime:
    """The aware instant the store-local ``day`` begins."""
    return day_start(day, ZoneInfo(store.timezone))


def reply_due_within() -> timedelta:
    """The response-rate target (R20): a buyer message is answered in time within this (24 hours)."""
    from django.conf import settings

    return timedelta(hours=settings.SELLER_DESK["REPLY_DUE_HOURS"])


def dispute_list(*, store: Store, status: str | None = None):
    from .models import Dispute

    qs = (
        Dispute.objects.filter(store=store)
        .select_related("order", "order__buyer")
        .order_by("escalates_at", "id")
    )
    if status:
        qs = qs.filter(status=status)
    return qs


def dispute_get(*, store: Store, dispute_id: int):
    from .models import Dispute

    return get_object_or_404(
        Dispute.objects.select_related("order", "conversation"), store=store, pk=dispute_id
    )


def member_list(*, store: Store):
    from .models import Membership

    return (
        Membership.objects.filter(store=store, user__is_active=True)
        .select_related("user")
        .order_by("role", "user__username")
    )


def member_get(*, store: Store, membership_id: int):
    from .models import Membership

    return get_object_or_404(Membership.objects.select_related("user"), store=store, pk=membership_id)


def audit_events_for(*, store_id: int, subject) -> QuerySet[AuditEvent]:
    """The audit events about one row of a store (a coupon, a campaign, an order), newest first."""
    return (
        AuditEvent.objects.filter(
            store_id=store_id, subject_type=subject._meta.model_name, subject_id=str(subject.pk)
        )
        .select_related("actor")
        .order_by("-created_at", "-id")
    )


AUDIT_PAGE_SIZE = 50


def audit_event_list(
    *,
    store: Store,
    kind: str | None = None,
    kind_group: str | None = None,
    actor_id: int | None = None,
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[AuditEvent]:
    """The store's audit log, newest first, with the platform-wide changes (banned words, official scenarios)
    that decide what its agents may send. ``kind_group`` is the part before the dot (``campaign``);
    ``since``/``until`` are store-local dates, both included."""
    events = AuditEvent.objects.filter(Q(store=store) | Q(store__isnull=True)).select_related("actor")
    if kind:
        events = events.filter(kind=kind)
    elif kind_group:
        events = events.filter(kind__startswith=f"{kind_group}.")
    if actor_id:
        events = events.filter(actor_id=actor_id)
    if since:
        events = events.filter(created_at__gte=store_day_start(store, since))
    if until:
        events = events.filter(created_at__lt=store_day_start(store, until + timedelta(days=1)))
    return events.order_by("-created_at", "-id")


def audit_actors(*, store: Store):
    """People who appear in the store's audit log, for the actor filter."""
    from django.contrib.auth import get_user_model

    ids = AuditEvent.objects.filter(store=store, actor__isnull=False).values("actor_id").distinct()
    return get_user_model().objects.filter(pk__in=ids).order_by("username")
