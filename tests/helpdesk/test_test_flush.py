"""The test suite empties PostgreSQL between transactional tests with DELETE instead of
Django's TRUNCATE (tests/conftest.py, for speed). That gives the same empty database
only while the schema has no triggers and every foreign key is checked at commit; these
tests say so when that stops being true."""

import os

import pytest
from django.core.management import call_command
from django.db import connection

pytestmark = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith(("postgres", "pgsql")),
    reason="the DELETE flush is PostgreSQL's; SQLite's own flush is DELETE")


def test_the_schema_has_no_triggers_and_only_deferred_foreign_keys(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgrelid::regclass::text, tgname FROM pg_trigger"
                       " WHERE NOT tgisinternal")
        assert cursor.fetchall() == []
        cursor.execute("SELECT conrelid::regclass::text, conname FROM pg_constraint"
                       " WHERE contype = 'f' AND NOT (condeferrable AND condeferred)")
        assert cursor.fetchall() == []


def test_the_flush_empties_every_table(transactional_db, ticket, agent):
    tables = connection.introspection.django_table_names(only_existing=True,
                                                          include_views=False)
    sql = connection.ops.sql_flush(None, tables)
    assert sql and all(statement.startswith("DELETE FROM") for statement in sql)
    call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")  # noqa: S608
            assert cursor.fetchone() is None, table
