"""The events rules hear: the tickets app's signals and the surveys' answers.

Each receiver turns a signal into an ``engine.Event`` and hands it to
``services.handle_ticket_event``. Signals arrive after the change committed, so a
rule never holds up or undoes the change that fired it. Rules also keep their
compiled copy fresh: saving or deleting a Rule (any path, the admin included)
moves the rules version.
"""

from __future__ import annotations

from django.apps import apps
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from tickets.models import Message, Ticket
from tickets.signals import (
    message_added,
    ticket_assigned,
    ticket_closed,
    ticket_created,
    ticket_reopened,
    ticket_solved,
    ticket_updated,
)

from . import engine, services
from .models import Rule


def _rules_changed(sender, **kwargs) -> None:
    engine.bump_version()


post_save.connect(_rules_changed, sender=Rule, dispatch_uid="rules.rule_saved")
post_delete.connect(_rules_changed, sender=Rule, dispatch_uid="rules.rule_deleted")


@receiver(ticket_created, sender=Ticket, dispatch_uid="rules.on_ticket_created")
def on_ticket_created(sender, *, ticket_id: int, **kwargs) -> None:
    services.handle_ticket_event(engine.Event(
        "ticket.created", ticket_id, actor_id=kwargs.get("actor_id"),
        message_id=kwargs.get("message_id"),
        extra={"acknowledge": kwargs.get("acknowledge", True)}))


@receiver(ticket_updated, sender=Ticket, dispatch_uid="rules.on_ticket_updated")
def on_ticket_updated(sender, *, ticket_id: int, changes: dict, actor_id=None, source: str = "",
                      depth: int = 0, **kwargs) -> None:
    services.handle_ticket_event(engine.Event(
        "ticket.updated", ticket_id, depth=depth, actor_id=actor_id, changes=changes,
        extra={"source": source}))


@receiver(ticket_assigned, sender=Ticket, dispatch_uid="rules.on_ticket_assigned")
def on_ticket_assigned(sender, *, ticket_id: int, assignee_id=None, actor_id=None,
                       **kwargs) -> None:
    services.handle_ticket_event(engine.Event("ticket.assigned", ticket_id, actor_id=actor_id))


@receiver(message_added, sender=Ticket, dispatch_uid="rules.on_message_added")
def on_message_added(sender, *, ticket_id: int, message_id: int, author_type: str,
                     public: bool, **kwargs) -> None:
    if author_type == Message.Author.AGENT and public:
        services.handle_ticket_event(engine.Event("message.agent", ticket_id,
                                                  message_id=message_id))
    elif author_type == Message.Author.CUSTOMER:
        services.handle_customer_message(ticket_id=ticket_id, message_id=message_id,
                                         is_automatic=kwargs.get("is_automatic"),
                                         first=kwargs.get("first"))


@receiver(ticket_solved, sender=Ticket, dispatch_uid="rules.on_ticket_solved")
def on_ticket_solved(sender, *, ticket_id: int, actor_id=None, **kwargs) -> None:
    services.handle_ticket_event(engine.Event("ticket.solved", ticket_id, actor_id=actor_id))


@receiver(ticket_closed, sender=Ticket, dispatch_uid="rules.on_ticket_closed")
def on_ticket_closed(sender, *, ticket_id: int, **kwargs) -> None:
    services.handle_ticket_event(engine.Event("ticket.closed", ticket_id))


@receiver(ticket_reopened, sender=Ticket, dispatch_uid="rules.on_ticket_reopened")
def on_ticket_reopened(sender, *, ticket_id: int, **kwargs) -> None:
    services.handle_ticket_event(engine.Event("ticket.reopened", ticket_id))


def on_survey_answered(sender, *, ticket_id: int, score: int, metric: str, first: bool,
                       **kwargs) -> None:
    if first:  # a changed answer is the same answer: it fires nothing new
        services.handle_ticket_event(engine.Event(
            "survey.answered", ticket_id, extra={"score": score, "metric": metric}))


# Surveys is optional and sits beside rules; only its documented signal is used.
if apps.is_installed("surveys"):
    from surveys.signals import response_recorded

    response_recorded.connect(on_survey_answered, dispatch_uid="rules.on_survey_answered")
