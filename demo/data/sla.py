"""SLA clocks (TicketSLA rows) for demo tickets, computed by replaying each ticket's life.

A demo ticket is written in one go, not through the services, so its clocks are
rebuilt afterwards from its thread and status events: the same ``Clocks``
methods the service hooks call (tickets.services.sla.clocks) run in the same
order on a small stand-in for the ticket whose status moves through time. The
stored figures are therefore exactly what the live hooks would have stored,
pending time excluded. Calendars are loaded once and the policy is matched once
per (priority, channel, tier, team): no query per ticket.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tickets.businesstime import CalendarSnapshot
from tickets.models import BusinessCalendar, Customer, Organization, SLAPolicy, Ticket, TicketSLA
from tickets.services.sla import match_policy
from tickets.services.sla.clocks import Clocks, apply_status_change
from tickets.services.sla.policies import active_policies

# Order of entries at the same instant, as the services apply them: a customer's
# message first moves the status (resume/reopen), then starts a next-response
# cycle; an agent's reply stops the clocks before its own status change.
CUSTOMER_STATUS, CUSTOMER_MESSAGE, AGENT_REPLY, OTHER_STATUS = range(4)


@dataclass
class _Ticket:
    """What the clocks read of a ticket, as it was at the moment being replayed."""

    pk: int
    created_at: datetime
    status: str = Ticket.Status.NEW
    first_response_at: datetime | None = None
    waiting_since: datetime | None = None


class _Row:
    """A TicketSLA's values without a model instance (Model.__init__ alone would cost more
    than the clock arithmetic at a million rows). Defaults are the model's."""

    def __init__(self, ticket_id: int, policy: SLAPolicy | None):
        self.ticket_id, self.policy = ticket_id, policy
        for name, default in _DEFAULTS.items():
            setattr(self, name, default)

    @property
    def policy_id(self) -> int | None:
        return self.policy.pk if self.policy else None

    def values(self, columns: list[str]) -> list:
        return [getattr(self, column) for column in columns]

    def model(self) -> TicketSLA:
        return TicketSLA(**{c: getattr(self, c) for c in SLA_COLUMNS})


SLA_COLUMNS = [f.attname for f in TicketSLA._meta.concrete_fields]
_DEFAULTS = {f.attname: f.get_default() for f in TicketSLA._meta.concrete_fields
             if f.attname not in ("ticket_id", "policy_id")}


class _CachedCalendar(CalendarSnapshot):
    """A snapshot that remembers each day's working intervals: a year of demo data asks for
    the same few hundred days millions of times. Same answers, as it is the same method."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self._days: dict = {}

    def day_intervals(self, day):
        spans = self._days.get(day)
        if spans is None:
            spans = self._days[day] = super().day_intervals(day)
        return spans


class SlaReplayer:
    """Builds TicketSLA rows (as ``_Row``); queries only in ``__init__``."""

    def __init__(self, *, now: datetime):
        self.now = now
        self.policies = active_policies()
        # Every calendar once (an installation has a handful): two queries each.
        calendars = {c.pk: (c, _CachedCalendar.from_model(c))
                     for c in BusinessCalendar.objects.order_by("pk")}
        self.calendars = {pk: snapshot for pk, (_, snapshot) in calendars.items()}
        self.default = next((snap for c, snap in calendars.values() if c.is_default), None)
        self._matched: dict[tuple, SLAPolicy | None] = {}

    def policy(self, *, priority: str, channel: str, tier: str | None,
               team_id: int | None) -> SLAPolicy | None:
        key = (priority, channel, tier, team_id)
        if key not in self._matched:
            # match_policy itself on a stand-in ticket: only these four fields are read.
            organization = Organization(tier=tier) if tier is not None else None
            probe = Ticket(priority=priority, channel=channel, team_id=team_id,
                           customer=Customer(organization=organization))
            self._matched[key] = match_policy(probe, self.policies)
        return self._matched[key]

    def replay(self, *, ticket_id: int, created_at: datetime, policy: SLAPolicy | None,
               timeline: list[tuple]) -> _Row:
        """``timeline``: (at, rank, kind, new_status) sorted; kind "customer", "agent" or
        "status" (then new_status is set)."""
        state = _Ticket(pk=ticket_id, created_at=created_at, waiting_since=created_at)
        clocks = Clocks(state, _Row(ticket_id, policy))
        clocks.__dict__["cal"] = (self.calendars.get(policy.calendar_id) if policy
                                  else self.default)
        clocks.set_due_times()
        for at, _rank, kind, new in timeline:
            if at >= self.now:
                break
            if kind == "status":
                old, state.status = state.status, new
                apply_status_change(clocks, old, at)
            elif kind == "agent":
                state.first_response_at = state.first_response_at or at
                state.waiting_since = None
                clocks.stop_first_response(at)
                clocks.stop_next_response(at)
            elif state.waiting_since is None:  # a customer message nobody was waiting on
                state.waiting_since = at
                if state.first_response_at:
                    clocks.start_next_response(at)
        _settle(clocks.sla, state, self.now)
        clocks.sla.updated_at = self.now
        return clocks.sla


def _settle(sla: _Row, state: _Ticket, now: datetime) -> None:
    """What check_sla would have recorded by ``now`` on the clocks still running: overdue
    clocks breached, passed warnings sent. Without this the first check_sla on demo
    data would mail a warning for every ticket of the backlog."""
    if sla.paused_at is not None or state.status not in Ticket.UNRESOLVED:
        return
    running = {
        "first_response": sla.first_response_business_seconds is None
        and state.first_response_at is None,
        "next_response": sla.next_response_breached_at is None,
        "resolution": sla.resolution_business_seconds is None,
    }
    for name, is_running in running.items():
        due, warn = getattr(sla, f"{name}_due_at"), getattr(sla, f"{name}_warn_at")
        if not is_running:
            continue
        if due and due < now:
            setattr(sla, f"{name}_breached", True)
            if name == "next_response":
                sla.next_response_breached_at = due
            setattr(sla, f"{name}_warned_at", warn or due)
        elif warn and warn <= now:
            setattr(sla, f"{name}_warned_at", warn)


def timeline_from_rows(created_at: datetime, messages, events) -> list[tuple]:
    """Merge a ticket's messages (author_type, public, is_automatic, created_at) and status
    events (actor_customer_id, new_value, created_at) into a replay timeline."""
    timeline = []
    for author_type, public, automatic, at in messages:
        if automatic or not public:
            continue  # auto-acknowledgements and internal notes move no clock
        if author_type == "agent":
            timeline.append((at, AGENT_REPLY, "agent", None))
        elif author_type == "customer" and at > created_at:  # the opening message is no reply
            timeline.append((at, CUSTOMER_MESSAGE, "customer", None))
    for customer_id, new, at in events:
        rank = CUSTOMER_STATUS if customer_id else OTHER_STATUS
        timeline.append((at, rank, "status", new))
    timeline.sort(key=lambda entry: (entry[0], entry[1]))
    return timeline


