"""Benchmark scenario suggestion: cold start, warm latency of one suggestion, and the evaluation run.

    .venv/bin/python bench/bench_suggestion.py [--rounds 5] [--cold-runs 3] [--threads 0]
        [--redis redis://127.0.0.1:6379/8]

Works on its own throw-away SQLite database (migrated, so the official scenarios come from the data
migration) with one store holding two templates of its own, so every suggestion reads both caches.

* cold start: a fresh Python process, Django set up, then the first ``suggest_scenarios`` call
  (loads the 4-bit model, embeds the official scenarios and the store's templates, embeds the query).
  With ``--redis`` (a Redis database the bench may FLUSH) the first process starts from an empty
  cache and the following ones find the passage vectors the first one stored, as a new web or worker
  process would in production; without it every process embeds everything;
* warm latency: every evaluation message ``--rounds`` times through ``suggest_scenarios`` (the
  cache-version query, language detection, query embedding and scoring): median and p95 of the wall
  time, and the median CPU time the process used per call -- with one thread that is what the wall
  time would be on an otherwise idle core, so it is the figure to compare on a busy machine (with
  more threads it is the sum over them);
* evaluation run: the 112 labelled messages through ``evaluate`` with the model warm;
* with ``--after-ingest``: the reply box's own call (``suggestions_for_conversation``) on a conversation whose
  buyer message was just ingested (``message_ingest``), twice per evaluation message: once with the vector the
  ``conversations.prepare_suggestions`` task put in the shared cache after commit (run in-process here, as the
  worker would; this process's own copy is then dropped, as a web process never saw it), once with that vector
  deleted (a message nobody prepared: the model runs when the agent opens it).

``--threads`` sets SUGGESTION_THREADS (0 = one OpenMP thread per core). Prints a Markdown block for
docs/benchmarks.md.
"""

import argparse
import datetime
import logging
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _setup(database: str) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seller_desk.settings")
    import django

    django.setup()


def _prepare(database: str) -> None:
    """Migrate the throw-away database and give one store two templates of its own."""
    _setup(database)
    from django.core.management import call_command

    from seller_desk.services import member_add, store_create
    from templates_i18n.services import store_template_create

    call_command("migrate", verbosity=0)
    store = store_create(name="Bench Store", tier="advanced").store
    user = member_add(store=store, username="bench-agent", password="pass-word-1", role="agent").user
    store_template_create(
        store=store,
        acting_user=user,
        title="Buyer asks for an invoice",
        texts={
            "en": "Dear customer, please find your invoice attached.",
            "pl": "W załączniku przesyłamy fakturę.",
        },
    )
    store_template_create(
        store=store,
        acting_user=user,
        title="Size advice",
        texts={
            "en": "Our shoes run small: please order one size up.",
            "ru": "Обувь маломерит: берите на размер больше.",
        },
    )


def _store():
    from seller_desk.models import Store

    return Store.objects.get(name="Bench Store")


def cold_child(database: str) -> None:
    """Run in a fresh process: time Django-ready -> first suggestion."""
    _setup(database)
    from templates_i18n.suggest import suggest_scenarios

    store = _store()
    started = time.perf_counter()
    suggest_scenarios(store=store, text="Когда придёт мой заказ?", order_status="in_transit")
    print(f"{time.perf_counter() - started:.4f}")


def _cold_runs(args, database: str) -> list[float]:
    command = [sys.executable, __file__, "--cold-child", database, "--threads", str(args.threads)]
    if args.redis:
        command += ["--redis", args.redis]
    runs = []
    for _ in range(args.cold_runs):
        out = subprocess.run(command, check=True, capture_output=True, text=True)
        runs.append(float(out.stdout.strip().splitlines()[-1]))
    return runs


def _busy_start() -> subprocess.Popen:
    """A process spinning on one core for the warm measurement ("with the other core busy")."""
    return subprocess.Popen([sys.executable, "-c", "while True: pass"])


