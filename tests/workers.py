"""A real Celery worker for task-flow tests: a subprocess on Redis against the PostgreSQL test database."""

import os
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

from celery.app.routes import prepare as prepare_routes
from django.db import connection

from seller_desk.celery import app as celery_app

ROOT = Path(__file__).resolve().parent.parent

# The worker queues tasks of its own (each message's delivery): its default queue is the test's queue too. It
# consumes the test's own ``suggest`` queue as well (the suggestion vectors, CELERY_TASK_ROUTES), as the Procfile's
# worker does ``-Q celery,suggest``.
WORKER = (
    "from seller_desk.celery import app; import sys; q, s = sys.argv[1:3]; app.conf.task_default_queue = q; "
    "app.conf.task_routes = {'conversations.prepare_suggestions': {'queue': s}}; "
    "app.worker_main(['worker', '--pool=solo', '-Q', q + ',' + s, '--loglevel=WARNING'])"
)


def test_database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


test_database_url.__test__ = False


@contextmanager
def running_worker(redis_url: str):
    """Start a worker on a queue of its own and point this process's task producer at it."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    suggest = f"{queue}-suggest"
    previous = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = queue
    routes = celery_app.amqp.router.routes  # the producer's routing table, read on every publish
    previous_routes = list(routes)
    routes[:] = prepare_routes({"conversations.prepare_suggestions": {"queue": suggest}})
    env = {**os.environ, "DATABASE_URL": test_database_url(), "REDIS_URL": redis_url}
    proc = subprocess.Popen([sys.executable, "-c", WORKER, queue, suggest], cwd=ROOT, env=env)
    try:
        yield proc
    finally:
        celery_app.conf.task_default_queue = previous
        routes[:] = previous_routes
        proc.terminate()
        proc.wait(timeout=20)


def wait_for(predicate, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.25)
    return False
