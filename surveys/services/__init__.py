"""Every change of survey state. Receivers, views, the API, commands and tasks call these."""

from django.core.exceptions import ValidationError

from .answers import record_response
from .followups import close_follow_up, create_follow_up
from .scheduling import cancel_invitation, schedule_invitation, skip_reason_for
from .sending import send_due_invitations, send_due_reminders, send_due_surveys
from .subscriptions import unsubscribe_customer

__all__ = [
    "ValidationError",
    "cancel_invitation",
    "close_follow_up",
    "create_follow_up",
    "record_response",
    "schedule_invitation",
    "send_due_invitations",
    "send_due_reminders",
    "send_due_surveys",
    "skip_reason_for",
    "unsubscribe_customer",
]