def _after_ingest(args, store, cases, cache_embeddings) -> dict[str, list[float]]:
    """Seconds of ``suggestions_for_conversation`` right after ``message_ingest``, per evaluation message."""
    import uuid

    from django.utils import timezone

    from conversations.models import Conversation
    from conversations.selectors import suggestions_for_conversation
    from marketplace.services import message_ingest
    from seller_desk.celery import app
    from templates_i18n import suggest

    # The task runs after commit in this process, standing in for the worker; a log line per task would drown the
    # table.
    app.conf.task_always_eager = True
    logging.getLogger("celery.app.trace").setLevel(logging.WARNING)
    timings: dict[str, list[float]] = {"prepared": [], "unprepared": []}
    for _ in range(args.rounds):
        for case in cases:
            for kind in ("prepared", "unprepared"):
                tag = uuid.uuid4().hex[:12]
                result = message_ingest(
                    store=store,
                    message_id=f"bench-{tag}",
                    buyer={"buyer_id": f"bench-{tag}", "name": "Bench Buyer", "country": "", "locale": ""},
                    channel="message",
                    text=case.text,
                    sent_at=timezone.now(),
                )
                with suggest._model_lock:
                    suggest._queries.clear()
                if kind == "unprepared":
                    cache_embeddings.delete(suggest._query_cache_key(case.text.strip()))
                conversation = Conversation.objects.get(pk=result.conversation.pk)
                started = time.perf_counter()
                suggestions_for_conversation(store=store, conversation=conversation)
                timings[kind].append(time.perf_counter() - started)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--cold-runs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=0, help="SUGGESTION_THREADS (0 = one per core)")
    parser.add_argument("--redis", help="Redis URL for the Django cache; the bench clears that database")
    parser.add_argument("--cold-child", help=argparse.SUPPRESS)
    parser.add_argument(
        "--after-ingest",
        action="store_true",
        help="also measure the reply box's suggestion right after ingest, vector prepared by the task or not",
    )
    parser.add_argument(
        "--busy",
        action="store_true",
        help="keep one other core busy (a spinning process) while measuring warm",
    )
    args = parser.parse_args()
    os.environ["SUGGESTION_THREADS"] = str(args.threads)
    if args.redis:
        os.environ["REDIS_URL"] = args.redis
    if args.cold_child:
        cold_child(args.cold_child)
        return

    with tempfile.TemporaryDirectory() as tmp:
        database = str(Path(tmp) / "bench.sqlite3")
        _prepare(database)
        from django.core.cache import cache

        cache.clear()
        cold = _cold_runs(args, database)

        from templates_i18n import suggest
        from templates_i18n.eval.runner import evaluate, load_cases

        store = _store()
        cases = load_cases()
        suggest.suggest_scenarios(store=store, text="warm up", order_status=None)

        from django.core.cache import caches

        cache_embeddings = caches["embeddings"]
        busy = _busy_start() if args.busy else None
        ingested = _after_ingest(args, store, cases, cache_embeddings) if args.after_ingest else None
        latencies = []
        cpu = []
        repeat = []
        for _ in range(args.rounds):
            for case in cases:
                # A message the process has not embedded yet: the query-vector cache is emptied first.
                with suggest._model_lock:
                    suggest._queries.clear()
                cache_embeddings.delete(suggest._query_cache_key(case.text))
                started, started_cpu = time.perf_counter(), time.process_time()
                suggest.suggest_scenarios(store=store, text=case.text, order_status=case.order_status)
                latencies.append(time.perf_counter() - started)
                cpu.append(time.process_time() - started_cpu)
                # The same conversation asked again (panel reload, another web process, the pick at send):
                # the vector from the shared cache (this process's copy is dropped first).
                with suggest._model_lock:
                    suggest._queries.clear()
                started = time.perf_counter()
                suggest.suggest_scenarios(store=store, text=case.text, order_status=case.order_status)
                repeat.append(time.perf_counter() - started)
        if busy is not None:
            busy.kill()
        latencies.sort()
        embed = []
        for case in cases:
            with suggest._model_lock:
                suggest._queries.clear()
            cache_embeddings.delete(suggest._query_cache_key(case.text))
            started = time.perf_counter()
            suggest.embed_query(case.text)
            embed.append(time.perf_counter() - started)

        started = time.perf_counter()
        report = evaluate(
            lambda text, status, country=None: suggest.suggest_scenarios(
                store=None, text=text, order_status=status, buyer_country=country
            ),
            cases,
        )
        eval_seconds = time.perf_counter() - started

    median_ms = statistics.median(latencies) * 1000
    p95_ms = latencies[int(0.95 * (len(latencies) - 1))] * 1000
    embed_ms = statistics.median(embed) * 1000
    load = os.getloadavg()[0]
    threads = args.threads or os.cpu_count()
    cache_name = "Redis" if args.redis else "per-process (locmem)"
    rows = [("cold start: fresh process to first suggestion, empty cache", f"{cold[0]:.2f} s")]
    if len(cold) > 1:
        label = "passage vectors already in Redis" if args.redis else "per-process cache, embeds again"
        rows.append(
            (f"cold start, {label} (median of {len(cold) - 1})", f"{statistics.median(cold[1:]):.2f} s")
        )
    rows += [
        ("one suggestion, model warm: median", f"{median_ms:.1f} ms"),
        ("one suggestion, model warm: p95", f"{p95_ms:.1f} ms"),
        (
            "one suggestion, model warm: median CPU time of the process",
            f"{statistics.median(cpu) * 1000:.1f} ms",
        ),
        (
            "the same text again, query vector from the shared cache: median",
            f"{statistics.median(repeat) * 1000:.1f} ms",
        ),
        ("query embedding alone: median", f"{embed_ms:.1f} ms"),
        (f"evaluation run, {report.overall.n} messages, model warm", f"{eval_seconds:.2f} s"),
    ]
    if ingested is not None:
        for label, values in (
            ("reply box after ingest, vector prepared by the task", ingested["prepared"]),
            ("reply box after ingest, vector not prepared (model runs)", ingested["unprepared"]),
        ):
            values.sort()
            rows.append((f"{label}: median", f"{statistics.median(values) * 1000:.1f} ms"))
            rows.append((f"{label}: p95", f"{values[int(0.95 * (len(values) - 1))] * 1000:.1f} ms"))
    print(
        f"Machine: `{platform.machine()}`, {os.cpu_count()} CPUs (`nproc`), Python {platform.python_version()}, "
        f"{datetime.date.today().isoformat()}; SUGGESTION_THREADS={args.threads} ({threads} thread(s), "
        f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', 'PASSIVE')}), "
        f"{cache_name} cache, {len(latencies)} warm calls{' with one core kept busy (--busy)' if args.busy else ''}; "
        f"1-minute load average at the end {load:.1f}."
    )
    print()
    print("| measure | result |")
    print("| --- | --: |")
    for name, value in rows:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
