"""Events the tickets app hears: anymail's inbound email webhooks, and its own ticket
events that drive automatic assignment (tickets/services/assignment.py).

anymail's views at ``/anymail/<esp>/inbound/`` check the basic-auth secret and the
ESP's signature, parse the ESP's payload into an AnymailInboundMessage and send
``inbound``; the raw MIME then goes through the same intake as every other path.
"""

from __future__ import annotations

from anymail.signals import AnymailInboundEvent, inbound
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from helpdesk.signals import address_bounced

from .intake import receive_raw
from .intake.noise import forget_team_addresses
from .models import InboundEmail, Team, Ticket
from .services import assignment
from .services.customers import mark_customer_bounced
from .signals import ticket_changed, ticket_created, ticket_updated

# Team addresses are "our own mail" to the intake, which caches them briefly.
post_save.connect(forget_team_addresses, sender=Team, dispatch_uid="tickets.team_saved")
post_delete.connect(forget_team_addresses, sender=Team, dispatch_uid="tickets.team_deleted")


@receiver(inbound, dispatch_uid="tickets.inbound_email")
def on_inbound_email(sender, event: AnymailInboundEvent, esp_name: str, **kwargs) -> None:
    message = event.message
    if message is None:
        return
    recipients = [message.envelope_recipient] if message.envelope_recipient else []
    try:
        raw = message.as_bytes()
    except Exception:  # a header the generator cannot fold: keep the text anyway
        raw = message.as_string().encode("utf-8", "replace")
    receive_raw(raw, source=InboundEmail.Source.WEBHOOK, esp=esp_name,
                recipients=recipients)


@receiver(ticket_created, dispatch_uid="tickets.assign_new_ticket")
def on_ticket_created(sender, *, ticket_id: int, **kwargs) -> None:
    assignment.on_ticket_entered(ticket_id=ticket_id)


@receiver(ticket_updated, dispatch_uid="tickets.assign_moved_ticket")
def on_ticket_updated(sender, *, ticket_id: int, changes: dict, source: str, **kwargs) -> None:
    """A ticket moved to a team or lost its assignee may be assigned; an agent who lost
    a ticket may have room for a waiting one."""
    if source == "assignment":
        return
    if "team" in changes or "assignee" in changes:
        assignment.on_ticket_entered(ticket_id=ticket_id)
    old_assignee = changes.get("assignee", [None])[0]
    if old_assignee:
        assignment.agent_has_room(agent_id=old_assignee)


@receiver(ticket_changed, dispatch_uid="tickets.assign_after_solve")
def on_status_changed(sender, *, ticket_id: int, field: str, new, **kwargs) -> None:
    """A solved, closed or merged ticket no longer counts against its agent's capacity."""
    if field != "status" or new in assignment.OPEN_STATUSES:
        return
    assignee_id = Ticket.objects.filter(pk=ticket_id).values_list("assignee_id", flat=True).first()
    if assignee_id:
        assignment.agent_has_room(agent_id=assignee_id)


@receiver(address_bounced, dispatch_uid="tickets.address_bounced")
def on_address_bounced(sender, address: str, at, **kwargs) -> None:
    """The ESP reported a hard bounce or a complaint (helpdesk/receivers.py)."""
    mark_customer_bounced(address=address, at=at)
