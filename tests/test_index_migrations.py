"""The index migrations of issue 14 on PostgreSQL: built and dropped ``CONCURRENTLY`` (no transaction around them),
the foreign keys kept, and a second run rebuilds an index an interrupted build left INVALID."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BEFORE = [("conversations", "0008_dispute_deadline"), ("seller_desk", "0013_auth_change_notices")]
AFTER = [
    ("conversations", "0009_message_covered_fk_indexes"),
    ("seller_desk", "0014_order_buyer_placed_index"),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def _indexes(table: str) -> dict[str, bool]:
    """Index name -> valid, of ``table``."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE i.indrelid = %s::regclass",
            [table],
        )
        return dict(cursor.fetchall())


def _foreign_keys(table: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE contype = 'f' AND conrelid = %s::regclass", [table]
        )
        return {row[0] for row in cursor.fetchall()}


def test_the_covered_foreign_key_indexes_go_and_the_buyer_index_comes_keys_kept(require_postgres):
    order_keys, message_keys = _foreign_keys("seller_desk_order"), _foreign_keys("conversations_message")
    try:
        _migrate(BEFORE)
        assert {"seller_desk_order_buyer_id_b4f994e0", "seller_desk_order_store_id_d274b18d"} <= set(
            _indexes("seller_desk_order")
        )
        assert "order_buyer_placed" not in _indexes("seller_desk_order")
        assert "conversations_message_conversation_id_f1a2d5e9" in _indexes("conversations_message")
    finally:
        _migrate(AFTER)
    orders, messages = _indexes("seller_desk_order"), _indexes("conversations_message")
    assert orders.get("order_buyer_placed") is True
    assert not {"seller_desk_order_buyer_id_b4f994e0", "seller_desk_order_store_id_d274b18d"} & set(orders)
    assert not {
        "conversations_message_conversation_id_f1a2d5e9",
        "conversations_message_store_id_2f6a52ea",
    } & set(messages)
    assert {"conversatio_convers_4b968d_idx", "conversatio_store_i_c701bb_idx"} <= set(messages)
    assert _foreign_keys("seller_desk_order") == order_keys
    assert _foreign_keys("conversations_message") == message_keys


def test_a_second_run_rebuilds_an_index_an_interrupted_build_left_invalid(require_postgres):
    try:
        _migrate([("seller_desk", "0013_auth_change_notices")])
        with connection.cursor() as cursor:
            # What an interrupted CREATE INDEX CONCURRENTLY leaves: the index, marked not valid.
            cursor.execute('CREATE INDEX "order_buyer_placed" ON "seller_desk_order" ("buyer_id")')
            cursor.execute(
                "UPDATE pg_index SET indisvalid = false WHERE indexrelid = '\"order_buyer_placed\"'::regclass"
            )
        assert _indexes("seller_desk_order")["order_buyer_placed"] is False
    finally:
        _migrate(AFTER)
    assert _indexes("seller_desk_order")["order_buyer_placed"] is True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_indexdef('\"order_buyer_placed\"'::regclass)")
        assert "(buyer_id, placed_at, store_id, status)" in cursor.fetchone()[0]
