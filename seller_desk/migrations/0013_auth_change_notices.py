"""PostgreSQL tells every listening connection when a table that decides a seller API token's caller changes
(``seller_desk.auth``'s token cache, issue 14). A statement-level trigger: one notice per statement (and one per
transaction for the same table), whatever wrote it — the ORM, ``update()``, the admin, SQL by hand."""

from django.db import migrations

from seller_desk.postgresql.base import AUTH_CHANGES_CHANNEL as CHANNEL

TABLES = ("seller_desk_apitoken", "auth_user", "seller_desk_membership", "seller_desk_store", "seller_desk_userprofile")


def _create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE OR REPLACE FUNCTION sd_auth_changed() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN PERFORM pg_notify('{CHANNEL}', TG_TABLE_NAME); RETURN NULL; END $$"
    )
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER sd_auth_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION sd_auth_changed()"
        )


def _drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS sd_auth_changed ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS sd_auth_changed()")


class Migration(migrations.Migration):
    dependencies = [
        ("seller_desk", "0012_audit_conversation_kinds"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(_create, _drop)]
