"""Shared fixtures. Tests that need a real service use it; in CI (REQUIRE_SERVICES=1) they fail, never skip."""

import os
import socket

import pytest
from django.db import connection

from tests.factories import make_store

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def service_missing(reason: str):
    """Skip locally, fail in CI: a test that needs a service must never pass quietly without it."""
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture
def require_postgres():
    if connection.vendor != "postgresql":
        service_missing("this test needs PostgreSQL (set DATABASE_URL)")


def _redis_reachable(url: str) -> bool:
    from urllib.parse import urlparse

    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def require_redis():
    url = os.environ.get("REDIS_URL")
    if not url or not _redis_reachable(url):
        service_missing("this test needs Redis (set REDIS_URL)")
    return url


@pytest.fixture
def store(db):
    return make_store(name="Alpha Store", tier="advanced")


@pytest.fixture
def other_store(db):
    return make_store(name="Beta Store", tier="basic")


@pytest.fixture(autouse=True)
def _media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _interface_language_reset():
    """A request's middleware activates its language in the thread and nothing deactivates it after the
    response: a Chinese request in one test must not turn the next test's messages Chinese."""
    from django.utils import translation

    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Tests create many users; PBKDF2's deliberate slowness only costs test time here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _banned_word_version_checked_every_call(monkeypatch):
    """The process-wide guard re-reads the list version at most once a second, so whether a request pays
    that query would depend on how long a test took: in tests it is checked on every call, which keeps
    query counts the same run after run (the interval itself is tested on a cache of its own)."""
    from templates_i18n import matcher

    monkeypatch.setattr(matcher._cache, "check_interval", 0)


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Transactional tests flush every table, data-migration rows too: put the official scenarios and the
    seeded banned words back before each of them, as a fresh database would have them."""
    marker = request.node.get_closest_marker("django_db")
    transactional = "transactional_db" in request.fixturenames or "live_server" in request.fixturenames
    if marker is not None and marker.kwargs.get("transaction"):
        transactional = True
    if not transactional:
        return
    request.getfixturevalue("transactional_db")
    from templates_i18n.services import banned_words_seed_ensure, official_scenarios_sync

    official_scenarios_sync()
    banned_words_seed_ensure()


@pytest.fixture(autouse=True)
def _celery_in_process(request):
    """Tasks run in-process in tests, as in the embedded default, whatever REDIS_URL says; the tests
    marked ``celery_worker`` run a real worker on Redis and keep the broker."""
    from seller_desk.celery import app

    if request.node.get_closest_marker("celery_worker"):
        previous = app.conf.task_always_eager
        app.conf.task_always_eager = False
        yield
        app.conf.task_always_eager = previous
        return
    previous = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous


def _throttle_counters_clear():
    from django.core.cache import cache

    if hasattr(cache, "_cache") and hasattr(cache._cache, "get_client"):  # Redis: only the counters
        client = cache._cache.get_client(write=True)
        for pattern in ("sd:throttle:*", "throttle_*"):  # ours and DRF's throttles
            for key in client.scan_iter(match=cache.make_key(pattern)):
                client.delete(key)
    else:
        cache.clear()


@pytest.fixture(autouse=True)
def _no_login_throttle(request, monkeypatch):
    """Login locks, the token endpoint's rate and ingress rate limits count in the shared cache across the
    whole run, and tests log in and ingest often: they are off unless a test is marked ``throttled``, which
    gets them on with fresh counters."""
    if request.node.get_closest_marker("throttled"):
        _throttle_counters_clear()
        yield
        _throttle_counters_clear()
        return
    from seller_desk import throttle
    from seller_desk.apis import LoginRateThrottle

    monkeypatch.setattr(LoginRateThrottle, "allow_request", lambda self, request, view: True)
    monkeypatch.setattr(throttle, "login_lockout_seconds", lambda **kwargs: 0)
    monkeypatch.setattr(throttle, "login_failure_record", lambda **kwargs: None)
    monkeypatch.setattr(throttle, "rate_limit_hit", lambda **kwargs: 0)
    yield


@pytest.fixture
def celery_worker_process(require_postgres, require_redis):
    """A real Celery worker (subprocess) on Redis against the test database; see tests/workers.py."""
    from tests.workers import running_worker

    with running_worker(require_redis) as proc:
        yield proc


@pytest.fixture
def clock_within_one_minute(monkeypatch):
    """``timezone.now`` pinned to the start of the current minute, 1 ms further on each call.

    The inbox poll's tag includes the minute (due times read "in 3 h"), so a test that expects
    "304 Not Modified" between two requests must not cross a minute boundary by chance."""
    import datetime as dt
    import itertools

    from django.utils import timezone

    start = timezone.now().replace(second=1, microsecond=0)
    ticks = itertools.count()
    monkeypatch.setattr(timezone, "now", lambda: start + dt.timedelta(milliseconds=next(ticks)))
    return start


def other_connection_runs(sql: str, params: list) -> None:
    """``sql`` run and committed by a psycopg2 connection of its own, as another process would."""
    import psycopg2

    other = psycopg2.connect(**connection.get_connection_params())
    try:
        other.autocommit = True
        with other.cursor() as cursor:
            cursor.execute(sql, params)
    finally:
        other.close()


def await_readable(connection, what: str, timeout: float = 5.0) -> None:
    """Wait until something the server sent (a notice, the end of the session) reached ``connection``'s socket."""
    import select
    import time

    deadline = time.monotonic() + timeout
    while not select.select([connection.connection.fileno()], [], [], 0.05)[0]:
        assert time.monotonic() < deadline, f"{what} never reached this connection"
