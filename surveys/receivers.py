"""The ticket events surveys hear. Each receiver hands the event to one service."""

from django.dispatch import receiver

from tickets.signals import ticket_closed, ticket_reopened, ticket_solved

from . import services
from .models import SurveyProgram


@receiver(ticket_solved, dispatch_uid="surveys.on_ticket_solved")
def on_ticket_solved(sender, *, ticket_id: int, **kwargs) -> None:
    services.schedule_invitation(ticket_id=ticket_id, trigger=SurveyProgram.Trigger.SOLVED)


@receiver(ticket_closed, dispatch_uid="surveys.on_ticket_closed")
def on_ticket_closed(sender, *, ticket_id: int, **kwargs) -> None:
    services.schedule_invitation(ticket_id=ticket_id, trigger=SurveyProgram.Trigger.CLOSED)


@receiver(ticket_reopened, dispatch_uid="surveys.on_ticket_reopened")
def on_ticket_reopened(sender, *, ticket_id: int, **kwargs) -> None:
    services.cancel_invitation(ticket_id=ticket_id)
