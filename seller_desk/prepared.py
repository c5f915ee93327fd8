"""Reads the ORM builds and compiles once per process (issue 14).

The seller API's hot reads ask the same query shape on every request; building and compiling a queryset of a few
joins costs ≈ 0.5–1.5 ms of CPU, more than PostgreSQL spends answering it. A ``PreparedRead`` keeps the SQL the ORM
wrote (and the fields' converters) and binds each call's arguments into it; the rows come back as ``.values()``
would give them.

On PostgreSQL (unless ``DB_SERVER_PREPARED`` is off) a read without subquery arguments is also a server-side
prepared statement: ``PREPARE`` once per database connection, then ``EXECUTE`` with the call's values, on a generic
plan (the connection starts with ``plan_cache_mode=force_generic_plan``, which touches nothing else: psycopg2 itself
never prepares). Planning the queue page's query cost PostgreSQL ≈ 1.3–4.8 ms of CPU per request against ≈ 0.5 ms to
run it. Prepared statements belong to the connection, so behind PgBouncer in transaction mode they must be off.

A read made with ``times_as_text`` gets PostgreSQL's own text of its ``timestamptz`` columns (``'2026-12-04
09:30:00.25+00'``: the session's zone is UTC, as Django sets it) instead of a ``datetime`` that the caller would only
turn back into text: parsing a time and writing it as ISO 8601 again cost the queue page's 50 rows ≈ 0.25 ms of its
≈ 3 ms. ``iso_time`` writes either as the API does; ``moment`` gives a ``datetime`` where a time is compared.
"""

import itertools
import re
import weakref
from datetime import UTC, datetime

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import F, Lookup, QuerySet
from django.db.models.expressions import RawSQL
from psycopg2 import extensions as _pg

_TIMESTAMPTZ_OID = 1184
# PostgreSQL's text of a timestamptz, unparsed (``None`` stays ``None``).
_TIMESTAMPTZ_TEXT = _pg.new_type((_TIMESTAMPTZ_OID,), "TIMESTAMPTZ_TEXT", lambda value, cursor: value)


class PreparedRead:
    """``build(*args)`` returns a ``.values()`` queryset. It is built once per database with stand-in arguments: an
    argument that is a queryset is given to ``build`` as a stand-in subquery (use it on the right of ``__in``), any
    other must reach the SQL as one parameter, unchanged (an id, a string: never a list, ``None`` or anything the
    SQL's shape depends on). Calling it with the real arguments runs that SQL with them bound in: a queryset's SQL
    and parameters go where its stand-in was.
    """

    def __init__(self, build, *kinds, times_as_text: bool = False, tuples: bool = False):
        """``kinds``: per argument, ``int``, ``str``, ``datetime`` (bound as the driver writes it: a read with one
        is for PostgreSQL, as SQLite compares Django's own text of a time), ``list`` (of ids, bound as one array,
        e.g. in ``any_of``: PostgreSQL) or ``QuerySet``. ``times_as_text``: on PostgreSQL
        the ``timestamptz`` columns come as PostgreSQL's text (``iso_time``, ``moment``). ``tuples``: rows as
        tuples in the ``values()`` order, not dicts."""
        self._build = build
        self._kinds = kinds
        self._times_as_text = times_as_text
        self._tuples = tuples
        self._compiled: dict[str, tuple] = {}
        self._statement = statement_name("read")

    def _compile(self, alias: str) -> tuple:
        stand_ins = []
        for i, kind in enumerate(self._kinds):
            if kind is QuerySet:
                stand_ins.append(RawSQL(f"SELECT /*prepared {i}*/ 0", ()))
            elif kind is int:
                stand_ins.append(-7_000_001 - i)
            elif kind is datetime:
                stand_ins.append(datetime(1901, 1, 1, 0, 0, i, tzinfo=UTC))
            elif kind is list:
                stand_ins.append([-7_000_001 - i])
            else:
                stand_ins.append(f"\x1fprepared {i}\x1f")
        qs = self._build(*stand_ins)
        compiler = qs.query.get_compiler(alias)
        sql, params = compiler.as_sql()
        slots = []
        for value in params:
            found = [i for i, s in enumerate(stand_ins) if type(s) is type(value) and s == value]
            if not found and isinstance(value, datetime):
                # A time the query read itself (``timezone.now()``) would stay in the SQL for good.
                raise ValueError(f"{value} is in the SQL but not an argument: pass it in.")
            slots.append(("arg", found[0]) if found else ("value", value))
        # Where each subquery stand-in is in the SQL, and how many parameters come before it.
        subqueries = []
        for i, kind in enumerate(self._kinds):
            if kind is QuerySet:
                marker = f"SELECT /*prepared {i}*/ 0"
                at = sql.index(marker)
                subqueries.append((i, marker, sql.count("%s", 0, at) - sql.count("%%s", 0, at)))
        names = [*qs.query.extra_select, *qs.query.values_select, *qs.query.annotation_select]
        converters = compiler.get_converters([s[0] for s in compiler.select[: compiler.col_count]])
        # A prepared statement numbers its parameters once: an argument the SQL never uses would have no type.
        every_argument_bound = {ref for kind, ref in slots if kind == "arg"} == set(range(len(self._kinds)))
        return sql, slots, subqueries, names, list(converters.items()), every_argument_bound

    def __call__(self, *args, using: str = DEFAULT_DB_ALIAS) -> list[dict]:
        compiled = self._compiled.get(using)
        if compiled is None:
            compiled = self._compiled[using] = self._compile(using)
        sql, slots, subqueries, names, converters, every_argument_bound = compiled
        connection = connections[using]
        if not subqueries and every_argument_bound and _server_prepared(connection):
            sql, params = server_statement(connection, self._statement, sql, len(args), slots), list(args)
        else:
            params = [args[ref] if kind == "arg" else ref for kind, ref in slots]
            for i, marker, position in reversed(subqueries):
                sub = args[i]
                assert isinstance(sub, QuerySet)
                sub_sql, sub_params = sub.query.get_compiler(using).as_sql()
                sql = sql.replace(marker, sub_sql, 1)
                params[position:position] = list(sub_params)
            if not subqueries:
                sql = server_statement(connection, self._statement, sql, len(params))
        with connection.cursor() as cursor:
            if self._times_as_text and connection.vendor == "postgresql":
                _pg.register_type(_TIMESTAMPTZ_TEXT, cursor.cursor)
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if converters:
            rows = [self._convert(list(row), converters, connection) for row in rows]
        if self._tuples:
            return rows
        return [dict(zip(names, row, strict=True)) for row in rows]

    @staticmethod
    def _convert(row: list, converters, connection) -> list:
        for position, (functions, expression) in converters:
            value = row[position]
            for function in functions:
                value = function(value, expression, connection)
            row[position] = value
        return row


