"""Conditions compiled to Python predicates over one ticket event (``Facts``).

``Facts`` reads each value once and only when a rule asks for it: the tags and the
message text each cost a query, so they are loaded on first use.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.db.models import Max

from tickets.businesstime import business_seconds_between
from tickets.models import Message, Ticket, TicketEvent
from tickets.services.sla.cache import calendar_snapshot, default_calendar_id

from .schema import CUSTOM_KINDS, CUSTOM_PREFIX, FIELDS, field_spec

_MISSING = object()


def default_calendar():
    calendar_id = default_calendar_id()
    return calendar_snapshot(calendar_id) if calendar_id else None


def within_business_hours(now: datetime) -> bool:
    """Whether ``now`` is working time in the default calendar (always, without one)."""
    calendar = default_calendar()
    if calendar is None:
        return True
    day = now.astimezone(calendar.tz).date()
    moment = int(now.timestamp() * 1_000_000)
    return any(a <= moment < b for a, b in calendar.day_intervals(day))


class Facts:
    """The values conditions look at, for one ticket at one event."""

    def __init__(self, *, ticket: Ticket, event, now: datetime):
        self.ticket, self.event, self.now = ticket, event, now
        self._cache: dict[str, object] = {}

    def ticket_changed(self, ticket: Ticket) -> None:
        """A rule changed the ticket: later rules of the same event see the new values."""
        self.ticket = ticket
        self._cache.clear()

    def get(self, name: str):
        value = self._cache.get(name, _MISSING)
        if value is _MISSING:
            value = self._cache[name] = self._read(name)
        return value

    def _read(self, name: str):
        t = self.ticket
        customer = t.customer
        if name in ("channel", "status", "priority"):
            return getattr(t, name)
        if name == "team":
            return t.team_id
        if name == "assignee":
            return t.assignee_id
        if name == "tags":
            return set(t.tags.values_list("name", flat=True))
        if name == "subject":
            return t.subject
        if name == "body":
            return self._body()
        if name == "customer_email":
            return customer.email
        if name == "customer_domain":
            return customer.email.rsplit("@", 1)[-1].lower()
        if name == "organization":
            return customer.organization_id
        if name == "organization_tier":
            return customer.organization.tier if customer.organization_id else ""
        if name == "language":
            return customer.language
        if name == "business_hours":
            return within_business_hours(self.now)
        if name == "changed":
            return self._changed()
        if name == "__custom_values":
            return self._custom_values()
        if name == "survey_score":
            return self.event.extra.get("score")
        if name.startswith(CUSTOM_PREFIX):
            return self._custom(name)
        spec = FIELDS[name]
        if spec.kind == "hours":
            return self._hours(spec)
        raise KeyError(name)

    def _changed(self) -> set[str]:
        """Fields this event changed; at creation every field that has a value."""
        event, t = self.event, self.ticket
        if event.name == "ticket.created":
            names = {"status", "priority"}
            names |= {n for n, v in (("team", t.team_id), ("assignee", t.assignee_id)) if v}
            return names | ({"tags"} if self.get("tags") else set())
        if event.name == "ticket.assigned":
            return {"assignee"}
        if event.name in ("ticket.solved", "ticket.closed", "ticket.reopened"):
            return {"status"}
        return set(event.changes)

    def _custom(self, name: str):
        """A custom field's value as its condition kind compares it; the ticket's custom
        values and the fields' types are read once per event (two queries)."""
        types, values = self.get("__custom_values")
        key = name[len(CUSTOM_PREFIX):]
        kind = CUSTOM_KINDS.get(types.get(key, "text"), "text")
        found = values.get(key, [])
        if kind == "tags":
            return set(found)
        if kind == "bool":
            return found == ["true"]
        if kind == "number":
            return float(found[0]) if found else None
        return found[0] if found else ""

    def _custom_values(self) -> tuple[dict[str, str], dict[str, list[str]]]:
        from tickets.models import CustomField, TicketFieldValue

        types = dict(CustomField.objects.values_list("key", "type"))
        values: dict[str, list[str]] = {}
        for key, value in (TicketFieldValue.objects.filter(ticket_id=self.ticket.pk)
                           .values_list("field__key", "value")):
            values.setdefault(key, []).append(value)
        return types, values

    def _body(self) -> str:
        query = Message.objects.filter(ticket_id=self.ticket.pk)
        if self.event.message_id is not None:
            query = query.filter(pk=self.event.message_id)
        else:  # the customer's latest words
            query = query.filter(author_type=Message.Author.CUSTOMER).order_by("-created_at", "-pk")
        return query.values_list("body_text", flat=True).first() or ""

    def _pending_since(self) -> datetime | None:
        """When a pending ticket became pending: its latest status event."""
        if self.ticket.status != Ticket.Status.PENDING:
            return None
        # An aggregate, not ORDER BY … LIMIT 1: the latter tempts PostgreSQL to walk the
        # (field, created_at) index of every ticket's status events backwards.
        return (TicketEvent.objects.filter(ticket_id=self.ticket.pk, field="status")
                .aggregate(since=Max("created_at"))["since"])

    def _hours(self, spec) -> float | None:
        t = self.ticket
        start = self._pending_since() if spec.column == "pending" else getattr(t, spec.column)
        if start is None:
            return None
        if spec.business:
            calendar = default_calendar()
            if calendar is not None:
                return business_seconds_between(calendar, start, self.now) / 3600
        return (self.now - start).total_seconds() / 3600


def _fold(value):
    return value.casefold() if isinstance(value, str) else value


def _predicate(name: str, op: str, value) -> Callable[[Facts], bool]:
    kind = field_spec(name).kind
    if kind == "text":
        wanted = [_fold(v) for v in value] if op == "in" else _fold(value)
        tests = {
            "is": lambda a: a == wanted,
            "is_not": lambda a: a != wanted,
            "contains": lambda a: wanted in a,
            "not_contains": lambda a: wanted not in a,
            "in": lambda a: a in wanted,
        }
        test = tests[op]
        return lambda facts: test(_fold(facts.get(name) or ""))
    if kind == "tags":
        wanted_set = set(value) if op == "in" else {value}
        if op == "not_contains":
            return lambda facts: not (wanted_set & facts.get(name))
        return lambda facts: bool(wanted_set & facts.get(name))
    if kind in ("hours", "number"):
        def compare(facts: Facts) -> bool:
            actual = facts.get(name)
            if actual is None:
                return False
            return {"gt": actual > value, "lt": actual < value,
                    "is": actual == value, "is_not": actual != value}[op]
        return compare
    # choice, id, bool
    if op == "in":
        allowed = set(value)
        return lambda facts: facts.get(name) in allowed
    if op == "is_not":
        return lambda facts: facts.get(name) != value
    return lambda facts: facts.get(name) == value


def compile_conditions(conditions: dict) -> tuple[Callable[[Facts], bool], frozenset[str]]:
    """One predicate for the rule: every "all" condition and, if any, one "any"."""
    all_tests = [_predicate(c["field"], c["op"], c["value"]) for c in conditions.get("all", [])]
    any_tests = [_predicate(c["field"], c["op"], c["value"]) for c in conditions.get("any", [])]
    needs = frozenset(c["field"] for group in ("all", "any") for c in conditions.get(group, []))

    def test(facts: Facts) -> bool:
        return (all(t(facts) for t in all_tests)
                and (not any_tests or any(t(facts) for t in any_tests)))

    return test, needs
