"""Sending due invitations and reminders (the beat task and send_due_surveys call this)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from helpdesk.locks import single_run

from .. import emails
from ..models import Invitation, Kind
from .scheduling import relationship_skip_reason, skip_reason_for

Status = Invitation.Status
BATCH = 1000


def _locked(pk: int, **conditions: object) -> Invitation | None:
    """The invitation, locked, if it still meets ``conditions``: a second worker that
    waited on the lock finds it changed and moves on, so nothing goes out twice."""
    return (Invitation.objects.select_for_update(of=("self",))
            .select_related("program", "ticket__customer__organization",
                            "customer__organization")
            .filter(pk=pk, **conditions).first())


@transaction.atomic
def _send_one(pk: int, now: datetime) -> bool:
    invitation = _locked(pk, status=Status.SCHEDULED, send_after__lte=now)
    if invitation is None:
        return False
    if invitation.kind == Kind.RELATIONSHIP:
        reason = (relationship_skip_reason(customer=invitation.customer, now=now)
                  if invitation.program_id else Invitation.SkipReason.NO_PROGRAM)
    else:
        assert invitation.ticket is not None  # a ticket survey's invitation names its ticket
        reason = skip_reason_for(ticket=invitation.ticket, program=invitation.program, now=now)
    if reason:
        invitation.status, invitation.skip_reason = Status.SKIPPED, reason
        invitation.save(update_fields=["status", "skip_reason"])
        return False
    program = invitation.program
    assert program is not None  # both skip checks answer NO_PROGRAM without one
    invitation.status = Status.SENT
    invitation.sent_at = now
    invitation.expires_at = now + timedelta(days=program.expiry_days)
    invitation.language = invitation.customer.language
    if program.reminder_after_hours:
        remind_at = now + timedelta(hours=program.reminder_after_hours)
        invitation.remind_after = remind_at if remind_at < invitation.expires_at else None
    invitation.save(update_fields=["status", "sent_at", "expires_at", "language", "remind_after"])
    emails.send_invitation(invitation=invitation, reminder=False)
    return True


@transaction.atomic
def _remind_one(pk: int, now: datetime) -> bool:
    invitation = _locked(pk, status=Status.SENT, remind_after__lte=now, expires_at__gt=now)
    if invitation is None:
        return False
    customer = invitation.customer
    invitation.remind_after = None
    fields = ["remind_after"]
    if not (customer.survey_opt_out or customer.bounced):
        invitation.reminded_at = now
        fields.append("reminded_at")
        emails.send_invitation(invitation=invitation, reminder=True)
    invitation.save(update_fields=fields)
    return "reminded_at" in fields


def sent_today(now: datetime) -> int:
    """Survey emails sent since midnight (TIME_ZONE), every kind: invitations
    (invitation_sent_idx) and reminders (invitation_reminded_idx), both of which the
    daily cap protects the sending reputation from."""
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return (Invitation.objects.filter(sent_at__gte=midnight, sent_at__lte=now).count()
            + Invitation.objects.filter(reminded_at__gte=midnight, reminded_at__lte=now).count())


def room_today(now: datetime, batch: int) -> int:
    """How many more survey emails today's cap allows, at most ``batch``."""
    return max(0, min(batch, settings.HELPDESK_SURVEY_DAILY_CAP - sent_today(now)))


def send_due_invitations(*, now: datetime | None = None, batch: int = BATCH) -> int:
    """Send what is due, within the daily cap, transactional before relationship.

    Each invitation is claimed and sent in its own short transaction, so a wave of
    100,000 never holds one open; what the cap holds back stays scheduled for the
    next run (tomorrow's budget)."""
    now = now or timezone.now()
    room = room_today(now, batch)
    sent = 0
    for kind in (Kind.TRANSACTIONAL, Kind.RELATIONSHIP):
        if room - sent <= 0:
            break
        # Served by invitation_due_idx (status, send_after).
        ids = list(Invitation.objects.filter(status=Status.SCHEDULED, send_after__lte=now,
                                             kind=kind)
                   .order_by("send_after").values_list("pk", flat=True)[:room - sent])
        sent += sum(_send_one(pk, now) for pk in ids)
    return sent


def send_due_reminders(*, now: datetime | None = None) -> int:
    """Reminders take what the daily cap leaves after the invitations; the rest wait
    for tomorrow (or expire: a first ask is worth more than a second)."""
    now = now or timezone.now()
    room = room_today(now, BATCH)
    if not room:
        return 0
    ids = list(Invitation.objects.filter(status=Status.SENT, remind_after__lte=now)
               .order_by("remind_after").values_list("pk", flat=True)[:room])
    return sum(_remind_one(pk, now) for pk in ids)


def send_due_surveys(*, now: datetime | None = None) -> tuple[int, int]:
    """Send what is due: (invitations sent, reminders sent).

    One run at a time across workers: the daily cap is read, then spent, so two runs
    at the same instant would each see the same room and together exceed it. A run
    that finds another one working sends nothing (the next beat tick follows)."""
    now = now or timezone.now()
    with single_run("surveys.send_due") as mine:
        if not mine:
            return 0, 0
        return send_due_invitations(now=now), send_due_reminders(now=now)
