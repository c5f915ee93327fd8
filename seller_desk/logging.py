"""Structured JSON logs with the request id, the task id, the store and the user, on web and worker.

One JSON object per line (``JsonFormatter``); ``ContextFilter`` adds what the current request or task
knows. ``RequestLogMiddleware`` gives every request an id (the caller's ``X-Request-ID`` when it is a
sane token, else a new one), returns it in ``X-Request-ID`` and writes one access line per request.
Celery's ``task_prerun``/``task_postrun`` signals set the task id and name for the worker's lines.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import time
import uuid
from datetime import UTC, datetime

_context: contextvars.ContextVar[dict | None] = contextvars.ContextVar(
    "seller_desk_log_context", default=None
)

FIELDS = ("request_id", "task_id", "task", "store", "user")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")

access_logger = logging.getLogger("seller_desk.request")


def log_context(**values) -> None:
    """Add values (store=…, user=…) to the current request's or task's log context."""
    current = _context.get()
    if current is None:
        return
    current.update({k: v for k, v in values.items() if v is not None})


def log_context_get() -> dict:
    return dict(_context.get() or {})


class ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        context = _context.get() or {}
        for field in FIELDS:
            if not hasattr(record, field):
                setattr(record, field, context.get(field))
        return True


class JsonFormatter(logging.Formatter):
    """``{"ts", "level", "logger", "message", "request_id", "task_id", "task", "store", "user", …}``."""

    EXTRA = ("method", "path", "status", "duration_ms")

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for field in (*FIELDS, *self.EXTRA):
            value = getattr(record, field, None)
            if value is not None:
                entry[field] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def _user_of(request) -> str | None:
    user = request.__dict__.get("user")  # only when something already resolved it (no query for a log line)
    wrapped = getattr(user, "_wrapped", user)
    if wrapped is None or not getattr(wrapped, "is_authenticated", False):
        return None
    return getattr(wrapped, "username", None) or str(wrapped)


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "")
        request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        request.request_id = request_id
        token = _context.set({"request_id": request_id})
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            log_context(user=_user_of(request), store=getattr(getattr(request, "store", None), "slug", None))
            access_logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.monotonic() - started) * 1000, 1),
                },
            )
            return response
        finally:
            _context.reset(token)


_task_tokens: dict[str, contextvars.Token] = {}


def _task_started(task_id=None, task=None, **_kwargs) -> None:
    # An eager task (embedded mode) runs inside a request: it keeps the request's id and adds its own.
    values = {**(_context.get() or {}), "task_id": task_id, "task": getattr(task, "name", None)}
    _task_tokens[task_id] = _context.set(values)


def _task_finished(task_id=None, **_kwargs) -> None:
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        try:
            _context.reset(token)
        except ValueError:  # set in another context (never in practice): just clear
            _context.set(None)


def connect_celery_signals() -> None:
    from celery.signals import task_postrun, task_prerun

    task_prerun.connect(_task_started, weak=False)
    task_postrun.connect(_task_finished, weak=False)
