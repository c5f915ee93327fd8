"""Queue search over the search data set of ``bench/load_big.py --search`` (store ``bench-search``: 100,000
conversations, 1,000,000 messages in the nine languages and Chinese).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sd_bench10b .venv/bin/python bench/load_big.py --search
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sd_bench10b .venv/bin/python bench/bench_search.py [--rounds 5]

For each search text it times, ``--rounds`` times after one warm-up, the two reads a search costs:

- ``page``: the API's first page (``conversation_list(queue="all", search=q)[:50]``, what
  ``GET /api/v1/conversations?queue=all&q=…`` reads);
- ``inbox``: what the inbox page reads for it: the matching ids once (``search_ids``), then the first 200 rows and
  the four capped tab counts on those ids.

and prints the median and the slowest, the rows found and the queries run; ``--explain`` prints PostgreSQL's plan
of the page query. Cases: rare words (≥ 3 characters, the trigram index), words in about 1 message in 20
("common"), a two-character Chinese word (no trigram: the bounded scan of the newest messages), buyer name and
id, order id, and a text nobody wrote.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seller_desk.settings")

CASES = [
    ("rare Russian word", "ультрамарин"),
    ("rare Arabic word", "زعفران"),
    ("rare Korean word", "해바라기씨"),
    ("rare Latin word, other case", "quetzalcoatl"),
    ("common Russian word (1 in 20)", "посылка"),
    ("common Korean word (1 in 20)", "도착하지"),
    ("common Arabic word (1 in 20)", "طلبي"),
    ("common Chinese 3-char (1 in 20)", "物流信息"),
    ("Chinese 2-char, common: bounded scan", "退款"),
    ("Chinese 2-char, rare: bounded scan", "霓虹"),
    ("very common: 'the' (1 in 7)", "the"),
    ("buyer name", "김민준 4"),
    ("buyer id", "sb77777"),
    ("order id", "8100054321"),
    ("nothing matches", "zzyzx-nope"),
]


def _time(fn, rounds: int):
    from django.db import connection, reset_queries

    fn()  # warm-up: caches, the plan
    times, queries, result = [], 0, None
    for _ in range(rounds):
        reset_queries()
        started = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - started) * 1000)
        queries = len(connection.queries)
    return statistics.median(times), max(times), queries, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()
    if "sd_bench" not in os.environ.get("DATABASE_URL", ""):
        sys.exit("DATABASE_URL must name the benchmark database (…/sd_bench…), never the tests'.")

    import django
    from django.conf import settings

    django.setup()
    settings.DEBUG = True  # count queries
    from django.db import connection

    from conversations import selectors
    from seller_desk.models import Store

    store = Store.objects.get(slug="bench-search")
    print(
        f"store bench-search: {store.conversations.count():,} conversations, {store.messages.count():,} messages"
    )
    print(
        f"{'case':42} {'q':>14} | {'page ms (median/max)':>20} {'rows':>5} {'q':>2} | {'inbox ms':>17} {'q':>2}"
    )
    results = []
    for label, q in CASES:

        def page(q=q):
            return [c.id for c in selectors.conversation_list(store=store, queue="all", search=q)[:50]]

        def inbox(q=q):
            ids = selectors.search_ids(store=store, search=q)  # once per page, as the inbox view does
            rows = list(selectors.conversation_list(store=store, queue="all", search=ids)[:200])
            counts = selectors.queue_counts(store=store, search=ids)
            return len(rows), counts["all"]

        p_med, p_max, p_queries, rows = _time(page, args.rounds)
        i_med, i_max, i_queries, _ = _time(inbox, args.rounds)
        results.append(
            {
                "case": label,
                "q": q,
                "page_ms_median": round(p_med, 1),
                "page_ms_max": round(p_max, 1),
                "rows": len(rows),
                "page_queries": p_queries,
                "inbox_ms_median": round(i_med, 1),
                "inbox_ms_max": round(i_max, 1),
                "inbox_queries": i_queries,
            }
        )
        print(
            f"{label:42} {q:>14} | {p_med:9.1f} / {p_max:8.1f} {len(rows):5} {p_queries:2} | "
            f"{i_med:7.1f} / {i_max:7.1f} {i_queries:2}"
        )
        if args.explain:
            qs = selectors.conversation_list(store=store, queue="all", search=q)[:50]
            sql, params = qs.query.sql_with_params()
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
                print("\n".join("    " + row[0] for row in cursor.fetchall()))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
