"""Load runs against gunicorn (2 sync workers with the rest of the project's ``gunicorn.conf.py``, as the issue
specifies; ``BENCH_WORKER_CLASS=gthread`` measures the production default, 4 threads a worker) + PostgreSQL + Redis
+ a Celery worker, beside a bare Django JSON view in the same run, on the data of ``bench/load_big.py``. Loopback
only, on a free port (``BENCH_PORT`` fixes one); every wrk run is bounded (``--seconds``).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sd_bench14 REDIS_URL=redis://127.0.0.1:6379/8 \\
        .venv/bin/python bench/bench_http.py [--seconds 10] [--connections 4]

Prints one line per endpoint: requests/s, p50, p99, the ratio to the bare view, and the queries of one request.
"""

import argparse
import json
import os
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _free_port() -> int:
    """A loopback port nothing listens on now, so two benches on one machine never share a server."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


PORT = int(os.environ.get("BENCH_PORT") or _free_port())
# The issue's "2 sync workers"; BENCH_WORKER_CLASS=gthread measures the production default (4 threads a worker).
WORKER_CLASS = os.environ.get("BENCH_WORKER_CLASS", "sync")
THREADS = "1" if WORKER_CLASS == "sync" else os.environ.get("GUNICORN_THREADS", "4")
# One Celery worker on both queues (delivery and the suggestion vectors), as the Procfile runs it.
WORKER_COMMAND = [
    str(ROOT / ".venv/bin/celery"),
    "-A",
    "seller_desk",
    "worker",
    "-Q",
    "celery,suggest",
    "-c",
    "1",
]
WORKER_COMMAND += ["-l", "warning"]
BASE = f"http://127.0.0.1:{PORT}"

INGRESS_LUA = """
local counter = 0
local thread_id = 0
setup = function(thread) thread:set("tid", thread_id); thread_id = thread_id + 1 end
init = function(args) tid = tid or 0 end
request = function()
  counter = counter + 1
  local buyer = 1 + (counter * 7 + tid * 3) % 100000
  local body = string.format('{"message_id":"w%s-%d-%d","buyer":{"buyer_id":"b%d","name":"Buyer %d","country":"%s","locale":"%s"},"channel":"message","text":"Where is my parcel? It has been two weeks.","sent_at":"2026-12-02T10:00:00Z"}',
    RUN, tid, counter, buyer, buyer, COUNTRY[1 + buyer %% 9], LOCALE[1 + buyer %% 9])
  return wrk.format("POST", "/api/v1/ingress/messages", nil, body)
end
"""


def _setup() -> dict:
    """Sessions and an API token for the bench logins; a conversation id for the thread."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings_bench"
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore

    from autoreply.models import AutoReplySettings
    from conversations.models import Conversation
    from seller_desk.services import api_token_issue

    out = {"tokens": json.loads((ROOT / "bench" / ".tokens.json").read_text())}
    for slug in ("bench-big", "bench-small"):
        user = get_user_model().objects.get(username=f"{slug}-agent")
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        out[slug] = {
            "cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}",
            "token": api_token_issue(user=user)[0],
            "thread": Conversation.objects.filter(store__slug=slug)
            .order_by("id")
            .values_list("id", flat=True)[500],
        }
        AutoReplySettings.objects.filter(store__slug=slug).update(enabled=False)
    return out


