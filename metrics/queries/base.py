"""Grouping shared by every metric family (percentiles: percentile.py).

Each family is ONE grouped SQL query whatever the breakdown; rows come back keyed
by the group (None for the summary), never fetched per group.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db.models import F, QuerySet
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone


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
