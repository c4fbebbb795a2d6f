"""check_sla: mark overdue clocks breached and send at-risk warnings, each once.

Set-based so that it stays fast over any number of open tickets: due and warn
instants are stored on TicketSLA, so finding candidates is one indexed comparison
per clock, never business-time arithmetic per row. Each batch is claimed by a
conditional ``UPDATE … RETURNING``: of two concurrent runs only the one whose
update changed a row sends its email, and the email is queued in the same
transaction as the claim (if rendering fails, the claim rolls back).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from ...models import Ticket, TicketSLA
from .notify import notify

BATCH_SIZE = 1000
# About 6 ms per notification (render, insert, enqueue): a run stays well under a minute.
RUN_LIMIT = 5000


@dataclass(frozen=True)
class Clock:
    name: str
    running: Q  # the clock is counting: not stopped, not paused, ticket unresolved
    breach_unclaimed: Q
    breach_set: tuple[str, ...]  # columns the breach claim sets (to true / now)

    @property
    def due(self) -> str:
        return f"{self.name}_due_at"

    @property
    def warn(self) -> str:
        return f"{self.name}_warn_at"

    @property
    def warned(self) -> str:
        return f"{self.name}_warned_at"


_OPEN = Q(paused_at__isnull=True, ticket__status__in=Ticket.UNRESOLVED)
CLOCKS = (
    Clock("first_response",
          _OPEN & Q(first_response_business_seconds__isnull=True,
                    ticket__first_response_at__isnull=True),
          Q(first_response_breached=False), ("first_response_breached",)),
    Clock("next_response", _OPEN, Q(next_response_breached_at__isnull=True),
          ("next_response_breached", "next_response_breached_at")),
    Clock("resolution", _OPEN & Q(resolution_business_seconds__isnull=True),
          Q(resolution_breached=False), ("resolution_breached",)),
)


def check_sla(*, now: datetime | None = None, batch_size: int = BATCH_SIZE,
              limit: int = RUN_LIMIT) -> dict[str, int]:
    """Breaches first (a breach also counts as warned), then warnings. Returns counts.

    At most ``limit`` tickets are claimed per run, so that after an outage the
    backlog is spread over the next minutes' runs instead of one very long run.
    """
    now = now or timezone.now()
    counts: dict[str, int] = {}
    for clock in CLOCKS:
        overdue = (TicketSLA.objects.filter(clock.running, clock.breach_unclaimed)
                   .filter(**{f"{clock.due}__lt": now}))
        counts[f"{clock.name}_breached"] = _run(overdue, clock, "breach", now, batch_size,
                                                limit - sum(counts.values()))
    for clock in CLOCKS:
        at_risk = (TicketSLA.objects.filter(clock.running, clock.breach_unclaimed)
                   .filter(**{f"{clock.warn}__lte": now, f"{clock.warned}__isnull": True}))
        counts[f"{clock.name}_warned"] = _run(at_risk, clock, "warning", now, batch_size,
                                              limit - sum(counts.values()))
    return counts


def _run(candidates: QuerySet[TicketSLA], clock: Clock, kind: str, now: datetime, batch_size: int,
         budget: int) -> int:
    total = 0
    while total < budget:
        ids = list(candidates.order_by().values_list("pk", flat=True)
                   [:min(batch_size, budget - total)])
        if not ids:
            break
        with transaction.atomic():
            claimed = _claim(ids, clock, kind, now)
            notify(ticket_ids=claimed, clock=clock.name, kind=kind)
        total += len(claimed)
    return total


def _claim(ids: list[int], clock: Clock, kind: str, now: datetime) -> list[int]:
    """Conditional UPDATE … RETURNING: the rows this run, and no other, now owns."""
    q = connection.ops.quote_name
    warned = q(clock.warned)
    if kind == "breach":
        sets = [f"{q(col)} = %s" for col in clock.breach_set]
        params: list = [True if col.endswith("breached") else now for col in clock.breach_set]
        sets.append(f"{warned} = COALESCE({warned}, %s)")
        params.append(now)
        if clock.name == "next_response":
            condition, cond_params = f"{q('next_response_breached_at')} IS NULL", []
        else:
            condition, cond_params = f"{q(clock.breach_set[0])} = %s", [False]
    else:
        sets, params = [f"{warned} = %s"], [now]
        condition, cond_params = f"{warned} IS NULL", []
    placeholders = ", ".join(["%s"] * len(ids))
    # Only quoted column names from CLOCKS and placeholders: every value is a parameter.
    sql = (f"UPDATE {q(TicketSLA._meta.db_table)} SET {', '.join(sets)} "  # noqa: S608
           f"WHERE {q('ticket_id')} IN ({placeholders}) AND {condition} "
           f"RETURNING {q('ticket_id')}")
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *ids, *cond_params])
        return [row[0] for row in cursor.fetchall()]
