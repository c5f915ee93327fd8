"""In-process profile of ``POST /api/v1/ingress/messages`` (issue 14): signed requests through the whole Django
stack (middleware, the view, the services) against PostgreSQL and Redis, no HTTP server.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sd_wt1 REDIS_URL=redis://127.0.0.1:6379/11 DJANGO_DEBUG=0 \\
        .venv/bin/python bench/profile_ingress.py [--requests 300] [--profile 40 [--sort tottime]] [--autoreply]

Migrates the database, makes a store of its own (``bench-profile-<time>``, signed ingress, auto-reply off unless
``--autoreply``), lets each of ``--buyers`` buyers write once, then sends ``--requests`` new messages of those buyers
in turn (a known buyer writing into an existing conversation, as at 100,000 conversations), and prints the CPU time per request (median and mean, this process only: the database's own work is not in it), the
queries of one new message, the CPU time its PostgreSQL backend spent per request (read from ``/proc``, so only when
the database runs on this machine), the bare JSON view's CPU per request in the same process (``bench/urls.py``) and
with ``--profile N`` the top N functions by cumulative time (``--sort tottime``: by their own time) over all requests.
As in a gunicorn worker (``gunicorn.conf.py``), what the process built while warming up is frozen out of the garbage
collector's way before the measured requests. Every request is checked (201); the suggestion work it notes (the
pending list, the tasks) is removed afterwards.
"""

import argparse
import cProfile
import gc
import json
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--profile", type=int, default=0, help="print the top N functions (cumulative)")
    parser.add_argument("--autoreply", action="store_true", help="turn the store's auto-reply on")
    parser.add_argument(
        "--buyers",
        type=int,
        default=50,
        help="buyers writing in turn (most requests: a known buyer's conversation)",
    )
    parser.add_argument(
        "--sort", default="cumulative", choices=["cumulative", "tottime"], help="--profile's order"
    )
    parser.add_argument("--dump", help="write the raw profile here (pstats)")
    args = parser.parse_args()
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings_bench"  # the desk's settings and the bare view
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.backend import backend_cpu
    from seller_desk.services import store_create
    from seller_desk.signatures import signed_headers

    call_command("migrate", verbosity=0)
    run = str(int(time.time()))
    created = store_create(name=f"bench-profile-{run}", tier="advanced")
    store, token = created.store, created.integration_token
    store.marketplace_secret = "profile-secret-" + run
    store.save(update_fields=["marketplace_secret"])
    if args.autoreply:
        from autoreply.models import AutoReplySettings

        AutoReplySettings.objects.update_or_create(
            store=store, defaults={"enabled": True, "welcome_text": "Hello, we will answer soon."}
        )
    client = Client()

    def post(n: int):
        buyer = n % args.buyers
        body = json.dumps(
            {
                "message_id": f"p{run}-{n}",
                "buyer": {
                    "buyer_id": f"b{buyer}",
                    "name": f"Buyer {buyer}",
                    "country": "PL",
                    "locale": "pl_PL",
                },
                "channel": "message",
                "text": "Where is my parcel? It has been two weeks.",
                "sent_at": "2026-12-02T10:00:00Z",
            }
        ).encode()
        headers = {
            f"HTTP_{k.upper().replace('-', '_')}": v
            for k, v in signed_headers(secret=store.marketplace_secret, body=body).items()
        }
        response = client.post(
            "/api/v1/ingress/messages",
            body,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
            **headers,
        )
        assert response.status_code == 201, response.content
        return response

    for n in range(args.buyers):  # warm: imports, caches, the connection; every buyer's conversation exists
        post(1_000_000 + n)
    with CaptureQueriesContext(connection) as ctx:
        post(2_000_000)
    queries = [q["sql"] for q in ctx.captured_queries]
    for _ in range(50):
        assert client.get("/bench/bare/").status_code == 200
    gc.collect()
    gc.freeze()

    cpu = []
    backend_before = backend_cpu(connection)
    profiler = cProfile.Profile(time.process_time) if args.profile else None  # CPU time, not waits
    for n in range(args.requests):
        started = time.process_time()
        if profiler:
            profiler.enable()
        post(n)
        if profiler:
            profiler.disable()
        cpu.append(time.process_time() - started)
    backend_after = backend_cpu(connection)
    bare = []
    for _ in range(args.requests):
        started = time.process_time()
        client.get("/bench/bare/")
        bare.append(time.process_time() - started)

    from django.core.cache import cache

    from conversations import services
    from seller_desk.celery import app

    with app.connection_for_write() as conn:
        conn.default_channel.client.delete("suggest")
    cache.delete_many([services.SUGGEST_PENDING_KEY, services.SUGGEST_SCHEDULED_KEY])
    print(
        f"{args.requests} signed ingress requests{' (auto-reply on)' if args.autoreply else ''}: CPU per request "
        f"median {statistics.median(cpu) * 1000:.2f} ms, mean {statistics.mean(cpu) * 1000:.2f} ms; "
        f"{len(queries)} queries for one message of a known buyer"
    )
    if backend_before is not None and backend_after is not None:
        print(
            f"PostgreSQL backend CPU per request {(backend_after - backend_before) / args.requests * 1000:.2f} ms"
        )
    print(
        f"bare JSON view: CPU per request median {statistics.median(bare) * 1000:.2f} ms "
        f"= {statistics.median(bare) / statistics.median(cpu):.1%} of an ingress request's"
    )
    for sql in queries:
        print("   ", sql[:160])
    if profiler:
        if args.dump:
            profiler.dump_stats(args.dump)
        pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.profile)


if __name__ == "__main__":
    main()
