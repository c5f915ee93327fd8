"""The seller API's read paths in one process, beside the bare JSON view, through Django's test client.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sd_bench14 REDIS_URL=redis://127.0.0.1:6379/8 \\
        .venv/bin/python bench/profile_api.py [--requests 200] [--profile queue|thread|bare]

No server, no network: each endpoint is asked ``--requests`` times after a warm-up, with the whole middleware stack
and the same database as ``bench/bench_http.py``. Prints per endpoint the median wall and CPU milliseconds of a
request, its queries and their time, and the ratio of the bare view's CPU time to the endpoint's (what the
wall-clock ratio of a quiet machine approaches); where PostgreSQL runs on this machine, also the CPU its backend spent
per request (``/proc``) and the bare view's CPU over the endpoint's and PostgreSQL's together (on a box where the
database shares the cores, what the throughput ratio approaches). ``--profile`` prints the top of a cProfile of that endpoint.
"""

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--profile", choices=["bare", "queue", "thread"])
    parser.add_argument("--store", default="bench-big")
    args = parser.parse_args()
    if "sd_bench" not in os.environ.get("DATABASE_URL", ""):
        sys.exit("DATABASE_URL must name the benchmark database (…/sd_bench…).")
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings_bench"
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.backend import backend_cpu
    from conversations.models import Conversation
    from seller_desk.services import api_token_issue

    user = get_user_model().objects.get(username=f"{args.store}-agent")
    token = api_token_issue(user=user)[0]
    thread = (
        Conversation.objects.filter(store__slug=args.store).order_by("id").values_list("id", flat=True)[500]
    )
    client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Token {token}")
    paths = {
        "bare": "/bench/bare/",
        "queue": "/api/v1/conversations",
        "thread": f"/api/v1/conversations/{thread}",
    }
    results = {}
    for name, path in paths.items():
        for _ in range(20):
            assert client.get(path).status_code == 200, path
        walls, cpus, sql_ms = [], [], []
        queries = 0
        backend_before = backend_cpu(connection)
        for _ in range(args.requests):
            with CaptureQueriesContext(connection) as captured:
                wall, cpu = time.perf_counter(), time.process_time()
                client.get(path)
                walls.append(time.perf_counter() - wall)
                cpus.append(time.process_time() - cpu)
            queries = len(captured)
            sql_ms.append(sum(float(q["time"]) for q in captured) * 1000)
        backend_after = backend_cpu(connection)
        results[name] = {
            "pg": None if backend_after is None else (backend_after - backend_before) / args.requests * 1000,
            "wall": statistics.median(walls) * 1000,
            "cpu": statistics.median(cpus) * 1000,
            "sql": statistics.median(sql_ms),
            "queries": queries,
        }
        if args.profile == name:
            profile = cProfile.Profile()
            profile.enable()
            for _ in range(args.requests):
                client.get(path)
            profile.disable()
            pstats.Stats(profile).sort_stats(os.environ.get("PROFILE_SORT", "cumulative")).print_stats(45)
    print(f"load average (1 min): {os.getloadavg()[0]:.1f}; {args.requests} requests each, medians")
    bare = results["bare"]["cpu"]
    for name, r in results.items():
        line = (
            f"{name:7} wall {r['wall']:6.2f} ms  cpu {r['cpu']:6.2f} ms  queries {r['queries']}"
            f" ({r['sql']:5.2f} ms)  bare cpu / cpu {bare / r['cpu']:5.1%}"
        )
        if r["pg"] is not None:
            line += f"  PostgreSQL cpu {r['pg']:5.2f} ms (mean)  bare / (cpu + PostgreSQL) {bare / (r['cpu'] + r['pg']):5.1%}"
        print(line)


if __name__ == "__main__":
    main()
