"""Streams demo tickets into the database in batches: memory stays flat at any size."""

from __future__ import annotations

import random
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from tqdm import tqdm

from surveys.models import Invitation, Response
from tickets.models import Tag, Ticket

from . import vocabulary as v
from .indexes import deferred_indexes
from .people import build_customers, build_organizations, build_programs, build_staff
from .sinks import sink_for_connection
from .sla import SlaReplayer
from .surveys import SurveyMaker, SurveyRows
from .tickets import Built, TicketMaker
from .timeline import HELSINKI, arrivals, day_counts

# From this size on PostgreSQL: a writer thread, and indexes built after the load.
LARGE = 50_000


@dataclass
class SeedResult:
    tickets: int
    first_id: int | None
    seconds: float


def _next_id(model) -> int:
    return (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1


def _tag_ids() -> dict[str, int]:
    names = sorted({name for topic in v.TOPICS.values() for name in topic[1]})
    Tag.objects.bulk_create([Tag(name=n) for n in names], ignore_conflicts=True)
    return dict(Tag.objects.filter(name__in=names).values_list("name", "pk"))


def seed(*, tickets: int, seed: int = 1, batch: int = 5000, progress: bool = True) -> SeedResult:
    started = time.monotonic()
    now = timezone.now()
    rng = random.Random(seed)
    # Staff in proportion to the work (about 150 tickets a year each, 12 to 40 agents), so
    # that each agent has a few tickets open, as in a real team.
    cast = build_staff(rng, agents=max(12, min(40, tickets // 150)))
    orgs = build_organizations(rng, count=max(8, min(400, tickets // 50)),
                               today=now.astimezone(HELSINKI).date())
    build_customers(rng, count=max(40, min(60_000, tickets // 8)), orgs=orgs, cast=cast)
    build_programs(cast)
    tag_ids = _tag_ids()
    first_id = next_id = _next_id(Ticket)
    maker = TicketMaker(seed=seed, cast=cast, now=now, sla=SlaReplayer(now=now))
    surveys = SurveyMaker(seed=seed, cast=cast, now=now,
                          next_ids=(_next_id(Invitation), _next_id(Response)))
    clock = random.Random(seed + 3)
    local_now = now.astimezone(HELSINKI)
    built = Built()
    large = tickets >= LARGE and connection.vendor == "postgresql"
    flusher = _Flusher(surveys, tag_ids, threaded=large)
    with deferred_indexes(large), tqdm(total=tickets, unit="tickets", disable=not progress,
                                        mininterval=1) as bar:
        for day, count in day_counts(tickets, today=local_now.date(), now_hour=local_now.hour):
            for created in arrivals(clock, day, count, now=now):
                maker.make(next_id, created, built)
                next_id += 1
                if len(built.tickets) >= batch:
                    flusher.submit(built, bar)
                    built = Built()
        flusher.submit(built, bar)
        flusher.close()
    _finish()
    return SeedResult(tickets=next_id - first_id, first_id=first_id,
                      seconds=time.monotonic() - started)


class _Flusher:
    """Writes batches, on large PostgreSQL loads in a second thread so that the database
    inserts one batch while Python builds the next (at most two batches in memory)."""

    def __init__(self, surveys: SurveyMaker, tag_ids: dict[str, int], *, threaded: bool):
        self.surveys, self.tag_ids = surveys, tag_ids
        self.executor = ThreadPoolExecutor(max_workers=1) if threaded else None
        self.pending: Future | None = None
        self.sink = None

    def submit(self, built: Built, bar) -> None:
        if self.executor is None:
            self._write(built)
            bar.update(len(built.tickets))
            return
        if self.pending is not None:
            self.pending.result()  # re-raises a failed batch here
        self.pending = self.executor.submit(self._write, built)
        self.pending.add_done_callback(lambda _: bar.update(len(built.tickets)))

    def close(self) -> None:
        if self.executor is None:
            return
        if self.pending is not None:
            self.pending.result()
        self.executor.submit(lambda: connection.close()).result()  # the worker thread's connection
        self.executor.shutdown()

    def _write(self, built: Built) -> None:
        if not built.tickets:
            return
        self.sink = self.sink or sink_for_connection(large=self.executor is not None)
        rows = SurveyRows()
        self.surveys.make(built.closed, rows)
        tags = [(ticket_id, self.tag_ids[name]) for ticket_id, name in built.tags]
        with transaction.atomic():
            self.sink.write(built, tags, rows)


def _finish() -> None:
    """Move id sequences past the explicit ids and refresh the planner's statistics."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Ticket, Invitation, Response]):
            cursor.execute(sql)
    with connection.cursor() as cursor:
        for table in ("tickets_ticket", "tickets_message", "tickets_ticketevent", "tickets_ticketsla",
                      "tickets_ticket_tags", "tickets_customer", "surveys_invitation",
                      "surveys_response", "surveys_followup"):
            cursor.execute(f"ANALYZE {table}")
