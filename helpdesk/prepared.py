"""Reads by one value whose SQL is built once per process (docs/performance.md,
"Email intake").

Building the SQL of a query, and asking each of its columns for converters, costs the
ORM more CPU than the database spends answering it, most of all for a query that
follows several relations (``select_related``): the rules engine's read of an event's
ticket with its customer, organization, team and assignee cost 2 ms of CPU, nearly all
of it writing the same SQL again. ``Prepared`` builds the SQL on its first call and
runs that SQL with each call's value; the rows become model instances (or
``values_list`` rows) through the queryset's own iterable, so they are exactly what
the queryset would have returned.

``build`` must depend on its value alone: what else it reads (the clock, a setting) is
read once, when the SQL is built.

On PostgreSQL the built SQL also runs as a server-side prepared statement, so the
database plans it once per connection instead of on every call: planning the ticket
page's read of a ticket with its relations took 1.2 ms, three times its execution
(docs/performance.md, "Planned once"). Django binds parameters on the client, and
psycopg prepares nothing for such a cursor; these reads go through a cursor that binds
on the server, and the connection's ``prepare_threshold`` (settings.py,
``DATABASE_PREPARED_STATEMENTS``) decides whether psycopg prepares them. Every other
query of the project is bound as before. Django's query log (``connection.queries``,
``CaptureQueriesContext``) shows such a read as ``QUERY = '… $1 …' - PARAMS = (…)``, the
SQL apart from its values.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from weakref import WeakKeyDictionary, WeakSet

from django.db import connections
from django.db.models import QuerySet

# Stand for the call's value in the built SQL's parameters: an id no row has, and a text
# that a lookup which escapes or wraps its value (LIKE on SQLite for ``iexact``,
# ``contains``) would change.
_MARK = -(2**62) + 7
_TEXT_MARK = "Prepared_%\\Mark"
_PLAIN = "plain"


# Every Prepared of the process, for ``build_all``.
_ALL: WeakSet[Prepared[Any]] = WeakSet()


def build_all() -> None:
    """Build the SQL of every ``Prepared`` made so far, querying nothing: a process about
    to fork workers (the email intake's) builds it once for all of them."""
    for prepared in list(_ALL):
        try:
            prepared._template()
        except Exception:  # noqa: S112 (its first call builds it, and raises, as before)
            continue


class Prepared[T]:
    """``build(value)``'s first row (``QuerySet.first``: a model instance, or a tuple or
    value of ``values_list``), its SQL built once per process (one database: the project
    has no database routers). ``text=True`` for a text value: when the database's lookup
    changes the value on its way into the parameters, each call runs the queryset."""

    def __init__(self, build: Callable[[Any], QuerySet[Any, T]], *, text: bool = False,
                 many: bool = False) -> None:
        self._build, self._mark = build, _TEXT_MARK if text else _MARK
        self._many = many  # every row (``all``), not the first
        self._built: tuple[QuerySet[Any, T], Any, str, tuple] | str | None = None
        self._converters: WeakKeyDictionary = WeakKeyDictionary()
        _ALL.add(self)

    def _first_row(self, queryset: QuerySet[Any, T]) -> QuerySet[Any, T]:
        if self._many:
            return queryset  # in the queryset's own order
        return (queryset if queryset.ordered else queryset.order_by("pk"))[:1]

    def _template(self) -> tuple[QuerySet[Any, T], Any, str, tuple] | str:
        if self._built is None:
            queryset = self._first_row(self._build(self._mark))
            compiler = queryset.query.get_compiler(using=queryset.db)
            sql, params = compiler.as_sql()  # also sets the compiler's columns and joins
            if self._mark in params:
                self._built = (queryset, compiler, sql, tuple(params))
            elif self._mark == _TEXT_MARK:
                self._built = _PLAIN
            else:
                raise ValueError("the id must be a parameter of the query")
        return self._built

    def first(self, value: Any) -> T | None:
        rows = self._rows(value)
        return rows[0] if rows else None

    def all(self, value: Any) -> list[T]:
        """Every row of ``build(value)`` (made with ``many=True``), in its order."""
        if not self._many:
            raise TypeError("Prepared(many=True) reads every row")
        return self._rows(value)

    def _rows(self, value: Any) -> list[T]:
        built = self._template()
        if isinstance(built, str):  # the value does not reach the SQL as it is
            return list(self._first_row(self._build(value)))
        queryset, compiler, sql, params = built
        run = copy.copy(compiler)
        run.connection = connection = connections[queryset.db]  # this thread's connection
        bound = tuple(value if p == self._mark else p for p in params)
        run.as_sql = lambda *args, **kwargs: (sql, bound)
        # The columns' converters are the same on every call too (asking each of some
        # hundred columns for them was half of what was left); kept per connection,
        # as the backend's converters belong to it.
        converters = self._converters.get(connection)
        if converters is None:
            fields = [s[0] for s in compiler.select[0:compiler.col_count]]
            converters = self._converters[connection] = run.get_converters(fields)
        run.get_converters = lambda expressions: converters
        fresh = queryset._chain()
        # The queryset's iterable asks its query for a compiler: it gets the built one.
        fresh.query.get_compiler = lambda *args, **kwargs: run
        with _bound_on_server(connection):
            return list(fresh)


@contextmanager
def planned_once(using: str = "default") -> Iterator[None]:
    """Statements run in this block on PostgreSQL are prepared on the server, so each
    distinct one is planned once per connection: for a write whose SQL is the same on
    every call (the new ticket's INSERT, a reply's UPDATE of its ticket) planning was
    as long as running it. Elsewhere nothing changes."""
    with _bound_on_server(connections[using]):
        yield


@contextmanager
def _bound_on_server(connection) -> Iterator[None]:
    """Cursors made meanwhile on this connection bind their parameters on the server (so
    psycopg may prepare their statements); on other databases nothing changes."""
    if connection.vendor != "postgresql":
        yield
        return
    from django.db.backends.postgresql.base import ServerBindingCursor

    connection.ensure_connection()
    raw = connection.connection
    made_by = raw.cursor_factory
    raw.cursor_factory = ServerBindingCursor
    try:
        yield
    finally:
        raw.cursor_factory = made_by
