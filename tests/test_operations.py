"""Operations (issue 9, points 1 and 7): /healthz, JSON logs with request/task ids, gunicorn, hashed static files."""

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import OperationalError
from django.test import Client
from rest_framework.test import APIClient

from seller_desk import health
from seller_desk.logging import ContextFilter, JsonFormatter

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db


# --- /healthz ------------------------------------------------------------------------------------


def test_healthz_in_the_embedded_mode_reports_broker_and_worker_off(settings):
    settings.REDIS_URL = ""
    r = Client().get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"database": "ok", "broker": "off", "worker": "off"}
    assert "no-cache" in r["Cache-Control"]


def test_healthz_is_503_with_the_same_shape_when_the_database_is_down(settings, monkeypatch):
    settings.REDIS_URL = ""

    def broken(*args, **kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(health.connection, "cursor", broken)
    r = Client().get("/healthz")
    assert r.status_code == 503
    assert r.json() == {"database": "down", "broker": "off", "worker": "off"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_healthz_is_503_when_the_configured_broker_is_unreachable(settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{_free_port()}/0"  # nothing listens there
    r = Client().get("/healthz")
    assert r.status_code == 503
    assert r.json() == {"database": "ok", "broker": "down", "worker": "late"}


def test_healthz_reads_the_worker_heartbeat(settings, require_redis):
    import redis

    settings.REDIS_URL = require_redis
    client = redis.Redis.from_url(require_redis)
    client.delete(health.HEARTBEAT_KEY)
    assert Client().get("/healthz").json() == {"database": "ok", "broker": "ok", "worker": "late"}
    health.heartbeat_record()
    r = Client().get("/healthz")
    assert (r.status_code, r.json()) == (200, {"database": "ok", "broker": "ok", "worker": "ok"})
    client.set(health.HEARTBEAT_KEY, repr(time.time() - health.LATE_AFTER_SECONDS - 1))
    assert Client().get("/healthz").json()["worker"] == "late"
    client.delete(health.HEARTBEAT_KEY)


# --- JSON logs -------------------------------------------------------------------------------------


class Capture(logging.Handler):
    def __init__(self):
        super().__init__()
        self.addFilter(ContextFilter())
        self.setFormatter(JsonFormatter())
        self.lines: list[dict] = []

    def emit(self, record):
        self.lines.append(json.loads(self.format(record)))


@pytest.fixture
def captured():
    handler = Capture()
    logger = logging.getLogger("seller_desk.request")
    logger.addHandler(handler)
    yield handler.lines
    logger.removeHandler(handler)


def test_each_request_gets_an_id_returned_and_logged_with_store_and_user(store, captured):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {store.integration_token}")
    r = client.get("/api/v1/ingress/buyers/b-1/messages", HTTP_X_REQUEST_ID="trace-42")
    assert r.status_code == 404  # no such buyer yet: still one access line
    assert r["X-Request-ID"] == "trace-42"
    (line,) = [entry for entry in captured if entry.get("path") == "/api/v1/ingress/buyers/b-1/messages"]
    assert {k: line[k] for k in ("level", "logger", "request_id", "store", "user", "method", "status")} == {
        "level": "INFO",
        "logger": "seller_desk.request",
        "request_id": "trace-42",
        "store": store.slug,
        "user": f"marketplace:{store.slug}",
        "method": "GET",
        "status": 404,
    }
    assert line["message"] == "GET /api/v1/ingress/buyers/b-1/messages 404"


def test_a_request_id_that_is_not_a_sane_token_is_replaced(captured):
    r = Client().get("/healthz", HTTP_X_REQUEST_ID="bad id\nwith newline")
    assert len(r["X-Request-ID"]) == 32 and r["X-Request-ID"].isalnum()


def test_task_log_lines_carry_the_task_id_and_name():
    from seller_desk.logging import _context, _task_finished, _task_started

    handler = Capture()
    logger = logging.getLogger("tests.task")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:

        class FakeTask:
            name = "campaigns.send_batch"

        _task_started(task_id="t-1", task=FakeTask())
        logger.info("batch sent")
        _task_finished(task_id="t-1")
        logger.info("after")
    finally:
        logger.removeHandler(handler)
    assert {k: handler.lines[0][k] for k in ("message", "task_id", "task")} == {
        "message": "batch sent",
        "task_id": "t-1",
        "task": "campaigns.send_batch",
    }
    assert "task_id" not in handler.lines[1]
    assert _context.get() is None


# --- static files ----------------------------------------------------------------------------------


def test_collectstatic_with_hashed_static_writes_hashed_and_compressed_files(tmp_path):
    env = {**os.environ, "STATIC_MANIFEST": "1", "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", _COLLECT.format(root=tmp_path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())
    hashed = manifest["paths"]["desk/desk.css"]
    assert hashed.startswith("desk/desk.") and hashed.endswith(".css") and hashed != "desk/desk.css"
    assert (tmp_path / hashed).exists()
    assert (tmp_path / f"{hashed}.gz").exists()


_COLLECT = """
import django, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seller_desk.settings")
from django.conf import settings
django.setup()
settings.STATIC_ROOT = "{root}"
from django.core.management import call_command
call_command("collectstatic", "--noinput", verbosity=0)
"""


def test_the_storage_is_whitenoise_compressed_manifest_when_hashed_static_is_on():
    env = {**os.environ, "STATIC_MANIFEST": "1"}
    code = "import django,os;os.environ.setdefault('DJANGO_SETTINGS_MODULE','seller_desk.settings');django.setup();from django.conf import settings as s;print(s.STORAGES['staticfiles']['BACKEND'], s.WHITENOISE_USE_FINDERS)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert out.stdout.split() == ["whitenoise.storage.CompressedManifestStaticFilesStorage", "False"]


# --- gunicorn -------------------------------------------------------------------------------------


def test_the_procfile_serves_the_web_with_gunicorn_and_its_config():
    lines = dict(line.split(": ", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line)
    assert lines["web"] == ".venv/bin/gunicorn seller_desk.wsgi -c gunicorn.conf.py"
    assert "runserver" not in (ROOT / "Procfile").read_text()


def test_gunicorn_settings_come_from_the_environment():
    env = {
        **os.environ,
        "GUNICORN_WORKERS": "5",
        "GUNICORN_THREADS": "3",
        "GUNICORN_TIMEOUT": "17",
        "PORT": "8123",
    }
    code = "import runpy;c=runpy.run_path('gunicorn.conf.py');print(c['workers'],c['threads'],c['timeout'],c['bind'],c['worker_class'])"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert out.stdout.split() == ["5", "3", "17", "127.0.0.1:8123", "gthread"]


def _get(url: str) -> tuple[int, dict]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, json.loads(response.read())


@pytest.mark.django_db(transaction=True)
def test_gunicorn_serves_healthz_and_reloads_gracefully_on_hup(tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "GUNICORN_WORKERS": "1",
        "GUNICORN_THREADS": "2",
        "REDIS_URL": "",
        "STATIC_MANIFEST": "0",
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    proc = subprocess.Popen(
        [str(gunicorn), "seller_desk.wsgi", "-c", "gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(tmp_path / "gunicorn.log", "w"),  # noqa: SIM115
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status, body = _get(f"http://127.0.0.1:{port}/healthz")
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    pytest.fail((tmp_path / "gunicorn.log").read_text())
                time.sleep(0.2)
        assert (status, body) == (200, {"database": "ok", "broker": "off", "worker": "off"})
        proc.send_signal(signal.SIGHUP)  # graceful reload: the master stays, a new worker takes over
        time.sleep(2)
        assert proc.poll() is None
        assert _get(f"http://127.0.0.1:{port}/healthz")[0] == 200
        assert "Handling signal: hup" in (tmp_path / "gunicorn.log").read_text()
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_call_command_check_runs_with_the_new_middleware():
    call_command("check")
