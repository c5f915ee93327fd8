"""A throwaway deployment for the fault tests: its own PostgreSQL cluster (initdb/pg_ctl in a temp dir) and its
own redis-server on free ports, so restarting them never disturbs the shared 5432/6379; gunicorn and Celery
worker (+ beat) subprocesses against them. Everything is stopped and removed on exit, whatever happened.
"""

import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pg_bin() -> str | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return os.path.dirname(found[-1])
    initdb = shutil.which("initdb")
    return os.path.dirname(initdb) if initdb else None


def missing_binaries() -> list[str]:
    missing = []
    if pg_bin() is None:
        missing.append("initdb/pg_ctl (PostgreSQL server binaries)")
    if shutil.which("redis-server") is None:
        missing.append("redis-server")
    return missing


def _wait(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise TimeoutError(f"{what} not ready within {timeout} s")


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


class PgCluster:
    """initdb + pg_ctl in a temp dir, as the ``postgres`` user when the tests run as root."""

    def __init__(self, root: Path):
        self.root = root
        self.data = root / "pgdata"
        self.port = free_port()
        self.bin = pg_bin()
        self.as_root = os.geteuid() == 0

    def _run(self, *args: str, check: bool = True):
        cmd = [os.path.join(self.bin, args[0]), *args[1:]]
        if self.as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, check=check, capture_output=True, text=True, timeout=60)

    def init(self):
        if self.as_root:
            shutil.chown(self.root, user="postgres", group="postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync")

    def start(self):
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} -c fsync=off -c max_connections=60"
        )
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.root / "postgres.log"),
            "-o",
            options,
            "-w",
            "-t",
            "30",
            "start",
        )

    def stop(self, mode: str = "fast"):
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "30", "stop", check=False)

    def restart(self):
        self.stop()
        self.start()

    def url(self, db: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{db}"


class RedisServer:
    def __init__(self, root: Path):
        self.root = root
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    def start(self):
        log = open(self.root / "redis.log", "ab")
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.root),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        _wait(lambda: _port_open(self.port), 10, "redis-server")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


STORE_SETUP = """
import json, sys, django
django.setup()
from seller_desk.services import member_add, store_create, store_marketplace_endpoint_set
name, endpoint, secret = sys.argv[1:4]
made = store_create(name=name, tier="advanced")
member_add(store=made.store, username=made.store.slug + "-owner", password="pass-word-1", role="owner")
if endpoint:
    store_marketplace_endpoint_set(store=made.store, endpoint=endpoint, secret=secret or None)
print(json.dumps({"store_id": made.store.pk, "slug": made.store.slug, "integration_token": made.integration_token}))
"""