def _queries(path: str, headers: dict, method: str = "GET", body: str | None = None) -> int:
    """Queries of one request, counted in this process with Django's test client against the same database; a GET
    is asked twice and its second asking counted, as the load runs repeat it (the first also reads the token's
    row, and a queue page the rows it had not built yet)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items() if k.lower() != "cookie"}
    if "Cookie" in headers:
        name, value = headers["Cookie"].split("=", 1)
        client.cookies[name] = value
    if method == "GET":
        client.get(path, HTTP_HOST="127.0.0.1", **extra)
    with CaptureQueriesContext(connection) as captured:
        if method == "POST":
            response = client.post(
                path, data=body, content_type="application/json", HTTP_HOST="127.0.0.1", **extra
            )
        else:
            response = client.get(path, HTTP_HOST="127.0.0.1", **extra)
    if response.status_code not in (200, 201, 304):  # e.g. a 429: its queries would say nothing of the path
        sys.exit(
            f"counting the queries of {method} {path} got {response.status_code}: {response.content[:300]!r}"
        )
    return len(captured)


def _role(pid_dir: Path, comm: str) -> str | None:
    if comm == "postgres":
        return "postgres"
    if comm.startswith("redis-server"):
        return "redis"
    if not comm.startswith(("gunicorn", "celery", "python")):
        return None
    try:
        cmdline = (pid_dir / "cmdline").read_bytes()
    except OSError:
        return None
    return "web" if b"gunicorn" in cmdline else "worker" if b"celery" in cmdline else None


def _proc_cpu() -> dict[tuple[int, int], tuple[str, float]]:
    """CPU seconds so far of every process on the box by role: ``web`` (gunicorn), ``worker`` (Celery), ``postgres``
    (every backend and the server's own processes), ``redis``; keyed by (pid, start time), so a process that ends
    during a run and one that starts in it are told apart. Read from ``/proc`` before and after a wrk run, so each
    request's cost is shown where it is paid, the worker's and the database's included."""
    ticks = os.sysconf("SC_CLK_TCK")
    processes: dict[tuple[int, int], tuple[str, float]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            head, rest = stat.read_text().rsplit(")", 1)
        except OSError:
            continue
        role = _role(stat.parent, head.split("(", 1)[1])
        if role:
            fields = rest.split()
            key = (int(stat.parent.name), int(fields[19]))
            processes[key] = (role, (int(fields[11]) + int(fields[12])) / ticks)
    return processes


def _cpu_by_role(before: dict, after: dict) -> dict[str, float]:
    """CPU seconds each role spent between two ``_proc_cpu`` reads: the processes alive at the second read, each
    from its first read or from its start. A process that ended in between (a database backend replaced when its
    connection aged out) takes its share with it: never negative, at worst a little low."""
    spent: dict[str, float] = {}
    for key, (role, seconds) in after.items():
        spent[role] = spent.get(role, 0.0) + seconds - before.get(key, (role, 0.0))[1]
    return spent


def _wrk(path: str, headers: dict, seconds: int, connections: int, script: str | None = None) -> dict:
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    for k, v in headers.items():
        cmd += ["-H", f"{k}: {v}"]
    if script:
        cmd += ["-s", script]
    before, wrk_before = _proc_cpu(), resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run([*cmd, BASE + path], capture_output=True, text=True, timeout=seconds + 60).stdout
    after, wrk_after = _proc_cpu(), resource.getrusage(resource.RUSAGE_CHILDREN)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    cpu = {role: seconds * 1000 / total for role, seconds in _cpu_by_role(before, after).items()}
    cpu["wrk"] = (
        (wrk_after.ru_utime + wrk_after.ru_stime - wrk_before.ru_utime - wrk_before.ru_stime) * 1000 / total
    )

    def pct(p):
        m = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out)
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": rps,
        "p50": pct(50),
        "p99": pct(99),
        "errors": int(non2xx.group(1)) if non2xx else 0,
        "cpu": cpu,
    }


INGRESS_PATH = "/api/v1/ingress/messages"


