"""The daily cap holds when two workers send due surveys at the same instant
(docs/operations.md, "Periodic jobs"): real threads, each with its own PostgreSQL
connection, against the real sending code."""

import os
import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from helpdesk.locks import _key, single_run
from surveys.models import Invitation
from surveys.services import sending
from tests.factories import TicketFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith(("postgres", "pgsql")),
                       reason="advisory locks are PostgreSQL's; SQLite runs one process"),
]


@pytest.fixture
def due(program):
    """Twenty invitations due now, each for its own closed ticket."""
    past = timezone.now() - timedelta(minutes=5)
    for _ in range(20):
        ticket = TicketFactory(status="closed")
        Invitation.objects.create(program=program, ticket=ticket, customer=ticket.customer,
                                  metric=program.metric, send_after=past)
    return Invitation.objects.filter(status=Invitation.Status.SCHEDULED)


def test_two_runs_at_once_stay_within_the_daily_cap(settings, due, monkeypatch):
    """Run B reads today's room, then stalls (a busy worker) while run A sends; B then
    picks its invitations. Without the lock B would send five more after A spent the
    whole cap of five: ten in all."""
    settings.HELPDESK_SURVEY_DAILY_CAP = 5
    assert due.count() == 20
    real_room_today = sending.room_today
    b_has_read, b_may_go = threading.Event(), threading.Event()

    def room_today(now, batch):
        room = real_room_today(now, batch)
        if threading.current_thread().name == "run-b" and not b_has_read.is_set():
            b_has_read.set()
            assert b_may_go.wait(30)
        return room

    monkeypatch.setattr(sending, "room_today", room_today)
    results = {}

    def run_b():
        try:
            results["b"] = sending.send_due_surveys()
        finally:
            connections.close_all()

    b = threading.Thread(target=run_b, name="run-b")
    b.start()
    assert b_has_read.wait(30)
    results["a"] = sending.send_due_surveys()  # while B holds its stale room
    b_may_go.set()
    b.join(60)
    assert results == {"a": (0, 0), "b": (5, 0)}  # A found B running and skipped
    assert Invitation.objects.filter(status=Invitation.Status.SENT).count() == 5


def test_a_run_skips_while_another_holds_the_lock_and_sends_after(settings, due):
    settings.HELPDESK_SURVEY_DAILY_CAP = 100
    holder_ready, release = threading.Event(), threading.Event()

    def hold():
        with single_run("surveys.send_due") as mine:
            assert mine
            holder_ready.set()
            release.wait(30)
        connections.close_all()

    holder = threading.Thread(target=hold)
    holder.start()
    assert holder_ready.wait(30)
    assert sending.send_due_surveys() == (0, 0)
    assert Invitation.objects.filter(status=Invitation.Status.SENT).count() == 0
    release.set()
    holder.join(30)
    assert sending.send_due_surveys() == (20, 0)


def test_the_lock_is_released_after_a_run_and_after_an_error(due):
    with pytest.raises(RuntimeError), single_run("surveys.send_due") as mine:
        assert mine
        raise RuntimeError("the run failed")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = %s",
                       [_key("surveys.send_due") & 0xFFFFFFFF])
        assert cursor.fetchone()[0] == 0
