"""The orders' index by buyer and time (campaign identify, issue 14), and the two foreign-key indexes it and the
unique (store, external_id) make redundant.

On PostgreSQL the index is built and the old ones dropped ``CONCURRENTLY``: a store's orders keep arriving while a
million-row index builds, and the foreign keys are left as they are (Django's ``AlterField`` would drop and
re-validate both constraints over the whole table). Elsewhere the operations run as Django generated them.
"""

import django.db.models.deletion
from django.db import migrations, models

from seller_desk.migration_operations import ConcurrentlyOnPostgres

OPERATIONS = [
    migrations.AlterField(
        model_name="order",
        name="buyer",
        field=models.ForeignKey(
            db_index=False,
            on_delete=django.db.models.deletion.CASCADE,
            related_name="orders",
            to="seller_desk.buyer",
        ),
    ),
    migrations.AlterField(
        model_name="order",
        name="store",
        field=models.ForeignKey(
            db_index=False,
            on_delete=django.db.models.deletion.CASCADE,
            related_name="orders",
            to="seller_desk.store",
        ),
    ),
    migrations.AddIndex(
        model_name="order",
        index=models.Index(fields=["buyer", "placed_at", "store", "status"], name="order_buyer_placed"),
    ),
]

# Each index is dropped first: a build interrupted half-way leaves an INVALID index under its name, which
# ``IF NOT EXISTS`` would keep; running the migration again then rebuilds it.
POSTGRES_FORWARDS = [
    'DROP INDEX CONCURRENTLY IF EXISTS "order_buyer_placed"',
    'CREATE INDEX CONCURRENTLY "order_buyer_placed" '
    'ON "seller_desk_order" ("buyer_id", "placed_at", "store_id", "status")',
    'DROP INDEX CONCURRENTLY IF EXISTS "seller_desk_order_buyer_id_b4f994e0"',
    'DROP INDEX CONCURRENTLY IF EXISTS "seller_desk_order_store_id_d274b18d"',
]
POSTGRES_BACKWARDS = [
    'DROP INDEX CONCURRENTLY IF EXISTS "seller_desk_order_buyer_id_b4f994e0"',
    'CREATE INDEX CONCURRENTLY "seller_desk_order_buyer_id_b4f994e0" ON "seller_desk_order" ("buyer_id")',
    'DROP INDEX CONCURRENTLY IF EXISTS "seller_desk_order_store_id_d274b18d"',
    'CREATE INDEX CONCURRENTLY "seller_desk_order_store_id_d274b18d" ON "seller_desk_order" ("store_id")',
    'DROP INDEX CONCURRENTLY IF EXISTS "order_buyer_placed"',
]


class Migration(migrations.Migration):
    atomic = False  # CREATE / DROP INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [
        ("seller_desk", "0013_auth_change_notices"),
    ]

    operations = [ConcurrentlyOnPostgres(OPERATIONS, POSTGRES_FORWARDS, POSTGRES_BACKWARDS)]
