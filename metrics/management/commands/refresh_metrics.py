"""Recompute the daily rollups of the metrics dashboards (beat does the same every 10 min)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from metrics.fast.cache import warm_dashboards
from metrics.fast.refresh import refresh_all, refresh_recent, tidy_rollups
from metrics.insights.themes.fitting import recompute_themes


class Command(BaseCommand):
    help = "Recompute the daily metric rollups of the last N days (default 2) or of every day."

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--days", type=int, default=2,
                           help="the last N local days through tomorrow (default 2)")
        group.add_argument("--all", action="store_true",
                           help="every day since the first ticket (and fit the percentile buckets anew)")
        parser.add_argument("--no-themes", action="store_true",
                            help="skip refitting the comment themes (docs/insights.md)")

    def handle(self, *args, days: int, all: bool, no_themes: bool = False,  # noqa: A002
               **options):
        started = time.perf_counter()
        if all:
            since, until = refresh_all()
        else:
            if days < 1:
                raise CommandError("--days must be at least 1.")
            since, until = refresh_recent(days=days)
        tidy_rollups(analyze=(until - since).days > 3)  # statistics after large rewrites
        elapsed = time.perf_counter() - started
        # The refresh stamped a new time, so cached dashboards are stale: compute the
        # unfiltered presets now, as beat's task does.
        warmed = warm_dashboards()
        self.stdout.write(f"Refreshed {since}..{until} in {elapsed:.1f} s; "
                          f"{len(warmed)} dashboards warmed in "
                          f"{time.perf_counter() - started - elapsed:.1f} s.")
        if not no_themes:
            started = time.perf_counter()
            model = recompute_themes()
            self.stdout.write(f"Comment themes: {model.themes.count()} from {model.comments} "
                              f"comments in {time.perf_counter() - started:.1f} s.")
