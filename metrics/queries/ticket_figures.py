"""Every ticket figure of a period (and optionally the period before) in ONE scan of tickets.

Created, first response, resolution, FCR, reopen and backlog used to be three queries per
period, each scanning tickets by another anchor. They are one query here: the WHERE is the
union of the anchors' date ranges (PostgreSQL ORs three index scans into one bitmap), and
each aggregate FILTERs on its own anchor, so the numbers are exactly those of the
definitions in families.py. Week and month trends group each anchor by its own date, so
they stay one query per anchor.
"""

from __future__ import annotations

from django.db.models import Count, Q

from tickets.models import Ticket

from ..definitions import TRENDS, counts_of, group_fields, lookups
from ..filters import MetricFilters
from . import percentile
from .base import group_expression, grouped
from .periods import per_period, periods_of, split, window, within

_TICKET_FIELDS = group_fields("ticket")

# anchor timestamp, SLA seconds column, due column, breached column
_TIMED = {
    "first": ("first_response_at", "sla__first_response_business_seconds",
              "sla__first_response_due_at", "sla__first_response_breached"),
    "solved": ("solved_at", "sla__resolution_business_seconds",
               "sla__resolution_due_at", "sla__resolution_breached"),
}


def _percentiles(family: str) -> dict:
    """The family's percentile aggregates, for a scan on PostgreSQL (else: _window_percentiles)."""
    return percentile.aggregates(_TIMED[family][1])


def _timed_aggregates(family: str) -> dict:
    _anchor, seconds, due, breached = _TIMED[family]
    aggregates = {
        "timed_n": Count(seconds),
        "with_target": Count("pk", filter=Q(**{f"{due}__isnull": False})),
        "met": Count("pk", filter=Q(**{f"{due}__isnull": False, breached: False})),
    }
    if percentile.native():
        aggregates |= _percentiles(family)
    if family == "solved":
        aggregates |= {"solved": Count("pk"), **count_aggregates("solved")}
    return aggregates


def count_aggregates(anchor: str, prefix: str = "") -> dict:
    """The TicketCounts of definitions.py anchored on ``anchor``, as Count aggregates (over
    tickets, or a relation to them with ``prefix``)."""
    return {c.name: Count(f"{prefix}pk", filter=prefixed(c.condition, prefix))
            for c in counts_of(anchor)}


def prefixed(q: Q, prefix: str) -> Q:
    """``q`` with every lookup behind ``prefix`` (a Q on tickets, read from a relation)."""
    if not prefix:
        return q
    clone = Q(*[prefixed(c, prefix) if isinstance(c, Q) else (f"{prefix}{c[0]}", c[1])
                for c in q.children], _connector=q.connector, _negated=q.negated)
    return clone


def _family_aggregates(family: str, periods: dict, *, backlog: bool,
                       live_only: bool = False) -> dict:
    """Aggregates named "<family>_<name>__<period>", each FILTERed to its anchor's range.

    ``live_only``: just what the daily rollups cannot hold (percentiles, the backlog)."""
    if family == "created":
        counted = {"created": Count("pk"), **count_aggregates("created")}
        made = {} if live_only else {f"created_{k}": v for k, v in
                                     per_period(counted, periods, "created_at").items()}
        if backlog:  # unresolved now, created before the end of the (current) period
            made["created_backlog__cur"] = Count("pk", filter=Q(
                status__in=Ticket.UNRESOLVED, created_at__lt=periods["cur"].end))
        return made
    anchor = _TIMED[family][0]
    if live_only:
        aggregates = _percentiles(family) if percentile.native() else {}
    else:
        aggregates = _timed_aggregates(family)
    return {f"{family}_{k}": v for k, v in per_period(aggregates, periods, anchor).items()}


def ticket_base(f: MetricFilters):
    return Ticket.objects.filter(is_spam=False, merged_into__isnull=True,
                                 **lookups(f, "ticket"))


