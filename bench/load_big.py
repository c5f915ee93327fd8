"""Load the scale data set into a PostgreSQL database of its own (never the test database).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sd_bench14 .venv/bin/python bench/load_big.py [--small]

Two stores, so one run compares sizes side by side:

- ``bench-big``: 200,000 buyers, 1,000,000 orders, 100,000 conversations (a third need a reply), 3 messages each;
- ``bench-small``: 20,000 buyers, 100,000 orders, 10,000 conversations, same shape.

``--search`` loads the search data set instead (issue 10; store ``bench-search``, see ``SEARCH_SQL``).

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
                               protection_ends_at, amount, currency, overseas_warehouse, coupon_code, updated_at,
                               protection_extended_days)
SELECT %(store)s, %(first_buyer)s + 1 + (i %% %(buyers)s), 'o' || i,
       (ARRAY['awaiting_payment','awaiting_shipment','partially_shipped','in_transit','delivered',
              'completed','cancelled','in_transit','awaiting_shipment','completed'])[1 + (i / 7) %% 10],
       now() - ((i::bigint * 7919) %% (180 * 86400)) * interval '1 second',
       NULL, NULL, NULL, (5 + (i %% 200))::numeric(12, 2), 'USD', false, '', now(), 0
FROM generate_series(1, %(orders)s) AS i;

-- Conversation i: order i and its buyer, message channel; every third one waits for a reply.
INSERT INTO conversations_conversation (store_id, buyer_id, order_id, channel, status, language,
                                        last_message_at, last_message_preview, waiting_since, reply_due_at,
                                        created_at, inbox_state)
SELECT %(store)s, o.buyer_id, o.id, 'message',
       CASE WHEN i %% 3 = 0 THEN 'needs_reply' ELSE 'answered' END, 'en',
       now() - (i %% 100000) * interval '1 minute', 'Where is my parcel? It has been two weeks.',
       CASE WHEN i %% 3 = 0 THEN now() - (i %% 100000) * interval '1 minute' END,
       CASE WHEN i %% 3 = 0 THEN now() - (i %% 100000) * interval '1 minute' + interval '24 hours' END,
       now(), 'open'
FROM generate_series(1, %(conversations)s) AS i
JOIN seller_desk_order o ON o.store_id = %(store)s AND o.external_id = 'o' || i;

-- Three messages per conversation: buyer, agent, buyer.
INSERT INTO conversations_message (store_id, conversation_id, buyer_id, direction, sender, text, language, image,
                                   buyer_only, external_id, created_at, delivered_at,
                                   agent_note, tapped_keyword, delivery_attempts, delivery_error)
SELECT c.store_id, c.id, c.buyer_id,
       CASE WHEN k = 2 THEN 'outbound' ELSE 'inbound' END,
       CASE WHEN k = 2 THEN 'agent' ELSE 'buyer' END,
       CASE WHEN k = 2 THEN 'Your parcel is on its way, it should arrive within 7 days.'
            ELSE 'Where is my parcel? It has been two weeks.' END,
       'en', '', false,
       CASE WHEN k = 2 THEN NULL ELSE 'm' || c.id || '-' || k END,
       c.last_message_at - (3 - k) * interval '1 hour',
       CASE WHEN k = 2 THEN c.last_message_at END, '', '', 0, ''
FROM conversations_conversation c, generate_series(1, 3) AS k
WHERE c.store_id = %(store)s;

-- The open 24-hour wait of every needs-reply conversation, opened by its last buyer message.
INSERT INTO conversations_replywait (store_id, conversation_id, opened_by_id, opened_at, due_at,
                                     resolved_without_reply)
SELECT c.store_id, c.id, m.id, m.created_at, m.created_at + interval '24 hours', false
FROM conversations_conversation c
JOIN conversations_message m ON m.conversation_id = c.id AND m.external_id = 'm' || c.id || '-3'
WHERE c.store_id = %(store)s AND c.status = 'needs_reply';

-- Disputes on 20 needs-reply conversations of bench-big (2 of bench-small): about half escalate within the queue's
-- near-deadline window (``conversations.selectors.DISPUTE_NEAR_DEADLINE``, 3 days) and head the needs-reply queue.
INSERT INTO seller_desk_dispute (store_id, order_id, external_id, conversation_id, opened_at, reason,
                                 refund_amount, return_goods, description, status, escalates_at)
SELECT c.store_id, c.order_id, 'd' || c.id, c.id, now() - interval '10 days', 'Not received', 10, false, '',
       'open', now() + CASE WHEN c.id %% 2 = 0 THEN (c.id %% 47) * interval '1 hour'
                            ELSE interval '5 days' + (c.id %% 47) * interval '1 hour' END
FROM conversations_conversation c
WHERE c.store_id = %(store)s AND c.status = 'needs_reply' AND c.id %% 1667 = 0;

-- What ``seller_desk.services.dispute_deadline_sync`` keeps: an active dispute's deadline on its conversation.
UPDATE conversations_conversation c SET dispute_escalates_at = d.escalates_at
FROM seller_desk_dispute d WHERE d.conversation_id = c.id AND d.store_id = %(store)s;
"""

