"""One run at a time of a periodic job, across every worker and web node.

On PostgreSQL a session-level advisory lock, taken without waiting: a second run
that starts while the first still works skips instead of queueing behind it (beat
starts the next one soon enough). The lock goes with the connection, so a worker
that dies mid-run frees it. Other databases (SQLite in development and tests) run
one process, which needs no lock. docs/operations.md, "Periodic jobs" (#periodic-jobs).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection


def _key(name: str) -> int:
    # A stable signed 32-bit number per name (advisory locks take a bigint).
    return zlib.crc32(f"helpdesk:{name}".encode()) - 2**31


@contextmanager
def single_run(name: str) -> Iterator[bool]:
    """``with single_run("surveys.send_due") as mine: if mine: ...``: True when this run
    holds the lock, False when another run holds it."""
    if connection.vendor != "postgresql":
        yield True
        return
    key = _key(name)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        acquired = bool(cursor.fetchone()[0])
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