def _scan(f: MetricFilters, periods: dict, by: str | None, families: tuple[str, ...],
          date_field: str, *, backlog: bool, live_only: bool = False) -> dict:
    start, end = window(periods)
    span = MetricFilters(start, end)
    where = Q()
    for family in families:
        if live_only and family == "created":
            continue  # created counts come from the rollups; only the backlog is asked here
        where |= within("created_at" if family == "created" else _TIMED[family][0], span)
    if backlog:
        where |= Q(status__in=Ticket.UNRESOLVED, created_at__lt=f.end)
    qs = ticket_base(f).filter(where)
    group = group_expression(by, fields=_TICKET_FIELDS, date_field=date_field)
    aggregates = {}
    for family in families:
        aggregates |= _family_aggregates(family, periods, backlog=backlog, live_only=live_only)
    rows = grouped(qs, group, aggregates) if aggregates else {}
    if not percentile.native():
        _window_percentiles(rows, f, periods, group, families)
    return rows


def _window_percentiles(rows: dict, f: MetricFilters, periods: dict, group, families) -> None:
    """Without percentile_cont (SQLite): percentile.by_window, per anchor and period."""
    for family in families:
        if family == "created":
            continue
        anchor, seconds = _TIMED[family][:2]
        for name, p in periods.items():
            qs = ticket_base(f).filter(within(anchor, p))
            for key, values in percentile.by_window(qs, group, seconds).items():
                # setdefault: with the rollups the scan may have had nothing to count.
                row = rows.setdefault(key, {})
                for which, value in values.items():
                    row[f"{family}_{which}__{name}"] = value


def live_rows(f: MetricFilters, by: str | None, periods: dict, *, percentiles: bool = True) -> dict:
    """What the daily rollups cannot hold, as ticket_rows names it: median and p90 business
    seconds (one query per anchor, over timed tickets only; ``percentiles`` False: the
    caller has them) and the backlog (one query)."""
    rows: dict = {}
    date_fields = {"first": "first_response_at", "solved": "solved_at"}
    for family in ("first", "solved") if percentiles else ():
        anchor, seconds = _TIMED[family][:2]
        if percentile.native():
            qs = ticket_base(f).filter(within(anchor, MetricFilters(*window(periods))),
                                       **{f"{seconds}__isnull": False})
            group = group_expression(by, fields=_TICKET_FIELDS,
                                     date_field=date_fields[family] if by in TRENDS
                                     else "created_at")
            aggregates = {f"{family}_{k}": v for k, v in
                          per_period(_percentiles(family), periods, anchor).items()}
            for key, row in grouped(qs, group, aggregates).items():
                rows.setdefault(key, {}).update(row)
        else:
            group = group_expression(by, fields=_TICKET_FIELDS, date_field=anchor)
            _window_percentiles(rows, f, periods, group, (family,))
    if by not in TRENDS:  # unresolved now, created before the end of the period
        qs = ticket_base(f).filter(status__in=Ticket.UNRESOLVED, created_at__lt=periods["cur"].end)
        group = group_expression(by, fields=_TICKET_FIELDS, date_field="created_at")
        backlog = grouped(qs, group, {"created_backlog__cur": Count("pk")})
        for key, row in backlog.items():
            rows.setdefault(key, {}).update(row)
    return rows


def ticket_rows(f: MetricFilters, by: str | None, periods: dict, *,
                live_only: bool = False) -> dict:
    """{group key: {"<family>_<name>__<period>": value}}; ``live_only`` leaves out the
    counts the daily rollups hold (and trends leave out the created anchor then)."""
    if by in TRENDS:
        rows: dict = {}
        anchors = (("created", "created_at"), ("first", "first_response_at"),
                   ("solved", "solved_at"))
        for family, anchor in anchors[1:] if live_only else anchors:
            for key, row in _scan(f, periods, by, (family,), anchor, backlog=False,
                                  live_only=live_only).items():
                rows.setdefault(key, {}).update(row)
        return rows
    # live_only: the "created" family then holds just the backlog.
    return _scan(f, periods, by, ("created", "first", "solved"), "created_at", backlog=True,
                 live_only=live_only)


def unpack_rows(rows: dict, periods: dict) -> dict:
    return {key: {name: _unpack(split(row, name)) for name in periods}
            for key, row in rows.items()}


def ticket_figures(f: MetricFilters, by: str | None, *,
                   previous: MetricFilters | None = None) -> dict:
    """{group key: {period: {"first": {...}, "solved": {...}, "volume": {...}}}}."""
    periods = periods_of(f, previous)
    return unpack_rows(ticket_rows(f, by, periods), periods)


def _unpack(row: dict) -> dict:
    parts: dict = {"first": {}, "solved": {}, "volume": {}}
    for key, value in row.items():
        family, name = key.split("_", 1)
        parts["volume" if family == "created" else family][name] = value
    return parts
