"""Load reproducible demo data: teams, agents, organizations, customers, tickets, surveys."""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from demo.data import writer
from demo.data.backfill import backfill_sla
from demo.data.people import DEMO_LOGINS, DEMO_PASSWORD
from tickets.models import Ticket


class Command(BaseCommand):
    help = "Load reproducible demo data (tickets over the last year on every channel)."

    def add_arguments(self, parser):
        parser.add_argument("--tickets", type=int, default=2000, help="how many tickets to add")
        parser.add_argument("--seed", type=int, default=1, help="random seed (same seed, same data)")
        parser.add_argument("--once", action="store_true",
                            help="do nothing when the database already has tickets")
        parser.add_argument("--batch", type=int, default=5000, help="rows per bulk insert")
        parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
        parser.add_argument("--sla-only", action="store_true",
                            help="add nothing but SLA clocks, to tickets that have none "
                                 "(replayed from their messages and status events)")

    def handle(self, *args, tickets: int, seed: int, once: bool, batch: int, no_progress: bool,
               sla_only: bool, **options):
        if tickets < 0 or batch < 1:
            raise CommandError("--tickets must be 0 or more and --batch at least 1.")
        progress = not no_progress and options.get("verbosity", 1) > 0
        if sla_only:
            written, seconds = backfill_sla(batch=batch, progress=progress)
            self.stdout.write(self.style.SUCCESS(
                f"Added SLA clocks to {written} tickets in {seconds:.1f} s."))
            self._refresh_metrics()
            return
        if once and Ticket.objects.exists():
            self.stdout.write("Demo data already loaded; nothing to do.")
            self._print_logins()
            return
        result = writer.seed(tickets=tickets, seed=seed, batch=batch,
                             progress=progress)
        self.stdout.write(self.style.SUCCESS(
            f"Added {result.tickets} tickets in {result.seconds:.1f} s (seed {seed})."))
        self._refresh_metrics()
        self._print_logins()

    def _refresh_metrics(self) -> None:
        """The dashboards read daily rollups: rebuild them for the new data now rather than
        leave the figures to beat's next run (or to slow live queries until then)."""
        call_command("refresh_metrics", all=True, stdout=self.stdout)

    def _print_logins(self) -> None:
        self.stdout.write(f"Demo logins (password \"{DEMO_PASSWORD}\"):")
        for email, role in DEMO_LOGINS:
            self.stdout.write(f"  {role:8} {email}")
