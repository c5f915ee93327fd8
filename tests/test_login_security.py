"""Issue 9, point 3: proxy headers, login throttling, hashed expiring API tokens, integration tokens."""

import hashlib
from datetime import timedelta

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone
from rest_framework.test import APIClient

from seller_desk.middleware import ProxyHeadersMiddleware, client_ip
from seller_desk.models import ApiToken, AuditEvent, AuditKind, Store
from tests.factories import make_api_token, make_member

pytestmark = pytest.mark.django_db

PASSWORD = "pass-word-1"
LOCK_MESSAGE = "Too many failed logins for this account or from this address. Logging in is locked for"


def _through_proxy_middleware(**meta):
    seen = {}

    def view(request):
        seen["ip"], seen["secure"] = client_ip(request), request.is_secure()
        seen["xff"] = request.META.get("HTTP_X_FORWARDED_FOR")
        return HttpResponse()

    ProxyHeadersMiddleware(view)(RequestFactory().get("/", REMOTE_ADDR="10.0.0.9", **meta))
    return seen


# --- proxy headers -------------------------------------------------------------------------------------


def test_without_trusted_proxies_forwarded_headers_are_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    settings.SECURE_PROXY_SSL_HEADER = None
    seen = _through_proxy_middleware(HTTP_X_FORWARDED_FOR="6.6.6.6", HTTP_X_FORWARDED_PROTO="https")
    assert seen == {"ip": "10.0.0.9", "secure": False, "xff": None}


