"""Build secondary indexes once after a large load instead of row by row (as pg_restore does)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

TABLES = ("tickets_ticket", "tickets_message", "tickets_ticketevent", "tickets_ticketsla",
          "surveys_invitation",
          "surveys_response", "surveys_followup")

# Indexes that back no constraint (primary keys and unique constraints stay: they guard data).
_SECONDARY = """
SELECT i.relname, pg_get_indexdef(x.indexrelid)
FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
WHERE t.relname = ANY(%s) AND NOT x.indisprimary
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
"""


@contextmanager
def deferred_indexes(enabled: bool) -> Iterator[None]:
    """Drop the secondary indexes of the demo tables for the duration; always rebuild them."""
    if not enabled or connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(_SECONDARY, [list(TABLES)])
        saved = cursor.fetchall()
        for name, _ in saved:
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '512MB'")
            for _, definition in saved:
                cursor.execute(definition.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS", 1))
