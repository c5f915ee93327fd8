"""Writes of the ingress hot path in one statement each on PostgreSQL (issue 14).

A buyer's very first message used to cost eleven statements: the buyer's get-or-create (a read, the ``INSERT``, a
read again) and the conversation's (a savepoint, the ``INSERT``, its release). ``INSERT … ON CONFLICT … RETURNING``
does each in one. The SQL is written once per process from the models' metadata; the values are the ones Django's
``save()`` would bind (each field's ``pre_save``, then ``get_db_prep_save``), so the rows are the ORM's to the byte.
"""

from functools import lru_cache

from django.db import connection

from .models import Buyer
from .prepared import server_statement, statement_name


def inserted_fields(model) -> list:
    """The columns an ``INSERT`` of ``model`` writes: every concrete field but the automatic primary key."""
    meta = model._meta
    return [f for f in meta.local_concrete_fields if f is not meta.auto_field and not f.generated]


def bound_values(instance, fields, *, add: bool = True) -> list:
    """What Django's ``save()`` binds for ``fields`` of ``instance``: each field's ``pre_save`` (which also stores an
    uploaded file, or stamps an ``auto_now`` time), then ``get_db_prep_save``."""
    return [f.get_db_prep_save(f.pre_save(instance, add), connection) for f in fields]


def mark_stored(instance, pk) -> None:
    """``instance`` as the ORM leaves a row it inserted: its primary key set, no longer adding."""
    instance.pk = pk
    instance._state.adding = False
    instance._state.db = connection.alias


@lru_cache(maxsize=16)
def _insert_unless_conflict_sql(model) -> tuple[str, str, list]:
    quote = connection.ops.quote_name
    fields = inserted_fields(model)
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))}) ON CONFLICT DO NOTHING RETURNING {quote(model._meta.pk.column)}"
    )
    return statement_name(f"insert_{model._meta.model_name}"), sql, fields


def insert_unless_conflict(instance) -> bool:
    """Insert ``instance`` (PostgreSQL) unless a row with the same unique values exists: True when inserted (its
    primary key set, the row locked by this transaction), False when another row holds the place. One statement
    where ``create()`` in a savepoint, to survive the conflict, costs three."""
    name, sql, fields = _insert_unless_conflict_sql(type(instance))
    params = bound_values(instance, fields)
    with connection.cursor() as cursor:
        cursor.execute(server_statement(connection, name, sql, len(params)), params)
        row = cursor.fetchone()
    if row is None:
        return False
    mark_stored(instance, row[0])
    return True


@lru_cache(maxsize=16)
def _buyer_upsert_sql(sent: tuple[str, ...]) -> tuple[str, str, list, list]:
    """The buyer's upsert for one set of fields the marketplace sent: a new buyer is inserted; a known one has the
    sent fields written only when one differs; either way the stored row comes back (the read in the same
    statement sees the row as it was before it, so it answers only when the insert-or-update wrote nothing)."""
    quote = connection.ops.quote_name
    meta = Buyer._meta
    table = quote(meta.db_table)
    fields = inserted_fields(Buyer)
    columns = ", ".join(quote(f.column) for f in [meta.pk, *fields])
    updated = [quote(meta.get_field(name).column) for name in sent]
    if updated:
        conflict = (
            f"DO UPDATE SET {', '.join(f'{c} = EXCLUDED.{c}' for c in updated)} "
            f"WHERE ({', '.join(f'{table}.{c}' for c in updated)}) "
            f"IS DISTINCT FROM ({', '.join(f'EXCLUDED.{c}' for c in updated)})"
        )
    else:
        conflict = "DO NOTHING"
    keys = [meta.get_field("store"), meta.get_field("external_id")]
    sql = (
        f"WITH written AS (INSERT INTO {table} ({', '.join(quote(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))}) "
        f"ON CONFLICT ({', '.join(quote(f.column) for f in keys)}) {conflict} RETURNING {columns}) "
        f"SELECT {columns} FROM written UNION ALL SELECT {columns} FROM {table} "
        f"WHERE {' AND '.join(f'{quote(f.column)} = %s' for f in keys)} AND NOT EXISTS (SELECT 1 FROM written)"
    )
    return statement_name("buyer_upsert"), sql, fields, keys


def buyer_upsert_one(*, store, external_id: str, fields: dict[str, str]) -> Buyer:
    """The store's buyer ``external_id`` with ``fields`` (those the marketplace sent) written, created when new:
    one statement (PostgreSQL), whether the buyer is new, changed or unchanged. A known buyer's row stays locked
    until the transaction ends (``ON CONFLICT DO UPDATE`` locks it even when nothing differs), so two messages of
    one buyer opening new conversations are stored one after the other."""
    name, sql, inserted, keys = _buyer_upsert_sql(tuple(sorted(fields)))
    buyer = Buyer(store=store, external_id=external_id, **fields)
    params = bound_values(buyer, inserted) + [
        k.get_db_prep_save(getattr(buyer, k.attname), connection) for k in keys
    ]
    with connection.cursor() as cursor:
        cursor.execute(server_statement(connection, name, sql, len(params)), params)
        row = cursor.fetchone()
    if row is None:
        # A racing request inserted the buyer after this statement's snapshot and nothing was to change: it is
        # committed now (the insert waited for it), so a read sees it.
        return Buyer.objects.get(store=store, external_id=external_id)
    names = [f.attname for f in [Buyer._meta.pk, *inserted]]
    return Buyer.from_db(connection.alias, names, list(row))