class Desk:
    """One deployment: the cluster, Redis, the migrated database, and helpers to run its processes."""

    def __init__(self, root: Path, pg: PgCluster, redis: RedisServer, db: str):
        self.root, self.pg, self.redis, self.db = root, pg, redis, db
        self.env_extra: dict[str, str] = {}

    def env(self, **extra) -> dict:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "seller_desk.settings",
            "PYTHONPATH": str(ROOT),
            "DATABASE_URL": self.pg.url(self.db),
            "REDIS_URL": self.redis.url,
            "MEDIA_ROOT": str(self.root / "media"),
            "LOG_LEVEL": "WARNING",
            "DB_CONN_MAX_AGE": "60",
            **self.env_extra,
            **extra,
        }
        env.pop("REQUIRE_SERVICES", None)
        return env

    def manage(self, *args: str) -> str:
        out = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=300,
        )
        if out.returncode:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{out.stdout}\n{out.stderr}")
        return out.stdout

    def sql(self, query: str, params=()) -> list[tuple]:
        with psycopg2.connect(host="127.0.0.1", port=self.pg.port, user="postgres", dbname=self.db) as conn:
            with conn.cursor() as cur:
                cur.execute(query, params)
                rows = cur.fetchall() if cur.description else []
        conn.close()
        return rows

    def store(self, name: str, *, endpoint: str = "", secret: str = "") -> dict:
        """A store with an owner ``<slug>-owner`` (and its marketplace endpoint), made in one process."""
        out = subprocess.run(
            [sys.executable, "-c", STORE_SETUP, name, endpoint, secret],
            cwd=ROOT,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=120,
        )
        if out.returncode:
            raise RuntimeError(f"store setup failed:\n{out.stdout}\n{out.stderr}")
        created = json.loads(out.stdout.strip().splitlines()[-1])
        created["secret"] = secret
        return created

    @contextmanager
    def web(self, **extra):
        port = free_port()
        env = self.env(GUNICORN_BIND=f"127.0.0.1:{port}", GUNICORN_WORKERS="2", GUNICORN_THREADS="4", **extra)
        log = open(self.root / f"web-{port}.log", "ab")
        proc = subprocess.Popen(
            [str(Path(sys.executable).with_name("gunicorn")), "seller_desk.wsgi", "-c", "gunicorn.conf.py"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        web = Web(f"http://127.0.0.1:{port}")
        try:
            _wait(lambda: _port_open(port) or proc.poll() is not None, 60, "gunicorn")
            if proc.poll() is not None:
                raise RuntimeError("gunicorn exited:\n" + (self.root / f"web-{port}.log").read_text()[-3000:])
            yield web
        finally:
            _kill_group(proc, signal.SIGTERM)

    def start_worker(self, name: str = "worker", **extra) -> subprocess.Popen:
        """A Celery worker with beat embedded (``-B``) in a process group of its own (so SIGKILL takes all)."""
        log = open(self.root / f"{name}.log", "ab")
        return subprocess.Popen(
            [
                str(Path(sys.executable).with_name("celery")),
                "-A",
                "seller_desk",
                "worker",
                "--pool=solo",
                "-B",
                "-s",
                str(self.root / f"beat-{name}"),
                "--loglevel=WARNING",
                "-n",
                f"{name}@%h",
            ],
            cwd=ROOT,
            env=self.env(**extra),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @contextmanager
    def worker(self, name: str = "worker", **extra):
        proc = self.start_worker(name, **extra)
        try:
            yield proc
        finally:
            _kill_group(proc, signal.SIGTERM)

    def log_tail(self, chars: int = 4000) -> str:
        parts = []
        for path in sorted(self.root.glob("*.log")):
            text = path.read_text(errors="replace")
            parts.append(f"--- {path.name}\n{text[-chars:]}")
        return "\n".join(parts)


def _kill_group(proc: subprocess.Popen, sig) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, sig)
        proc.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=10)


def kill_worker(proc: subprocess.Popen) -> None:
    """SIGKILL the worker and everything it started (its embedded beat), as an OOM killer or a lost host would."""
    _kill_group(proc, signal.SIGKILL)


class Web:
    def __init__(self, base: str):
        self.base = base

    def call(
        self, method: str, path: str, body=None, headers=None, timeout: float = 30, sign_with: str = ""
    ) -> tuple[int, dict, dict]:
        data = json.dumps(body).encode() if body is not None else None
        if sign_with:
            from seller_desk.signatures import signed_headers

            headers = {**(headers or {}), **signed_headers(secret=sign_with, body=data or b"")}
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        for k, v in (headers or {}).items():
            request.add_header(k, v)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as r:
                raw, status, hdrs = r.read(), r.status, dict(r.headers)
        except urllib.error.HTTPError as e:
            raw, status, hdrs = e.read(), e.code, dict(e.headers)
        try:
            payload = json.loads(raw) if raw else {}
        except ValueError:
            payload = {"raw": raw[:200].decode(errors="replace")}
        return status, payload, hdrs

    def token(self, username: str) -> str:
        status, payload, _ = self.call(
            "POST", "/api/v1/auth/token", {"username": username, "password": "pass-word-1"}
        )
        assert status == 200, payload
        return payload["token"]


@contextmanager
def sandbox():
    """The cluster and Redis started, a database migrated; all of it stopped and removed afterwards."""
    root = Path(tempfile.mkdtemp(prefix="sd-faults-"))
    os.chmod(root, 0o755)
    pg, redis = PgCluster(root), RedisServer(root)
    try:
        pg.init()
        pg.start()
        conn = psycopg2.connect(host="127.0.0.1", port=pg.port, user="postgres", dbname="postgres")
        conn.autocommit = True
        conn.cursor().execute("CREATE DATABASE desk")
        conn.close()
        redis.start()
        desk = Desk(root, pg, redis, "desk")
        (root / "media").mkdir()
        desk.manage("migrate", "--noinput")
        yield desk
    finally:
        redis.stop()
        pg.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)
