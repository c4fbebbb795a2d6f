"""``seed_demo --sla-only``: TicketSLA rows for tickets that have none (demo or benchmark
databases seeded before the seed wrote clocks), replayed from their stored thread and
status events, in batches of ticket ids: three reads and one write per batch."""

from __future__ import annotations

import time
from collections import defaultdict

from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils import timezone
from tqdm import tqdm

from tickets.models import Message, Ticket, TicketEvent, TicketSLA

from .sinks import write_slas
from .sla import SlaReplayer, timeline_from_rows


def backfill_sla(*, batch: int = 20_000, progress: bool = True) -> tuple[int, float]:
    """Returns (rows written, seconds). Tickets that already have clocks are left alone,
    so an interrupted run can simply be started again."""
    started = time.monotonic()
    replayer = SlaReplayer(now=timezone.now())
    bounds = Ticket.objects.aggregate(lo=Min("pk"), hi=Max("pk"))
    if bounds["lo"] is None:
        return 0, time.monotonic() - started
    written = 0
    span = bounds["hi"] - bounds["lo"] + 1
    with tqdm(total=span, unit="ids", disable=not progress, mininterval=1) as bar:
        for lo in range(bounds["lo"], bounds["hi"] + 1, batch):
            written += _batch(replayer, lo, lo + batch)
            bar.update(min(batch, bounds["hi"] + 1 - lo))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE tickets_ticketsla")
    return written, time.monotonic() - started


def _batch(replayer: SlaReplayer, lo: int, hi: int) -> int:
    tickets = list(Ticket.objects.filter(pk__gte=lo, pk__lt=hi, sla__isnull=True)
                   .values_list("pk", "priority", "channel", "team_id",
                                "customer__organization__tier", "created_at"))
    if not tickets:
        return 0
    messages, events = defaultdict(list), defaultdict(list)
    for ticket_id, *row in (Message.objects.filter(ticket_id__gte=lo, ticket_id__lt=hi)
                            .order_by().values_list("ticket_id", "author_type", "public",
                                                    "is_automatic", "created_at")):
        messages[ticket_id].append(row)
    for ticket_id, *row in (TicketEvent.objects.filter(ticket_id__gte=lo, ticket_id__lt=hi,
                                                       field="status")
                            .order_by().values_list("ticket_id", "actor_customer_id",
                                                    "new_value", "created_at")):
        events[ticket_id].append(row)
    slas = []
    for pk, priority, channel, team_id, tier, created in tickets:
        policy = replayer.policy(priority=priority, channel=channel, tier=tier, team_id=team_id)
        timeline = timeline_from_rows(created, messages[pk], events[pk])
        slas.append(replayer.replay(ticket_id=pk, created_at=created, policy=policy,
                                    timeline=timeline))
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                write_slas(cursor.cursor, slas)
        else:
            TicketSLA.objects.bulk_create([row.model() for row in slas], batch_size=1000)
    return len(slas)
