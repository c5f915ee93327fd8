"""Campaign identify over the big store of ``bench/load_big.py`` (1,000,000 orders, 200,000 buyers).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sd_bench14 .venv/bin/python bench/bench_identify.py [--days 20]

A draft campaign (conditions: orders placed on the ``--days`` days ending 30 days ago, 1–99,999 transactions; 20
days ≈ 93,000 buyers) is identified ``--rounds`` times in a fresh process per method, beside a hand-written count
of the same crowd in one SQL query. Each method's process reports its median, its query count and its peak RSS
(``ru_maxrss``). ``python`` is the per-buyer plan (``crowd_members`` + ``send_plan``, the SQLite path), ``sql`` the
plan the desk counts in PostgreSQL (one pass over the crowd, plus the boundary day's head when the day before pushed
some of it); the bench checks both give the same count and plan. Then, in one more process, the count and the
plan alternate for three times as many pairs, and the median of each pair's ratio is printed: the ratio least
moved by the box's changes of speed.
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seller_desk.settings")

HAND_WRITTEN = """
SELECT count(*) FROM (
    SELECT o.buyer_id FROM seller_desk_order o
    WHERE o.store_id = %s AND o.placed_at >= %s AND o.placed_at < %s
      AND o.status NOT IN ('awaiting_payment', 'cancelled')
    GROUP BY o.buyer_id HAVING count(*) BETWEEN 1 AND 99999
) crowd
WHERE NOT EXISTS (
    SELECT 1 FROM campaigns_campaignrecipient r
    WHERE r.store_id = %s AND r.buyer_id = crowd.buyer_id AND r.status = 'sent' AND r.send_day = %s
)
"""


def _campaign(days: int):
    from datetime import timedelta

    from campaigns.models import Campaign
    from seller_desk.models import Store
    from seller_desk.selectors import store_local_date

    store = Store.objects.get(slug="bench-big")
    today = store_local_date(store)
    campaign, _ = Campaign.objects.update_or_create(
        store=store,
        name=f"bench identify {days}",
        defaults={
            "scenario": "reminder",
            "crowd_method": "conditions",
            "orders_from": today - timedelta(days=30 + days - 1),
            "orders_to": today - timedelta(days=30),
            "text": "Our summer sale starts today.",
            "status": "draft",
        },
    )
    return Campaign.objects.select_related("store").get(pk=campaign.pk)


def _identify_once(method: str, campaign, start):
    """One identify by ``method``: the hand-written count, the desk's plan in SQL, or the per-buyer Python plan."""
    from datetime import timedelta

    from django.db import connection

    from campaigns import selectors
    from seller_desk.selectors import store_day_start

    if method == "hand":
        with connection.cursor() as cursor:
            store = campaign.store
            cursor.execute(
                HAND_WRITTEN,
                [
                    store.pk,
                    store_day_start(store, campaign.orders_from),
                    store_day_start(store, campaign.orders_to + timedelta(days=1)),
                    store.pk,
                    start,
                ],
            )
            return {"count": cursor.fetchone()[0]}
    if method == "python":
        members = selectors.crowd_members(campaign)
        ident = selectors.send_plan(store=campaign.store, members=members, start_day=start)
    else:
        ident = selectors.campaign_identification(campaign=campaign)
    return {
        "count": ident.count,
        "matched": ident.matched,
        "plan": [
            [d.day.isoformat(), d.count, [[str(w.start), w.count] for w in d.windows]] for d in ident.plan
        ],
    }


def _child(method: str, days: int, rounds: int) -> dict:
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from campaigns import selectors

    campaign = _campaign(days)
    start = selectors.campaign_start_day(campaign)
    if method == "pairs":
        # The count and the desk's plan alternately in one process, each pair's ratio taken within the pair: the
        # box changes speed for seconds at a time, so two processes run one after the other can see two speeds.
        ratios = []
        for n in range(rounds):
            took = {}
            for m in ("hand", "sql") if n % 2 == 0 else ("sql", "hand"):
                began = time.perf_counter()
                _identify_once(m, campaign, start)
                took[m] = time.perf_counter() - began
            ratios.append(took["sql"] / took["hand"])
        ratios.sort()
        return {
            "method": "pairs",
            "median": round(statistics.median(ratios), 3),
            "range": [ratios[0], ratios[-1]],
        }
    times, result, queries = [], None, 0
    for _ in range(rounds):
        began = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            result = _identify_once(method, campaign, start)
        times.append(time.perf_counter() - began)
        queries = len(captured)
    return {
        "method": method,
        "median_ms": round(statistics.median(times) * 1000, 1),
        "min_ms": round(min(times) * 1000, 1),
        "queries": queries,
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "result": result,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--child", choices=["hand", "python", "sql", "pairs"])
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(args.child, args.days, args.rounds)))
        return
    if "sd_bench" not in os.environ.get("DATABASE_URL", ""):
        sys.exit("DATABASE_URL must name the benchmark database (…/sd_bench…).")
    out = {}
    for method in ("hand", "sql", "python", "pairs"):
        rounds = args.rounds * 3 if method == "pairs" else args.rounds
        run = subprocess.run(
            [sys.executable, __file__, "--child", method, "--days", str(args.days), "--rounds", str(rounds)],
            capture_output=True,
            text=True,
            timeout=600,
            check=True,
        )
        out[method] = json.loads(run.stdout.strip().splitlines()[-1])
    pairs = out.pop("pairs")
    same = out["sql"]["result"] == out["python"]["result"]
    print(f"load average (1 min): {os.getloadavg()[0]:.1f}")
    print(
        f"crowd: orders on {args.days} days; matched {out['sql']['result']['matched']:,}, count {out['sql']['result']['count']:,}"
    )
    for method, r in out.items():
        print(
            f"{method:7} median {r['median_ms']:8.1f} ms  min {r['min_ms']:8.1f} ms  queries {r['queries']}  peak RSS {r['max_rss_mb']} MB  count {r['result']['count']:,}"
        )
    print(
        f"sql / hand-written: {out['sql']['median_ms'] / out['hand']['median_ms']:.2f}x;"
        f" python / hand-written: {out['python']['median_ms'] / out['hand']['median_ms']:.2f}x;"
        f" sql plan == python plan: {same}"
    )
    print(
        f"sql / hand-written, alternating in one process: median {pairs['median']:.2f}x of {args.rounds * 3} pairs"
        f" ({pairs['range'][0]:.2f}–{pairs['range'][1]:.2f}x)"
    )


if __name__ == "__main__":
    main()
