"""Streams demo tickets into the database in batches: memory stays flat at any size."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from tqdm import tqdm

from surveys.models import FollowUp, Invitation, Response
from tickets import search
from tickets.models import Message, Tag, Ticket, TicketEvent

from . import vocabulary as v
from .people import build_customers, build_organizations, build_programs, build_staff
from .surveys import SurveyMaker, SurveyRows
from .tickets import Built, TicketMaker
from .timeline import HELSINKI, arrivals, day_counts


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
    cast = build_staff(rng)
    orgs = build_organizations(rng, count=max(8, min(400, tickets // 50)),
                               today=now.astimezone(HELSINKI).date())
    build_customers(rng, count=max(40, min(60_000, tickets // 8)), orgs=orgs, cast=cast)
    build_programs(cast)
    tag_ids = _tag_ids()
    first_id = next_id = _next_id(Ticket)
    maker = TicketMaker(seed=seed, cast=cast, now=now)
    surveys = SurveyMaker(seed=seed, cast=cast, now=now,
                          next_ids=(_next_id(Invitation), _next_id(Response)))
    clock = random.Random(seed + 3)
    local_now = now.astimezone(HELSINKI)
    built = Built()
    with tqdm(total=tickets, unit="tickets", disable=not progress, mininterval=1) as bar:
        for day, count in day_counts(tickets, today=local_now.date(), now_hour=local_now.hour):
            for created in arrivals(clock, day, count, now=now):
                maker.make(next_id, created, built)
                next_id += 1
                if len(built.tickets) >= batch:
                    _flush(built, surveys, tag_ids)
                    bar.update(len(built.tickets))
                    built = Built()
        _flush(built, surveys, tag_ids)
        bar.update(len(built.tickets))
    _finish(first_id)
    return SeedResult(tickets=next_id - first_id, first_id=first_id,
                      seconds=time.monotonic() - started)


def _flush(built: Built, surveys: SurveyMaker, tag_ids: dict[str, int]) -> None:
    if not built.tickets:
        return
    rows = SurveyRows()
    surveys.make(built.closed, rows)
    through = Ticket.tags.through
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Demo data can be regenerated: don't wait for the WAL flush of every batch.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit = off")
        Ticket.objects.bulk_create(built.tickets)
        Message.objects.bulk_create(built.messages)
        TicketEvent.objects.bulk_create(built.events)
        through.objects.bulk_create(
            [through(ticket_id=ticket_id, tag_id=tag_ids[name]) for ticket_id, name in built.tags])
        Invitation.objects.bulk_create(rows.invitations)
        Response.objects.bulk_create(rows.responses)
        FollowUp.objects.bulk_create(rows.follow_ups)


def _finish(first_id: int) -> None:
    """Move id sequences past the explicit ids, index the new tickets for search, ANALYZE."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Ticket, Invitation, Response]):
            cursor.execute(sql)
    search.refresh_all(min_id=first_id)
    with connection.cursor() as cursor:
        for table in ("tickets_ticket", "tickets_message", "tickets_ticketevent",
                      "tickets_ticket_tags", "tickets_customer", "surveys_invitation",
                      "surveys_response", "surveys_followup"):
            cursor.execute(f"ANALYZE {table}")