def _ingress_wrk(token: str, seconds: int, connections: int, n: int) -> dict:
    """wrk posting signed buyer messages of 100,000 known buyers (new message ids every round), then the queries of
    one more message of a known buyer, counted in this process."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(
            f'RUN = "{int(time.time())}-{n}"\n'
            'COUNTRY = {"RU","ES","FR","US","BR","PL","KR","IL","SA"}\n'
            'LOCALE = {"ru_RU","es_ES","fr_FR","en_US","pt_BR","pl_PL","ko_KR","he_IL","ar_SA"}\n'
            + INGRESS_LUA.replace("%%", "%")
        )
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    r = _wrk(INGRESS_PATH, headers, seconds, connections, script=lua.name)
    os.unlink(lua.name)
    r["cases"] = _ingress_statements(headers["Authorization"])
    r["queries"] = r["cases"]["known buyer"]
    return r


def _ingress_statements(authorization: str) -> dict[str, int]:
    """Statements of one message, counted in this process, by case: a known buyer as stored (the message before it
    stored the same name, country and locale), the same buyer with a new country, a buyer never seen (the buyer and
    the conversation created)."""

    def count(body: dict) -> int:
        return _queries(INGRESS_PATH, {"Authorization": authorization}, "POST", json.dumps(body))

    stamp = time.time()
    count(_buyer_message(f"q{stamp}-a", 17, "Where is my parcel?"))
    new_buyer = _buyer_message(f"q{stamp}-n", 17, "Where is my parcel?")
    new_buyer["buyer"] = {**new_buyer["buyer"], "buyer_id": f"new-{stamp}", "name": "New Buyer"}
    return {
        "known buyer": count(_buyer_message(f"q{stamp}-b", 17, "Where is my parcel?")),
        "changed buyer": count(_buyer_message(f"q{stamp}-c", 17, "Where is my parcel?", country="DE")),
        "new buyer": count(new_buyer),
    }


def _buyer_message(
    message_id: str,
    buyer: int,
    text: str,
    *,
    channel: str = "message",
    country: str = "PL",
    locale: str = "pl_PL",
) -> dict:
    """An ingress body: one message of bench buyer ``b<buyer>``."""
    return {
        "message_id": message_id,
        "buyer": {"buyer_id": f"b{buyer}", "name": f"Buyer {buyer}", "country": country, "locale": locale},
        "channel": channel,
        "text": text,
        "sent_at": "2026-12-02T10:00:00Z",
    }


def _ingest(token: str, message: dict) -> tuple[int, dict]:
    """POST one buyer message to the served desk's ingress: (status, answer)."""
    request = urllib.request.Request(
        BASE + INGRESS_PATH,
        data=json.dumps(message).encode(),
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, json.loads(response.read())


def _exactly_once(token: str, ids: int = 100, ways: int = 4) -> str:
    """Each of ``ids`` new message ids posted by ``ways`` threads at once, then replayed: one row per id."""
    from concurrent.futures import ThreadPoolExecutor

    from conversations.models import Message

    run = f"x{int(time.time())}"

    def post(n: int) -> tuple[int, str]:
        body = _buyer_message(
            f"{run}-{n}", 50_000 + n, "Is this still available?", channel="chat", country="ES", locale="es_ES"
        )
        status, answer = _ingest(token, body)
        return status, answer["message_id"]

    with ThreadPoolExecutor(max_workers=ways) as pool:
        answers = list(pool.map(post, [n for n in range(ids) for _ in range(ways)]))
        answers += list(pool.map(post, range(ids)))  # replays
    created = sum(1 for status, _ in answers if status == 201)
    rows = Message.objects.filter(external_id__startswith=f"{run}-").count()
    return f"{ids} ids × {ways} racing + 1 replay: {created} answered 201, {len(answers) - created} answered 200, {rows} rows"


def _suggest_worker_warm(token: str) -> None:
    """One ingest, then wait (≤ 60 s) until the worker has put its suggestion vector in the shared cache: its first
    ``suggest`` task loads the embedding model (seconds of CPU, once per worker process), which must not fall
    inside the measured run."""
    body = _buyer_message(f"warm{time.time()}", 18, "Where is my parcel? It has been two weeks.")
    conversation_id = _ingest(token, body)[1]["conversation_id"]
    from django.core.cache import caches

    from conversations.selectors import suggestion_text_for_conversation_id
    from templates_i18n.suggest import _query_cache_key

    key = _query_cache_key(suggestion_text_for_conversation_id(conversation_id).strip())
    deadline = time.monotonic() + 60
    while caches["embeddings"].get(key) is None and time.monotonic() < deadline:
        time.sleep(0.5)


def _serve(conn_max_age: str):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings_bench",
        "DJANGO_DEBUG": "0",
        "DB_CONN_MAX_AGE": conn_max_age,
        # A sync worker is one thread: gunicorn runs "-k sync" with more than one thread as gthread (its config.py),
        # which every run from 2026-12-04 20:03 to 2026-12-07 15:30 did (4 threads). BENCH_WORKER_CLASS=gthread:
        # GUNICORN_THREADS threads a worker (the production default is 4).
        "GUNICORN_THREADS": THREADS,
        # gunicorn reads the rest of the project's gunicorn.conf.py: no recycling during a run, so
        # a worker's start-up (the language detector, seconds of CPU) never lands inside a measurement.
        "GUNICORN_MAX_REQUESTS": "0",
    }
    web = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "bench.wsgi_bench:application",
            "-w",
            "2",
            "-k",
            WORKER_CLASS,
            "-b",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(BASE + "/bench/bare/", timeout=1)
            break
        except OSError:
            time.sleep(0.2)
    return web


