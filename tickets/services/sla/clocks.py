"""The SLA clocks of a ticket, moved by the ticket services' hooks.

Rules (docs/metrics.md, "SLA"):
- first response: creation → first public agent reply;
- next response: from the customer's earliest unanswered message (after the first
  response) → the next public agent reply;
- resolution: creation → final solve. A reopen clears the stored figures and the
  clock runs on against the same due time, so the final figure is the business time
  from creation to the final solve.
All clocks pause while the ticket is pending (and on hold when the policy says so):
paused business time is excluded from the stored business figures and pushes the
due times of running clocks. Calendar figures are plain wall time.
"""

from __future__ import annotations

from datetime import datetime
from functools import cached_property

from helpdesk.models import User
from helpdesk.prepared import Prepared

from ...businesstime import CalendarSnapshot, add_business_seconds, business_seconds_between
from ...models import SLAPolicy, Ticket, TicketSLA
from ..events import record_event
from ..held import hold, holds, write_held
from .cache import calendar_snapshot, default_calendar_id
from .policies import active_policies, match_policy

Status = Ticket.Status

CLOCK_FIELDS = [
    "policy", "first_response_due_at", "first_response_warn_at", "next_response_due_at",
    "next_response_warn_at", "resolution_due_at", "resolution_warn_at",
    "first_response_breached", "next_response_breached", "next_response_breached_at",
    "resolution_breached", "first_response_business_seconds", "first_response_calendar_seconds",
    "resolution_business_seconds", "resolution_calendar_seconds", "paused_at",
    "paused_business_seconds", "first_response_warned_at", "next_response_warned_at",
    "resolution_warned_at", "updated_at",
]


def is_paused_status(status: str, policy: SLAPolicy | None) -> bool:
    if status == Status.PENDING:
        return True
    return status == Status.ON_HOLD and policy is not None and policy.pause_on_hold


# Every customer message and agent reply reads its ticket's clocks: the SQL is built
# once per process (helpdesk/prepared.py).
_sla_of = Prepared(lambda ticket_id: TicketSLA.objects.select_related("policy")
                   .filter(ticket_id=ticket_id))