# The search data set (issue 10, ``--search``): store ``bench-search``, 100,000 conversations and 1,000,000 messages
# (10 each) in the nine languages and Chinese. Each message joins two of SENTENCES (so each sentence is in about
# 1 message in 20: "common" words), plus the conversation's number; 1 conversation in 997 carries a rare word in one
# message (RARE: ~100 conversations). Buyer names are in the buyers' scripts.
SENTENCES = [
    "Where is my parcel? It has been two weeks.",
    "The tracking number does not update since Monday.",
    "I want a refund, the item arrived broken.",
    "¿Dónde está mi pedido? Han pasado tres semanas.",
    "Quiero devolver el producto, la talla no es correcta.",
    "Bonjour, le colis est arrivé abîmé, que faire ?",
    "Je n'ai toujours pas reçu ma commande.",
    "Где моя посылка? Трек не обновляется уже неделю.",
    "Посылка пришла пустая, прошу вернуть деньги.",
    "Можно изменить адрес доставки?",
    "مرحبا، أين طلبي؟ لم يصل بعد",
    "المنتج وصل مكسورا، أريد استرداد المال",
    "שלום, החבילה עדיין לא הגיעה",
    "אפשר לשנות את כתובת המשלוח?",
    "안녕하세요, 주문한 상품이 아직 도착하지 않았어요",
    "배송 조회가 안 돼요. 언제 도착하나요?",
    "Dzień dobry, gdzie jest moja paczka?",
    "Paczka dotarła uszkodzona, proszę o zwrot.",
    "Olá, meu pedido ainda não chegou.",
    "Posso trocar o tamanho do produto?",
    "你好,我的包裹什么时候到?",
    "我想申请退款,包裹破损了。",
    "物流信息一直没有更新。",
    "可以换一个颜色吗?",
    "Thank you, the parcel arrived today!",
    "Спасибо, всё пришло, отличный продавец.",
    "감사합니다, 잘 받았습니다.",
    "شكرا، وصل الطلب اليوم",
    "Obrigado, chegou tudo certo.",
    "谢谢,已经收到了。",
]
RARE = ["ультрамарин", "زعفران", "해바라기씨", "霓虹", "Quetzalcoatl"]
NAMES = [
    "Ольга",
    "Иван",
    "محمد",
    "فاطمة",
    "김민준",
    "이서연",
    "王芳",
    "李伟",
    "María",
    "João",
    "Zofia",
    "Noa",
]

