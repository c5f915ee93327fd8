"""Request hardening in front of every view: bad characters, deep JSON, oversized ingress, a database outage.

``InputGuardMiddleware`` answers 400 (API: ``{"errors": {"<field>": [...]}}``) before a view runs
when a query parameter, a form field or a JSON string (key or value) holds a character no field
may hold (NUL and other controls, lone surrogates: ``validators.invalid_character``), when a JSON
body nests deeper than ``MAX_JSON_DEPTH``, and 413 when an ingress body is larger than its limit.
``DatabaseOutageMiddleware`` turns a database that can't be reached into a 503 with
``Retry-After`` (JSON under ``/api/``) instead of a 500 page, so the marketplace knows to retry.
"""

from __future__ import annotations

import json
import logging
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.utils import timezone, translation

from .auth import membership_of
from .validators import invalid_character, invalid_character_message

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"
INGRESS_PREFIX = "/api/v1/ingress/"


def _limits() -> dict:
    return settings.SELLER_DESK["REQUEST_LIMITS"]


def _error(request, status: int, errors: dict[str, list[str]], **headers) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        response = JsonResponse({"errors": errors}, status=status)
    else:
        text = "\n".join(f"{field}: {' '.join(messages)}" for field, messages in errors.items())
        response = HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def json_depth_exceeds(body: bytes, limit: int) -> bool:
    """Whether a JSON text nests arrays/objects deeper than ``limit`` (one pass, no parsing)."""
    depth, in_string, escaped = 0, False, False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > limit:
                return True
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return False


def _first_invalid_json(value, path: str = "") -> tuple[str, str] | None:
    """(field path, bad character) of the first JSON key or string holding an invalid character."""
    stack = [(path, value)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, str):
            bad = invalid_character(item)
            if bad:
                return where or "body", bad
        elif isinstance(item, dict):
            for key, child in item.items():
                name = f"{where}.{key}" if where else str(key)
                bad = invalid_character(key)
                if bad:
                    return name, bad
                stack.append((name, child))
        elif isinstance(item, list):
            stack.extend((f"{where}[{i}]", child) for i, child in enumerate(item))
    return None


class InputGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self._check(request)
        return response if response is not None else self.get_response(request)

    def _check(self, request) -> HttpResponse | None:
        bad = invalid_character(request.path)
        if bad:
            return _error(request, 400, {"path": [invalid_character_message(bad)]})
        for key, values in request.GET.lists():
            for text in [key, *values]:
                bad = invalid_character(text)
                if bad:
                    return _error(request, 400, {key or "query": [invalid_character_message(bad)]})
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return None
        limit = self._body_limit(request)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if limit and length > limit:
            return _error(
                request,
                413,
                {
                    "body": [
                        f"The request body is {length:,} bytes; this endpoint accepts at most {limit:,} bytes."
                    ]
                },
            )
        content_type = request.content_type or ""
        try:
            if content_type == "application/json":
                return self._check_json(request)
            if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
                if request.path.startswith(INGRESS_PREFIX):
                    request.body  # noqa: B018 - keep the raw body (bounded above) for the ingress signature check
                for key, values in request.POST.lists():
                    for text in [key, *values]:
                        bad = invalid_character(text)
                        if bad:
                            return _error(request, 400, {key or "body": [invalid_character_message(bad)]})
        except (RequestDataTooBig, TooManyFieldsSent) as exc:
            return _error(request, 413, {"body": [str(exc)]})
        except SuspiciousOperation as exc:  # a broken multipart body
            return _error(request, 400, {"body": [f"The request body could not be read: {exc}"]})
        return None

    @staticmethod
    def _body_limit(request) -> int:
        limits = _limits()
        if request.path.startswith(INGRESS_PREFIX):
            multipart = (request.content_type or "") == "multipart/form-data"
            return limits["INGRESS_MULTIPART_BYTES" if multipart else "INGRESS_JSON_BYTES"]
        return 0  # elsewhere Django's DATA_UPLOAD_MAX_MEMORY_SIZE applies

    @staticmethod
    def _check_json(request) -> HttpResponse | None:
        body = request.body
        depth = _limits()["MAX_JSON_DEPTH"]
        if json_depth_exceeds(body, depth):
            return _error(request, 400, {"body": [f"JSON may nest arrays and objects at most {depth} deep."]})
        try:
            data = json.loads(body or b"null")
        except (ValueError, RecursionError):
            return None  # the view's parser answers the malformed body in its own words
        found = _first_invalid_json(data)
        if found:
            return _error(request, 400, {found[0]: [invalid_character_message(found[1])]})
        return None


