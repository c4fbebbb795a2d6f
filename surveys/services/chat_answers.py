"""The in-chat rating (docs/live-chat.md): the chat channel's program asks in the widget
when a chat ends, and the answer is a Response like an emailed one (channel, agent and
team of the ticket), so every metric counts it.

One contact budget (docs/relationship-surveys.md): the widget asks only when the customer
may be asked now (not opted out, no answer within the program's throttle window, no other
ask inside the contact window), and the answer itself throttles the emailed survey of the
ticket, which is skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tickets.models import Ticket

from ..models import Invitation, Response, is_detractor
from ..signals import response_recorded
from . import budget
from .answers import COMMENT_MAX
from .followups import create_follow_up
from .scheduling import matching_program


def refuse(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


@dataclass
class Question:
    text: str
    scale_min: int
    scale_max: int


def chat_question(*, ticket: Ticket, now: datetime | None = None) -> Question | None:
    """The question of the program matching this chat ticket, or None when nobody asks."""
    now = now or timezone.now()
    program = matching_program(ticket)
    customer = ticket.customer
    if program is None or customer.survey_opt_out or ticket.is_spam:
        return None
    window_start = now - timedelta(days=program.throttle_days)
    if Response.objects.filter(customer=customer, created_at__gte=window_start).exists():
        return None
    # One contact budget across emailed, relationship and in-chat asks.
    if not budget.may_contact(customer, now):
        return None
    low, high = program.scale
    return Question(text=program.question(customer.language or ""), scale_min=low,
                    scale_max=high)


@transaction.atomic
def record_chat_answer(*, ticket: Ticket, score: int, comment: str = "",
                       now: datetime | None = None
                       ) -> Response:
    now = now or timezone.now()
    ticket = Ticket.objects.select_for_update(of=("self",)).select_related(
        "customer__organization").get(pk=ticket.pk)
    program = matching_program(ticket)
    if program is None:
        raise refuse("score", _("This chat has no rating."), "no_program")
    if Response.objects.filter(ticket=ticket).exists():
        raise refuse("score", _("This chat has been rated already."), "rated")
    low, high = program.scale
    if isinstance(score, bool) or not isinstance(score, int) or not low <= score <= high:
        raise refuse("score", _("Choose a score from %(low)d to %(high)d.")
                               % {"low": low, "high": high}, "out_of_scale")
    if not isinstance(comment, str):
        raise refuse("comment", _("Send the comment as text."), "invalid")
    organization = ticket.customer.organization
    response = Response.objects.create(
        metric=program.metric, scale_min=low, scale_max=high, score=score,
        comment=comment.strip()[:COMMENT_MAX], ticket=ticket, customer_id=ticket.customer_id,
        channel=ticket.channel, agent_id=ticket.assignee_id, team_id=ticket.team_id,
        organization=organization, organization_tier=organization.tier if organization else "",
        created_at=now, updated_at=now,
    )
    # Answered in the chat: the ticket's emailed survey is not sent.
    Invitation.objects.filter(ticket=ticket, status=Invitation.Status.SCHEDULED).update(
        status=Invitation.Status.SKIPPED, skip_reason=Invitation.SkipReason.THROTTLED)
    if is_detractor(response.metric, response.score):
        create_follow_up(response=response, program=program, now=now)
    kwargs = {"response_id": response.pk, "ticket_id": ticket.pk, "metric": response.metric,
              "score": response.score, "first": True}
    transaction.on_commit(lambda: response_recorded.send(sender=Response, **kwargs))
    return response
