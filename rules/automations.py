"""Automations: time rules run by the beat task ``rules.tasks.run_automations``.

A run never walks the tickets table. Each automation's conditions become one SQL
query: time conditions turn into comparisons of indexed columns with a cutoff
("hours since solved > 96" is ``solved_at <= now - 96 h``), the other fields into
plain filters, and tickets it already fired on are excluded through the
``RuleFiring`` unique pair. Only the tickets that query returns (at most
``BATCH`` per rule and run) are loaded, checked once more by the same Python
predicate the triggers use (the authority, also for conditions SQL cannot say),
marked fired, and acted on.

Firing rows are deleted once their ticket no longer matches, so the automation
may fire again when its condition holds anew ("until the condition resets").
Closed tickets are final and never considered.
"""

from __future__ import annotations

import logging
from contextlib import suppress
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from tickets.businesstime import business_us_between
from tickets.models import Ticket, TicketEvent

from . import conditions as conditions_module
from . import engine
from .models import Rule, RuleFiring
from .schema import FIELDS

logger = logging.getLogger(__name__)

BATCH = 1000
OPEN_STATUSES = [s for s in Ticket.Status.values if s != Ticket.Status.CLOSED]
# Conditions SQL can say; the others are left to the Python predicate.
_COLUMNS = {"channel": "channel", "status": "status", "priority": "priority",
            "team": "team_id", "assignee": "assignee_id", "organization": "customer__organization_id",
            "organization_tier": "customer__organization__tier", "language": "customer__language",
            "subject": "subject", "customer_email": "customer__email"}


def business_cutoff(calendar, now: datetime, hours: float) -> datetime:
    """The latest instant with ``hours`` of working time between it and ``now``.

    Business time only grows going back, so: widen a window (doubling from the
    calendar span, which is never too wide) until it holds enough working time, then
    halve it down to the microsecond. Short windows keep each step cheap."""
    wanted = round(hours * 3600 * 1_000_000)
    span, limit, hi = timedelta(hours=max(hours, 1 / 60)), timedelta(days=366 * 5), now
    while business_us_between(calendar, now - span, now) < wanted:
        if span >= limit:
            return now - limit
        hi, span = now - span, span * 2  # not enough that far back: the cutoff is earlier
    lo = now - span
    while hi - lo > timedelta(microseconds=1):
        mid = lo + (hi - lo) / 2
        if business_us_between(calendar, mid, now) >= wanted:
            lo = mid
        else:
            hi = mid
    return lo


class _Untranslatable(Exception):
    pass


def _cutoff(spec, hours: float, now: datetime) -> datetime:
    if spec.business:
        calendar = conditions_module.default_calendar()
        if calendar is not None:
            return business_cutoff(calendar, now, hours)
    return now - timedelta(hours=hours)


def _time_q(spec, op: str, hours: float, now: datetime) -> Q:
    cutoff = _cutoff(spec, hours, now)
    if spec.column == "pending":
        # Pending since its latest status change: no status event after the cutoff
        # (event_ticket_created_idx answers each probe).
        later = Exists(TicketEvent.objects.filter(ticket_id=OuterRef("pk"), field="status",
                                                  created_at__gt=cutoff))
        return Q(status=Ticket.Status.PENDING) & (~later if op == "gt" else later)
    column = spec.column
    if op == "gt":
        return Q(**{f"{column}__lte": cutoff})
    return Q(**{f"{column}__gt": cutoff})


