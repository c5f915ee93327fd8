"""The kept connection's health check (``seller_desk.postgresql``, issue 14): no ``SELECT 1`` while the link is
quiet; a session the server ended is found and replaced before the request's first query."""

import psycopg2
import pytest
from django.db import connection, connections

from tests.conftest import await_readable

pytestmark = pytest.mark.django_db(transaction=True)


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _next_request_check():
    """What Django does at a request's start and its first query: the check is due again, then made."""
    connection.health_check_done = False
    connection.close_if_health_check_failed()


def test_the_backend_is_ours_and_checks_health(require_postgres):
    assert type(connections["default"]).__module__ == "seller_desk.postgresql.base"
    assert connection.health_check_enabled


def test_a_quiet_kept_connection_is_checked_without_a_round_trip(require_postgres, monkeypatch):
    pid = _backend_pid()
    asked = []
    monkeypatch.setattr(type(connections["default"]), "is_usable", lambda self: asked.append(1) or True)
    for _ in range(3):
        _next_request_check()
    assert asked == [] and connection.health_check_done
    assert _backend_pid() == pid  # the same session, kept


def test_a_session_the_server_ended_is_replaced_before_the_first_query(require_postgres):
    pid = _backend_pid()
    params = connection.get_connection_params()
    other = psycopg2.connect(**params)
    try:
        other.autocommit = True
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            assert cursor.fetchone()[0] is True
    finally:
        other.close()
    await_readable(connection, "the end of the terminated session")
    _next_request_check()
    new_pid = _backend_pid()  # no error: the check reconnected
    assert new_pid != pid


def test_a_connection_psycopg2_knows_is_closed_is_replaced(require_postgres):
    pid = _backend_pid()
    connection.connection.close()
    _next_request_check()
    assert _backend_pid() != pid
