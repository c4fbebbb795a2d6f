"""Planning a wide list query in the order it is written (docs/performance.md,
"Planning the API's page query").

A page of a list joins its rows' lookups (customer, organization, team, assignee,
SLA clocks, policy): every join goes from the 25 rows to one row by primary key, so
the order the ORM writes is already the best one. PostgreSQL does not know that and
tries the orders: at 100 000 tickets that planning took 5–20 ms for a query that runs
in under 1 ms. ``written_join_order`` keeps the written order for the queries run
inside it (``SET LOCAL`` in a transaction of their own), and nowhere else: inside an
outer transaction (a test, a caller's atomic block) the setting would outlive the
savepoint, so it is put back on the way out.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction


@contextmanager
def written_join_order() -> Iterator[None]:
    if connection.vendor != "postgresql":
        yield
        return
    nested = connection.in_atomic_block
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL join_collapse_limit = 1")
        yield
        # On an exception the savepoint's rollback undoes the SET LOCAL by itself.
        if nested:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL join_collapse_limit TO DEFAULT")
