"""The one code path of a percentile of times (docs/metrics.md, "Times"): what it is, rank
and interpolation, is definitions.percentile_of; this module is the only SQL that asks for
one, per database.

- PostgreSQL: its own percentile_cont, whose rule that definition is. ``sql`` is the one text
  of it: the ORM aggregate (``Percentile``, inside the live scans) and the dashboard's
  grouped SQL over the timed tickets (metrics/fast/grouped.py) both use it. Several
  fractions over the same values share one sort (the aggregate's state is shareable).
- Elsewhere (SQLite): window functions rank each group's values, only the rows at the ranks
  the definition needs come back, and definitions.percentile_of interpolates between them.

The bucketed running totals (metrics/fast/cumulative.py) locate the same ranks with
definitions.percentile_ranks and interpolate with definitions.percentile_of, so every
source gives the same figure (tests/metrics/test_percentiles.py, test_rollups.py).
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import Aggregate, Expression, F, FloatField, QuerySet, Value

from ..definitions import PERCENTILES, percentile_of
from .base import grouped, normalize_key


def native() -> bool:
    """Whether the database computes the percentile itself (percentile_cont)."""
    return connection.vendor == "postgresql"


def sql(fraction: float | str, order_by: str) -> str:
    """PostgreSQL's percentile ``fraction`` of ``order_by`` (trusted SQL, constants only)."""
    return f"percentile_cont({fraction}) WITHIN GROUP (ORDER BY {order_by})"


def sql_all(order_by: str) -> str:
    """Every percentile of definitions.PERCENTILES, in its order, as select columns."""
    return ", ".join(sql(float(p), order_by) for p in PERCENTILES.values())


class Percentile(Aggregate):
    """``sql`` as an ORM aggregate (PostgreSQL), with an optional FILTER."""

    function = "percentile_cont"
    template = sql("%(fraction)s", "%(expressions)s") + "%(filter)s"
    output_field = FloatField()

    def __init__(self, expression: str, fraction: float, **extra: Any) -> None:
        super().__init__(expression, fraction=float(fraction), **extra)


def aggregates(value: str) -> dict:
    """{"p50": Percentile, "p90": ...} of ``value`` for an ORM aggregate (PostgreSQL)."""
    return {name: Percentile(value, p) for name, p in PERCENTILES.items()}


def by_window(qs: QuerySet, group: Expression | None, value_field: str) -> dict:
    """{group key: {"p50", "p90"}} of ``value_field`` over ``qs`` in one query, on a
    database without percentile_cont: the (at most two per fraction) rows around each
    percentile's position come back, nothing per row."""
    base = qs.filter(**{f"{value_field}__isnull": False}).order_by()
    base = base.annotate(_g=group if group is not None else Value(0), _v=F(value_field))
    inner, params = base.values("_g", "_v").query.sql_with_params()
    # The ranks percentile_ranks gives, 1-based: floor and floor + 1 of p × (n − 1).
    wanted = " OR ".join(
        f"(rn - 1 = CAST({float(p)} * (cnt - 1) AS INTEGER) "
        f"OR rn - 2 = CAST({float(p)} * (cnt - 1) AS INTEGER))" for p in PERCENTILES.values())
    window = ("ROW_NUMBER() OVER (PARTITION BY _g ORDER BY _v) AS rn, "
              "COUNT(*) OVER (PARTITION BY _g) AS cnt")
    ranked = f"SELECT _g, _v, {window} FROM ({inner}) AS base"  # noqa: S608
    found: dict = {}
    with connection.cursor() as cursor:
        # Only the ORM's own SQL and constant fractions are interpolated; values are params.
        cursor.execute(f"SELECT _g, rn, cnt, _v FROM ({ranked}) AS r WHERE {wanted}",  # noqa: S608
                       params)
        for g, rn, cnt, v in cursor.fetchall():
            found.setdefault(g, (cnt, {}))[1][rn - 1] = float(v)
    return {None if group is None else normalize_key(g):
            {name: percentile_of(p, cnt, values.__getitem__) for name, p in PERCENTILES.items()}
            for g, (cnt, values) in found.items()}


def of(qs: QuerySet, value_field: str, group: Expression | None = None) -> dict:
    """{group key (None ungrouped): {"p50", "p90"}} of ``value_field`` over ``qs``, in one
    query on either database; a group without values is left out."""
    if not native():
        return by_window(qs, group, value_field)
    rows = grouped(qs.filter(**{f"{value_field}__isnull": False}), group, aggregates(value_field))
    return {key: row for key, row in rows.items() if any(v is not None for v in row.values())}