def _rounds(runs: list[tuple], data: dict, args, bare_label: str) -> list[dict]:
    """Every run ``args.rounds`` times, interleaved (the bare view first in each round); per run the median round, the range of its rates and of its share
    of the bare view measured in the same round. ``runs[0]`` is the bare view, shown as ``bare_label``."""
    rounds: dict[str, list[dict]] = {}
    for n in range(args.rounds):
        # Every other round the runs after the bare view go in reverse order, so no page always follows the same one.
        for label, path, headers in runs if n % 2 == 0 else [runs[0], *reversed(runs[1:])]:
            if "If-None-Match" in headers:  # the tag names the minute: take it fresh for each run
                fresh = urllib.request.Request(BASE + path, headers={"Cookie": headers["Cookie"]})
                headers = {**headers, "If-None-Match": urllib.request.urlopen(fresh).headers["ETag"]}
            if path == INGRESS_PATH:
                r = _ingress_wrk(data["tokens"]["bench-big"], args.seconds, args.connections, n)
            else:
                r = _wrk(path, headers, args.seconds, args.connections)
                r.update(queries=_queries(path, headers))
            r.update(label=label, round=n)
            rounds.setdefault(label, []).append(r)
            if args.each:
                print(f"  round {n + 1}: {label}: {r['rps']:.1f} req/s", file=sys.stderr, flush=True)
    bare_label_of_runs = runs[0][0]
    bare_of_round = [r["rps"] for r in rounds[bare_label_of_runs]]
    out = []
    for label, _, _ in runs:
        ranked = sorted(rounds[label], key=lambda r: r["rps"])
        median = ranked[len(ranked) // 2]
        median["range"] = f"{ranked[0]['rps']:.0f}–{ranked[-1]['rps']:.0f}"
        shares = sorted(r["rps"] / bare_of_round[r["round"]] for r in ranked)
        median["shares"] = f"{shares[0]:.3f}–{shares[-1]:.3f}"
        median["bare"] = statistics.median(bare_of_round)
        if label == bare_label_of_runs:
            median["label"] = bare_label
        out.append(median)
    return out


def main() -> None:
    if shutil.which("wrk") is None:
        sys.exit("This bench drives the load with wrk: install it first (Debian: apt-get install -y wrk).")
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="run every endpoint this many times, interleaved; the median is shown",
    )
    parser.add_argument(
        "--apis-only",
        action="store_true",
        help="only the bare view, the queue API and the thread API (DB_CONN_MAX_AGE=60), no worker",
    )
    parser.add_argument(
        "--ingress-only",
        action="store_true",
        help="only the bare view and ingress (with the exactly-once check), DB_CONN_MAX_AGE=60",
    )
    parser.add_argument(
        "--each", action="store_true", help="print every round's rate as it is measured (stderr)"
    )
    args = parser.parse_args()
    if "sd_bench" not in os.environ.get("DATABASE_URL", "") or "127.0.0.1" not in os.environ["DATABASE_URL"]:
        sys.exit("DATABASE_URL must name the loopback benchmark database (…127.0.0.1…/sd_bench…).")
    # The ingress rate limit (1,200 a minute per token) would cut the run at 20 req/s, and the count of one request's
    # queries after it at a 429; the counter is still kept (one Redis round trip per request), so its cost stays in
    # the numbers. Set before Django's settings are read, here and in the served desk.
    os.environ.setdefault("INGRESS_RATE_PER_MINUTE", "10000000")
    load_start = os.getloadavg()[0]
    data = _setup()
    big, small = data["bench-big"], data["bench-small"]
    worker = subprocess.Popen(
        WORKER_COMMAND, cwd=ROOT, env={**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings_bench"}
    )
    results = []
    once = ""
    try:
        for conn_max_age in ("60",) if args.apis_only or args.ingress_only else ("60", "0"):
            web = _serve(conn_max_age)
            try:
                runs = [("bare JSON view", "/bench/bare/", {})]
                if conn_max_age == "0":
                    runs.append(
                        (
                            "thread API, DB_CONN_MAX_AGE=0",
                            f"/api/v1/conversations/{big['thread']}",
                            {"Authorization": f"Token {big['token']}"},
                        )
                    )
                else:
                    pages = () if args.apis_only or args.ingress_only else (("100k", big), ("10k", small))
                    for slug, who in pages:
                        session = {"Cookie": who["cookie"]}
                        poll = "/inbox/queue/"
                        etag = urllib.request.urlopen(
                            urllib.request.Request(BASE + poll, headers=session)
                        ).headers["ETag"]
                        runs += [
                            (f"/inbox/ at {slug}", "/inbox/", session),
                            (f"poll, changed, at {slug}", poll, session),
                            (f"poll, not modified, at {slug}", poll, {**session, "If-None-Match": etag}),
                        ]
                    runs += (
                        []
                        if args.ingress_only
                        else [
                            (
                                "queue API, page of 50, at 100k",
                                "/api/v1/conversations?queue=needs_reply",
                                {"Authorization": f"Token {big['token']}"},
                            ),
                            (
                                "thread API at 100k",
                                f"/api/v1/conversations/{big['thread']}",
                                {"Authorization": f"Token {big['token']}"},
                            ),
                        ]
                    )
                phases = [runs]
                if conn_max_age == "60" and not args.apis_only:
                    # Ingress writes thousands of messages into the 100k store: its rounds come after every read's,
                    # each beside a bare round of its own, so no read is measured on the data ingress grew.
                    phases.append([runs[0], ("ingress, auto-reply off, at 100k", INGRESS_PATH, {})])
                for phase, phase_runs in enumerate(phases):
                    if phase_runs[-1][1] == INGRESS_PATH:
                        _suggest_worker_warm(data["tokens"]["bench-big"])
                    results += _rounds(
                        phase_runs, data, args, bare_label="bare JSON view" + " (ingress)" * phase
                    )
                if conn_max_age == "60" and not args.apis_only:
                    once = _exactly_once(data["tokens"]["bench-big"])
            finally:
                web.terminate()
                web.wait(timeout=30)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    for r in results:  # each beside the median bare view of its own rounds
        r["ratio"] = 1.0 if r["label"].startswith("bare JSON view") else r["rps"] / r["bare"]
    print(f"load average at the end: {os.getloadavg()[0]:.1f} (1 min); at the start: {load_start:.1f}")
    print(f"gunicorn: 2 {WORKER_CLASS} workers, {THREADS} thread(s) each")
    print("exactly once:", once)
    print(
        f"{'endpoint':42} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'× bare':>7} {'queries':>7} {'non-2xx':>7}"
        "  req/s over the rounds, share of the same round's bare view"
    )
    for r in results:
        print(
            f"{r['label']:42} {r['rps']:8.1f} {r['p50']:8.1f} {r['p99']:8.1f} "
            f"{r.get('ratio', 1):7.3f} {r['queries']:7d} {r['errors']:7d}  {r.get('range', '')}"
            + (f", {r['shares']}" if not r["label"].startswith("bare JSON view") else "")
        )
    for r in results:
        if "cases" in r:
            print(
                f"{r['label']}: statements per message by case: "
                + ", ".join(f"{case} {n}" for case, n in r["cases"].items())
            )
    print("\nCPU per request by process (ms; the median round's run, every process on the box of that role):")
    roles = ("web", "worker", "postgres", "redis", "wrk")
    print(f"{'endpoint':42} " + " ".join(f"{role:>8}" for role in roles) + f" {'all':>8}")
    for r in results:
        cpu = r["cpu"]
        print(
            f"{r['label']:42} "
            + " ".join(f"{cpu.get(role, 0.0):8.2f}" for role in roles)
            + f" {sum(cpu.get(role, 0.0) for role in roles):8.2f}"
        )


if __name__ == "__main__":
    main()
