"""The seller API keeps a token's row while PostgreSQL reports no change (``seller_desk.auth._TokenRows``,
issue 14): the second request of a token reads no token row, and every way the caller stops being allowed —
revoked, expired, password changed, deactivated, removed from the store, written by the ORM, ``update()`` or by
another connection's SQL — is refused from the next request on."""

import time
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from seller_desk.models import ApiToken, Membership
from tests.conftest import await_readable, other_connection_runs
from tests.factories import make_api_token, make_member

pytestmark = pytest.mark.django_db(transaction=True)


def _client(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def _statements(client: APIClient) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        status = client.get("/api/v1/conversations").status_code
    return status, len(captured)


def test_the_second_request_of_a_token_reads_no_token_row(require_postgres, store):
    client = _client(make_api_token(make_member(store)))
    first = _statements(client)
    second = _statements(client)
    third = _statements(client)
    assert first[0] == second[0] == third[0] == 200
    assert second[1] == third[1] == first[1] - 1  # the page's query alone


def test_a_token_revoked_by_another_connection_is_refused_from_the_next_request(require_postgres, store):
    token = make_api_token(make_member(store))
    client = _client(token)
    assert _statements(client)[0] == 200 and _statements(client)[0] == 200
    other_connection_runs("DELETE FROM seller_desk_apitoken", [])
    await_readable(connection, "the notice of the delete")
    assert client.get("/api/v1/conversations").status_code == 401


def test_a_token_revoked_through_the_api_is_refused_at_once(require_postgres, store):
    client = _client(make_api_token(make_member(store)))
    assert client.get("/api/v1/conversations").status_code == 200
    assert client.delete("/api/v1/auth/token").status_code in (200, 204)
    assert client.get("/api/v1/conversations").status_code == 401


@pytest.mark.parametrize(
    "change",
    [
        "password",
        "deactivated",
        "removed_from_store",
        "expired",
    ],
)
def test_every_change_that_ends_the_callers_access_is_seen_on_the_next_request(
    require_postgres, store, change
):
    user = make_member(store)
    client = _client(make_api_token(user))
    assert client.get("/api/v1/conversations").status_code == 200
    assert _statements(client)[0] == 200  # now answered from the kept row
    if change == "password":
        user.set_password("another-pass-word")
        user.save()
    elif change == "deactivated":
        get_user_model().objects.filter(pk=user.pk).update(is_active=False)
    elif change == "removed_from_store":
        Membership.objects.filter(user=user).delete()
    else:
        ApiToken.objects.filter(user=user).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get("/api/v1/conversations").status_code in (401, 403)


def test_a_token_that_expires_while_kept_is_refused_without_any_write(require_postgres, store):
    user = make_member(store)
    client = _client(make_api_token(user))
    ApiToken.objects.filter(user=user).update(expires_at=timezone.now() + timedelta(seconds=1))
    assert client.get("/api/v1/conversations").status_code == 200
    assert _statements(client)[0] == 200
    time.sleep(1.1)
    assert client.get("/api/v1/conversations").status_code == 401


def test_a_new_connection_keeps_nothing_from_the_old_one(require_postgres, store):
    client = _client(make_api_token(make_member(store)))
    client.get("/api/v1/conversations")
    kept = _statements(client)[1]
    connection.close()
    assert _statements(client)[1] == kept + 1  # the token read again on the new connection


def test_with_the_cache_off_every_request_reads_the_token(require_postgres, store, settings):
    settings.DB_AUTH_CACHE = False
    client = _client(make_api_token(make_member(store)))
    counts = [_statements(client)[1] for _ in range(3)]
    assert counts[0] == counts[1] == counts[2]


@pytest.mark.django_db(transaction=False)
def test_inside_a_transaction_nothing_is_kept(require_postgres, store):
    user = make_member(store)
    client = _client(make_api_token(user))
    counts = [_statements(client)[1] for _ in range(2)]
    assert counts[0] == counts[1]
    user.is_active = False
    user.save()  # not committed, so not notified: a kept row would have let the next request in
    assert client.get("/api/v1/conversations").status_code == 401


def test_every_table_the_token_row_is_read_from_announces_its_writes(require_postgres):
    """The kept row is only as fresh as the triggers: a table joined into the token's read without one would let
    a change to it go unseen."""
    from seller_desk.auth import _MEMBER_PATHS

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE t.tgname = 'sd_auth_changed'"
        )
        announced = {name for (name,) in cursor.fetchall()}
    assert {model._meta.db_table for model, _ in _MEMBER_PATHS} <= announced
