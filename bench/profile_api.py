"""The seller API's read paths in one process, beside the bare JSON view, through Django's test client.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sd_bench14 REDIS_URL=redis://127.0.0.1:6379/8 \\
        .venv/bin/python bench/profile_api.py [--requests 200] [--profile queue|thread|bare|q-1chg|q-unkept]

No server, no network: each endpoint is asked ``--requests`` times after a warm-up (the endpoints taking turns, 20
requests at a time), with the whole middleware stack
and the same database as ``bench/bench_http.py``. Prints per endpoint the median wall and CPU milliseconds of a
request, its queries and their time, and the ratio of the bare view's CPU time to the endpoint's (what the
wall-clock ratio of a quiet machine approaches); where PostgreSQL runs on this machine, also the CPU its backend spent
per request (``/proc``) and the bare view's CPU over the endpoint's and PostgreSQL's together (on a box where the
database shares the cores, what the throughput ratio approaches). ``--profile`` prints the top of a cProfile of that endpoint.
Besides ``queue`` (its rows unchanged between requests, so built once: ``seller_desk.row_versions``), ``q-1chg`` is the
same page with one buyer on it renamed by another connection before each request, and ``q-unkept`` the page with
``QUEUE_ROW_CACHE=0``. The first buyer of the page is left named ``Bench Buyer 0`` or ``1``.
"""

import argparse
import cProfile
import itertools
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--profile", choices=["bare", "queue", "thread", "q-1chg", "q-unkept"])
    parser.add_argument("--store", default="bench-big")
    args = parser.parse_args()
    if "sd_bench" not in os.environ.get("DATABASE_URL", ""):
        sys.exit("DATABASE_URL must name the benchmark database (…/sd_bench…).")
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings_bench"
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.backend import backend_cpu
    from conversations.models import Conversation
    from seller_desk.services import api_token_issue

    kept_rows = settings.QUEUE_ROW_CACHE
    user = get_user_model().objects.get(username=f"{args.store}-agent")
    token = api_token_issue(user=user)[0]
    thread = (
        Conversation.objects.filter(store__slug=args.store).order_by("id").values_list("id", flat=True)[500]
    )
    client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Token {token}")
    queue = "/api/v1/conversations"
    paths = {
        "bare": "/bench/bare/",
        "queue": queue,
        "thread": f"/api/v1/conversations/{thread}",
    }
    # The queue page with one of its rows changed before each request (its buyer renamed by another connection,
    # outside the measured CPU), and with no rows kept (QUEUE_ROW_CACHE=0): what the kept rows save, and cost.
    paths["q-1chg"] = queue
    paths["q-unkept"] = queue
    first_buyer = client.get(queue).json()[0]["buyer"]["buyer_id"]
    other = psycopg2.connect(**connection.get_connection_params())
    other.autocommit = True
    renames = itertools.count()

    def rows_kept_for(name: str) -> None:
        settings.QUEUE_ROW_CACHE = 0 if name == "q-unkept" else kept_rows

    def before(name: str) -> None:
        if name == "q-1chg":
            with other.cursor() as cursor:
                cursor.execute(
                    "UPDATE seller_desk_buyer SET name = %s WHERE external_id = %s AND store_id ="
                    " (SELECT id FROM seller_desk_store WHERE slug = %s)",
                    [f"Bench Buyer {next(renames) % 2}", first_buyer, args.store],
                )

    # The endpoints take turns, 20 requests at a time: this box changes speed for seconds at a time, and one endpoint
    # measured after another would catch two speeds.
    chunk = 20
    samples = {name: {"walls": [], "cpus": [], "sql": [], "pg": 0.0, "queries": 0} for name in paths}
    for name, path in paths.items():
        rows_kept_for(name)
        for _ in range(20):
            before(name)
            assert client.get(path).status_code == 200, path
    for _ in range(max(1, args.requests // chunk)):
        for name, path in paths.items():
            rows_kept_for(name)
            taken = samples[name]
            backend_before = backend_cpu(connection)
            for _ in range(chunk):
                before(name)
                with CaptureQueriesContext(connection) as captured:
                    wall, cpu = time.perf_counter(), time.process_time()
                    client.get(path)
                    taken["walls"].append(time.perf_counter() - wall)
                    taken["cpus"].append(time.process_time() - cpu)
                taken["queries"] = len(captured)
                taken["sql"].append(sum(float(q["time"]) for q in captured) * 1000)
            backend_after = backend_cpu(connection)
            taken["pg"] = None if backend_after is None else taken["pg"] + backend_after - backend_before
    results = {
        name: {
            "pg": None if taken["pg"] is None else taken["pg"] / len(taken["cpus"]) * 1000,
            "wall": statistics.median(taken["walls"]) * 1000,
            "cpu": statistics.median(taken["cpus"]) * 1000,
            "sql": statistics.median(taken["sql"]),
            "queries": taken["queries"],
        }
        for name, taken in samples.items()
    }
    if args.profile:
        rows_kept_for(args.profile)
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(args.requests):
            before(args.profile)
            client.get(paths[args.profile])
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
