"""Planner settings for the queries of one block (docs/performance.md).

Each setting holds for the queries run inside its block (``SET LOCAL`` in a
transaction of their own), and nowhere else: inside an outer transaction (a test, a
caller's atomic block) the setting would outlive the savepoint, so it is put back on
the way out. On other databases nothing changes.

- ``written_join_order`` ("Planning the API's page query"). A page of a list joins
  its rows' lookups (customer, organization, team, assignee, SLA clocks, policy):
  every join goes from the 25 rows to one row by primary key, so the order the ORM
  writes is already the best one. PostgreSQL does not know that and tries the
  orders: at 100 000 tickets that planning took 5–20 ms for a query that runs in
  under 1 ms.
- ``without_parallel_workers`` ("The queue's sidebar counts"). Short queries over
  large indexes that the planner hands to workers: the sidebar's counts at a million
  tickets took 20 ms with two workers on a quiet connection, 50–57 ms on one that
  had just run another large query, and 13–16 ms without workers.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

from django.db import connection, transaction


@contextmanager
def _set_locally(name: str, value: str) -> Iterator[None]:
    if connection.vendor != "postgresql":
        yield
        return
    nested = connection.in_atomic_block
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL {name} = {value}")
        yield
        # On an exception the savepoint's rollback undoes the SET LOCAL by itself.
        if nested:
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL {name} TO DEFAULT")


def written_join_order() -> AbstractContextManager[None]:
    return _set_locally("join_collapse_limit", "1")


def without_parallel_workers() -> AbstractContextManager[None]:
    return _set_locally("max_parallel_workers_per_gather", "0")
