"""Rows kept by their PostgreSQL row versions (issue 14): a page that is read again and again is built once per row
version, not once per request.

PostgreSQL gives every row version the id of the transaction that wrote it (``xmin``): any committed change to a
row, by the ORM, ``update()``, the admin or SQL by hand, is a new version with a new ``xmin``, and a version that was
never committed is never seen. A read outside a transaction sees only committed versions, so two reads that give a
row the same ``xmin`` saw the same row. A page first reads only its rows' ids and versions (the same joins, nothing
else sent); the rows whose versions (the row's and every joined row's) are those of a row built earlier are used as
built, and only the others are read whole, with their own versions, and built.

Nothing is kept or used inside a transaction (``atomic``: the transaction's own changes to a row share one
``xmin``), on another database than PostgreSQL, or with ``QUEUE_ROW_CACHE=0``. Each process keeps at most
``QUEUE_ROW_CACHE`` rows (emptied when full), per database alias, each for at most ``KEPT_SECONDS`` (a transaction
id comes round again only after 2³² transactions); what is kept is never changed after it is kept.
"""

import threading

from django.conf import settings
from django.db.models import CharField, F
from django.db.models.expressions import Expression


class RowVersion(Expression):
    """``xmin`` of the row a relation path reaches (``""``: the query's own row; ``None`` when a left join finds
    none), as text. The join is the one the query's ``values()`` and filters use for the same path."""

    output_field = CharField()

    def __init__(self, path: str = "", *, col=None):
        super().__init__()
        self.path = path
        self.col = col

    def get_source_expressions(self):
        return [] if self.col is None else [self.col]

    def set_source_expressions(self, exprs):
        if exprs:
            (self.col,) = exprs

    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False):
        model = query.model
        for name in filter(None, self.path.split("__")):
            model = model._meta.get_field(name).related_model
        # A column of the row itself that is not a key, so the join to it is not trimmed away.
        field = next(f for f in model._meta.concrete_fields if not f.is_relation and not f.primary_key)
        ref = f"{self.path}__{field.name}" if self.path else field.name
        col = F(ref).resolve_expression(query, allow_joins, reuse, summarize, for_save)
        return RowVersion(self.path, col=col)

    def as_postgresql(self, compiler, connection):
        return f'{compiler.quote_name_unless_alias(self.col.alias)}."xmin"', []

    def as_sql(self, compiler, connection):
        """Elsewhere (SQLite) there are no row versions: ``KeptRows.usable`` is false there."""
        return "NULL", []


KEPT_SECONDS = 600


class KeptRows:
    """Built rows by ``(database alias, id)``, each with the versions it was built from."""

    def __init__(self):
        self._rows: dict[tuple, tuple] = {}
        self._lock = threading.Lock()

    @staticmethod
    def usable(connection) -> bool:
        return (
            connection.vendor == "postgresql"
            and settings.QUEUE_ROW_CACHE > 0
            and not connection.in_atomic_block
        )

    def get(self, alias: str, pk: int, versions: tuple, *, at: float):
        """What was kept for ``pk`` built from exactly ``versions`` less than ``KEPT_SECONDS`` before ``at`` (a
        ``time.monotonic()``), else ``None``."""
        kept = self._rows.get((alias, pk))
        if kept is None or kept[0] != versions or at - kept[2] >= KEPT_SECONDS:
            return None
        return kept[1]

    def keep(self, alias: str, pk: int, versions: tuple, built, *, at: float) -> None:
        with self._lock:
            if len(self._rows) >= settings.QUEUE_ROW_CACHE:
                self._rows.clear()
            self._rows[(alias, pk)] = (versions, built, at)

    def __len__(self) -> int:
        return len(self._rows)

    def clear(self) -> None:
        self._rows.clear()
