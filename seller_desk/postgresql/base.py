"""Django's PostgreSQL backend with a health check that costs no round trip while the link is quiet (issue 14).

With ``CONN_HEALTH_CHECKS`` Django asks a kept connection ``SELECT 1`` before each request's first query: on the
seller API that was a third of a thread read's statements and ≈ 0.08 ms of CPU (the web worker's and PostgreSQL's)
per request. A connection at rest has nothing to read: a server that restarted or ended the session (a PostgreSQL
restart, ``pg_terminate_backend``, PgBouncer closing it) has sent its error and closed the socket, so the socket is
readable. Here the socket is polled first (no wait); only when something is there — the end of the session, or a
notice — does Django's own ``SELECT 1`` decide, reconnecting if it fails. A link that died without a word (a cable,
not a server) is still found by the first query, as it would be for a connection checked a moment earlier.
"""

import select

from django.db.backends.postgresql import base

# Where the triggers of migration seller_desk 0013 announce a write to a table a seller API token's caller is read
# from (``seller_desk.auth._TokenRows`` listens).
AUTH_CHANGES_CHANNEL = "sd_auth_changes"


class DatabaseWrapper(base.DatabaseWrapper):
    def close_if_health_check_failed(self):
        if self.connection is None or not self.health_check_enabled or self.health_check_done:
            return
        if self.pool is None and link_quiet(self.connection):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()


def link_quiet(connection) -> bool:
    """Nothing has come from the server since the last answer, and psycopg2 holds the link open."""
    if connection.closed:
        return False
    try:
        readable, _, _ = select.select([connection.fileno()], [], [], 0)
    except (OSError, ValueError):
        return False
    return not readable
