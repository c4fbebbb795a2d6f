"""Mark SLA breaches and send the warnings and breach notices that are due (beat runs it)."""

import time

from django.core.management.base import BaseCommand

from tickets.services import sla


class Command(BaseCommand):
    help = "Marks SLA breaches and sends at-risk warnings and breach notifications, once each."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000,
                            help="Tickets claimed per transaction.")
        parser.add_argument("--limit", type=int, default=5000,
                            help="At most this many tickets per run; the rest wait for the next.")

    def handle(self, *args, batch_size: int, limit: int, **options):
        started = time.monotonic()
        counts = sla.check_sla(batch_size=batch_size, limit=limit)
        for name, count in counts.items():
            self.stdout.write(f"{name}: {count}")
        self.stdout.write(f"took {time.monotonic() - started:.2f} s")