class Clocks:
    """One ticket's TicketSLA with its policy and calendar, loaded on demand."""

    def __init__(self, ticket: Ticket, sla: TicketSLA) -> None:
        self.ticket, self.sla = ticket, sla
        # What was loaded, so save() writes only when a hook changed something.
        self.loaded = _clock_values(sla)

    @classmethod
    def load(cls, ticket: Ticket) -> Clocks | None:
        if holds(TicketSLA, ticket.pk):  # a new ticket's, held in the intake's batch
            write_held(TicketSLA)           # (tickets.services.held)
        sla = _sla_of.first(ticket.pk)
        return cls(ticket, sla) if sla else None

    @cached_property
    def cal(self) -> CalendarSnapshot | None:
        """The policy's calendar; without a policy the default one still measures figures."""
        policy = self.sla.policy
        calendar_id = policy.calendar_id if policy else default_calendar_id()
        # The per-process snapshot: its holiday tables are built once, not per ticket.
        return calendar_snapshot(calendar_id) if calendar_id else None

    def between(self, start: datetime, end: datetime) -> int:
        return business_seconds_between(self.cal, start, end) if self.cal else 0

    def _due(self, start: datetime, minutes: int | None, percent: int, extra: int
             ) -> datetime | None:
        if not minutes or self.cal is None:
            return None
        return add_business_seconds(self.cal, start, minutes * 60 * percent / 100 + extra)

    def paused_so_far(self, now: datetime) -> int:
        sla = self.sla
        running = self.between(sla.paused_at, now) if sla.paused_at else 0
        return sla.paused_business_seconds + running

    def set_due_times(self) -> None:
        """Due and warn times of the first-response and resolution clocks still running."""
        sla, policy, created = self.sla, self.sla.policy, self.ticket.created_at
        paused, warn = sla.paused_business_seconds, policy.warn_at_percent if policy else 100
        if sla.first_response_business_seconds is None and self.ticket.first_response_at is None:
            minutes = policy.first_response_minutes if policy else None
            sla.first_response_due_at = self._due(created, minutes, 100, paused)
            sla.first_response_warn_at = self._due(created, minutes, warn, paused)
        if sla.resolution_business_seconds is None:
            minutes = policy.resolution_minutes if policy else None
            sla.resolution_due_at = self._due(created, minutes, 100, paused)
            sla.resolution_warn_at = self._due(created, minutes, warn, paused)

    def start_next_response(self, since: datetime) -> None:
        sla, policy = self.sla, self.sla.policy
        minutes = policy.next_response_minutes if policy else None
        sla.next_response_due_at = self._due(since, minutes, 100, 0)
        sla.next_response_warn_at = self._due(since, minutes, policy.warn_at_percent if policy
                                              else 100, 0)
        sla.next_response_warned_at = sla.next_response_breached_at = None

    def pause(self, now: datetime) -> None:
        if self.sla.paused_at is None:
            self.sla.paused_at = now

    def resume(self, now: datetime) -> None:
        sla = self.sla
        if sla.paused_at is None:
            return
        span = self.between(sla.paused_at, now)
        sla.paused_business_seconds += span
        sla.paused_at = None
        self.set_due_times()
        if sla.next_response_due_at and self.cal:
            sla.next_response_due_at = add_business_seconds(self.cal, sla.next_response_due_at, span)
            if sla.next_response_warn_at:
                sla.next_response_warn_at = add_business_seconds(
                    self.cal, sla.next_response_warn_at, span)

    def stop_first_response(self, now: datetime) -> None:
        sla = self.sla
        if sla.first_response_business_seconds is not None:
            return
        business = self.between(self.ticket.created_at, now) - self.paused_so_far(now)
        sla.first_response_business_seconds = max(0, business) if self.cal else None
        sla.first_response_calendar_seconds = _calendar_seconds(self.ticket.created_at, now)
        if sla.first_response_due_at and now > sla.first_response_due_at:
            sla.first_response_breached = True

    def stop_next_response(self, now: datetime) -> None:
        sla = self.sla
        if sla.next_response_due_at and now > sla.next_response_due_at:
            sla.next_response_breached = True
            sla.next_response_breached_at = sla.next_response_breached_at or now
        sla.next_response_due_at = sla.next_response_warn_at = None

    def stop_resolution(self, now: datetime) -> None:
        sla = self.sla
        business = self.between(self.ticket.created_at, now) - sla.paused_business_seconds
        sla.resolution_business_seconds = max(0, business) if self.cal else None
        sla.resolution_calendar_seconds = _calendar_seconds(self.ticket.created_at, now)
        if sla.resolution_due_at and now > sla.resolution_due_at:
            sla.resolution_breached = True

    def save(self) -> None:
        """Write the clock fields, unless the hook changed none of them (a customer
        message on a new ticket, a note): then no UPDATE and updated_at stays."""
        values = _clock_values(self.sla)
        if values != self.loaded:
            self.sla.save(update_fields=CLOCK_FIELDS)
            self.loaded = values


def _clock_values(sla: TicketSLA) -> tuple:
    # Every clock field but updated_at, which save() sets; the policy by id.
    return (sla.policy_id, *(getattr(sla, name) for name in CLOCK_FIELDS
                             if name not in ("policy", "updated_at")))


def _calendar_seconds(start: datetime, end: datetime) -> int:
    return max(0, int((end - start).total_seconds()))


def start_clocks(*, ticket: Ticket, now: datetime) -> TicketSLA:
    """Create the ticket's TicketSLA with the first matching policy and its due times.

    Policy and calendar come from the per-process copy and the due times are
    computed before the row exists: one INSERT, no other query.
    """
    sla = TicketSLA(ticket=ticket, policy=match_policy(ticket))
    clocks = Clocks(ticket, sla)
    clocks.set_due_times()
    if is_paused_status(ticket.status, sla.policy):
        clocks.pause(now)
    if not hold(sla):  # held: written with the intake batch's others (tickets.services.held)
        sla.save(force_insert=True)
    return sla


