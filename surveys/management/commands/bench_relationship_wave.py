"""Time the scheduling of a relationship wave over N contacts (docs/relationship-surveys.md).

    python manage.py bench_relationship_wave [--contacts 100000] [--profile] [--keep]

Seeds bench organizations and contacts (six time zones, a few opted out, bounced or
without email, some asked recently so the contact budget has work) until there are
``--contacts`` of them, then starts and schedules one wave of a bench relationship
program and prints wall and CPU seconds, the queries run and the rows written. The wave
is deleted afterwards unless ``--keep``, so the figure is comparable run after run.
"""

from __future__ import annotations

import cProfile
import io
import math
import pstats
import time
from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from surveys.models import Invitation, Kind, Metric, SurveyProgram
from surveys.services import waves
from tickets.models import Customer, Organization

PREFIX = "bench-rel"
ZONES = ["Europe/Helsinki", "Europe/London", "America/New_York", "America/Los_Angeles",
         "Asia/Tokyo", ""]
TIERS = [tier for tier, _label in Organization.Tier.choices]


class Command(BaseCommand):
    help = "Seed N contacts and time the scheduling of one relationship wave over them."

    def add_arguments(self, parser):
        parser.add_argument("--contacts", type=int, default=100_000)
        parser.add_argument("--per-organization", type=int, default=50)
        parser.add_argument("--profile", action="store_true", help="print the top of cProfile")
        parser.add_argument("--keep", action="store_true", help="keep the wave's invitations")

    def handle(self, *args, contacts: int, per_organization: int, profile: bool, keep: bool,
               **options):
        seeded = seed_contacts(contacts, per_organization)
        if seeded:
            self.stdout.write(f"seeded {seeded} contacts")
        program = _program()
        count = _bench_contacts().count()
        profiler = cProfile.Profile() if profile else None
        with CaptureQueriesContext(connection) as queries:
            wall, cpu = time.perf_counter(), time.process_time()
            if profiler:
                profiler.enable()
            wave = waves.start_wave(program=program)
            scheduled, skipped = waves.schedule_wave(wave=wave)
            if profiler:
                profiler.disable()
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        reasons = dict(Invitation.objects.filter(wave=wave, status=Invitation.Status.SKIPPED)
                       .order_by().values("skip_reason").annotate(n=Count("pk"))
                       .values_list("skip_reason", "n"))
        self.stdout.write(
            f"{count} bench contacts on {connection.vendor}: wave #{wave.number} "
            f"{scheduled} scheduled, {skipped} skipped {reasons}, "
            f"{wave.starts_on}..{wave.ends_on}; {wall:.1f} s wall, {cpu:.1f} s CPU of this "
            f"process, {len(queries.captured_queries)} queries")
        if profiler:
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(40)
            self.stdout.write(out.getvalue())
        if not keep:  # no answers in a bench wave: one statement, not Django's collector
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM surveys_invitation WHERE wave_id = %s", [wave.pk])
            wave.delete()


def _program() -> SurveyProgram:
    program, _created = SurveyProgram.objects.get_or_create(
        name=f"{PREFIX} program", kind=Kind.RELATIONSHIP,
        defaults={"metric": Metric.NPS, "question_en": "How likely are you to recommend us?",
                  "question_fi": "Kuinka todennäköisesti suosittelisit meitä?",
                  "audience": SurveyProgram.Audience.TIER, "tiers": TIERS, "active": False})
    return program


def seed_contacts(total: int, per_organization: int) -> int:
    """Bench organizations and contacts up to ``total``; returns how many were added."""
    have = _bench_contacts().count()
    if have >= total:
        return 0
    organizations = math.ceil(total / per_organization)
    Organization.objects.bulk_create(
        [Organization(name=f"{PREFIX} org {n}", tier=TIERS[n % len(TIERS)])
         for n in range(organizations)], ignore_conflicts=True, batch_size=2000)
    org_ids = list(Organization.objects.filter(name__startswith=f"{PREFIX} org ")
                   .order_by("pk").values_list("pk", flat=True))
    for start in range(have, total, 5000):
        Customer.objects.bulk_create([_contact(n, org_ids[n // per_organization % len(org_ids)])
                                      for n in range(start, min(total, start + 5000))])
    _asked_recently(total)
    if connection.vendor == "postgresql":  # fresh statistics, as autovacuum would give them
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE tickets_organization, tickets_customer, surveys_invitation")
    return total - have


def _contact(n: int, organization_id: int) -> Customer:
    # One in a hundred opted out, one in 150 bounces, one in 500 has no email (a blank
    # email is allowed for phone callers, so the prefix goes in the name for those).
    email = "" if n % 500 == 7 else f"{PREFIX}-{n}@example.com"
    return Customer(email=email, name=f"{PREFIX} contact {n}", organization_id=organization_id,
                    language="fi" if n % 3 == 0 else "en", time_zone=ZONES[n % len(ZONES)],
                    survey_opt_out=n % 100 == 3, bounced=n % 150 == 5)


def _asked_recently(total: int) -> None:
    """One contact in twenty got a ticket survey ten days ago: the budget skips them."""
    sent = timezone.now() - timedelta(days=10)
    ids = list(_bench_contacts().order_by("pk")
               .values_list("pk", flat=True)[::20])
    Invitation.objects.bulk_create(
        [Invitation(customer_id=pk, kind=Kind.TRANSACTIONAL, metric=Metric.CSAT,
                    status=Invitation.Status.SENT, send_after=sent, sent_at=sent)
         for pk in ids], batch_size=5000)


def _bench_contacts():
    return Customer.objects.filter(name__startswith=f"{PREFIX} contact ")