def test_one_trusted_proxy_gives_the_address_it_saw_not_what_the_client_wrote(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    seen = _through_proxy_middleware(
        HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7", HTTP_X_FORWARDED_PROTO="http, https"
    )
    assert seen == {"ip": "203.0.113.7", "secure": True, "xff": None}


def test_two_trusted_proxies_count_from_the_right(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    seen = _through_proxy_middleware(HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7, 10.0.0.2")
    assert seen["ip"] == "203.0.113.7"
    # Fewer values than proxies: the header is not trusted, the peer stays the client.
    assert _through_proxy_middleware(HTTP_X_FORWARDED_FOR="203.0.113.7")["ip"] == "10.0.0.9"


# --- login throttling ----------------------------------------------------------------------------------


@pytest.mark.throttled
def test_sixty_wrong_passwords_on_the_login_page_lock_the_account_even_for_the_right_one(client, store):
    user = make_member(store, username="olga")
    answers = [
        client.post("/login/", {"username": "olga", "password": f"wrong-{i}"}).status_code for i in range(60)
    ]
    assert answers == [200] * 10 + [429] * 50
    right = client.post("/login/", {"username": "olga", "password": PASSWORD})
    assert right.status_code == 429
    assert int(right["Retry-After"]) > 800
    assert LOCK_MESSAGE in right.content.decode()
    assert "_auth_user_id" not in client.session
    # Another account from another address is not locked by olga's failures.
    make_member(store, username="ana")
    other = client.post("/login/", {"username": "ana", "password": PASSWORD}, REMOTE_ADDR="192.0.2.50")
    assert other.status_code == 302
    assert client.session["_auth_user_id"] != str(user.pk)


@pytest.mark.throttled
def test_a_changing_x_forwarded_for_does_not_get_around_the_token_endpoints_lock(store):
    make_member(store, username="olga")
    api = APIClient()
    statuses = []
    for i in range(60):
        r = api.post(
            "/api/v1/auth/token",
            {"username": "olga", "password": f"wrong-{i}"},
            format="json",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{i}",
        )
        statuses.append(r.status_code)
        if i == 10:
            assert r.json() == {"errors": {"detail": [r.json()["errors"]["detail"][0]]}}
            assert r.json()["errors"]["detail"][0].startswith(LOCK_MESSAGE)
            assert int(r["Retry-After"]) > 800
    assert statuses == [400] * 10 + [429] * 50
    right = api.post(
        "/api/v1/auth/token",
        {"username": "olga", "password": PASSWORD},
        format="json",
        HTTP_X_FORWARDED_FOR="192.0.2.1",
    )
    assert right.status_code == 429
    assert "token" not in right.json()
    assert ApiToken.objects.count() == 0


@pytest.mark.throttled
def test_fifty_failures_from_one_address_lock_the_address_for_every_username(client, store, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    make_member(store, username="ana")
    for i in range(50):
        client.post(
            "/login/", {"username": f"guess{i}", "password": "x"}, HTTP_X_FORWARDED_FOR=f"198.51.100.{i}"
        )
    locked = client.post("/login/", {"username": "ana", "password": PASSWORD})
    assert locked.status_code == 429
    assert LOCK_MESSAGE in locked.content.decode()
    elsewhere = client.post("/login/", {"username": "ana", "password": PASSWORD}, REMOTE_ADDR="192.0.2.7")
    assert elsewhere.status_code == 302


@pytest.mark.throttled
def test_behind_a_trusted_proxy_the_lock_follows_the_address_the_proxy_saw(client, store, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    make_member(store, username="ana")
    for i in range(50):
        client.post(
            "/login/",
            {"username": f"guess{i}", "password": "x"},
            HTTP_X_FORWARDED_FOR=f"6.6.6.{i}, 203.0.113.7",
        )
    via_same = client.post(
        "/login/", {"username": "ana", "password": PASSWORD}, HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.7"
    )
    assert via_same.status_code == 429
    via_other = client.post(
        "/login/", {"username": "ana", "password": PASSWORD}, HTTP_X_FORWARDED_FOR="203.0.113.8"
    )
    assert via_other.status_code == 302


@pytest.mark.throttled
def test_a_successful_login_forgets_earlier_failures_of_the_username(client, store):
    make_member(store, username="olga")
    for i in range(9):
        client.post("/login/", {"username": "olga", "password": f"wrong-{i}"})
    assert client.post("/login/", {"username": "olga", "password": PASSWORD}).status_code == 302
    client.logout()
    for i in range(9):
        client.post("/login/", {"username": "olga", "password": f"wrong-{i}"})
    assert client.post("/login/", {"username": "Olga ", "password": PASSWORD}).status_code != 429


# --- API tokens ----------------------------------------------------------------------------------------


def _token(user) -> tuple[APIClient, str]:
    api = APIClient()
    r = api.post("/api/v1/auth/token", {"username": user.username, "password": PASSWORD}, format="json")
    assert r.status_code == 200, r.content
    raw = r.json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    return api, raw


def test_api_tokens_are_stored_only_as_a_hash_and_expire_after_the_setting(store, settings):
    settings.SELLER_DESK = {**settings.SELLER_DESK, "API_TOKEN_TTL_HOURS": 48}
    user = make_member(store)
    before = timezone.now()
    api, raw = _token(user)
    row = ApiToken.objects.get(user=user)
    assert row.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in {row.key_hash, row.password_fingerprint}
    assert timedelta(hours=47, minutes=59) < row.expires_at - before < timedelta(hours=48, minutes=1)
    assert api.get("/api/v1/conversations").status_code == 200
    ApiToken.objects.filter(pk=row.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    expired = api.get("/api/v1/conversations")
    assert expired.status_code == 401
    assert expired.json()["errors"]["detail"] == [
        "This token has expired; ask POST /api/v1/auth/token for a new one."
    ]


def test_delete_auth_token_revokes_the_token_it_carries_only(store):
    user = make_member(store)
    api, _ = _token(user)
    other, _ = _token(user)
    assert api.delete("/api/v1/auth/token").status_code == 204
    assert api.get("/api/v1/conversations").status_code == 401
    assert other.get("/api/v1/conversations").status_code == 200
    assert APIClient().delete("/api/v1/auth/token").status_code == 401


def test_a_password_change_revokes_every_token_issued_before_it(store):
    user = make_member(store)
    api, _ = _token(user)
    user.set_password("a-new-password-9")
    user.save()
    r = api.get("/api/v1/conversations")
    assert r.status_code == 401
    assert r.json()["errors"]["detail"] == [
        "The password changed since this token was issued; ask POST /api/v1/auth/token for a new one."
    ]
    fresh = APIClient()
    r = fresh.post(
        "/api/v1/auth/token", {"username": user.username, "password": "a-new-password-9"}, format="json"
    )
    fresh.credentials(HTTP_AUTHORIZATION=f"Token {r.json()['token']}")
    assert fresh.get("/api/v1/conversations").status_code == 200


def test_a_stale_token_header_does_not_stop_a_new_login(store):
    user = make_member(store)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Token sdt_not-a-token")
    r = api.post("/api/v1/auth/token", {"username": user.username, "password": PASSWORD}, format="json")
    assert r.status_code == 200
    assert set(r.json()) == {"token"}


def test_a_removed_member_s_tokens_stop_working(client, store):
    owner = make_member(store, role="owner")
    agent = make_member(store)
    raw = make_api_token(agent)
    client.force_login(owner)
    client.post(f"/team/{agent.membership.pk}/remove/")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    assert api.get("/api/v1/conversations").status_code == 401


# --- integration tokens --------------------------------------------------------------------------------


def _ingress(token: str) -> int:
    """401 for a refused token; 404 (no such buyer) once the token is accepted."""
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return api.get("/api/v1/ingress/buyers/nobody/messages").status_code


def test_an_owner_rotates_the_integration_token_and_sees_the_new_one_once(client, store):
    owner = make_member(store, role="owner")
    old = store.integration_token
    assert _ingress(old) == 404
    client.force_login(owner)
    page = client.get("/settings/integration/")
    assert page.status_code == 200
    assert old not in page.content.decode()
    rotated = client.post("/settings/integration/rotate/")
    assert rotated.status_code == 200
    assert rotated["Cache-Control"] == "no-store"
    new = rotated.context["new_token"]
    assert new.startswith("sdi_") and new in rotated.content.decode()
    assert _ingress(old) == 401
    assert _ingress(new) == 404
    again = client.get("/settings/integration/").content.decode()
    assert new not in again
    assert "Integration token rotated" in again
    event = AuditEvent.objects.get(store=store, kind=AuditKind.INTEGRATION_TOKEN_ROTATED)
    assert event.actor == owner


def test_an_owner_revokes_the_integration_token_until_the_next_rotation(client, store):
    owner = make_member(store, role="owner")
    client.force_login(owner)
    r = client.post("/settings/integration/revoke/", follow=True)
    assert "The integration token is revoked" in r.content.decode()
    assert _ingress(store.integration_token) == 401
    assert Store.objects.get(pk=store.pk).integration_token_hash.startswith("revoked:")
    assert (
        AuditEvent.objects.filter(store=store, kind=AuditKind.INTEGRATION_TOKEN_REVOKED, actor=owner).count()
        == 1
    )
    new = client.post("/settings/integration/rotate/").context["new_token"]
    assert _ingress(new) == 404


def test_agents_can_neither_see_nor_rotate_nor_revoke_the_integration_token(client, store):
    client.force_login(make_member(store))
    assert client.get("/settings/integration/").status_code == 403
    assert client.post("/settings/integration/rotate/").status_code == 403
    assert client.post("/settings/integration/revoke/").status_code == 403
    assert _ingress(store.integration_token) == 404
