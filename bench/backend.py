"""What the benchmarks read about the PostgreSQL backend serving this process."""

import os
from pathlib import Path


def backend_cpu(connection) -> float | None:
    """CPU seconds this connection's PostgreSQL backend has used (None: not on this machine). ``/proc`` counts in
    clock ticks (10 ms): read it over many requests."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
