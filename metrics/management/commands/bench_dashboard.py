"""Time the manager dashboard as a browser would get it: server time, median of N requests."""

from __future__ import annotations

import statistics
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from helpdesk.models import User


class Command(BaseCommand):
    help = "Render /metrics/ for a manager N times per period and print median and p95 (ms)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, nargs="+", default=[90, 365])
        parser.add_argument("--runs", type=int, default=10)
        parser.add_argument("--path", default="/metrics/")
        parser.add_argument("--filters", default="",
                            help="more query parameters, e.g. 'channel=email' or 'team=2'")
        parser.add_argument("--slowest", type=int, default=0,
                            help="also print the N slowest SQL statements of one request")
        parser.add_argument("--cold", action="store_true",
                            help="with a dummy cache: every request computes the figures")

    def handle(self, *args, cold: bool, **options):
        dummy = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
        self.stdout.write("cold (no cache)" if cold else
                           f"warm ({settings.CACHES['default']['BACKEND']})")
        with override_settings(CACHES=dummy if cold else settings.CACHES):
            self.measure(**options)

    def measure(self, *, days: list[int], runs: int, path: str, slowest: int, filters: str,
                **options):
        manager = User.objects.filter(is_active=True, role="manager").first() or \
            User.objects.filter(is_superuser=True).first()
        if manager is None:
            raise CommandError("No manager or superuser to log in as.")
        client = Client()
        client.force_login(manager)
        for period in days:
            url = f"{path}?days={period}" + (f"&{filters}" if filters else "")
            client.get(url)  # warm-up: caches, connection, template loading
            timings = []
            for _ in range(runs):
                started = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    raise CommandError(f"{url} answered {response.status_code}")
            with CaptureQueriesContext(connection) as captured:
                client.get(url)
            timings.sort()
            p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
            self.stdout.write(f"{url}: median {statistics.median(timings):.0f} ms, "
                              f"p95 {p95:.0f} ms, {len(captured.captured_queries)} queries")
            if slowest:
                top = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))[:slowest]
                for query in top:
                    self.stdout.write(f"  {float(query['time']) * 1000:.0f} ms  {query['sql']}")
