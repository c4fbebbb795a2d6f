"""Every reason an invitation is recorded as skipped instead of sent."""

from surveys.models import Invitation, Response
from tickets.models import Ticket

Status = Invitation.Status


def _skip_reason(ticket):
    return Invitation.objects.get(ticket=ticket).skip_reason


def test_opted_out_customer_is_skipped(program, ticket, customer, close, send_due):
    customer.survey_opt_out = True
    customer.save(update_fields=["survey_opt_out"])
    close(ticket)
    assert _skip_reason(ticket) == "opted_out"


def test_bounced_customer_is_skipped(program, ticket, customer, close):
    customer.bounced = True
    customer.save(update_fields=["bounced"])
    close(ticket)
    assert _skip_reason(ticket) == "bounced"


def test_spam_ticket_is_skipped(program, ticket, close):
    Ticket.objects.filter(pk=ticket.pk).update(is_spam=True)
    close(ticket)
    assert _skip_reason(ticket) == "spam"


def test_customer_without_email_is_skipped(program, ticket, customer, close):
    customer.email = ""
    customer.save(update_fields=["email"])
    close(ticket)
    assert _skip_reason(ticket) == "no_email"


def test_no_matching_program_is_skipped(program, ticket, close):
    program.delete()
    close(ticket)
    assert _skip_reason(ticket) == "no_program"


def test_merged_during_the_delay_is_skipped_when_due(program, ticket, customer, close, send_due):
    close(ticket)
    other = Ticket.objects.create(subject="dup", customer=customer)
    Ticket.objects.filter(pk=ticket.pk).update(merged_into=other)
    assert send_due() == (0, 0)
    assert _skip_reason(ticket) == "merged"


def test_opt_out_during_the_delay_is_skipped_when_due(program, ticket, customer, close, send_due):
    close(ticket)
    customer.survey_opt_out = True
    customer.save(update_fields=["survey_opt_out"])
    send_due()
    invitation = Invitation.objects.get(ticket=ticket)
    assert (invitation.status, invitation.skip_reason) == (Status.SKIPPED, "opted_out")


def test_answer_within_throttle_window_throttles(sent_invitation, customer, team, close,
                                                 send_due):
    from tickets import services

    Response.objects.create(invitation=sent_invitation, metric="csat", scale_min=1, scale_max=5,
                            score=4, ticket=sent_invitation.ticket, customer=customer,
                            channel="email")
    second = services.create_ticket(services.NewTicket(
        subject="Again", body="x", customer=customer, team=team
    ))
    close(second)
    assert _skip_reason(second) == "throttled"


def test_answer_older_than_throttle_window_does_not_throttle(sent_invitation, customer, team,
                                                            close):
    from datetime import timedelta

    from django.utils import timezone

    from tickets import services

    Response.objects.create(invitation=sent_invitation, metric="csat", scale_min=1, scale_max=5,
                            score=4, ticket=sent_invitation.ticket, customer=customer,
                            channel="email", created_at=timezone.now() - timedelta(days=31))
    # ... and asked then too: the contact budget (docs/relationship-surveys.md) is spent by asks.
    Invitation.objects.filter(pk=sent_invitation.pk).update(
        sent_at=timezone.now() - timedelta(days=31))
    second = services.create_ticket(services.NewTicket(
        subject="Again", body="x", customer=customer, team=team
    ))
    close(second)
    assert Invitation.objects.get(ticket=second).status == Status.SCHEDULED