RETRY_AFTER_SECONDS = 5


def _is_outage(exc: BaseException) -> bool:
    """A database that can't be reached or dropped the connection — not a query that was wrong."""
    if isinstance(exc, OperationalError | InterfaceError):
        return True
    cause = exc.__cause__
    return isinstance(exc, DatabaseError) and cause is not None and "connection" in str(cause).lower()


class DatabaseOutageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exc):
        if not _is_outage(exc):
            return None
        logger.warning("database unavailable: %s %s: %s", request.method, request.path, exc)
        return _error(
            request,
            503,
            {
                "detail": [
                    f"The database is unavailable; retry in {RETRY_AFTER_SECONDS} seconds "
                    "(ingress is idempotent by id: a retry never stores anything twice)."
                ]
            },
            Retry_After=str(RETRY_AFTER_SECONDS),
        )


def _forwarded_values(header: str) -> list[str]:
    return [part.strip() for part in header.split(",") if part.strip()]


class ProxyHeadersMiddleware:
    """Believe ``X-Forwarded-For``/``X-Forwarded-Proto`` only as far as ``TRUSTED_PROXY_COUNT`` proxies wrote them.

    Each proxy appends the address it received the request from, so with N trusted proxies the client
    is the N-th value from the right; anything left of it was written by the client and is ignored.
    The middleware puts that client in ``REMOTE_ADDR`` (what throttles, rate limits and logs read) and
    leaves only the trusted value of ``X-Forwarded-Proto`` (what ``SECURE_PROXY_SSL_HEADER`` reads).
    With 0 proxies (the default) both headers are dropped: the client is the socket's peer.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = settings.TRUSTED_PROXY_COUNT
        meta = request.META
        forwarded_for = _forwarded_values(meta.pop("HTTP_X_FORWARDED_FOR", ""))
        forwarded_proto = _forwarded_values(meta.pop("HTTP_X_FORWARDED_PROTO", ""))
        if count > 0:
            if len(forwarded_for) >= count:
                meta["REMOTE_ADDR"] = forwarded_for[-count]
            if forwarded_proto:
                # A proxy that overwrites the header leaves one value; one that appends leaves a list.
                meta["HTTP_X_FORWARDED_PROTO"] = forwarded_proto[-min(count, len(forwarded_proto))]
        return self.get_response(request)


def client_ip(request) -> str:
    """The client's address as ``ProxyHeadersMiddleware`` established it."""
    return request.META.get("REMOTE_ADDR") or "unknown"


PREFS_SESSION_KEY = "desk_prefs"


def remember_preferences(request, *, language: str, tz_name: str) -> None:
    """Keep the user's interface language and display zone in the session, so no request has to query them."""
    if hasattr(request, "session"):
        request.session[PREFS_SESSION_KEY] = {"language": language, "timezone": tz_name}


def _valid_zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name) if name else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


class UserPreferencesMiddleware:
    """After authentication: the signed-in user's language (profile, else the browser's ``Accept-Language``
    between zh-hans and en, as LocaleMiddleware chose) and display time zone (profile, else the store's).
    ``request.display_tz`` is that zone for views that compute with it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        prefs = {}
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is not None and getattr(user, "is_authenticated", False):
            prefs = session.get(PREFS_SESSION_KEY) or {}
        language = prefs.get("language") or ""
        if language in dict(settings.LANGUAGES):
            translation.activate(language)
            request.LANGUAGE_CODE = language
        zone = _valid_zone(prefs.get("timezone") or "")
        if zone is None and getattr(user, "is_authenticated", False):
            membership = membership_of(user)
            zone = _valid_zone(membership.store.timezone) if membership else None
        request.display_tz = zone or ZoneInfo(settings.TIME_ZONE)
        timezone.activate(request.display_tz)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
