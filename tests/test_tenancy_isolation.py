"""Tenancy isolation, generated from the URL conf.

Every route that takes a path parameter is found by walking ``get_resolver()``. For each one a
store-B object is built (``REGISTRY`` maps parameter names to builders), and store A's owner asks
for it: pages with a session, ``/api/v1/`` with ``Authorization: Token``, ``/api/v1/ingress/`` with
store A's integration token. The answer must be 404 — never 200 and never 403, which would confirm
that the object exists (405 is allowed: a method the route does not take says nothing about the id).
A positive control asks for store A's own object with the same requests and must not get 404,
so the test cannot pass by accident.

A new route whose parameter name is not in ``REGISTRY`` (and is not excluded with a reason) makes
``test_every_parameterised_route_is_registered_or_excluded`` fail: extend the registry.
"""

import itertools
import re
import uuid
from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal
from functools import cached_property

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import IntegrityError, models, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern
from django.utils import timezone
from rest_framework.test import APIClient

from seller_desk.models import Buyer, Order, Store
from tests.factories import make_api_token, make_buyer, make_inbound, make_member, make_order, make_store

pytestmark = pytest.mark.django_db

# Routes outside tenancy, with the reason. Matched against the full route (re.search).
EXCLUDED_ROUTES = {
    r"^admin/": "Django admin: platform staff only; not a store-scoped surface",
    r"^media/": "pictures are served only under signed URLs (tests/test_security_review.py); no store id in the URL",
    r"^static/": "static assets",
    r"^api/schema/|^api/docs/": "the OpenAPI schema and its UI",
    r"(^|/)banned-words/": "banned words are one platform-wide list edited by platform admins; no store owns a row",
}

# Parameter names that only appear under excluded routes (kept here so the registry check can explain them).
PLATFORM_WIDE_PARAMS = {"banned_word_id", "word_id"}

PAGE_METHODS = ("get", "post")
API_METHODS = ("get", "put", "patch", "post", "delete")
ALLOWED_FOR_OTHER_STORE = {404, 405}

_seq = itertools.count(1)


# ----------------------------------------------------------------- walking the URL conf


@dataclass(frozen=True)
class Param:
    name: str
    converter: str


@dataclass(frozen=True)
class Route:
    route: str
    name: str | None
    params: tuple[Param, ...]
    regex: bool

    @property
    def exclusion(self) -> str | None:
        for pattern, reason in EXCLUDED_ROUTES.items():
            if re.search(pattern, self.route):
                return reason
        return None

    @property
    def kind(self) -> str:
        if self.route.startswith("api/v1/ingress/"):
            return "ingress"
        if self.route.startswith("api/"):
            return "api"
        return "page"

    def url(self, values: dict[str, str]) -> str:
        return "/" + _PARAM.sub(lambda m: values[m.group("name")], self.route)


_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def _segment(pattern) -> tuple[str, tuple[Param, ...], bool]:
    """A pattern's text (regex anchors dropped) and its parameters."""
    if isinstance(pattern, RoutePattern):
        text = str(pattern)
        found = tuple(Param(m.group("name"), m.group("converter") or "str") for m in _PARAM.finditer(text))
        return text, found, False
    text = str(pattern).removeprefix("^").removesuffix("$")
    return text, tuple(Param(name, "regex") for name in re.findall(r"\(\?P<(\w+)>", text)), True


def _walk(resolver: URLResolver, prefix: str = "", params: tuple = (), regex: bool = False):
    for entry in resolver.url_patterns:
        text, found, is_regex = _segment(entry.pattern)
        route, all_params, any_regex = prefix + text, params + found, regex or is_regex
        if isinstance(entry, URLResolver):
            yield from _walk(entry, route, all_params, any_regex)
        elif isinstance(entry, URLPattern):
            yield Route(route=route, name=entry.name, params=all_params, regex=any_regex)


