"""Compare the bucketed percentiles with percentile_cont on this database (PostgreSQL)."""

from __future__ import annotations

import time
from collections import defaultdict
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from metrics.fast import rollups
from metrics.fast.grouped import _percentile_cont, _percentiles
from metrics.filters import MetricFilters, day_start
from tickets.models import Team

GROUPINGS = (None, "channel", "agent", "team")


class Command(BaseCommand):
    help = ("Compute median and p90 of every dashboard grouping both ways (bucketed running "
            "totals, percentile_cont) for recent periods and filters; fail on any difference.")

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, nargs="+", default=[7, 90, 365])

    def handle(self, *args, days: list[int], **options):
        if connection.vendor != "postgresql":
            raise CommandError("The bucketed percentiles are kept on PostgreSQL only.")
        state = rollups.rollup_state()
        if state is None or not state.buckets_ready:
            raise CommandError("No bucketed totals yet: run refresh_metrics first.")
        today = timezone.localdate()
        team = Team.objects.order_by("pk").values_list("pk", flat=True).first()
        differences = 0
        for length in days:
            first, after = today - timedelta(days=length - 1), today + timedelta(days=1)
            trend_by = "week" if length <= 120 else "month"
            for extra in ({}, {"channel": "email"}, {"team_id": team} if team else {}):
                f = MetricFilters(day_start(first), day_start(after), **extra)
                started = time.perf_counter()
                fast = _percentiles(f, trend_by, first, after, state)
                middle = time.perf_counter()
                exact: dict = defaultdict(lambda: defaultdict(dict))
                _percentile_cont(f, trend_by, first, after, [*GROUPINGS, trend_by], exact)
                ended = time.perf_counter()
                compared = 0
                for by, groups in exact.items():
                    for key, families in groups.items():
                        for family, values in families.items():
                            compared += 1
                            if fast.get(by, {}).get(key, {}).get(family) != values:
                                differences += 1
                                self.stderr.write(f"{length} d {extra} {by}={key} {family}: "
                                                  f"{fast.get(by, {}).get(key, {}).get(family)} "
                                                  f"!= {values}")
                extra_groups = (sum(len(g) for g in fast.values())
                                - sum(len(g) for g in exact.values()))
                differences += abs(extra_groups)
                self.stdout.write(f"{length:4d} d {str(extra or 'unfiltered'):24} {compared:4d} "
                                  f"figures: bucketed {1000 * (middle - started):6.0f} ms, "
                                  f"percentile_cont {1000 * (ended - middle):6.0f} ms")
        if differences:
            raise CommandError(f"{differences} differences")
        self.stdout.write(self.style.SUCCESS("Every figure equal."))
