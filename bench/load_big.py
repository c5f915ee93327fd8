"""Load the scale data set into a PostgreSQL database of its own (never the test database).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sd_bench14 .venv/bin/python bench/load_big.py [--small]

Two stores, so one run compares sizes side by side:

- ``bench-big``: 200,000 buyers, 1,000,000 orders, 100,000 conversations (a third need a reply), 3 messages each;
- ``bench-small``: 20,000 buyers, 100,000 orders, 10,000 conversations, same shape.

Rows are made by PostgreSQL itself (``INSERT … SELECT … FROM generate_series``): about 40 s on a
2-core machine, bounded by ``statement_timeout``. Logins: ``bench-big-agent`` / ``bench-small-agent``, password
``bench-password``. The integration tokens are written to ``bench/.tokens.json`` (git-ignored). The campaign
crowd (orders placed on the 60 days ending 30 days ago, 1–99,999 transactions) holds ~93,000 buyers of the big
store; 1,000 of them were pushed by a batch send yesterday and today.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seller_desk.settings")

PASSWORD = "bench-password"
STORES = {
    "bench-big": {"buyers": 200_000, "orders": 1_000_000, "conversations": 100_000},
    "bench-small": {"buyers": 20_000, "orders": 100_000, "conversations": 10_000},
}

SQL = """
INSERT INTO seller_desk_buyer (store_id, external_id, name, country, locale, created_at)
SELECT %(store)s, 'b' || i, 'Buyer ' || i,
       (ARRAY['RU','ES','FR','US','BR','PL','KR','IL','SA'])[1 + i %% 9],
       (ARRAY['ru_RU','es_ES','fr_FR','en_US','pt_BR','pl_PL','ko_KR','he_IL','ar_SA'])[1 + i %% 9],
       now()
FROM generate_series(1, %(buyers)s) AS i;

-- The buyers are consecutive ids; order i belongs to buyer 1 + (i mod buyers). Placed over the last 180 days.
INSERT INTO seller_desk_order (store_id, buyer_id, external_id, status, placed_at, shipped_at, delivered_at,
                               protection_ends_at, amount, currency, overseas_warehouse, coupon_code, updated_at)
SELECT %(store)s, %(first_buyer)s + 1 + (i %% %(buyers)s), 'o' || i,
       (ARRAY['awaiting_payment','awaiting_shipment','partially_shipped','in_transit','delivered',
              'completed','cancelled','in_transit','awaiting_shipment','completed'])[1 + (i / 7) %% 10],
       now() - ((i::bigint * 7919) %% (180 * 86400)) * interval '1 second',
       NULL, NULL, NULL, (5 + (i %% 200))::numeric(12, 2), 'USD', false, '', now()
FROM generate_series(1, %(orders)s) AS i;

-- Conversation i: order i and its buyer, message channel; every third one waits for a reply.
INSERT INTO conversations_conversation (store_id, buyer_id, order_id, channel, status, language,
                                        last_message_at, last_message_preview, waiting_since, reply_due_at,
                                        created_at)
SELECT %(store)s, o.buyer_id, o.id, 'message',
       CASE WHEN i %% 3 = 0 THEN 'needs_reply' ELSE 'answered' END, 'en',
       now() - (i %% 100000) * interval '1 minute', 'Where is my parcel? It has been two weeks.',
       CASE WHEN i %% 3 = 0 THEN now() - (i %% 100000) * interval '1 minute' END,
       CASE WHEN i %% 3 = 0 THEN now() - (i %% 100000) * interval '1 minute' + interval '24 hours' END,
       now()
FROM generate_series(1, %(conversations)s) AS i
JOIN seller_desk_order o ON o.store_id = %(store)s AND o.external_id = 'o' || i;

-- Three messages per conversation: buyer, agent, buyer.
INSERT INTO conversations_message (store_id, conversation_id, buyer_id, direction, sender, text, language, image,
                                   buyer_only, external_id, created_at, delivered_at)