def bulk_start_clocks(*, tickets: list[Ticket], now: datetime) -> list[TicketSLA]:
    """start_clocks for many new tickets at once (demo data, imports): one insert.

    Load the tickets with ``select_related("customer__organization")``: policies
    match on the organization's tier. Each calendar is loaded once.
    """
    policies, snapshots = active_policies(), {}
    rows = []
    for ticket in tickets:
        clocks = Clocks(ticket, TicketSLA(ticket=ticket, policy=match_policy(ticket, policies)))
        calendar_id = clocks.sla.policy.calendar_id if clocks.sla.policy else None
        if calendar_id not in snapshots:
            snapshots[calendar_id] = clocks.cal
        clocks.__dict__["cal"] = snapshots[calendar_id]
        clocks.set_due_times()
        if is_paused_status(ticket.status, clocks.sla.policy):
            clocks.pause(now)
        rows.append(clocks.sla)
    return TicketSLA.objects.bulk_create(rows, batch_size=1000)


def on_customer_message(*, ticket: Ticket, old_status: str, now: datetime) -> None:
    """A customer's (non-automatic) message: resume or reopen, start a next-response cycle."""
    clocks = Clocks.load(ticket)
    if clocks is None:
        return
    apply_status_change(clocks, old_status, now)
    # A new cycle starts only when nothing was awaiting a reply (the service just set
    # waiting_since) and the first response has happened (before it, that clock covers it).
    if ticket.first_response_at and ticket.waiting_since == now:
        clocks.start_next_response(now)
    clocks.save()


def on_agent_reply(*, ticket: Ticket, public: bool, now: datetime) -> None:
    """A public agent reply stops the first-response clock and the current next-response cycle."""
    if not public:
        return  # internal notes never count as a response
    clocks = Clocks.load(ticket)
    if clocks is None:
        return
    clocks.stop_first_response(now)
    clocks.stop_next_response(now)
    clocks.save()


def on_status_changed(*, ticket: Ticket, old: str, now: datetime) -> None:
    clocks = Clocks.load(ticket)
    if clocks is None or old == ticket.status:
        return
    apply_status_change(clocks, old, now)
    clocks.save()


def apply_status_change(clocks: Clocks, old: str, now: datetime) -> None:
    new, policy = clocks.ticket.status, clocks.sla.policy
    if old == new:
        return
    if is_paused_status(old, policy) and not is_paused_status(new, policy):
        clocks.resume(now)
    if new == Status.SOLVED:
        clocks.stop_resolution(now)
        clocks.stop_next_response(now)
    elif old == Status.SOLVED and new == Status.OPEN:
        # Reopened: the resolution clock runs on; the final solve stores the figures.
        clocks.sla.resolution_business_seconds = clocks.sla.resolution_calendar_seconds = None
    if new in Ticket.UNRESOLVED and is_paused_status(new, policy):
        clocks.pause(now)


def reevaluate_policy(*, ticket: Ticket, actor: User | None = None, now: datetime) -> None:
    """After a priority or team change: apply the policy that matches now.

    A different policy replaces the due times of the clocks still running (the
    paused time so far still pushes them) and is recorded as a TicketEvent.
    """
    clocks = Clocks.load(ticket)
    if clocks is None:
        clocks = Clocks(ticket, TicketSLA.objects.create(ticket=ticket))
    sla = clocks.sla
    policy = match_policy(ticket)
    if (policy.pk if policy else None) == sla.policy_id:
        return
    record_event(ticket=ticket, field="sla_policy", old=sla.policy_id, new=policy, actor=actor,
                 at=now)
    old_next_minutes = sla.policy.next_response_minutes if sla.policy else None
    sla.policy = policy
    clocks.__dict__.pop("cal", None)  # the new policy may count in another calendar
    clocks.set_due_times()
    if sla.next_response_due_at or (ticket.waiting_since and ticket.first_response_at
                                    and not old_next_minutes):
        breached_at = sla.next_response_breached_at  # one notification per cycle, still
        clocks.start_next_response(ticket.waiting_since or now)
        sla.next_response_breached_at = breached_at
    for field in ("first_response", "next_response", "resolution"):
        # A warning under the old target must not hide the one the new target gives.
        warn_at = getattr(sla, f"{field}_warn_at")
        if warn_at and warn_at > now:
            setattr(sla, f"{field}_warned_at", None)
    clocks.save()
