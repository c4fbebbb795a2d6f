"""Sending due invitations and reminders (the beat task and send_due_surveys call this)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from .. import emails
from ..models import Invitation
from .scheduling import skip_reason_for

Status = Invitation.Status
BATCH = 1000


def _locked(pk: int, **conditions) -> Invitation | None:
    """The invitation, locked, if it still meets ``conditions``: a second worker that
    waited on the lock finds it changed and moves on, so nothing goes out twice."""
    return (Invitation.objects.select_for_update(of=("self",))
            .select_related("program", "ticket__customer__organization", "customer")
            .filter(pk=pk, **conditions).first())


@transaction.atomic
def _send_one(pk: int, now: datetime) -> bool:
    invitation = _locked(pk, status=Status.SCHEDULED, send_after__lte=now)
    if invitation is None:
        return False
    reason = skip_reason_for(ticket=invitation.ticket, program=invitation.program, now=now)
    if reason:
        invitation.status, invitation.skip_reason = Status.SKIPPED, reason
        invitation.save(update_fields=["status", "skip_reason"])
        return False
    program = invitation.program
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


def send_due_invitations(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    # Served by invitation_due_idx (status, send_after).
    ids = list(Invitation.objects.filter(status=Status.SCHEDULED, send_after__lte=now)
               .order_by("send_after").values_list("pk", flat=True)[:BATCH])
    return sum(_send_one(pk, now) for pk in ids)


def send_due_reminders(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    ids = list(Invitation.objects.filter(status=Status.SENT, remind_after__lte=now)
               .order_by("remind_after").values_list("pk", flat=True)[:BATCH])
    return sum(_remind_one(pk, now) for pk in ids)


def send_due_surveys(*, now: datetime | None = None) -> tuple[int, int]:
    """Send what is due: (invitations sent, reminders sent)."""
    now = now or timezone.now()
    return send_due_invitations(now=now), send_due_reminders(now=now)
