"""Roles on every write, from one table (issue 9, point 3).

Every route of the URL conf (``tests/test_tenancy_isolation.py`` walks it) is a row: pages with
``POST``, API routes with each write method their view implements (``post``, ``put``, ``patch``,
``delete``). ``ACTIONS`` says which roles may do it; every role is tried, each against a fresh store,
with an empty body (a 400 still proves the permission let it through):

- a role in the set must get through: no 401/403, no redirect to the login page, no 404, no 405;
- any other role must be refused: 403 (pages and API), 302 to ``/login/`` (anonymous on a page),
  401 (anonymous on the API; every seller credential on ingress);
- ``NO_WRITE``: the route takes no write: 405 for the owner (405 or a refusal for the others);
- ``other_owner`` (the owner of another store): 404 on a route with ids (the ids are store A's, see
  the tenancy test); on a route without ids it acts on its own store, so it is expected as ``owner``.

A route or a write method missing from ``ACTIONS`` fails ``test_every_write_route_is_in_the_table``.
"""

import pytest
from django.test import Client
from django.urls import get_resolver
from rest_framework.test import APIClient

from seller_desk.services import platform_admin_create
from tests.factories import make_api_token, make_member
from tests.test_tenancy_isolation import REGISTRY, Builder, Route, World, _walk, values_for

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "agent", "platform_admin", "other_owner", "owner", "marketplace")
WRITE_METHODS = ("post", "put", "patch", "delete")

MEMBERS = frozenset({"agent", "owner"})
OWNER = frozenset({"owner"})
ADMIN = frozenset({"platform_admin"})
SIGNED_IN = frozenset({"agent", "owner", "platform_admin"})
EVERYONE = frozenset(ROLES)
MARKETPLACE = frozenset({"marketplace"})
NO_WRITE = None

EXCLUDED = {
    r"admin/": "Django admin: its own staff permissions",
    r"media/": "signed picture URLs, GET only",
    r"static/": "static assets",
    r"api/schema/": "the OpenAPI schema (GET)",
    r"api/docs/": "Swagger UI (GET)",
    r"healthz": "health probe (GET)",
    r"logout/": "ends the caller's own session, whoever it is; no role involved",
}

# Routes whose ids are platform-wide rows (one banned-word list): another store's owner is just an owner.
PLATFORM_WIDE = {"banned-word-edit", "banned-word-row", "banned-word-delete", "api-banned-word"}