def _condition_q(condition: dict, now: datetime) -> Q:
    name, op, value = condition["field"], condition["op"], condition["value"]
    spec = FIELDS.get(name)
    if spec is None:  # a custom field ("field.<key>"): left to the Python predicate
        raise _Untranslatable(name)
    if spec.kind == "hours":
        return _time_q(spec, op, value, now)
    if name == "tags":
        names = value if op == "in" else [value]
        has = Exists(Ticket.tags.through.objects.filter(ticket_id=OuterRef("pk"),
                                                        tag__name__in=names))
        return ~has if op == "not_contains" else has
    column = _COLUMNS.get(name)
    if column is None:
        raise _Untranslatable(name)
    if spec.kind == "text":
        lookups = {"is": "iexact", "is_not": "iexact", "contains": "icontains",
                   "not_contains": "icontains"}
        if op == "in":
            q = Q()
            for item in value:
                q |= Q(**{f"{column}__iexact": item})
            return q
        q = Q(**{f"{column}__{lookups[op]}": value})
        return ~q if op in ("is_not", "not_contains") else q
    if name == "organization_tier" and "" in (value if op == "in" else [value]):
        raise _Untranslatable(name)  # "no organization" is a null, left to Python
    if op == "in":
        return Q(**{f"{column}__in": value})
    q = Q(**{f"{column}__isnull": True}) if value is None else Q(**{column: value})
    return ~q if op == "is_not" else q


def candidates(rule: Rule, now: datetime) -> QuerySet:
    """The tickets the rule may fire on now, as one query (not yet fired, not closed)."""
    query = Ticket.objects.filter(status__in=OPEN_STATUSES)
    for condition in rule.conditions.get("all", []):
        with suppress(_Untranslatable):
            query = query.filter(_condition_q(condition, now))
    any_q = Q()
    try:
        for condition in rule.conditions.get("any", []):
            any_q |= _condition_q(condition, now)
        if any_q:
            query = query.filter(any_q)
    except _Untranslatable:
        pass
    return query


def _reset(rule: Rule, matching: QuerySet) -> int:
    """Forget firings whose ticket no longer matches, so the rule may fire again."""
    fired = list(RuleFiring.objects.filter(rule=rule).values_list("ticket_id", flat=True))
    reset = 0
    for start in range(0, len(fired), BATCH):
        chunk = fired[start:start + BATCH]
        still = set(matching.filter(pk__in=chunk).values_list("pk", flat=True))
        gone = [pk for pk in chunk if pk not in still]
        if gone:
            reset += RuleFiring.objects.filter(rule=rule, ticket_id__in=gone).delete()[0]
    return reset


def due_ticket_ids(rule: Rule, *, now: datetime, batch: int = BATCH) -> list[int]:
    """Forget reset firings, then the ids of (at most ``batch``) tickets the rule is due
    on: the queries of a run, without acting."""
    matching = candidates(rule, now)
    _reset(rule, matching)
    return list(matching.exclude(Exists(RuleFiring.objects.filter(rule=rule,
                                                                   ticket_id=OuterRef("pk"))))
                .order_by("pk").values_list("pk", flat=True)[:batch])


def run_automation(rule: Rule, *, now: datetime, batch: int = BATCH) -> int:
    compiled = engine.compile_rule(rule)
    ids = due_ticket_ids(rule, now=now, batch=batch)
    fired = 0
    for ticket_id in ids:
        ticket = engine.load_ticket(ticket_id)
        event = engine.Event("automation", ticket_id)
        if ticket is None or not compiled.test(conditions_module.Facts(ticket=ticket, event=event,
                                                                      now=now)):
            continue
        try:
            with transaction.atomic():
                RuleFiring.objects.create(rule=rule, ticket_id=ticket_id, fired_at=now)
        except IntegrityError:  # another run fired it meanwhile
            continue
        engine.evaluate(ticket, event, [compiled], engine.Chain(), now=now)
        fired += 1
    return fired


def run_automations(*, now: datetime | None = None, batch: int = BATCH) -> dict[str, int]:
    """Run every active automation once; how many tickets each fired on."""
    now = now or timezone.now()
    results = {}
    for rule in Rule.objects.filter(kind=Rule.Kind.AUTOMATION, active=True).order_by("position",
                                                                                     "pk"):
        try:
            results[rule.name] = run_automation(rule, now=now, batch=batch)
        except Exception:
            logger.exception("automation %s failed", rule.pk)
            results[rule.name] = 0
    return results
