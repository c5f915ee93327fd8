"""Task flow through a real Celery worker on Redis against the real PostgreSQL test database."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from conversations.delivery import deliver_pending
from conversations.models import Message
from conversations.services import reply_send
from seller_desk.celery import app as celery_app
from tests.factories import make_inbound, make_member, make_store

ROOT = Path(__file__).resolve().parent.parent


def _database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def celery_worker_process(require_postgres, require_redis):
    queue = f"test-{uuid.uuid4().hex[:8]}"
    previous = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = queue
    env = {**os.environ, "DATABASE_URL": _database_url(), "REDIS_URL": require_redis}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "seller_desk",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        yield proc
    finally:
        celery_app.conf.task_default_queue = previous
        proc.terminate()
        proc.wait(timeout=20)


def _wait_for(predicate, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.celery_worker
def test_reply_is_delivered_by_a_real_worker_after_commit(transactional_db, settings, celery_worker_process):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    celery_app.conf.task_always_eager = False
    store = make_store(name="Worker Store")
    agent = make_member(store)
    conversation = make_inbound(store, text="Where is my parcel?").conversation

    message = reply_send(conversation=conversation, acting_user=agent, text="It ships tomorrow.")

    assert _wait_for(lambda: Message.objects.filter(pk=message.pk, delivered_at__isnull=False).exists()), (
        "the worker did not deliver the reply within 30 s"
    )
    first = Message.objects.get(pk=message.pk).delivered_at
    assert deliver_pending(message_id=message.pk) is False
    assert Message.objects.get(pk=message.pk).delivered_at == first
