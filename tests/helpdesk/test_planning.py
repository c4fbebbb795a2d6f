"""helpdesk.planning: planner settings that hold for one block of queries."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def _plan(cursor) -> str:
    cursor.execute("EXPLAIN SELECT COUNT(*) FROM tickets_ticket")
    return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.django_db(transaction=True)
def test_without_parallel_workers_plans_its_block_alone():
    """With the planner told to use a worker wherever it may (force_parallel_mode, called
    debug_parallel_query from PostgreSQL 16), a count gets one outside the block and
    none inside it; the setting ends with the block."""
    from django.db import connection

    from helpdesk.planning import without_parallel_workers

    if connection.vendor != "postgresql":
        pytest.skip("parallel workers are PostgreSQL's")
    forced = "debug_parallel_query" if connection.pg_version >= 160000 else "force_parallel_mode"
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        before = cursor.fetchone()[0]
        try:
            cursor.execute(f"SET {forced} = on")
            assert "Gather" in _plan(cursor)
            with without_parallel_workers():
                assert "Gather" not in _plan(cursor)
                cursor.execute("SHOW max_parallel_workers_per_gather")
                assert cursor.fetchone()[0] == "0"
            assert "Gather" in _plan(cursor)
            cursor.execute("SHOW max_parallel_workers_per_gather")
            assert cursor.fetchone()[0] == before != "0"
        finally:
            cursor.execute(f"RESET {forced}")


def test_the_sidebar_counts_are_planned_without_parallel_workers(client, agent, ticket):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.sidebar import queue_counts

    client.force_login(agent)
    with CaptureQueriesContext(connection) as captured:
        assert queue_counts(client)["open"] == 1
    sql = [query["sql"] for query in captured.captured_queries]
    counting = next(i for i, text in enumerate(sql) if "UNION ALL" in text)
    setting = [i for i, text in enumerate(sql) if "max_parallel_workers_per_gather" in text]
    if connection.vendor == "postgresql":
        # Set just before the count; inside the test's transaction, put back after it.
        assert setting[0] == counting - 1 and setting[1:] == [counting + 2]
        assert sql[counting + 2] == "SET LOCAL max_parallel_workers_per_gather TO DEFAULT"
    else:
        assert setting == []
