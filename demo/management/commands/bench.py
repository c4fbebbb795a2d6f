"""Time the main pages and API calls in-process on the configured database.

A case that writes (the intake, a relationship wave) runs each request inside a transaction
that is rolled back, so the benchmark leaves the data as it found it. A case that only
reads runs as a page does in production, in autocommit: on PostgreSQL the warm-up
request asks the server whether it wrote anything (docs/performance.md, "How the bench
measures"). Times are server time: the Django request cycle without a network or a
browser, with no SQL captured while timing.
"""

from __future__ import annotations

import statistics
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext

from demo.bench import cases  # noqa: F401  (fills the registry)
from demo.bench.registry import CASES, Context
from demo.data import writer
from helpdesk.models import User
from tickets.models import TeamMembership, Ticket, TicketEvent

BUSY_WINDOW = 20_000  # ticket ids below the team's newest searched for a long history


class Command(BaseCommand):
    help = "Seed or reuse N tickets, then time the main pages and API calls."

    def add_arguments(self, parser):
        parser.add_argument("--tickets", type=int, default=2000,
                            help="seed until the database has this many tickets")
        parser.add_argument("--requests", type=int, default=20, help="timed requests per case")
        parser.add_argument("--only", default="",
                            help="run only cases whose name contains this (several: "
                                 "separate them with |)")
        parser.add_argument("--no-rollups", action="store_true",
                            help="do not refresh the metrics rollups first (the ticket pages "
                                 "and the API do not read them; the dashboards then time "
                                 "their live fallback)")

    def handle(self, *args, tickets: int, requests: int, only: str, no_rollups: bool,
               **options):
        if requests < 1:
            raise CommandError("--requests must be at least 1.")
        existing = Ticket.objects.count()
        if existing < tickets:
            self.stdout.write(f"Seeding {tickets - existing} tickets ...")
            writer.seed(tickets=tickets - existing, progress=options["verbosity"] > 0)
        if not no_rollups and (existing < tickets or not _rollups_current()):
            self.stdout.write("Refreshing the metrics rollups ...")
            call_command("refresh_metrics", all=True, stdout=self.stdout)
        ctx = self._context()
        self.stdout.write(f"{Ticket.objects.count()} tickets on {connection.vendor}; "
                          f"{requests} requests per case.\n")
        rows = []
        for bench_case in CASES:
            if not any(part.strip().lower() in bench_case.name.lower()
                       for part in only.split("|")):
                continue
            action = bench_case.prepare(ctx)
            if action is None:
                rows.append((bench_case.name, None, None, None, "skipped (not available)"))
                continue
            rows.append((bench_case.name, *measure(action, requests)))
        self._print(rows)

    def _context(self) -> Context:
        manager = User.objects.filter(role=User.Role.MANAGER, is_active=True).order_by("pk").first()
        membership = (TeamMembership.objects.filter(user__role=User.Role.AGENT,
                                                    user__is_active=True)
                      .order_by("user__email").select_related("user").first())
        if manager is None or membership is None:
            raise CommandError("No manager or agent with a team: run seed_demo first.")
        ticket_id = (Ticket.objects.filter(team_id=membership.team_id).order_by("-pk")
                     .values_list("pk", flat=True).first())
        if ticket_id is None:
            raise CommandError("The agent's team has no tickets.")
        # Among the team's recent tickets (a window of ids keeps this quick at 1 M).
        busy_ticket_id = (TicketEvent.objects
                          .filter(ticket__team_id=membership.team_id,
                                  ticket_id__gt=ticket_id - BUSY_WINDOW)
                          .values("ticket_id").annotate(n=Count("pk")).order_by("-n", "ticket_id")
                          .values_list("ticket_id", flat=True).first())
        clients = {"anonymous": Client()}
        for persona, user in (("manager", manager), ("agent", membership.user)):
            clients[persona] = Client()
            clients[persona].force_login(user)
        return Context(clients=clients, ticket_id=ticket_id, invitation_id=_open_invitation(),
                       busy_ticket_id=busy_ticket_id)

    def _print(self, rows) -> None:
        width = max(len(row[0]) for row in rows) if rows else 10
        self.stdout.write(f"{'case':{width}}  {'median ms':>9}  {'p95 ms':>8}  {'queries':>7}  status")
        for name, median, p95, queries, status in rows:
            if median is None:
                self.stdout.write(f"{name:{width}}  {'-':>9}  {'-':>8}  {'-':>7}  {status}")
            else:
                self.stdout.write(f"{name:{width}}  {median:9.1f}  {p95:8.1f}  {queries:7d}  {status}")


def measure(action, requests: int) -> tuple[float, float, int, str]:
    """Median and p95 in ms, queries of one request, and the status codes seen (with
    "rolled back" when each request was).

    The queries are counted on an untimed request: capturing them costs time of its own.
    """
    rolled_back = writes(action)  # also the warm-up
    run = (lambda: _rolled_back(action)) if rolled_back else action
    with CaptureQueriesContext(connection) as captured:
        statuses = {run()}
    queries = len(captured.captured_queries)
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        statuses.add(run())
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    status = ",".join(map(str, sorted(statuses))) + (", rolled back" if rolled_back else "")
    return statistics.median(times), p95, queries, status


def writes(action) -> bool:
    """Run ``action`` once, rolled back, and say whether it wrote to the database.

    PostgreSQL gives a transaction an id only when it writes, so a request that leaves
    none behind only read. A rolled-back request costs every later one more than it
    would in production: psycopg forgets the connection's prepared statements on a
    rollback, so each would be planned again. Other databases are always rolled back.
    """
    with transaction.atomic():
        action()
        wrote = True
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT txid_current_if_assigned()")
                wrote = cursor.fetchone()[0] is not None
        transaction.set_rollback(True)
    return wrote


def _rolled_back(action) -> int:
    with transaction.atomic():
        status = action()
        transaction.set_rollback(True)
    return status


def _open_invitation() -> int | None:
    try:
        from django.utils import timezone

        from surveys.models import Invitation
    except ImportError:
        return None
    return (Invitation.objects.filter(status=Invitation.Status.SENT, program__isnull=False,
                                      expires_at__gt=timezone.now())
            .order_by("-pk").values_list("pk", flat=True).first())


def _rollups_current() -> bool:
    """Whether the dashboards' rollups hold today (else the dashboard case would time the
    slow live fallback, which no manager sees once beat runs)."""
    from django.utils import timezone

    from metrics.fast.read import rollup_state

    state = rollup_state()
    return state is not None and state.covered_until >= timezone.localdate()
