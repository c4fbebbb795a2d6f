"""Hand-built metric fixtures: rows with known timestamps and stored SLA seconds."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from metrics.filters import MetricFilters
from surveys.models import SCALES, FollowUp, Invitation, Response
from tests.factories import CustomerFactory, TicketFactory
from tickets.models import TicketSLA

HEL = ZoneInfo("Europe/Helsinki")
# The fixed period of these tests: the first week of June 2026.
START = datetime(2026, 6, 1, tzinfo=HEL)
END = datetime(2026, 6, 8, tzinfo=HEL)
INSIDE = START + timedelta(days=2)


@pytest.fixture
def period():
    return MetricFilters(start=START, end=END)


def make_ticket(*, sla: dict | None = None, **fields):
    fields.setdefault("created_at", INSIDE)
    ticket = TicketFactory(**fields)
    if sla is not None:
        TicketSLA.objects.create(ticket=ticket, **sla)
    return ticket


def make_response(metric: str, score: int, *, ticket=None, **fields):
    ticket = ticket or make_ticket()
    low, high = SCALES[metric]
    fields.setdefault("created_at", INSIDE)
    fields.setdefault("channel", ticket.channel)
    return Response.objects.create(metric=metric, score=score, scale_min=low, scale_max=high,
                                   ticket=ticket, customer=ticket.customer, **fields)


def make_invitation(*, answered_with: int | None = None, **fields):
    ticket = fields.pop("ticket", None) or make_ticket()
    fields.setdefault("sent_at", INSIDE)
    invitation = Invitation.objects.create(
        ticket=ticket, customer=ticket.customer, metric="nps", send_after=INSIDE,
        status=Invitation.Status.ANSWERED if answered_with is not None else Invitation.Status.SENT,
        **fields,
    )
    if answered_with is not None:
        make_response("nps", answered_with, ticket=ticket, invitation=invitation)
    return invitation


def make_follow_up(*, created_at=INSIDE, closed_after_hours: float | None = None, **fields):
    response = make_response("nps", 2)
    closed_at = created_at + timedelta(hours=closed_after_hours) if closed_after_hours else None
    return FollowUp.objects.create(
        response=response, ticket=response.ticket, created_at=created_at, closed_at=closed_at,
        status=FollowUp.Status.CLOSED if closed_at else FollowUp.Status.OPEN,
        due_at=created_at + timedelta(hours=48), **fields,
    )


@pytest.fixture
def customer_factory():
    return CustomerFactory


@pytest.fixture(autouse=True)
def _empty_cache():
    """The dashboard cache (locmem in tests) must not carry entries from test to test."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
