"""Search (issue 10): pg_trgm trigram GIN indexes for ``icontains`` over message text, buyer names and ids, and
order ids. Django's ``icontains`` on PostgreSQL is ``UPPER(col) LIKE UPPER(%q%)``, so the indexes are on
``UPPER(col)``. On SQLite both operations do nothing (search there is a plain LIKE scan)."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = (
    ("message_text_trgm", "conversations_message", "text"),
    ("buyer_name_trgm", "seller_desk_buyer", "name"),
    ("buyer_external_id_trgm", "seller_desk_buyer", "external_id"),
    ("order_external_id_trgm", "seller_desk_order", "external_id"),
)


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, column in INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _, _ in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("conversations", "0005_notes_tags_drafts"),
        ("seller_desk", "0009_audit_buyer_block"),
    ]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
