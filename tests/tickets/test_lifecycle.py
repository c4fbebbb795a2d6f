"""The ticket lifecycle (docs/architecture.md): allowed moves, refused moves, auto-close."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.factories import TicketFactory
from tickets import services
from tickets.models import Ticket
from tickets.signals import ticket_closed, ticket_reopened, ticket_solved

S = Ticket.Status
# Sorted: TRANSITIONS holds sets, and pytest-xdist workers must collect the same order.
ALLOWED = sorted((old, new) for old, targets in Ticket.TRANSITIONS.items() for new in targets)
REFUSED = [(old, new) for old in S.values for new in S.values
           if old != new and new not in Ticket.TRANSITIONS[old]]


def ticket_in(status: str) -> Ticket:
    return TicketFactory(status=status)


@pytest.mark.parametrize(("old", "new"), ALLOWED)
def test_allowed_transition(db, agent, old, new):
    ticket = ticket_in(old)
    services.change_status(ticket=ticket, status=new, actor=agent)
    ticket.refresh_from_db()
    assert ticket.status == new


@pytest.mark.parametrize(("old", "new"), REFUSED)
def test_refused_transition(db, agent, old, new):
    ticket = ticket_in(old)
    with pytest.raises(ValidationError) as info:
        services.change_status(ticket=ticket, status=new, actor=agent)
    assert "status" in info.value.message_dict
    ticket.refresh_from_db()
    assert ticket.status == old


def test_closed_is_final(db):
    assert Ticket.TRANSITIONS[S.CLOSED] == frozenset()
    assert (S.NEW, S.CLOSED) in REFUSED


def test_unknown_status_is_refused(ticket):
    with pytest.raises(ValidationError):
        services.change_status(ticket=ticket, status="archived")


def test_solving_sets_solved_at_and_reopening_clears_it(ticket, agent):
    services.change_status(ticket=ticket, status=S.SOLVED, actor=agent)
    assert ticket.solved_at is not None
    services.change_status(ticket=ticket, status=S.OPEN, actor=agent)
    ticket.refresh_from_db()
    assert (ticket.solved_at, ticket.reopen_count) == (None, 1)


def test_status_signals_fire_after_commit(ticket, agent, django_capture_on_commit_callbacks):
    heard = []

    def listener(signal_name):
        return lambda sender, **kwargs: heard.append((signal_name, kwargs["ticket_id"]))

    receivers = {name: listener(name) for name in ("solved", "reopened", "closed")}
    ticket_solved.connect(receivers["solved"])
    ticket_reopened.connect(receivers["reopened"])
    ticket_closed.connect(receivers["closed"])
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.change_status(ticket=ticket, status=S.SOLVED, actor=agent)
            services.change_status(ticket=ticket, status=S.OPEN, actor=agent)
            services.change_status(ticket=ticket, status=S.SOLVED, actor=agent)
            services.change_status(ticket=ticket, status=S.CLOSED, actor=agent)
    finally:
        ticket_solved.disconnect(receivers["solved"])
        ticket_reopened.disconnect(receivers["reopened"])
        ticket_closed.disconnect(receivers["closed"])
    assert heard == [("solved", ticket.pk), ("reopened", ticket.pk), ("solved", ticket.pk),
                     ("closed", ticket.pk)]


def test_quiet_solved_ticket_is_closed_after_the_quiet_period(ticket, agent, settings):
    settings.HELPDESK_AUTO_CLOSE_HOURS = 96
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        services.change_status(ticket=ticket, status=S.SOLVED, actor=agent)
    with time_machine.travel(start + timedelta(hours=95), tick=False):
        assert services.close_quiet_solved_tickets() == 0
    with time_machine.travel(start + timedelta(hours=97), tick=False):
        assert services.close_quiet_solved_tickets() == 1
    ticket.refresh_from_db()
    assert ticket.status == S.CLOSED
    assert ticket.closed_at == start + timedelta(hours=97)


def test_recent_activity_postpones_auto_close(ticket, agent, settings):
    settings.HELPDESK_AUTO_CLOSE_HOURS = 96
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        services.change_status(ticket=ticket, status=S.SOLVED, actor=agent)
    with time_machine.travel(start + timedelta(hours=90), tick=False):
        services.add_internal_note(ticket=ticket, agent=agent, body="Waiting for thanks")
    with time_machine.travel(start + timedelta(hours=97), tick=False):
        assert services.close_quiet_solved_tickets() == 0


def test_auto_close_skips_open_tickets(ticket):
    with time_machine.travel(timezone.now() + timedelta(days=30), tick=False):
        assert services.close_quiet_solved_tickets() == 0
    ticket.refresh_from_db()
    assert ticket.status == S.NEW


def test_auto_close_task_calls_the_service(ticket, agent, settings):
    from tickets.tasks import close_quiet_solved_tickets

    services.change_status(ticket=ticket, status=S.SOLVED, actor=agent)
    with time_machine.travel(timezone.now() + timedelta(days=30), tick=False):
        assert close_quiet_solved_tickets.apply().get() == 1
