"""Grouping and percentiles shared by every metric family.

Each family is ONE grouped SQL query whatever the breakdown; rows come back keyed
by the group (None for the summary), never fetched per group.
"""

from __future__ import annotations

import math
from datetime import date, datetime

from django.db import connection
from django.db.models import Aggregate, F, FloatField, QuerySet, Value
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone

from ..definitions import PERCENTILES

FRACTIONS = tuple(PERCENTILES.values())


class PercentileCont(Aggregate):
    """PostgreSQL's ordered-set aggregate percentile_cont(f) WITHIN GROUP (ORDER BY x)."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)%(filter)s"
    output_field = FloatField()

    def __init__(self, expression, fraction: float, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)


def uses_percentile_cont() -> bool:
    return connection.vendor == "postgresql"


def group_expression(by: str | None, *, fields: dict[str, str], date_field: str):
    """The GROUP BY expression of a dimension for one family's field names."""
    if by is None:
        return None
    if by == "week":
        return TruncWeek(date_field)
    if by == "month":
        return TruncMonth(date_field)
    return F(fields[by])


def normalize_key(value):
    """Group keys as plain values: dates for week/month, ids and channel names as they are."""
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, str) and len(value) >= 10 and value[4] == "-" and value[7] == "-":
        return date.fromisoformat(value[:10])  # SQLite's raw truncated datetime
    return value


def grouped(qs: QuerySet, group, aggregates: dict) -> dict:
    """{group key: {aggregate: value}} in one query; key None when not grouped."""
    if group is None:
        return {None: qs.aggregate(**aggregates)}
    rows = qs.annotate(_g=group).values("_g").annotate(**aggregates).order_by()
    return {normalize_key(row.pop("_g")): row for row in rows}


def percentiles_by_window(qs: QuerySet, group, value_field: str) -> dict:
    """percentile_cont semantics in one query on databases without it (SQLite).

    Window functions rank each group's values; only the (at most two per fraction)
    rows around each percentile position come back, so nothing is loaded per row.
    """
    base = qs.filter(**{f"{value_field}__isnull": False}).order_by()
    base = base.annotate(_g=group if group is not None else Value(0), _v=F(value_field))
    sql, params = base.values("_g", "_v").query.sql_with_params()
    wanted = " OR ".join(
        f"(rn - 1 = CAST({f} * (cnt - 1) AS INTEGER) OR rn - 2 = CAST({f} * (cnt - 1) AS INTEGER))"
        for f in FRACTIONS
    )
    window = "ROW_NUMBER() OVER (PARTITION BY _g ORDER BY _v) AS rn, COUNT(*) OVER (PARTITION BY _g) AS cnt"
    ranked = f"SELECT _g, _v, {window} FROM ({sql}) AS base"  # noqa: S608
    with connection.cursor() as cursor:
        # Only the ORM's own SQL and constant fractions are interpolated; values are params.
        cursor.execute(f"SELECT _g, rn, cnt, _v FROM ({ranked}) AS r WHERE {wanted}",  # noqa: S608
                       params)
        found: dict = {}
        for g, rn, cnt, v in cursor.fetchall():
            found.setdefault(g, {"cnt": cnt})[rn - 1] = float(v)
    result = {}
    for g, values in found.items():
        key = None if group is None else normalize_key(g)
        result[key] = {f: _interpolate(values, values["cnt"], f) for f in FRACTIONS}
    return result


def _interpolate(values: dict, count: int, fraction: float) -> float:
    position = fraction * (count - 1)
    low = math.floor(position)
    if low + 1 >= count:
        return values[low]
    return values[low] + (position - low) * (values[low + 1] - values[low])
