"""Survey fixtures: a known program, and tickets taken to solved/closed through the services."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from helpdesk.models import OutboundEmail
from surveys import services as survey_services
from surveys.models import Invitation, SurveyProgram
from tickets import services


@pytest.fixture
def program(db):
    """The only active program: CSAT on close, 1 hour delay, 30 days throttle, 14 days expiry."""
    SurveyProgram.objects.all().delete()  # the data migration's default program
    return SurveyProgram.objects.create(
        name="CSAT", metric="csat", trigger="closed", position=10,
        question_en="How satisfied were you with our support?",
        question_fi="Kuinka tyytyväinen olit tukeemme?",
        followup_question_en="What could we do better?",
        followup_question_fi="Mitä voisimme tehdä paremmin?",
        review_url="https://reviews.example/helpdesk",
    )


@pytest.fixture
def close(django_capture_on_commit_callbacks):
    """Solve and close a ticket through the tickets services, running after-commit signals."""
    def _close(ticket, agent=None, *, solve_only=False):
        ticket.refresh_from_db()
        with django_capture_on_commit_callbacks(execute=True):
            services.solve_ticket(ticket=ticket, actor=agent)
        if not solve_only:
            with django_capture_on_commit_callbacks(execute=True):
                services.close_ticket(ticket=ticket, actor=agent)
        ticket.refresh_from_db()
        return ticket
    return _close


@pytest.fixture
def send_due(django_capture_on_commit_callbacks):
    """Run send_due_surveys as the beat would, ``hours`` from now."""
    def _send(hours: float = 2):
        with (time_machine.travel(timezone.now() + timedelta(hours=hours), tick=False),
              django_capture_on_commit_callbacks(execute=True)):
            return survey_services.send_due_surveys()
    return _send


@pytest.fixture
def sent_invitation(program, ticket, agent, close, send_due):
    """The ticket, assigned to the agent, closed, and its survey sent."""
    services.assign_ticket(ticket=ticket, assignee=agent, actor=agent)
    close(ticket, agent)
    send_due()
    return Invitation.objects.get(ticket=ticket, status=Invitation.Status.SENT)


def survey_emails(kind="survey_invitation"):
    return list(OutboundEmail.objects.filter(kind=kind).order_by("pk"))


def score_path(score: int, kind: str = "survey_invitation") -> str:
    """The path of the score link in the latest survey email, as a customer would click it."""
    import re

    text = survey_emails(kind)[-1].body_text
    url = re.search(rf"^{score}: (http\S+)$", text, re.M).group(1)
    return "/" + url.split("/", 3)[3]


def make_response(*, team, agent=None, score=2, metric="csat", channel="email", customer=None,
                  follow_up=False, created_at=None, comment=""):
    """A stored response (and optionally its open follow-up) without the email round trip."""
    from surveys.models import SCALES, FollowUp, Response
    from tests.factories import TicketFactory

    ticket = TicketFactory(team=team, assignee=agent, channel=channel,
                           **({"customer": customer} if customer else {}))
    low, high = SCALES[metric]
    response = Response.objects.create(
        metric=metric, scale_min=low, scale_max=high, score=score, ticket=ticket,
        customer=ticket.customer, channel=channel, agent=agent, team=team, comment=comment,
        **({"created_at": created_at} if created_at else {}))
    if follow_up:
        FollowUp.objects.create(response=response, ticket=ticket, team=team, assignee=agent,
                                due_at=timezone.now() + timedelta(hours=48))
    return response
