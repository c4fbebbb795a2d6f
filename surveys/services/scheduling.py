"""From a solved or closed ticket to a scheduled (or skipped) invitation."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from tickets.models import Customer, Ticket

from ..models import Invitation, Kind, Response, SurveyProgram
from .budget import is_important, may_contact, preempt_relationship

SkipReason = Invitation.SkipReason


def matching_program(ticket: Ticket) -> SurveyProgram | None:
    """The first active program (by position) whose conditions match the ticket."""
    organization = ticket.customer.organization
    tier = organization.tier if organization else ""
    programs = (SurveyProgram.objects.filter(active=True, kind=Kind.TRANSACTIONAL)
                .prefetch_related("teams"))
    for program in programs:
        if program.matches(channel=ticket.channel, team_id=ticket.team_id, tier=tier):
            return program
    return None


def skip_reason_for(*, ticket: Ticket, program: SurveyProgram | None, now: datetime) -> str:
    """Why this ticket's customer must not get a survey now, or "" when they may.

    Checked when scheduling and again when sending, since the customer may opt
    out, bounce or answer another survey during the delay.
    """
    customer = ticket.customer
    if program is None:
        return SkipReason.NO_PROGRAM
    if ticket.is_spam:
        return SkipReason.SPAM
    if ticket.merged_into_id:
        return SkipReason.MERGED
    if not (customer.email or "").strip():
        return SkipReason.NO_EMAIL
    if customer.survey_opt_out:
        return SkipReason.OPTED_OUT
    if customer.bounced:
        return SkipReason.BOUNCED
    # docs/metrics.md ("who is asked"): throttled when the customer *answered* any survey within the window.
    window_start = now - timedelta(days=program.throttle_days)
    if Response.objects.filter(customer=customer, created_at__gte=window_start).exists():
        return SkipReason.THROTTLED
    if not may_contact(customer, now, important=is_important(ticket)):
        return SkipReason.BUDGET
    return ""


def relationship_skip_reason(*, customer: Customer, now: datetime) -> str:
    """Why a contact must not get a relationship invitation now, or "" when they may
    (checked again when sending: they may opt out, bounce or be asked meanwhile)."""
    if not (customer.email or "").strip():
        return SkipReason.NO_EMAIL
    if customer.survey_opt_out:
        return SkipReason.OPTED_OUT
    if customer.bounced:
        return SkipReason.BOUNCED
    organization = customer.organization
    if organization is not None and organization.churned_at is not None \
            and organization.churned_at <= now.date():
        return SkipReason.CHURNED
    if not may_contact(customer, now):
        return SkipReason.BUDGET
    if _important_survey_pending(customer.pk):
        return SkipReason.PREEMPTED
    return ""


def _important_survey_pending(customer_id: int) -> bool:
    """An important ticket's survey, scheduled but not yet due, goes first (its schedule
    skipped the relationship invitations then scheduled; this catches a wave scheduled
    after it). invitation_customer_idx narrows to the person's few invitations."""
    return Invitation.objects.filter(
        customer_id=customer_id, kind=Kind.TRANSACTIONAL, status=Invitation.Status.SCHEDULED,
        ticket__priority__in=settings.HELPDESK_SURVEY_IMPORTANT_PRIORITIES).exists()


@transaction.atomic
def schedule_invitation(*, ticket_id: int, trigger: str, now: datetime | None = None
                        ) -> Invitation | None:
    """Schedule the ticket's one invitation when the matching program fires on ``trigger``.

    At most one live (not cancelled) invitation per ticket: a second solve or the
    close after a solve-triggered survey does nothing. A ticket no program matches
    is recorded as skipped once, on close (on solve a close may still come).
    """
    now = now or timezone.now()
    ticket = (Ticket.objects.select_for_update(of=("self",)).select_related("customer__organization")
              .filter(pk=ticket_id).first())
    if ticket is None:
        return None
    if Invitation.objects.filter(ticket=ticket).exclude(status=Invitation.Status.CANCELLED).exists():
        return None
    program = matching_program(ticket)
    if program is not None and program.trigger != trigger:
        return None
    if program is None and trigger != SurveyProgram.Trigger.CLOSED:
        return None
    reason = skip_reason_for(ticket=ticket, program=program, now=now)
    invitation = Invitation(
        program=program, ticket=ticket, customer=ticket.customer, kind=Kind.TRANSACTIONAL,
        metric=program.metric if program else "",
        status=Invitation.Status.SKIPPED if reason else Invitation.Status.SCHEDULED,
        skip_reason=reason, language=ticket.customer.language, created_at=now,
        send_after=now + timedelta(minutes=program.delay_minutes if program else 0),
    )
    try:
        with transaction.atomic():
            invitation.save()
    except IntegrityError:  # a concurrent event scheduled it first
        return None
    if not reason and is_important(ticket):  # docs/relationship-surveys.md, "Priority"
        preempt_relationship(customer_id=ticket.customer_id)
    return invitation


def cancel_invitation(*, ticket_id: int) -> int:
    """A reopen before the invitation went out cancels it; the next close schedules anew."""
    return Invitation.objects.filter(
        ticket_id=ticket_id, status=Invitation.Status.SCHEDULED
    ).update(status=Invitation.Status.CANCELLED)