# (route name, method) -> the roles that may do it. Pages read with GET; their POST is in this table.
ACTIONS: dict[tuple[str, str], frozenset | None] = {
    # accounts
    ("login", "post"): EVERYONE,
    ("home", "post"): SIGNED_IN,  # a redirect to the right start page, nothing written
    ("api-auth-token", "post"): EVERYONE,
    ("api-auth-token", "delete"): SIGNED_IN,
    # team, audit, integration token
    ("team", "post"): OWNER,
    ("team-member-role", "post"): OWNER,
    ("team-member-remove", "post"): OWNER,
    ("team-member-password", "post"): OWNER,
    # the user's own settings (issue 11): language, time zone, password
    ("account", "post"): SIGNED_IN,
    ("password-change", "post"): SIGNED_IN,
    ("set_language", "post"): EVERYONE,
    ("javascript-catalog", "post"): NO_WRITE,
    ("favicon", "post"): NO_WRITE,
    ("audit-log", "post"): NO_WRITE,
    ("integration-settings", "post"): NO_WRITE,
    ("integration-token-rotate", "post"): OWNER,
    ("integration-token-revoke", "post"): OWNER,
    # inbox and reply assist
    ("inbox", "post"): NO_WRITE,
    ("inbox-queue", "post"): NO_WRITE,
    ("inbox-thread", "post"): NO_WRITE,
    ("inbox-thread-since", "post"): NO_WRITE,
    ("inbox-reply", "post"): MEMBERS,
    ("inbox-undelivered", "post"): NO_WRITE,
    ("inbox-undelivered-retry", "post"): MEMBERS,
    ("marketplace-endpoint", "post"): OWNER,
    ("inbox-dispute-answer", "post"): MEMBERS,
    ("inbox-protection-extend", "post"): MEMBERS,
    # team inbox, part B (issue 10): notes, mentions, tags, blocked buyers, drafts
    ("inbox-mentions", "post"): NO_WRITE,
    ("inbox-tags", "post"): OWNER,
    ("inbox-tag-delete", "post"): OWNER,
    ("inbox-note", "post"): MEMBERS,
    ("inbox-tag-add", "post"): MEMBERS,
    ("inbox-tag-remove", "post"): MEMBERS,
    ("inbox-buyer-block", "post"): MEMBERS,
    ("inbox-buyer-unblock", "post"): MEMBERS,
    ("inbox-draft", "post"): MEMBERS,
    ("api-conversation-notes", "post"): MEMBERS,
    ("reply-assist", "post"): NO_WRITE,
    ("reply-assist-suggestions", "post"): NO_WRITE,
    ("reply-assist-render", "post"): NO_WRITE,
    ("reply-assist-check", "post"): MEMBERS,
    ("api-conversation-replies", "post"): MEMBERS,
    # team inbox, part A (issue 10)
    ("api-conversation-assign", "post"): MEMBERS,
    ("api-conversation-resolve", "post"): MEMBERS,
    ("api-conversation-snooze", "post"): MEMBERS,
    ("inbox-assign", "post"): MEMBERS,
    ("inbox-resolve", "post"): MEMBERS,
    ("inbox-snooze", "post"): MEMBERS,
    ("inbox-presence", "post"): NO_WRITE,
    ("inbox-bulk", "post"): MEMBERS,
    ("inbox-availability", "post"): MEMBERS,
    ("inbox-settings", "post"): OWNER,
    ("api-dispute-responses", "post"): MEMBERS,
    ("api-protection-extensions", "post"): MEMBERS,
    ("api-text-checks", "post"): SIGNED_IN,
    ("api-scenario-suggestions", "post"): MEMBERS,
    # dashboard (read pages that also answer POST like GET)
    ("dashboard", "post"): MEMBERS,
    ("dashboard-waits", "post"): MEMBERS,
    ("dashboard-disputes", "post"): MEMBERS,
    ("dashboard-agents-csv", "post"): MEMBERS,
    ("autoreply-report", "post"): NO_WRITE,
    # replies: official scenarios (platform admins) and the store's own templates (members)
    ("scenario-library", "post"): SIGNED_IN,
    ("scenario-picks", "post"): NO_WRITE,  # the picks report (issue 13): GET only, owners
    ("scenario-new", "post"): MEMBERS,
    ("scenario-edit", "post"): MEMBERS,
    ("scenario-delete", "post"): MEMBERS,
    ("scenario-preview", "post"): MEMBERS,  # of a store's own template (the registry builds one)
    ("api-scenarios", "post"): MEMBERS,
    ("api-scenario", "patch"): MEMBERS,
    ("api-scenario", "delete"): MEMBERS,
    # banned words: platform admins write, everyone signed in reads
    ("banned-words", "post"): SIGNED_IN,
    ("banned-word-new", "post"): ADMIN,
    ("banned-word-edit", "post"): ADMIN,
    ("banned-word-row", "post"): SIGNED_IN,
    ("banned-word-delete", "post"): ADMIN,
    ("text-check-partial", "post"): SIGNED_IN,
    ("api-banned-words", "post"): ADMIN,
    ("api-banned-word", "patch"): ADMIN,
    ("api-banned-word", "delete"): ADMIN,
    # coupons: owners write
    ("coupons", "post"): MEMBERS,
    ("coupon-new", "post"): OWNER,
    ("coupon-edit", "post"): OWNER,
    ("coupon-status", "post"): OWNER,
    ("coupon-detail", "post"): MEMBERS,
    ("coupon-guidance", "post"): MEMBERS,
    ("coupon-suggest", "post"): MEMBERS,
    ("api-coupons", "post"): OWNER,
    ("api-coupon-detail", "patch"): OWNER,
    # campaigns and customer groups: owners write
    ("campaigns", "post"): NO_WRITE,
    ("campaign-new", "post"): OWNER,
    ("campaign-text-check", "post"): OWNER,
    ("campaign-groups", "post"): OWNER,
    ("campaign-detail", "post"): NO_WRITE,
    ("campaign-progress", "post"): NO_WRITE,
    ("campaign-identify", "post"): OWNER,
    ("campaign-send", "post"): OWNER,
    ("campaign-pause", "post"): OWNER,
    ("campaign-resume", "post"): OWNER,
    ("campaign-cancel", "post"): OWNER,
    ("api-customer-groups", "post"): OWNER,
    ("api-campaigns", "post"): OWNER,
    ("api-campaign-identify", "post"): OWNER,
    ("api-campaign-send", "post"): OWNER,
    ("api-campaign-pause", "post"): OWNER,
    ("api-campaign-resume", "post"): OWNER,
    ("api-campaign-cancel", "post"): OWNER,
    # auto-reply: owners write
    ("autoreply", "post"): OWNER,
    ("autoreply-welcome-check", "post"): MEMBERS,
    ("api-autoreply", "put"): OWNER,
    ("api-autoreply", "patch"): OWNER,
    # the buyer simulator: members play the buyer
    ("buyer-simulator", "post"): MEMBERS,
    ("buyer-simulator-chat", "post"): MEMBERS,
    ("buyer-simulator-since", "post"): NO_WRITE,
    ("buyer-simulator-card-click", "post"): MEMBERS,
    # ingress: the marketplace's integration token only
    ("api-ingress-orders", "put"): MARKETPLACE,
    ("api-ingress-messages", "post"): MARKETPLACE,
    ("api-ingress-disputes", "post"): MARKETPLACE,
    ("api-ingress-card-clicks", "post"): MARKETPLACE,
}

