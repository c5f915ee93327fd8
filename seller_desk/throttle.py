"""Counters in the shared cache (Redis in services mode): login throttling and per-token rate limits.

Every gunicorn worker and every host reads the same counters, so neither spreading attempts over
processes nor changing ``X-Forwarded-For`` (``ProxyHeadersMiddleware`` decides the client address)
gets around them.

Login: ``USERNAME_FAILURES`` failed logins for one username, or ``IP_FAILURES`` from one client
address, within ``WINDOW_SECONDS`` lock that username (or address) for ``WINDOW_SECONDS``: while
locked even the right password is refused, on ``/login/`` and on ``POST /api/v1/auth/token`` alike.
"""

from __future__ import annotations

import hashlib
import math
import time

from django.conf import settings
from django.core.cache import cache

from .shared_cache import redis_client


def _login_settings() -> dict:
    return settings.SELLER_DESK["LOGIN_THROTTLE"]


def _key(kind: str, value: str) -> str:
    return f"sd:throttle:{kind}:" + hashlib.sha256(value.encode()).hexdigest()[:32]


def _subjects(username: str, ip: str) -> list[tuple[str, str, int]]:
    conf = _login_settings()
    return [
        ("login-user", (username or "").strip().lower(), conf["USERNAME_FAILURES"]),
        ("login-ip", ip or "unknown", conf["IP_FAILURES"]),
    ]


def login_lockout_seconds(*, username: str, ip: str) -> int:
    """Seconds until a login for ``username`` from ``ip`` may be tried again; 0 when it may now."""
    now = time.time()
    waits = []
    for kind, value, _limit in _subjects(username, ip):
        until = cache.get(_key(kind + "-lock", value))
        if until and until > now:
            waits.append(math.ceil(until - now))
    return max(waits, default=0)


def login_failure_record(*, username: str, ip: str) -> None:
    """Count a failed login; the count reaching its limit locks the username (or address)."""
    window = _login_settings()["WINDOW_SECONDS"]
    for kind, value, limit in _subjects(username, ip):
        key = _key(kind, value)
        cache.add(key, 0, timeout=window)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window)
            count = 1
        if count >= limit:
            cache.set(_key(kind + "-lock", value), time.time() + window, timeout=window)


def login_success_record(*, username: str) -> None:
    """A successful login forgets the username's earlier failures (not the address's)."""
    cache.delete(_key("login-user", (username or "").strip().lower()))


def rate_limit_hit(*, bucket: str, subject: str, limit: int, period: int) -> int:
    """Count one request of ``subject`` in a fixed window of ``period`` seconds.

    Returns 0 while within ``limit``, else the seconds until the window ends (the ``Retry-After``).
    """
    now = time.time()
    window = int(now // period)
    count = _window_count(_key(f"rate-{bucket}-{window}", subject), timeout=period + 1)
    if count > limit:
        return max(1, math.ceil((window + 1) * period - now))
    return 0


def _window_count(key: str, *, timeout: int) -> int:
    """Add one to a fixed-window counter and return it: on Redis one round trip (create with expiry, increment,
    pipelined), which every ingress request pays; elsewhere the cache's add and incr."""
    client = redis_client()
    if client is not None:
        full = cache.make_and_validate_key(key)
        pipe = client.pipeline(transaction=False)
        pipe.set(full, 0, ex=timeout, nx=True)
        pipe.incr(full)
        return int(pipe.execute()[1])
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=timeout)
        return 1