SELECT c.store_id, c.id, c.buyer_id,
       CASE WHEN k = 2 THEN 'outbound' ELSE 'inbound' END,
       CASE WHEN k = 2 THEN 'agent' ELSE 'buyer' END,
       CASE WHEN k = 2 THEN 'Your parcel is on its way, it should arrive within 7 days.'
            ELSE 'Where is my parcel? It has been two weeks.' END,
       'en', '', false,
       CASE WHEN k = 2 THEN NULL ELSE 'm' || c.id || '-' || k END,
       c.last_message_at - (3 - k) * interval '1 hour',
       CASE WHEN k = 2 THEN c.last_message_at END
FROM conversations_conversation c, generate_series(1, 3) AS k
WHERE c.store_id = %(store)s;

-- The open 24-hour wait of every needs-reply conversation, opened by its last buyer message.
INSERT INTO conversations_replywait (store_id, conversation_id, opened_by_id, opened_at, due_at)
SELECT c.store_id, c.id, m.id, m.created_at, m.created_at + interval '24 hours'
FROM conversations_conversation c
JOIN conversations_message m ON m.conversation_id = c.id AND m.external_id = 'm' || c.id || '-3'
WHERE c.store_id = %(store)s AND c.status = 'needs_reply';
"""

PUSHED = """
INSERT INTO campaigns_campaign (store_id, name, scenario, crowd_method, orders_from, orders_to, unshipped_only,
    transactions_min, transactions_max, countries_include, countries_exclude, text, variants, image, status,
    created_at)
VALUES (%(store)s, 'Earlier push', 'reminder', 'conditions', current_date - 90, current_date - 30, false, 1, 99999,
    '[]', '[]', 'Our summer sale starts today.', '{}', '', 'done', now())
RETURNING id;
"""

PUSHED_ROWS = """
INSERT INTO campaigns_campaignrecipient (store_id, campaign_id, buyer_id, status, window_start, order_placed_at,
                                         reason, send_day, sent_at)
SELECT %(store)s, %(campaign)s, %(first_buyer)s + i, 'sent', NULL, NULL, '',
       %(today)s::date - (i %% 2), now() - (i %% 2) * interval '1 day'
FROM generate_series(1, 1000) AS i;
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=list(STORES), help="load one store")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if "sd_bench" not in url or "127.0.0.1" not in url:
        sys.exit(
            "DATABASE_URL must name a loopback benchmark database (…127.0.0.1…/sd_bench…), never the tests'."
        )

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from seller_desk.models import Buyer, Store
    from seller_desk.selectors import store_local_date
    from seller_desk.services import member_add, store_create

    call_command("migrate", "--noinput", verbosity=0)
    tokens_path = ROOT / "bench" / ".tokens.json"
    tokens = json.loads(tokens_path.read_text()) if tokens_path.exists() else {}
    for slug, size in STORES.items():
        if args.only and slug != args.only:
            continue
        started = time.monotonic()
        if Store.objects.filter(slug=slug).exists():
            print(f"{slug}: already loaded (dropdb and createdb the database to load it again)")
            continue
        created = store_create(name=slug, tier="advanced", timezone="UTC")
        store = Store.objects.get(pk=created.store.pk)
        Store.objects.filter(pk=store.pk).update(slug=slug)
        store.slug = slug
        tokens[slug] = created.integration_token
        for role in ("agent", "owner"):
            member_add(store=store, username=f"{slug}-{role}", password=PASSWORD, role=role)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = '600s'")
            cursor.execute("SELECT COALESCE(max(id), 0) FROM seller_desk_buyer")
            first_buyer = cursor.fetchone()[0]
            params = {"store": store.pk, "first_buyer": first_buyer, **size}
            for statement in SQL.split(";\n\n"):
                if statement.strip():
                    cursor.execute(statement, params)
            cursor.execute(PUSHED, params)
            campaign = cursor.fetchone()[0]
            cursor.execute(
                PUSHED_ROWS, {**params, "campaign": campaign, "today": store_local_date(store).isoformat()}
            )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(
            f"{slug}: {Buyer.objects.filter(store=store).count():,} buyers, {size['orders']:,} orders, "
            f"{store.conversations.count():,} conversations, {store.messages.count():,} messages "
            f"in {time.monotonic() - started:.0f} s"
        )
    tokens_path.write_text(json.dumps(tokens, indent=1))


if __name__ == "__main__":
    main()
