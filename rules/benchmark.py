"""Benchmark bodies for ``manage.py bench`` (demo/bench/cases.py).

``trigger_evaluation``: 200 active triggers of the kinds managers write (channel,
priority, team, subject and body words, tags, customer domain, tier, hours since
created), compiled as the engine compiles them, evaluated on one ticket event:
the ticket is loaded, tags and message text are read once each, no rule matches
(so the time is evaluation, not the actions' writes).

``automation_queries`` and ``automation_pass``: the active automations plus three
typical ones (pending reminder, unassigned for 30 business minutes, stale urgent)
over every ticket, inside the bench's rolled-back transaction.
"""

from __future__ import annotations

from django.utils import timezone

from . import automations, conditions, engine
from .models import Rule

_WORDS = ["refund", "invoice", "crash", "login", "password", "gdpr", "outage", "billing"]


def _conditions(i: int) -> dict:
    variants = [
        [{"field": "channel", "op": "is", "value": "social"},
         {"field": "subject", "op": "contains", "value": f"zz{i}"}],
        [{"field": "priority", "op": "in", "value": ["urgent"]},
         {"field": "body", "op": "contains", "value": f"{_WORDS[i % 8]}-{i}"}],
        [{"field": "tags", "op": "contains", "value": f"bench-tag-{i}"}],
        [{"field": "customer_domain", "op": "is", "value": f"bench{i}.example"}],
        [{"field": "organization_tier", "op": "is", "value": "enterprise"},
         {"field": "hours_since_created", "op": "lt", "value": 0.0001}],
    ]
    return {"all": variants[i % len(variants)], "any": []}


def bench_triggers(count: int) -> list[engine.CompiledRule]:
    return [engine.compile_rule(Rule(pk=-(i + 1), name=f"Bench {i}", kind="trigger",
                                     events=["ticket.updated"], conditions=_conditions(i),
                                     actions=[{"type": "add_tags", "value": ["bench"]}]))
            for i in range(count)]


def predicates_only(*, ticket_id: int, count: int = 200):
    """The rules' share alone: 200 predicates over facts already read."""
    rules = bench_triggers(count)
    ticket = engine.load_ticket(ticket_id)
    facts = conditions.Facts(ticket=ticket, event=engine.Event("ticket.updated", ticket_id),
                             now=timezone.now())
    for name in ("tags", "body"):
        facts.get(name)

    def action() -> int:
        return 200 if not any(rule.test(facts) for rule in rules) else 500

    return action


def trigger_evaluation(*, ticket_id: int, count: int = 200):
    rules = bench_triggers(count)

    def action() -> int:
        ticket = engine.load_ticket(ticket_id)
        fired = engine.evaluate(ticket, engine.Event("ticket.updated", ticket_id), rules,
                                engine.Chain())
        return 200 if not fired else 500

    return action


def _bench_automations() -> list[Rule]:
    extra = [
        ("Bench: remind pending", [{"field": "hours_since_pending", "op": "gt", "value": 72}],
         [{"type": "add_note", "value": "reminder"}]),
        ("Bench: unassigned 30 business minutes",
         [{"field": "business_hours_since_created", "op": "gt", "value": 0.5},
          {"field": "assignee", "op": "is", "value": None},
          {"field": "status", "op": "in", "value": ["new", "open"]}],
         [{"type": "add_tags", "value": ["unassigned-alert"]}]),
        ("Bench: stale urgent", [{"field": "hours_since_updated", "op": "gt", "value": 24},
                                 {"field": "priority", "op": "is", "value": "urgent"}],
         [{"type": "set_priority", "value": "high"}]),
    ]

    return [Rule(pk=-(i + 1), name=name, kind="automation",
                 conditions={"all": conditions, "any": []}, actions=actions)
            for i, (name, conditions, actions) in enumerate(extra)]


def automation_queries():
    """Every active automation and the three above: the queries of one pass (candidates,
    reset firings, due tickets), without acting on the tickets."""
    def action() -> int:
        rules = [*Rule.objects.filter(kind=Rule.Kind.AUTOMATION, active=True),
                 *_bench_automations()]
        now = timezone.now()
        for rule in rules:
            automations.due_ticket_ids(rule, now=now)
        return 200

    return action


def automation_pass(batch: int = 10):
    """A full pass acting on at most ``batch`` tickets per automation (rolled back)."""
    def action() -> int:
        for rule in _bench_automations():
            rule.pk = None
            rule.save()
        automations.run_automations(now=timezone.now(), batch=batch)
        return 200

    return action
