"""The ticket facts of each survey response: the ONE definition the key drivers read,
whether from the ResponseFacts rollup (refreshed with the daily rollups) or live.

Facts of the answered ticket (docs/metrics.md definitions):
- first_response_sla: 1 breached, 0 met (target set and first public reply given), else
  unknown; resolution_sla the same with the final solve.
- reopened: the ticket was reopened at least once (1) or never (0).
- fcr: solved with exactly one public agent reply and never reopened (1), solved
  otherwise (0), unknown while unsolved.
- agent_replies: public agent replies, 3 meaning three or more (0: none).
- handoffs: how many times the ticket passed to someone else, from the TicketEvents:
  the distinct agents it was assigned to beyond the first, plus moves from one team to
  another (capped at 9).
Channel and organization tier are the response's own (stored at survey time); the
priority is the ticket's. ``kind`` is the response's survey kind: a relationship answer
has no ticket, so its ticket facts are unknown (NULL, or 0 / '' in the not-null columns)
and the drivers offer it only the factors that do not need a ticket. ``ticket_id`` lets a
factor join more facts of the ticket (the custom field values, custom_factors.py).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import connection

from surveys.models import SCALES, Response
from tickets.models import Ticket, TicketEvent, TicketSLA

from ..filters import day_start
from ..models import ResponseFacts

COLUMNS = ("response_id", "day", "metric", "score", "kind", "ticket_id", "channel", "agent_id",
           "team_id",
           "organization_tier", "priority", "first_response_sla", "resolution_sla",
           "reopened", "fcr", "agent_replies", "handoffs")


def _handoffs_sql(responses_where: str) -> str:
    e = TicketEvent._meta.db_table
    distinct_agents = ("COUNT(DISTINCT CASE WHEN e.field = 'assignee' AND e.new_value <> '' "
                       "THEN e.new_value END)")
    team_moves = ("SUM(CASE WHEN e.field = 'team' AND e.old_value <> '' AND e.new_value <> '' "
                  "AND e.old_value <> e.new_value THEN 1 ELSE 0 END)")
    # Table names and constant SQL only are interpolated.
    return (f"SELECT e.ticket_id, CASE WHEN {distinct_agents} > 1 THEN {distinct_agents} - 1 "  # noqa: S608
            f"ELSE 0 END + {team_moves} AS n FROM {e} e "
            f"WHERE e.field IN ('assignee', 'team') AND e.ticket_id IN "
            f"(SELECT r.ticket_id FROM {Response._meta.db_table} r WHERE {responses_where}) "
            f"GROUP BY e.ticket_id")


def facts_select() -> tuple[str, list]:
    """SELECT of the COLUMNS for the responses created in [%s, %s) (params: start, end,
    twice), on the metric's current scale only."""
    r, t, s = Response._meta.db_table, Ticket._meta.db_table, TicketSLA._meta.db_table
    # LEFT JOIN: relationship answers have no ticket (their ticket facts stay unknown).
    day, day_params = connection.ops.datetime_cast_date_sql("r.created_at", (), settings.TIME_ZONE)
    canonical = " OR ".join(f"(r.metric = '{m}' AND r.scale_min = {lo} AND r.scale_max = {hi})"
                            for m, (lo, hi) in SCALES.items())
    where = f"({canonical}) AND r.created_at >= %s AND r.created_at < %s"
    sql = (
        f"SELECT r.id AS response_id, {day} AS day, r.metric AS metric, r.score AS score, "  # noqa: S608
        "r.kind AS kind, r.ticket_id AS ticket_id, "
        "r.channel AS channel, r.agent_id AS agent_id, r.team_id AS team_id, "
        "r.organization_tier AS organization_tier, COALESCE(t.priority, '') AS priority, "
        "CASE WHEN s.first_response_due_at IS NULL THEN NULL WHEN s.first_response_breached "
        "THEN 1 WHEN t.first_response_at IS NOT NULL THEN 0 END AS first_response_sla, "
        "CASE WHEN s.resolution_due_at IS NULL THEN NULL WHEN s.resolution_breached "
        "THEN 1 WHEN t.solved_at IS NOT NULL THEN 0 END AS resolution_sla, "
        "CASE WHEN t.reopen_count > 0 THEN 1 ELSE 0 END AS reopened, "
        "CASE WHEN t.solved_at IS NULL THEN NULL "
        "WHEN t.public_reply_count = 1 AND t.reopen_count = 0 THEN 1 ELSE 0 END AS fcr, "
        "CASE WHEN t.public_reply_count > 3 THEN 3 ELSE COALESCE(t.public_reply_count, 0) END "
        "AS agent_replies, "
        "CASE WHEN h.n > 9 THEN 9 ELSE COALESCE(h.n, 0) END AS handoffs "
        f"FROM {r} r LEFT JOIN {t} t ON t.id = r.ticket_id LEFT JOIN {s} s ON s.ticket_id = t.id "
        f"LEFT JOIN ({_handoffs_sql(where)}) h ON h.ticket_id = t.id WHERE {where}"
    )
    return sql, list(day_params)


def _bounds(since: date, until: date) -> list:
    adapt = connection.ops.adapt_datetimefield_value
    return [adapt(day_start(since)), adapt(day_start(until + timedelta(days=1)))]


def live_facts(start, end) -> tuple[str, list]:
    """The facts of the responses created in [start, end) as a subquery, for a period the
    rollup does not hold."""
    sql, params = facts_select()
    adapt = connection.ops.adapt_datetimefield_value
    bounds = [adapt(start), adapt(end)]
    # params: the day expression's, the handoffs subquery's bounds, then the outer ones
    return sql, [*params, *bounds, *bounds]


def refresh_facts(*, since: date, until: date) -> None:
    """Rewrite the facts of the responses of the local days since..until (inclusive);
    called inside the rollup refresh's transaction."""
    ResponseFacts.objects.filter(day__gte=since, day__lte=until).delete()
    sql, params = facts_select()
    bounds = _bounds(since, until)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {ResponseFacts._meta.db_table} ({', '.join(COLUMNS)}) {sql}",
                       [*params, *bounds, *bounds])
    from .drivers import refresh_driver_counts  # drivers reads these facts

    refresh_driver_counts(since=since, until=until)