# Path parameters only this table needs (platform-wide rows the tenancy test excludes).
PARAMS = {
    **REGISTRY,
    "banned_word_id": Builder(lambda w: _banned_word()),
}


def _banned_word():
    from templates_i18n.models import BannedWord

    return BannedWord.objects.create(term=f"forbidden{BannedWord.objects.count()}", suggestion="fine")


def _excluded(route: Route) -> bool:
    return any(route.route.startswith(prefix) for prefix in EXCLUDED)


def _view_methods(route_name: str, kind: str) -> tuple[str, ...]:
    """The write methods a route's view implements: an API view's handlers; a page is asked with POST."""
    if kind == "page":
        return ("post",)
    match = next(p for p in _patterns() if p.name == route_name)
    cls = getattr(match.callback, "cls", None) or getattr(match.callback, "view_class", None)
    return tuple(m for m in WRITE_METHODS if cls is not None and hasattr(cls, m))


def _patterns():
    from django.urls import URLPattern, URLResolver

    def walk(resolver):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry)
            elif isinstance(entry, URLPattern):
                yield entry

    return list(walk(get_resolver()))


ROUTES = {r.name: r for r in _walk(get_resolver()) if not _excluded(r)}
WRITES = sorted((name, m) for name, r in ROUTES.items() for m in _view_methods(name, r.kind))


def test_every_write_route_is_in_the_table():
    missing = [w for w in WRITES if w not in ACTIONS]
    stale = [w for w in ACTIONS if w not in WRITES]
    assert missing == [], "add these (route, method) rows to ACTIONS with the roles that may do them"
    assert stale == [], "these ACTIONS rows name no route/method of the URL conf"


def _values(route: Route, world: World) -> dict[str, str]:
    saved = dict(REGISTRY)
    REGISTRY.update(PARAMS)
    try:
        return values_for(route, world)
    finally:
        REGISTRY.clear()
        REGISTRY.update(saved)


def _client(role: str, route: Route, world: World, other: World):
    user = {
        "agent": lambda: make_member(world.store, role="agent"),
        "owner": lambda: world.owner,
        "other_owner": lambda: other.owner,
        "platform_admin": lambda: platform_admin_create(
            username=f"admin-{world.store.pk}", password="pass-word-1"
        ),
        "anonymous": lambda: None,
        "marketplace": lambda: None,
    }[role]()
    if route.kind == "page":
        client = Client()
        if user is not None:
            client.force_login(user)
        return client
    client = APIClient()
    if role == "marketplace":
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {world.store.integration_token}")
    elif user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {make_api_token(user)}")
    return client


def outcome(response) -> str:
    status = response.status_code
    if status in (401, 403):
        return "refused"
    if status == 302 and response["Location"].startswith("/login/"):
        return "refused"
    if status == 404:
        return "not found"
    if status == 405:
        return "no such method"
    return "allowed"


def expected(role: str, route: Route, allowed: frozenset | None) -> set[str]:
    if allowed is NO_WRITE:
        return {"no such method"} if role == "owner" else {"no such method", "refused", "not found"}
    if role == "other_owner":
        if route.params and route.name not in PLATFORM_WIDE:
            return {"not found"}
        return expected("owner", route, allowed)
    if role == "marketplace" and route.kind == "page":
        role = "anonymous"  # a page has no integration token: the marketplace is nobody there
    if role in allowed:
        return {"allowed"}
    # Outside the store (a platform admin on a store's row) a 404 refuses as well as a 403 and confirms less.
    return {"refused", "not found"} if route.params else {"refused"}


@pytest.mark.parametrize("write", WRITES, ids=lambda w: f"{w[1].upper()} {w[0]}")
def test_roles_on_every_write(write):
    name, method = write
    route = ROUTES[name]
    allowed = ACTIONS.get(write, "missing")
    if allowed == "missing":
        pytest.fail(f"{write} is not in ACTIONS")
    got = {}
    for role in ROLES:
        world, other = World(f"Roles {role}"), World(f"Other {role}")
        url = route.url(_values(route, world))
        client = _client(role, route, world, other)
        if route.kind == "page":
            response = getattr(client, method)(url)
        else:
            response = getattr(client, method)(url, {}, format="json")
        got[role] = outcome(response)
    wrong = {role: result for role, result in got.items() if result not in expected(role, route, allowed)}
    assert wrong == {}, f"{method.upper()} {route.route}: {got}"