class _AnyOf(Lookup):
    lookup_name = "any_of"
    prepare_rhs = False

    def get_db_prep_lookup(self, value, connection):
        return "%s", [list(value)]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", [*lhs_params, *rhs_params]


def any_of(ids, field: str = "pk") -> Lookup:
    """``filter(any_of(ids))``: ``field = ANY(%s)``, the ids as one PostgreSQL array parameter, so any number of them
    is one prepared statement (``pk__in`` writes one parameter per id)."""
    return _AnyOf(F(field), ids)


def moment(value) -> datetime | None:
    """A time read by a ``times_as_text`` read (PostgreSQL's text) or any other (a ``datetime``), as a ``datetime``."""
    return datetime.fromisoformat(value) if type(value) is str else value


# By the length of PostgreSQL's UTC text: what completes it to DRF's (a fraction of 1–5 digits gets its zeros, none
# stays none). Any other length (a year past 9999, a zone other than UTC) is parsed.
_FRACTION_PADDING = {22: "Z", **{23 + digits: "0" * (6 - digits) + "Z" for digits in range(1, 7)}}


def iso_time(value, tz) -> str | None:
    """DRF's ``DateTimeField`` output: ISO 8601 in ``tz`` (``Z`` for UTC), six fraction digits or none. ``value`` is
    a ``datetime`` or PostgreSQL's text of a UTC time (``YYYY-MM-DD HH:MM:SS[.f…]+00``, the fraction's trailing
    zeros left out), which, when ``tz`` is UTC, is rewritten without being parsed."""
    if value is None:
        return None
    if type(value) is str:
        if tz is UTC and value[-3:] == "+00":
            padding = _FRACTION_PADDING.get(len(value))
            if padding is not None:
                return value[:10] + "T" + value[11:-3] + padding
        value = datetime.fromisoformat(value)
    text = (value if value.tzinfo is tz else value.astimezone(tz)).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


_NUMBERS = itertools.count(1)
_PLACEHOLDER = re.compile(r"%%|%s")
# The statements each open psycopg2 connection has prepared; a new connection (a reconnect) starts with none.
_PREPARED: "weakref.WeakKeyDictionary[object, set[str]]" = weakref.WeakKeyDictionary()


def _server_prepared(connection) -> bool:
    return connection.vendor == "postgresql" and settings.DB_SERVER_PREPARED


def statement_name(kind: str) -> str:
    """A name for a statement of this process's, the same on every connection: ``sd_<kind>_<n>``."""
    return f"sd_{kind}_{next(_NUMBERS)}"


def server_statement(connection, name: str, sql: str, count: int, slots: list | None = None) -> str:
    """What to execute for ``sql`` (with ``count`` ``%s`` parameters, always the same text for ``name``): on
    PostgreSQL with ``DB_SERVER_PREPARED``, ``EXECUTE name(%s, …)``, the statement prepared first if this connection
    has not seen it; otherwise ``sql`` itself.

    ``slots`` (a ``PreparedRead``'s): per ``%s`` of ``sql``, ``("arg", i)`` for the call's ``i``-th parameter or
    ``("value", v)`` for a constant of the query. The constants are then written into the prepared statement once,
    and each of the ``count`` call parameters is sent once however often the SQL uses it (the queue page's 14
    parameters become 3: binding them cost more of the client's CPU than fetching a row)."""
    if not _server_prepared(connection):
        return sql
    connection.ensure_connection()
    prepared = _PREPARED.setdefault(connection.connection, set())
    if name not in prepared:
        with connection.connection.cursor() as raw:
            if slots is None:
                numbers = itertools.count(1)
                body = _PLACEHOLDER.sub(lambda m: "%" if m.group() == "%%" else f"${next(numbers)}", sql)
            else:
                each = iter(slots)

                def placed(match) -> str:
                    if match.group() == "%%":
                        return "%"
                    kind, ref = next(each)
                    return f"${ref + 1}" if kind == "arg" else raw.mogrify("%s", [ref]).decode()

                body = _PLACEHOLDER.sub(placed, sql)
            raw.execute(f"PREPARE {name} AS {body}")
        prepared.add(name)
    return f"EXECUTE {name}({', '.join(['%s'] * count)})" if count else f"EXECUTE {name}"
