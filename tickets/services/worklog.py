"""Time tracking: timers and manual entries per agent and ticket (docs/time-tracking.md).

A running timer is a ``TimeEntry`` without ``seconds``, stored when started, so it
survives a reload, a closed tab or another device; stopping fills in the seconds by
a conditional update, so two tabs stopping at once record it once. Every entry is
at most 24 hours: a longer manual entry is refused naming the field, a timer
forgotten overnight is stopped at 24 hours (and says so in its note).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from helpdesk.models import User

from .. import policy
from ..models import Ticket, TimeEntry
from .events import record_event

MAX_SECONDS = 24 * 3600
MAX_NOTE = 500

_UNITS = re.compile(r"^(?:(?P<h>\d+(?:[.,]\d+)?)\s*h)?\s*(?:(?P<m>\d+)\s*(?:m|min))?$", re.I)
_CLOCK = re.compile(r"^(?P<h>\d+):(?P<m>[0-5]\d)$")


def parse_duration(text: str, *, field: str = "duration") -> int:
    """Seconds from what an agent types: "45" (minutes), "1:30", "1h 30m", "1,5h", "2h".
    ValidationError naming ``field`` when it is none of these, zero, negative or over 24 h."""
    raw = (text or "").strip()
    if not raw:
        raise ValidationError({field: _("Enter how long you worked, e.g. 45 or 1h 30m.")},
                              code="required")
    if raw.startswith("-"):
        raise ValidationError({field: _("A duration cannot be negative.")}, code="negative")
    seconds = None
    if raw.replace(",", ".").replace(".", "", 1).isdigit():
        seconds = round(float(raw.replace(",", ".")) * 60)
    elif match := _CLOCK.match(raw):
        seconds = int(match["h"]) * 3600 + int(match["m"]) * 60
    elif (match := _UNITS.match(raw)) and (match["h"] or match["m"]):
        hours = float(match["h"].replace(",", ".")) if match["h"] else 0
        seconds = round(hours * 3600) + int(match["m"] or 0) * 60
    if seconds is None:
        raise ValidationError({field: _("Write minutes (45), hours and minutes (1h 30m) or "
                                        "a clock time (1:30).")}, code="invalid")
    return check_seconds(seconds, field=field)


def check_seconds(seconds: object, *, field: str = "duration") -> int:
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        raise ValidationError({field: _("Give a number.")}, code="invalid")
    if seconds < 0:
        raise ValidationError({field: _("A duration cannot be negative.")}, code="negative")
    if seconds < 1:
        raise ValidationError({field: _("A duration must be more than zero.")}, code="zero")
    if seconds > MAX_SECONDS:
        raise ValidationError({field: _("At most 24 hours per entry; log longer work as "
                                        "several entries.")}, code="too_long")
    return int(seconds)


def _note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise ValidationError({"note": _("At most %(n)d characters.") % {"n": MAX_NOTE}},
                              code="max_length")
    return note


@transaction.atomic
def log_time(*, ticket: Ticket, agent: User, seconds: int, note: str = "",
             worked_at: datetime | None = None, field: str = "duration") -> TimeEntry:
    """A manual entry of ``seconds`` by ``agent`` (who must be able to see the ticket)."""
    policy.check(agent, policy.Action.LOG_TIME, ticket)
    seconds = check_seconds(seconds, field=field)
    note = _note(note)
    now = timezone.now()
    worked_at = worked_at or now
    if worked_at > now + timedelta(minutes=5):
        raise ValidationError({"worked_at": _("Time cannot be logged in the future.")},
                              code="future")
    entry = TimeEntry.objects.create(ticket=ticket, agent=agent, team_id=ticket.team_id,
                                     worked_at=worked_at, seconds=seconds, note=note,
                                     created_at=now)
    record_event(ticket=ticket, field="time_logged", new=seconds, actor=agent, at=now)
    return entry


def running_timer(*, ticket: Ticket, agent: User) -> TimeEntry | None:
    return TimeEntry.objects.filter(ticket=ticket, agent=agent, seconds__isnull=True).first()


def start_timer(*, ticket: Ticket, agent: User, now: datetime | None = None) -> TimeEntry:
    """Start the agent's timer on the ticket; an already running one is kept."""
    policy.check(agent, policy.Action.LOG_TIME, ticket)
    running = running_timer(ticket=ticket, agent=agent)
    if running is not None:
        return running
    now = now or timezone.now()
    try:
        with transaction.atomic():  # the partial unique index refuses a second timer
            return TimeEntry.objects.create(ticket=ticket, agent=agent, team_id=ticket.team_id,
                                            worked_at=now, is_timer=True, created_at=now)
    except IntegrityError:  # another tab started it a moment ago
        started = running_timer(ticket=ticket, agent=agent)
        assert started is not None  # the index refused ours because this one runs
        return started


@transaction.atomic
def stop_timer(*, ticket: Ticket, agent: User, note: str = "",
               now: datetime | None = None) -> TimeEntry | None:
    """Stop the agent's running timer (None when none runs). The conditional update
    (``seconds IS NULL``) makes a double stop from two tabs count once."""
    policy.check(agent, policy.Action.LOG_TIME, ticket)
    entry = running_timer(ticket=ticket, agent=agent)
    if entry is None:
        return None
    now = now or timezone.now()
    seconds = max(1, round((now - entry.worked_at).total_seconds()))
    note = _note(note)
    if seconds > MAX_SECONDS:
        seconds = MAX_SECONDS
        note = (note + " " + _("(timer stopped at 24 hours)")).strip()[:MAX_NOTE]
    claimed = TimeEntry.objects.filter(pk=entry.pk, seconds__isnull=True).update(
        seconds=seconds, note=note)
    if not claimed:
        return None
    entry.refresh_from_db()
    record_event(ticket=ticket, field="time_logged", new=seconds, actor=agent, at=now)
    return entry


def may_delete(user: User, entry: TimeEntry) -> bool:
    return entry.agent_id == user.pk or policy.sees_all(user)


@transaction.atomic
def delete_entry(*, entry: TimeEntry, actor: User) -> None:
    """Agents delete their own entries; managers and admins anyone's."""
    policy.check(actor, policy.Action.LOG_TIME, entry.ticket)
    if not may_delete(actor, entry):
        raise PermissionDenied(_("Only the agent who logged this time, or a manager, may "
                                 "delete it."))
    record_event(ticket=entry.ticket, field="time_deleted", old=entry.seconds or 0,
                 actor=actor)
    entry.delete()
