"""Recording a customer's answer: one row read, one row written per click."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Invitation, Response, is_detractor, is_promoter
from ..signals import response_recorded
from .asks import send_promoter_ask
from .followups import create_follow_up

COMMENT_MAX = 5000


def load_invitation(invitation_id: int) -> Invitation | None:
    """The invitation with everything an answer needs, in one query.

    Sliced, not ``first()``: ordering by the primary key of a primary-key lookup changes
    nothing in the result and costs the ORM more than the rest of the SQL."""
    queryset = Invitation.objects.select_related(
        "program", "response__follow_up", "ticket", "customer__organization")
    return next(iter(queryset.filter(pk=invitation_id)[:1]), None)


def is_answerable(invitation: Invitation, now: datetime) -> bool:
    return (invitation.status in (Invitation.Status.SENT, Invitation.Status.ANSWERED)
            and invitation.expires_at is not None and now < invitation.expires_at
            and invitation.program_id is not None)


def existing_response(invitation: Invitation) -> Response | None:
    try:
        return invitation.response
    except Response.DoesNotExist:
        return None


def _validate(invitation: Invitation, score: int, comment: str, now: datetime) -> str:
    program = invitation.program
    if program is None or not is_answerable(invitation, now):
        raise ValidationError({"score": _("This survey has expired.")}, code="expired")
    low, high = program.scale
    if not low <= score <= high:
        raise ValidationError({"score": _("Choose a score from %(low)d to %(high)d.")
                               % {"low": low, "high": high}}, code="out_of_scale")
    return (comment or "").strip()[:COMMENT_MAX]


@transaction.atomic
def record_response(*, invitation: Invitation, score: int, comment: str = "",
                    now: datetime | None = None) -> Response:
    """Record (or change, until expiry) the customer's score and comment.

    Idempotent: the same answer twice changes nothing. The first answer snapshots
    the ticket's channel, agent, team and organization, so later reassignments
    never rewrite history. A detractor answer opens one follow-up; a promoter's
    first answer gets the thank-you with the program's review link.
    """
    now = now or timezone.now()
    comment = _validate(invitation, score, comment, now)
    response = existing_response(invitation)
    if response is not None:
        if (response.score, response.comment) != (score, comment):
            Response.objects.filter(pk=response.pk).update(score=score, comment=comment,
                                                           updated_at=now)
            response.score, response.comment, response.updated_at = score, comment, now
            _announce(response, first=False)
        _close_the_loop(invitation, response, now, first=False)
        return response
    try:
        with transaction.atomic():  # savepoint: a concurrent first click may win the race
            response = _create(invitation, score, comment, now)
    except IntegrityError:
        fresh = load_invitation(invitation.pk)
        assert fresh is not None  # the response that won the race holds the row (CASCADE)
        return record_response(invitation=fresh, score=score, comment=comment, now=now)
    Invitation.objects.filter(pk=invitation.pk).update(status=Invitation.Status.ANSWERED,
                                                       remind_after=None)
    invitation.status, invitation.response = Invitation.Status.ANSWERED, response
    _close_the_loop(invitation, response, now, first=True)
    _announce(response, first=True)
    return response


def _announce(response: Response, *, first: bool) -> None:
    if response.ticket_id is None:  # relationship answers: rules and webhooks are per ticket
        return
    kwargs = {"response_id": response.pk, "ticket_id": response.ticket_id,
              "metric": response.metric, "score": response.score, "first": first}
    transaction.on_commit(lambda: response_recorded.send(sender=Response, **kwargs))


def _create(invitation: Invitation, score: int, comment: str, now: datetime) -> Response:
    ticket = invitation.ticket  # None for a relationship invitation
    organization = invitation.customer.organization
    program = invitation.program
    assert program is not None  # _validate refused an invitation whose program is gone
    low, high = program.scale
    return Response.objects.create(
        invitation=invitation, metric=program.metric, kind=invitation.kind,
        wave_id=invitation.wave_id, scale_min=low, scale_max=high,
        score=score, comment=comment, ticket=ticket, customer_id=invitation.customer_id,
        channel=ticket.channel if ticket else "",
        agent_id=ticket.assignee_id if ticket else None,
        team_id=ticket.team_id if ticket else None,
        organization=organization, organization_tier=organization.tier if organization else "",
        created_at=now, updated_at=now,
    )


def _close_the_loop(invitation: Invitation, response: Response, now: datetime, *, first: bool
                    ) -> None:
    program = invitation.program
    if is_detractor(response.metric, response.score) and not hasattr(response, "follow_up"):
        create_follow_up(response=response, program=program, now=now)
    elif first and program is not None and is_promoter(response.metric, response.score):
        send_promoter_ask(response=response, program=program, now=now)