SEARCH_SQL = """
INSERT INTO seller_desk_buyer (store_id, external_id, name, country, locale, created_at)
SELECT %(store)s, 'sb' || i, (%(names)s::text[])[1 + i %% 12] || ' ' || i,
       (ARRAY['RU','RU','SA','SA','KR','KR','CN','CN','ES','BR','PL','IL'])[1 + i %% 12],
       (ARRAY['ru_RU','ru_RU','ar_SA','ar_SA','ko_KR','ko_KR','zh_CN','zh_CN','es_ES','pt_BR','pl_PL','he_IL'])[1 + i %% 12],
       now()
FROM generate_series(1, 100000) AS i;

INSERT INTO seller_desk_order (store_id, buyer_id, external_id, status, placed_at, shipped_at, delivered_at,
                               protection_ends_at, amount, currency, overseas_warehouse, coupon_code, updated_at,
                               protection_extended_days)
SELECT %(store)s, %(first_buyer)s + i, 'so' || (8100000000 + i),
       (ARRAY['awaiting_payment','awaiting_shipment','in_transit','delivered','completed'])[1 + i %% 5],
       now() - (i %% 180) * interval '1 day', NULL, NULL, NULL, 20, 'USD', false, '', now(), 0
FROM generate_series(1, 100000) AS i;

INSERT INTO conversations_conversation (store_id, buyer_id, order_id, channel, status, language,
                                        last_message_at, last_message_preview, waiting_since, reply_due_at,
                                        created_at, inbox_state)
SELECT %(store)s, o.buyer_id, o.id, 'message',
       CASE WHEN i %% 3 = 0 THEN 'needs_reply' ELSE 'answered' END, 'en',
       now() - i * interval '1 minute', 'Where is my parcel?',
       CASE WHEN i %% 3 = 0 THEN now() - i * interval '1 minute' END,
       CASE WHEN i %% 3 = 0 THEN now() - i * interval '1 minute' + interval '24 hours' END,
       now(), 'open'
FROM generate_series(1, 100000) AS i
JOIN seller_desk_order o ON o.store_id = %(store)s AND o.external_id = 'so' || (8100000000 + i);

INSERT INTO conversations_message (store_id, conversation_id, buyer_id, direction, sender, text, language, image,
                                   buyer_only, external_id, created_at, delivered_at,
                                   agent_note, tapped_keyword, delivery_attempts, delivery_error)
SELECT c.store_id, c.id, c.buyer_id,
       CASE WHEN k %% 2 = 0 THEN 'outbound' ELSE 'inbound' END,
       CASE WHEN k %% 2 = 0 THEN 'agent' ELSE 'buyer' END,
       (%(sentences)s::text[])[1 + (c.id * 7 + k * 3) %% %(n_sentences)s] || ' '
         || (%(sentences)s::text[])[1 + (c.id * 11 + k * 5) %% %(n_sentences)s] || ' #' || c.id
         || CASE WHEN c.id %% 997 = 0 AND k = 5 THEN ' ' || (%(rare)s::text[])[1 + (c.id / 997) %% 5] ELSE '' END,
       'en', '', false, NULL,
       c.last_message_at - (10 - k) * interval '1 hour',
       CASE WHEN k %% 2 = 0 THEN c.last_message_at END, '', '', 0, ''
FROM conversations_conversation c, generate_series(1, 10) AS k
WHERE c.store_id = %(store)s
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


# After loading, the tables as autovacuum leaves them in production: statistics read and the visibility map set, so
# an index-only scan reads no heap page (a server with autovacuum off, as this machine's, would leave every new row
# "not all-visible": identify's look-ups fetched each row from the heap). Outside a transaction, as VACUUM must be.
VACUUM_ANALYZE = "VACUUM (ANALYZE)"


def first_buyer_id(cursor) -> int:
    """The id before the first buyer the next ``INSERT`` makes: the statements address buyers by id from it. The id
    sequence, not ``max(id)``: rolled-back or deleted rows leave the sequence ahead of the table."""
    cursor.execute("SELECT nextval(pg_get_serial_sequence('seller_desk_buyer', 'id'))")
    return cursor.fetchone()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=list(STORES), help="load one store")
    parser.add_argument(
        "--search",
        action="store_true",
        help="load only the search data set (store bench-search: 100,000 conversations, 1,000,000 messages)",
    )
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
    if args.search:
        search_load(tokens)
        tokens_path.write_text(json.dumps(tokens, indent=1))
        return
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
            params = {"store": store.pk, "first_buyer": first_buyer_id(cursor), **size}
            for statement in SQL.split(";\n\n"):
                if statement.strip():
                    cursor.execute(statement, params)
            cursor.execute(PUSHED, params)
            campaign = cursor.fetchone()[0]
            cursor.execute(
                PUSHED_ROWS, {**params, "campaign": campaign, "today": store_local_date(store).isoformat()}
            )
        with connection.cursor() as cursor:
            cursor.execute(VACUUM_ANALYZE)
        print(
            f"{slug}: {Buyer.objects.filter(store=store).count():,} buyers, {size['orders']:,} orders, "
            f"{store.conversations.count():,} conversations, {store.messages.count():,} messages "
            f"in {time.monotonic() - started:.0f} s"
        )
    tokens_path.write_text(json.dumps(tokens, indent=1))


def search_load(tokens: dict) -> None:
    """The search data set; the trigram indexes are dropped for the load and built again after it (faster than
    keeping a GIN index up to date row by row)."""
    import importlib

    from django.db import connection, transaction

    from seller_desk.models import Store
    from seller_desk.services import member_add, store_create

    slug = "bench-search"
    if Store.objects.filter(slug=slug).exists():
        print(f"{slug}: already loaded (dropdb and createdb the database to load it again)")
        return
    indexes = importlib.import_module("conversations.migrations.0006_search_trigram_indexes")
    started = time.monotonic()
    created = store_create(name=slug, tier="advanced", timezone="UTC")
    store = Store.objects.get(pk=created.store.pk)
    Store.objects.filter(pk=store.pk).update(slug=slug)
    tokens[slug] = created.integration_token
    for role in ("agent", "owner"):
        member_add(store=store, username=f"{slug}-{role}", password=PASSWORD, role=role)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = '900s'")
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for name, _, _ in indexes.INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")
        first_buyer = first_buyer_id(cursor)
        params = {
            "store": store.pk,
            "first_buyer": first_buyer,
            "names": NAMES,
            "sentences": SENTENCES,
            "n_sentences": len(SENTENCES),
            "rare": RARE,
        }
        for statement in SEARCH_SQL.split(";\n\n"):
            if statement.strip():
                cursor.execute(statement, params)
    loaded = time.monotonic() - started
    with transaction.atomic(), connection.cursor() as cursor:  # after the rows' commit (deferred FK checks)
        cursor.execute("SET LOCAL statement_timeout = '900s'")
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for name, table, column in indexes.INDEXES:
            cursor.execute(
                f'CREATE INDEX {name} ON {table} USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
            )
    with connection.cursor() as cursor:
        cursor.execute(VACUUM_ANALYZE)
    print(
        f"{slug}: {store.conversations.count():,} conversations, {store.messages.count():,} messages; "
        f"rows in {loaded:.0f} s, with the trigram indexes {time.monotonic() - started:.0f} s"
    )


if __name__ == "__main__":
    main()
