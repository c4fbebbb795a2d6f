"""The survey events metrics hears. Each receiver hands the event to one function."""

import logging

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from surveys.models import Response
from surveys.signals import response_recorded
from tickets.models import CustomField, Ticket
from tickets.signals import ticket_updated

from . import tasks
from .insights.themes import fitting

log = logging.getLogger(__name__)


@receiver(response_recorded, dispatch_uid="metrics.assign_comment_theme")
def on_response_recorded(sender, *, response_id: int, **kwargs) -> None:
    """Give a new or changed comment its theme (docs/insights.md: < 50 ms). Sent after
    commit, so a failure here can only leave the comment without a theme until the
    next scheduled refit, never fail the customer's answer."""
    try:
        response = Response.objects.filter(pk=response_id).first()
        if response is not None:
            fitting.assign(response)
    except Exception:  # noqa: BLE001 (see the docstring)
        log.exception("Could not assign a theme to response %s", response_id)


@receiver(ticket_updated, sender=Ticket, dispatch_uid="metrics.field_driver_counts")
def on_ticket_updated(sender, *, ticket_id: int, changes: dict,
                      batch: list[int] | None = None, **kwargs) -> None:
    """A ticket's custom field values changed: the drivers' per-day field counts follow
    its current values (docs/insights.md), in a task (about 30 ms at 1 M tickets). A bulk
    change (``batch``, tickets/services/field_bulk.py) queues one task for all its
    tickets, with its first ticket's signal, not one per ticket. Sent after commit; a
    failure to queue is logged and leaves the counts to the next refresh of those days,
    never fails the change."""
    if not any(name.startswith("field.") for name in changes):
        return
    if batch and ticket_id != batch[0]:
        return  # queued with the batch's first ticket
    try:
        if batch:
            tasks.refresh_tickets_field_driver_counts.delay(list(batch))
        else:
            tasks.refresh_ticket_field_driver_counts.delay(ticket_id)
    except Exception:  # noqa: BLE001 (see the docstring)
        log.exception("Could not rewrite the field driver counts of ticket %s", ticket_id)


@receiver(post_save, sender=CustomField, dispatch_uid="metrics.field_saved")
@receiver(post_delete, sender=CustomField, dispatch_uid="metrics.field_deleted")
@receiver(m2m_changed, sender=CustomField.teams.through, dispatch_uid="metrics.field_teams")
def on_field_changed(sender, **kwargs) -> None:
    """A field's definition changed (options, channels, teams, active, or the field is
    new or gone): rewrite its per-day driver counts after commit, in a task."""
    if kwargs.get("action", "post_").startswith("post_"):
        transaction.on_commit(tasks.refresh_field_driver_counts.delay)
