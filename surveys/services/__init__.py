"""Every change of survey state. Receivers, views, the API, commands and tasks call these."""

from django.core.exceptions import ValidationError

from .answers import record_response
from .asks import record_ask_click, send_promoter_ask
from .budget import may_contact
from .followups import close_follow_up, create_follow_up
from .scheduling import cancel_invitation, schedule_invitation, skip_reason_for
from .sending import send_due_invitations, send_due_reminders, send_due_surveys
from .subscriptions import unsubscribe_customer
from .waves import schedule_wave, start_due_waves, start_wave

__all__ = [
    "ValidationError",
    "cancel_invitation",
    "close_follow_up",
    "may_contact",
    "record_ask_click",
    "schedule_wave",
    "send_promoter_ask",
    "start_due_waves",
    "start_wave",
    "create_follow_up",
    "record_response",
    "schedule_invitation",
    "send_due_invitations",
    "send_due_reminders",
    "send_due_surveys",
    "skip_reason_for",
    "unsubscribe_customer",
]