def canonical(route: Route, param: Param) -> str:
    """``id``/``pk`` take their meaning from the segment before them: ``coupons/<int:id>`` -> ``coupon_id``."""
    if param.name not in ("id", "pk"):
        return param.name
    before = route.route.split(f"<{param.converter}:{param.name}>")[0].rstrip("/").split("/")[-1]
    singular = before[:-1] if before.endswith("s") else before
    return f"{singular.replace('-', '_')}_id"


ROUTES = [r for r in _walk(get_resolver()) if r.params]
CHECKED_ROUTES = [r for r in ROUTES if r.exclusion is None]


# ----------------------------------------------------------------- one store's objects


class World:
    """One store with its owner and, built on demand, one related object of each kind."""

    def __init__(self, name: str):
        self.store: Store = make_store(name=name, tier="advanced")
        self.owner = make_member(self.store, role="owner", username=f"{name.lower().replace(' ', '-')}-owner")

    @cached_property
    def buyer(self) -> Buyer:
        return make_buyer(self.store, name="Ольга Смирнова", country="RU", locale="ru_RU")

    @cached_property
    def order(self) -> Order:
        return make_order(
            self.store,
            self.buyer,
            status="in_transit",
            days_ago=20,
            protection_ends_at=timezone.now() + timedelta(days=30),
        )

    @cached_property
    def _ingested(self):
        return make_inbound(self.store, order=self.order, text="Где моя посылка? Трек не обновляется.")

    @cached_property
    def conversation(self):
        return self._ingested.conversation

    @cached_property
    def message(self):
        return self._ingested.message

    @cached_property
    def undelivered(self):
        """An outbound reply the marketplace never took (a dead letter)."""
        from conversations.services import reply_send

        message = reply_send(
            conversation=self.conversation, acting_user=self.owner, text="Your parcel left today."
        )
        message.delivery_failed_at = timezone.now()
        message.save(update_fields=["delivery_failed_at"])
        return message

    @cached_property
    def dispute(self):
        from marketplace.services import dispute_open

        dispute, _ = dispute_open(
            store=self.store,
            dispute_id=f"D{next(_seq)}",
            order_id=self.order.external_id,
            opened_at=timezone.now() - timedelta(hours=1),
            reason="Package not received",
            refund_amount=self.order.amount,
            return_goods=False,
            description="Посылка не пришла.",
        )
        return dispute

    @cached_property
    def tag(self):
        """A store tag, on the store's conversation (issue 10)."""
        from conversations.services import conversation_tag_add, tag_create

        tag = tag_create(store=self.store, acting_user=self.owner, name=f"Refund {next(_seq)}")
        conversation_tag_add(conversation=self.conversation, acting_user=self.owner, name=tag.name)
        return tag

    @cached_property
    def coupon(self):
        from coupons.services import coupon_create

        return coupon_create(
            store=self.store,
            acting_user=self.owner,
            values={
                "name_suffix": "Welcome back",
                "denomination": "3",
                "threshold": "20",
                "currency": "USD",
                "quantity": 50,
                "valid_until": timezone.now().date() + timedelta(days=90),
            },
        )

    @cached_property
    def scenario(self):
        from templates_i18n.services import store_template_create

        return store_template_create(
            store=self.store,
            acting_user=self.owner,
            title=f"Holiday delay note {next(_seq)}",
            texts={"en": "Thank you for waiting: holiday shipments leave our warehouse within 3 days."},
        )

    def row_of(self, app_label: str, model_names: tuple[str, ...]):
        """A row of the first of ``model_names`` that exists, for models built by other issues."""
        for model_name in model_names:
            try:
                model = apps.get_model(app_label, model_name)
            except LookupError:
                continue
            return self.autofill(model)
        pytest.fail(
            f"None of {app_label}.{'/'.join(model_names)} exists; give REGISTRY an explicit builder for this parameter."
        )

    def related(self, model, depth: int):
        known = {
            Store: lambda: self.store,
            get_user_model(): lambda: self.owner,
            Buyer: lambda: self.buyer,
            Order: lambda: self.order,
        }
        for cls, build in known.items():
            if issubclass(model, cls):
                return build()
        by_name = {
            "conversations.Conversation": "conversation",
            "conversations.Message": "message",
            "coupons.Coupon": "coupon",
            "templates_i18n.Scenario": "scenario",
            "seller_desk.Dispute": "dispute",
        }
        attr = by_name.get(model._meta.label)
        if attr:
            return getattr(self, attr)
        return self.autofill(model, depth + 1)

    def autofill(self, model, depth: int = 0):
        """Create a row filling every required field: relations from this store, plain values otherwise."""
        if depth > 3:
            pytest.fail(
                f"Building {model._meta.label} needs a deep chain of rows; add an explicit builder to REGISTRY."
            )
        values = {}
        n = next(_seq)
        for f in model._meta.concrete_fields:
            if f.primary_key or f.null or f.has_default() or getattr(f, "auto_now", False):
                continue
            if getattr(f, "auto_now_add", False):
                continue
            if f.is_relation:
                values[f.name] = self.related(f.related_model, depth)
            elif f.choices:
                values[f.name] = f.choices[0][0]
            elif isinstance(f, (models.CharField, models.TextField)):
                if f.blank:
                    continue
                values[f.name] = f"b{n}"[: getattr(f, "max_length", None) or 50]
            elif isinstance(f, models.BooleanField):
                values[f.name] = False
            elif isinstance(f, models.DecimalField):
                values[f.name] = Decimal("1")
            elif isinstance(f, (models.IntegerField, models.FloatField)):
                values[f.name] = 1
            elif isinstance(f, models.DateTimeField):
                values[f.name] = timezone.now()
            elif isinstance(f, models.DateField):
                values[f.name] = date.today() + timedelta(days=1)
            elif isinstance(f, models.TimeField):
                values[f.name] = time(9, 0)
            elif isinstance(f, models.DurationField):
                values[f.name] = timedelta(days=1)
            elif isinstance(f, models.UUIDField):
                values[f.name] = uuid.uuid4()
            elif isinstance(f, models.JSONField):
                values[f.name] = {}
        try:
            with transaction.atomic():
                return model.objects.create(**values)
        except (IntegrityError, ValueError, TypeError) as exc:
            pytest.fail(
                f"Could not build a {model._meta.label} row ({exc}); add an explicit builder to REGISTRY."
            )


