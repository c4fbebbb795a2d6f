"""Reads by id whose SQL is built once per process (docs/performance.md, "Email intake").

Building the SQL of a query that follows several relations (``select_related``) costs
the ORM more CPU than the database spends answering it: the rules engine's read of an
event's message with its ticket, customer, organization, team and assignee was a
sixth of the email intake's CPU per mail, nearly all of it spent writing the same SQL
again. ``Prepared`` builds the SQL on its first call and runs that SQL with each
call's id; the rows become model instances through the queryset's own iterable, so
they are exactly what the queryset would have returned.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any
from weakref import WeakKeyDictionary

from django.db import connections
from django.db.models import QuerySet

# Stands for the call's id in the built SQL's parameters: an id no row has.
_MARK = -(2**62) + 7


class Prepared[T]:
    """``build(id)``'s first row (``QuerySet.first``: a model instance, or a tuple or value
    of ``values_list``), its SQL built once per process
    (one database: the project has no database routers)."""

    def __init__(self, build: Callable[[int], QuerySet[Any, T]]) -> None:
        self._build = build
        self._built: tuple[QuerySet[Any, T], Any, str, tuple] | None = None
        self._converters: WeakKeyDictionary = WeakKeyDictionary()

    def _template(self) -> tuple[QuerySet[Any, T], Any, str, tuple]:
        if self._built is None:
            queryset = self._build(_MARK)
            queryset = (queryset if queryset.ordered else queryset.order_by("pk"))[:1]
            compiler = queryset.query.get_compiler(using=queryset.db)
            sql, params = compiler.as_sql()  # also sets the compiler's columns and joins
            if _MARK not in params:
                raise ValueError("the id must be a parameter of the query")
            self._built = (queryset, compiler, sql, tuple(params))
        return self._built

    def first(self, pk: int) -> T | None:
        queryset, compiler, sql, params = self._template()
        run = copy.copy(compiler)
        run.connection = connection = connections[queryset.db]  # this thread's connection
        bound = tuple(pk if p == _MARK else p for p in params)
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
        rows = list(fresh)
        return rows[0] if rows else None
