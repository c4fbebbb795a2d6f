"""Human wording of SLA due times for queues and the ticket page.

"due in 2 h 15 min" / "overdue 30 min", counted in business time of the policy's
calendar, so a ticket due Monday 9:00 shows "due in 1 h" on Friday at 15:00.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from ...businesstime import CalendarSnapshot, business_seconds_between
from ...models import TicketSLA
from .cache import calendar_snapshot, clear_calendar_cache

__all__ = ["calendar_snapshot", "clear_calendar_cache", "describe_due", "due_label"]


def format_duration(seconds: float) -> str:
    minutes = int(seconds) // 60
    hours, minutes = divmod(minutes, 60)
    if hours:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)d min") % {"minutes": minutes}


def describe_due(*, due_at: datetime | None, now: datetime | None = None,
                 calendar: CalendarSnapshot | None = None) -> str:
    """"due in 2 h 15 min" or "overdue 30 min" (business time when a calendar is given)."""
    if due_at is None:
        return ""
    now = now or timezone.now()
    start, end = (now, due_at) if due_at >= now else (due_at, now)
    seconds = (business_seconds_between(calendar, start, end) if calendar is not None
               else (end - start).total_seconds())
    if due_at >= now:
        return _("due in %(time)s") % {"time": format_duration(seconds)}
    return _("overdue %(time)s") % {"time": format_duration(seconds)}


def due_label(sla: TicketSLA | None, clock: str = "first_response",
              now: datetime | None = None) -> str:
    """The label of one clock of a TicketSLA ("first_response", "next_response", "resolution").

    Reads ``sla.policy.calendar_id``: select_related("sla__policy") in the queue query.
    """
    if sla is None:
        return ""
    calendar = calendar_snapshot(sla.policy.calendar_id) if sla.policy is not None else None
    return describe_due(due_at=getattr(sla, f"{clock}_due_at"), now=now, calendar=calendar)
