"""The messages' two foreign-key indexes that others cover (issue 14): ``conversation_id`` by (conversation,
created_at), ``store_id`` by (store, buyer, created_at) and (store, external_id). Every buyer message wrote both.
Dropped ``CONCURRENTLY`` on PostgreSQL, the foreign keys left as they are (``ConcurrentlyOnPostgres``)."""

import django.db.models.deletion
from django.db import migrations, models

from seller_desk.migration_operations import ConcurrentlyOnPostgres

OPERATIONS = [
    migrations.AlterField(
        model_name="message",
        name="conversation",
        field=models.ForeignKey(
            db_index=False,
            on_delete=django.db.models.deletion.CASCADE,
            related_name="messages",
            to="conversations.conversation",
        ),
    ),
    migrations.AlterField(
        model_name="message",
        name="store",
        field=models.ForeignKey(
            db_index=False,
            on_delete=django.db.models.deletion.CASCADE,
            related_name="messages",
            to="seller_desk.store",
        ),
    ),
]

POSTGRES_FORWARDS = [
    'DROP INDEX CONCURRENTLY IF EXISTS "conversations_message_conversation_id_f1a2d5e9"',
    'DROP INDEX CONCURRENTLY IF EXISTS "conversations_message_store_id_2f6a52ea"',
]
POSTGRES_BACKWARDS = [
    'DROP INDEX CONCURRENTLY IF EXISTS "conversations_message_conversation_id_f1a2d5e9"',
    'CREATE INDEX CONCURRENTLY "conversations_message_conversation_id_f1a2d5e9" '
    'ON "conversations_message" ("conversation_id")',
    'DROP INDEX CONCURRENTLY IF EXISTS "conversations_message_store_id_2f6a52ea"',
    'CREATE INDEX CONCURRENTLY "conversations_message_store_id_2f6a52ea" ON "conversations_message" ("store_id")',
]


class Migration(migrations.Migration):
    atomic = False  # DROP INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [
        ("conversations", "0008_dispute_deadline"),
        ("seller_desk", "0014_order_buyer_placed_index"),
    ]

    operations = [ConcurrentlyOnPostgres(OPERATIONS, POSTGRES_FORWARDS, POSTGRES_BACKWARDS)]
