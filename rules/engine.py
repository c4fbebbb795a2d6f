"""Running triggers on ticket events.

Rules are compiled once per process into predicates and kept until the rules
version changes (``bump_version`` on every save or delete, stored in the shared
cache so every web and worker process sees it). An event then costs one cache
read, one query for the ticket and, only when some rule looks at them, one for
its tags and one for its message — never a query per rule.

Chains. A rule's actions change the ticket through ``apply_ticket_changes``,
whose signals (after commit) are events again. The chain of such events carries
its depth and the set of (rule, event) pairs that fired: a rule fires at most once
per event per ticket in a chain, and past ``MAX_DEPTH`` matching rules are
recorded as stopped instead of run. The chain travels from the actions to the
receivers through ``_chains`` (see ``chained``): the actions register it with an
on-commit callback placed before theirs, so the receivers find it whether the
callbacks run at once (production, after commit) or later in order (tests).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from helpdesk import versioned
from helpdesk.prepared import Prepared
from tickets.models import Message, Ticket
from tickets.services import record_event
from tickets.services.written import committed_ticket, event_tickets, written_message

from . import conditions
from .models import Rule

logger = logging.getLogger(__name__)

#: Changes made by rules re-trigger rules up to this depth (0 = the person's change).
MAX_DEPTH = 3
VERSION_KEY = "rules:version"


@dataclass
class Chain:
    """One originating event and everything rules did in reaction to it."""

    fired: set[tuple[int, str]] = field(default_factory=set)


@dataclass
class Event:
    name: str
    ticket_id: int
    depth: int = 0
    actor_id: int | None = None
    changes: dict = field(default_factory=dict)
    message_id: int | None = None
    extra: dict = field(default_factory=dict)


@dataclass
class CompiledRule:
    id: int
    name: str
    events: frozenset[str]
    test: Callable[[conditions.Facts], bool]
    actions: list[dict]
    needs: frozenset[str]

    @property
    def quiet(self) -> bool:
        """Only built-in notifications: their emails are in the outbox and were never
        history lines, so a firing is not written either (a line per reply is noise)."""
        return all(a["type"] == "notify" for a in self.actions)


# Per-process copy of the compiled triggers: (version, {event: [rules in order]}).
_compiled: list[tuple[object, dict[str, list[CompiledRule]]]] = []
_lock = threading.Lock()


def bump_version() -> None:
    """Every process recompiles its rules on its next event."""
    versioned.bump(VERSION_KEY)
    _compiled.clear()


def _version() -> str:
    """The shared version of the rules (helpdesk/versioned.py). Without a cache that
    answers (Redis down) every event gets a version of its own, so the rules are read
    afresh: one query, never stale."""
    return versioned.current(VERSION_KEY)


def compile_rule(rule: Rule) -> CompiledRule:
    test, needs = conditions.compile_conditions(rule.conditions)
    return CompiledRule(id=rule.pk, name=rule.name, events=frozenset(rule.events), test=test,
                        actions=list(rule.actions), needs=needs)


def triggers_by_event() -> dict[str, list[CompiledRule]]:
    """The active triggers per event, in position order (one query when the version moved)."""
    version = _version()
    if _compiled and _compiled[0][0] == version:
        return _compiled[0][1]
    with _lock:
        by_event: dict[str, list[CompiledRule]] = {}
        rules = Rule.objects.filter(kind=Rule.Kind.TRIGGER, active=True).order_by("position", "pk")
        for rule in rules:
            try:
                compiled = compile_rule(rule)
            except Exception:  # a rule stored before a validation change: skip, never crash
                logger.exception("rule %s does not compile; skipped", rule.pk)
                continue
            for name in compiled.events:
                by_event.setdefault(name, []).append(compiled)
        _compiled[:] = [(version, by_event)]
    return by_event


# Chains in flight, per thread and ticket (a stack: chains may nest). An entry lives
# for the few milliseconds between an action's commit and its signals; should another
# receiver raise and skip the pop, the entry expires instead of adopting later events.
_local = threading.local()
CHAIN_TTL_SECONDS = 30


def _chains() -> dict[int, list[tuple[Chain, int, float]]]:
    if not hasattr(_local, "chains"):
        _local.chains = {}
    return _local.chains


def chained(ticket_id: int, chain: Chain, depth: int) -> None:
    """Call inside the transaction of a rule's action, before the action: the events
    it causes are handled as part of ``chain`` at ``depth``."""
    transaction.on_commit(lambda: _chains().setdefault(ticket_id, []).append(
        (chain, depth, time.monotonic())))


def unchained(ticket_id: int) -> None:
    """Call at the end of that transaction (its callbacks run after the action's)."""
    def pop() -> None:
        stack = _chains().get(ticket_id)
        if stack:
            stack.pop()
            if not stack:
                del _chains()[ticket_id]
    transaction.on_commit(pop)


def current_chain(ticket_id: int) -> tuple[Chain, int] | None:
    stack = _chains().get(ticket_id)
    while stack and time.monotonic() - stack[-1][2] > CHAIN_TTL_SECONDS:
        stack.pop()
    return stack[-1][:2] if stack else None


# The search document can be large and no rule reads it. Every event reads its ticket
# and most their message, following relations whose SQL costs the ORM more to build
# than the database to answer: built once per process (helpdesk/prepared.py). Not one
# query joining both: PostgreSQL took 2.5 ms to plan that seven-table join, against
# 0.5 ms for the two (docs/performance.md, "Email intake").
_ticket = Prepared(lambda pk: event_tickets().filter(pk=pk))
_message = Prepared(lambda pk: Message.objects.select_related("author_user").filter(pk=pk))


def load_ticket(ticket_id: int) -> Ticket | None:
    # The first read of a ticket the email intake's batch has just committed is answered
    # from the batch's one read of them all (tickets.services.written).
    return committed_ticket(ticket_id) or _ticket.first(ticket_id)


def handle_event(event: Event, rules: list[CompiledRule] | None = None) -> list[str]:
    """Run the active triggers of ``event`` on its ticket; the names of those that fired.

    ``rules``: the event's triggers when the caller has just looked them up (one read
    of the shared version per event, not two)."""
    if rules is None:
        rules = triggers_by_event().get(event.name)
    if not rules:
        return []
    in_flight = current_chain(event.ticket_id)
    if in_flight is not None:
        chain, depth = in_flight
        event.depth = max(event.depth, depth)
    else:
        chain = Chain()
    ticket = load_ticket(event.ticket_id)
    if ticket is None:
        return []
    return evaluate(ticket, event, rules, chain)


def evaluate(ticket: Ticket, event: Event, rules: list[CompiledRule], chain: Chain,
             now: datetime | None = None) -> list[str]:
    from .actions import run_actions  # actions import the engine's chain helpers

    now = now or timezone.now()
    facts = conditions.Facts(ticket=ticket, event=event, now=now)
    fired = []
    for rule in rules:
        key = (rule.id, event.name)
        if key in chain.fired or not rule.test(facts):
            continue
        chain.fired.add(key)
        if event.depth > MAX_DEPTH:
            record_event(ticket=ticket, field="rule_stopped", old=event.name, new=rule.name, at=now)
            continue
        if not rule.quiet:
            record_event(ticket=ticket, field="rule", old=event.name, new=rule.name, at=now)
        fired.append(rule.name)
        run_actions(rule=rule, ticket=ticket, event=event, chain=chain, facts=facts)
        facts.ticket_changed(ticket)
    return fired


def event_message(event: Event) -> Message | None:
    if event.message_id is None:
        return None
    # The email intake's batch has just written it (tickets.services.written).
    return written_message(event.message_id) or _message.first(event.message_id)