# ----------------------------------------------------------------- parameter registry


@dataclass(frozen=True)
class Builder:
    make: object  # World -> model instance
    natural_key: str = "pk"  # attribute used for str/slug parameters (int parameters always use pk)


REGISTRY: dict[str, Builder] = {
    "conversation_id": Builder(lambda w: w.conversation),
    "dispute_conversation_id": Builder(lambda w: w.dispute.conversation),
    "undelivered_id": Builder(lambda w: w.undelivered),
    "message_id": Builder(lambda w: w.message, "external_id"),
    "buyer_id": Builder(lambda w: w.buyer, "external_id"),
    "order_id": Builder(lambda w: w.order, "external_id"),
    "dispute_id": Builder(lambda w: w.dispute, "external_id"),
    "coupon_id": Builder(lambda w: w.coupon),
    "code": Builder(lambda w: w.scenario, "code"),
    "scenario_id": Builder(lambda w: w.scenario),
    "scenario_code": Builder(lambda w: w.scenario, "code"),
    "grant_id": Builder(lambda w: w.row_of("coupons", ("CouponGrant",))),
    "campaign_id": Builder(lambda w: w.row_of("campaigns", ("Campaign",))),
    "group_id": Builder(lambda w: w.row_of("campaigns", ("CustomerGroup", "BuyerGroup", "Group"))),
    "customer_group_id": Builder(lambda w: w.row_of("campaigns", ("CustomerGroup", "BuyerGroup", "Group"))),
    "member_id": Builder(lambda w: make_member(w.store, role="agent").membership),
    "tag_id": Builder(lambda w: w.tag),
    "keyword_id": Builder(lambda w: w.row_of("autoreply", ("Keyword", "AutoReplyKeyword", "KeywordCard"))),
}


