"""``GET /healthz`` (API.md "Operations"): the database, the broker and the worker, for a load balancer.

200 ``{"database": "ok", "broker": "ok"|"off", "worker": "ok"|"late"|"off"}``; 503 with the same
shape when the database or a configured broker can't be reached. ``broker``/``worker`` are "off" in
the embedded mode (no ``REDIS_URL``: tasks run in-process). The worker answers a heartbeat task that
beat schedules every ``HEARTBEAT_SECONDS``; "late" means no heartbeat for ``LATE_AFTER_SECONDS``
(the worker or beat is down, or the queue is backed up — each worth a page).
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.db import connection
from django.utils.cache import add_never_cache_headers
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 30
LATE_AFTER_SECONDS = 90
HEARTBEAT_KEY = "seller_desk:worker-heartbeat"
TIMEOUT_SECONDS = 2


def _redis():
    import redis

    return redis.Redis.from_url(
        settings.REDIS_URL, socket_connect_timeout=TIMEOUT_SECONDS, socket_timeout=TIMEOUT_SECONDS
    )


def heartbeat_record() -> float:
    """Called by the worker (task ``seller_desk.worker_heartbeat``): now, in the broker's Redis."""
    now = time.time()
    if settings.REDIS_URL:
        _redis().set(HEARTBEAT_KEY, repr(now), ex=24 * 3600)
    return now


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means "not ok"
        logger.warning("healthz: database unreachable: %s", exc)
        connection.close_if_unusable_or_obsolete()
        return "down"


def broker_and_worker_status() -> tuple[str, str]:
    if not settings.REDIS_URL:
        return "off", "off"
    try:
        client = _redis()
        client.ping()
        beat = client.get(HEARTBEAT_KEY)
    except Exception as exc:  # noqa: BLE001
        logger.warning("healthz: broker unreachable: %s", exc)
        return "down", "late"
    if beat is None:
        return "ok", "late"
    age = time.time() - float(beat)
    return "ok", ("ok" if age <= LATE_AFTER_SECONDS else "late")


class HealthSerializer(serializers.Serializer):
    database = serializers.ChoiceField(choices=["ok", "down"])
    broker = serializers.ChoiceField(choices=["ok", "off", "down"])
    worker = serializers.ChoiceField(choices=["ok", "late", "off"])


class HealthzApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="healthz",
        auth=[],
        responses={200: HealthSerializer, 503: HealthSerializer},
        description="No auth. 503 (same shape) when the database or a configured broker is unreachable.",
    )
    def get(self, request):
        database = database_status()
        broker, worker = broker_and_worker_status()
        body = {"database": database, "broker": broker, "worker": worker}
        healthy = database == "ok" and broker in ("ok", "off")
        response = Response(body, status=200 if healthy else 503)
        add_never_cache_headers(response)
        return response


healthz = HealthzApi.as_view()
