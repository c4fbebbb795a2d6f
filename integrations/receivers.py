"""The ticket events webhooks hear. Each receiver hands the event to one service."""

from __future__ import annotations

from django.apps import apps
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from tickets.models import Message
from tickets.signals import (
    message_added,
    ticket_closed,
    ticket_created,
    ticket_reopened,
    ticket_solved,
    ticket_updated,
)

from .models import Event, WebhookSubscription
from .services import listening, notify_subscribers, subscriptions

# Any path that saves or deletes a subscription (services, admin, API) moves the
# version of every process's copy of them.
post_save.connect(subscriptions.forget, sender=WebhookSubscription,
                  dispatch_uid="integrations.subscription_saved")
post_delete.connect(subscriptions.forget, sender=WebhookSubscription,
                    dispatch_uid="integrations.subscription_deleted")


@receiver(ticket_created, dispatch_uid="integrations.ticket_created")
def on_ticket_created(sender, *, ticket_id: int, **kwargs) -> None:
    notify_subscribers(event=Event.TICKET_CREATED, ticket_id=ticket_id)


@receiver(ticket_solved, dispatch_uid="integrations.ticket_solved")
def on_ticket_solved(sender, *, ticket_id: int, **kwargs) -> None:
    notify_subscribers(event=Event.TICKET_SOLVED, ticket_id=ticket_id)


@receiver(ticket_closed, dispatch_uid="integrations.ticket_closed")
def on_ticket_closed(sender, *, ticket_id: int, **kwargs) -> None:
    notify_subscribers(event=Event.TICKET_CLOSED, ticket_id=ticket_id)


@receiver(ticket_reopened, dispatch_uid="integrations.ticket_reopened")
def on_ticket_reopened(sender, *, ticket_id: int, **kwargs) -> None:
    notify_subscribers(event=Event.TICKET_REOPENED, ticket_id=ticket_id)


@receiver(ticket_updated, dispatch_uid="integrations.ticket_updated")
def on_ticket_updated(sender, *, ticket_id: int, **kwargs) -> None:
    """One delivery per change set (status, priority, team, assignee, tags), whoever
    made it: agents, the API, bulk actions, macros, rules, assignment."""
    notify_subscribers(event=Event.TICKET_UPDATED, ticket_id=ticket_id)


@receiver(message_added, dispatch_uid="integrations.message_added")
def on_message_added(sender, *, ticket_id: int, message_id: int, author_type: str,
                     public: bool, **kwargs) -> None:
    """Customer messages after the first (that one is ``ticket.created``) and agents'
    public replies; internal notes stay inside."""
    if author_type == Message.Author.AGENT and public:
        notify_subscribers(event=Event.MESSAGE_AGENT, ticket_id=ticket_id)
    elif (author_type == Message.Author.CUSTOMER and not (first := kwargs.get("first"))
          and listening(Event.MESSAGE_CUSTOMER)
          and (first is False  # its sender said so (add_customer_message)
               or Message.objects.filter(ticket_id=ticket_id, pk__lt=message_id).exists())):
        notify_subscribers(event=Event.MESSAGE_CUSTOMER, ticket_id=ticket_id)


def on_response_recorded(sender, *, ticket_id: int, first: bool, **kwargs) -> None:
    if first:  # a changed score is the same answer
        notify_subscribers(event=Event.SURVEY_ANSWERED, ticket_id=ticket_id)


# Survey answers reach webhooks through the surveys app's documented signal only.
if apps.is_installed("surveys"):
    from surveys.signals import response_recorded

    response_recorded.connect(on_response_recorded, dispatch_uid="integrations.survey_answered")
