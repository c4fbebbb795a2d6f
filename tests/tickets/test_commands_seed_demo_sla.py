"""The demo's SLA clocks agree with businesstime on each ticket's policy calendar."""

import random
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from demo.data import writer
from demo.data.people import build_staff
from demo.data.sla import SlaReplayer
from demo.data.tickets import Built, TicketMaker
from tickets.businesstime import (
    CalendarSnapshot,
    add_business_seconds,
    business_seconds_between,
)
from tickets.models import Ticket, TicketSLA
from tickets.services import sla as sla_services

N = 400
RESOLVED = (Ticket.Status.SOLVED, Ticket.Status.CLOSED)


@pytest.fixture(scope="module")
def _seeded_once(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        writer.seed(tickets=N, seed=11, progress=False)
        yield
        transaction.set_rollback(True)


@pytest.fixture
def clocks(_seeded_once, db):
    """(ticket, its TicketSLA, its policy's calendar snapshot) for every seeded ticket."""
    snapshots = {}
    rows = []
    for sla in TicketSLA.objects.select_related("ticket", "policy__calendar").order_by("pk"):
        calendar = sla.policy.calendar
        if calendar.pk not in snapshots:
            snapshots[calendar.pk] = CalendarSnapshot.from_model(calendar)
        rows.append((sla.ticket, sla, snapshots[calendar.pk]))
    return rows


def _paused_business_seconds(ticket, cal) -> int:
    """Business time in pending, from the status events (independent of the replay)."""
    total, since = 0, None
    for new, at in ticket.events.filter(field="status").order_by("created_at", "pk") \
            .values_list("new_value", "created_at"):
        if new == Ticket.Status.PENDING and since is None:
            since = at
        elif new != Ticket.Status.PENDING and since is not None:
            total += business_seconds_between(cal, since, at)
            since = None
    return total


def test_every_ticket_gets_the_policy_that_matches_it(clocks):
    assert len(clocks) == N
    policies = sla_services.policies.active_policies()
    tickets = Ticket.objects.select_related("customer__organization").in_bulk()
    for ticket, sla, _cal in clocks:
        assert sla.policy == sla_services.match_policy(tickets[ticket.pk], policies), ticket.pk


def test_first_response_figures_equal_businesstime(clocks):
    checked = 0
    for ticket, sla, cal in clocks:
        if ticket.status in RESOLVED and ticket.first_response_at:
            assert sla.first_response_business_seconds == business_seconds_between(
                cal, ticket.created_at, ticket.first_response_at), ticket.pk
            assert sla.first_response_calendar_seconds == int(
                (ticket.first_response_at - ticket.created_at).total_seconds())
            checked += 1
    assert checked > N * 0.7


def test_resolution_figures_exclude_pending_time(clocks):
    with_pending = 0
    for ticket, sla, cal in clocks:
        if ticket.status not in RESOLVED:
            continue
        paused = _paused_business_seconds(ticket, cal)
        with_pending += paused > 0
        expected = business_seconds_between(cal, ticket.created_at, ticket.solved_at) - paused
        assert sla.resolution_business_seconds == expected, ticket.pk
        assert sla.resolution_calendar_seconds == int(
            (ticket.solved_at - ticket.created_at).total_seconds())
    assert with_pending > 10  # the check above covered paused clocks, not only simple ones


def test_first_response_breach_flags_agree_with_the_targets(clocks):
    breached = 0
    for ticket, sla, cal in clocks:
        if not ticket.first_response_at:
            continue
        due = add_business_seconds(cal, ticket.created_at, sla.policy.first_response_minutes * 60)
        assert sla.first_response_due_at == due, ticket.pk
        assert sla.first_response_breached == (ticket.first_response_at > due), ticket.pk
        if sla.first_response_breached:
            assert sla.first_response_business_seconds >= sla.policy.first_response_minutes * 60
            breached += 1
        else:
            assert sla.first_response_business_seconds <= sla.policy.first_response_minutes * 60
    assert 0 < breached < len(clocks)  # both outcomes occur, so both branches were checked


def test_resolution_breach_flags_agree_with_the_due_times(clocks):
    for ticket, sla, cal in clocks:
        if ticket.status in RESOLVED:
            target = sla.policy.resolution_minutes * 60 + _paused_business_seconds(ticket, cal)
            due = add_business_seconds(cal, ticket.created_at, target)
            assert sla.resolution_breached == (ticket.solved_at > due), ticket.pk


def test_open_tickets_have_running_clocks_with_due_times(clocks):
    unresolved = [(t, s) for t, s, _ in clocks if t.status in Ticket.UNRESOLVED]
    assert unresolved
    for ticket, sla in unresolved:
        assert sla.resolution_due_at is not None, ticket.pk
        assert sla.resolution_business_seconds is None
        if ticket.first_response_at is None:
            assert sla.first_response_due_at is not None
        assert (sla.paused_at is not None) == (ticket.status == Ticket.Status.PENDING)


def test_tickets_waiting_on_an_agent_have_a_next_response_due(clocks):
    waiting = [(t, s) for t, s, _ in clocks if t.status == Ticket.Status.OPEN
               and t.waiting_since and t.first_response_at]
    for ticket, sla in waiting:
        assert sla.next_response_due_at is not None, ticket.pk
    answered = [s for t, s, _ in clocks if t.status in RESOLVED]
    assert all(s.next_response_due_at is None for s in answered)


def test_check_sla_finds_nothing_overdue_left_unmarked(clocks, mailoutbox):
    counts = sla_services.check_sla(now=timezone.now())
    assert not any(counts[k] for k in counts if k.endswith("breached")), counts


def test_making_tickets_with_clocks_runs_no_query(db, django_assert_num_queries):
    now = timezone.now()
    cast = build_staff(random.Random(1))
    cast.customers = [(1, "en", None, "", "Ann"), (2, "fi", 5, "enterprise", "Aino")]
    maker = TicketMaker(seed=1, cast=cast, now=now, sla=SlaReplayer(now=now))
    built = Built()
    with django_assert_num_queries(0):
        for i in range(200):
            maker.make(i + 1, now - timedelta(days=30, hours=i), built)
    assert len(built.slas) == 200


def test_sla_only_backfills_tickets_without_clocks(_seeded_once, db):
    before = {s.pk: s for s in TicketSLA.objects.all()}
    TicketSLA.objects.filter(ticket__status=Ticket.Status.CLOSED).delete()
    out = StringIO()
    call_command("seed_demo", "--sla-only", "--no-progress", "--batch", "97", stdout=out)
    after = {s.pk: s for s in TicketSLA.objects.all()}
    assert after.keys() == before.keys()
    fields = ["policy_id", "first_response_due_at", "first_response_business_seconds",
              "resolution_business_seconds", "resolution_breached", "first_response_breached",
              "paused_business_seconds"]
    for pk, row in after.items():
        assert [getattr(row, f) for f in fields] == [getattr(before[pk], f) for f in fields], pk
    assert "Added SLA clocks to" in out.getvalue()