def values_for(route: Route, world: World) -> dict[str, str]:
    values = {}
    for param in route.params:
        builder = REGISTRY.get(canonical(route, param))
        if builder is None:
            pytest.fail(f"{route.route}: parameter '{param.name}' has no REGISTRY builder; add one.")
        obj = builder.make(world)
        key = "pk" if param.converter == "int" else builder.natural_key
        values[param.name] = str(getattr(obj, key))
    return values


def unregistered(route: Route) -> list[str]:
    problems = []
    if route.regex:
        problems.append(
            f"{route.route}: a regex route; use path() or add it to EXCLUDED_ROUTES with a reason"
        )
    for param in route.params:
        name = canonical(route, param)
        if name not in REGISTRY:
            hint = " (platform-wide: exclude the route)" if name in PLATFORM_WIDE_PARAMS else ""
            problems.append(f"{route.route}: parameter '{param.name}' ({name}) is not in REGISTRY{hint}")
    return problems


# ----------------------------------------------------------------- the tests


def test_the_url_conf_has_store_scoped_routes_to_check():
    names = {r.name for r in CHECKED_ROUTES}
    assert {
        "inbox-thread",
        "api-conversation",
        "api-conversation-replies",
        "api-ingress-buyer-messages",
        # issue 10, part B
        "api-conversation-notes",
        "inbox-note",
        "inbox-tag-add",
        "inbox-tag-remove",
        "inbox-tag-delete",
        "inbox-buyer-block",
        "inbox-buyer-unblock",
        "inbox-draft",
    } <= names


def test_every_parameterised_route_is_registered_or_excluded():
    problems = [p for r in CHECKED_ROUTES for p in unregistered(r)]
    assert problems == []


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _client_for(route: Route, world: World):
    if route.kind == "page":
        client = Client()
        client.force_login(world.owner)
        return client
    client = APIClient()
    if route.kind == "ingress":
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {world.store.integration_token}")
    else:
        client.credentials(HTTP_AUTHORIZATION=f"Token {make_api_token(world.owner)}")
    return client


def _call(client, route: Route, method: str, url: str):
    if route.kind == "page":
        return getattr(client, method)(url)
    return getattr(client, method)(url, {} if method != "get" else None, format="json")


@pytest.mark.parametrize("route", CHECKED_ROUTES, ids=lambda r: r.route)
def test_another_stores_ids_are_404_for_every_method(route):
    problems = unregistered(route)
    if problems:
        pytest.fail("; ".join(problems))
    store_a, store_b = World("Alpha Isolation"), World("Beta Isolation")
    client = _client_for(route, store_a)
    methods = PAGE_METHODS if route.kind == "page" else API_METHODS

    other_url = route.url(values_for(route, store_b))
    statuses = {m: _call(client, route, m, other_url).status_code for m in methods}
    leaking = {m: s for m, s in statuses.items() if s not in ALLOWED_FOR_OTHER_STORE}
    assert leaking == {}, (
        f"{other_url} answered store A's owner with {leaking}; another store's ids must be 404"
    )
    looked_up = [m for m, s in statuses.items() if s == 404]
    assert looked_up, f"{other_url}: every method is 405, so nothing checked the id"
    if statuses["get"] != 405:
        assert statuses["get"] == 404

    own_url = route.url(values_for(route, store_a))
    own = {m: _call(client, route, m, own_url).status_code for m in looked_up}
    assert all(s != 404 for s in own.values()), (
        f"positive control: {own_url} with store A's own ids gave {own}"
    )
