"""Every change of rules, and the entry for ticket events. Views, API and receivers call these."""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from helpdesk.prepared import Prepared
from tickets.models import Message

from . import engine
from .models import Rule
from .schema import validate_rule

logger = logging.getLogger(__name__)

EDITABLE = ("name", "kind", "events", "conditions", "actions", "active", "position")


def handle_ticket_event(event: engine.Event,
                        rules: list[engine.CompiledRule] | None = None) -> list[str]:
    """Run the triggers of one ticket event (``rules``: its triggers, when the caller
    has just looked them up). A bug in a rule is logged, never raised: the change that
    caused the event has committed and must stand."""
    try:
        return engine.handle_event(event, rules)
    except Exception:
        logger.exception("rules failed on %s for ticket %s", event.name, event.ticket_id)
        return []


# The first message of a ticket, asked on every reply whose sender did not say: its SQL
# is built once per process (helpdesk/prepared.py).
_first_message = Prepared(lambda ticket_id: Message.objects.filter(ticket_id=ticket_id)
                          .order_by("created_at", "pk").values_list("pk", flat=True))


def handle_customer_message(*, ticket_id: int, message_id: int, is_automatic: bool | None = None,
                            first: bool | None = None) -> list[str]:
    """``message.customer``: a customer's message on an existing ticket. The first
    message of a ticket is its ``ticket.created``; automatic replies (out of office)
    fire nothing, as they never notified anyone.

    ``is_automatic`` and ``first`` come with the signal when its sender knew them
    (``open_ticket``: the first message; a new ticket's mail costs no query here);
    None means "not told", and the message is read."""
    if first or is_automatic:
        return []
    rules = engine.triggers_by_event().get("message.customer")
    if not rules:
        return []
    if is_automatic is None:
        row = (Message.objects.filter(pk=message_id)
               .values_list("is_automatic", "ticket_id").first())
        if row is None or row[0]:
            return []
    if first is None:
        first_id = _first_message.first(ticket_id)
        if first_id == message_id:
            return []
    return handle_ticket_event(engine.Event("message.customer", ticket_id, message_id=message_id),
                               rules)


def _next_position(kind: str) -> int:
    top = Rule.objects.filter(kind=kind).aggregate(top=Max("position"))["top"]
    return 0 if top is None else top + 1


@transaction.atomic
def create_rule(*, name: str, kind: str, events, conditions, actions, active: bool = True,
                position: int | None = None, actor=None) -> Rule:
    """Validate and store a rule; without a position it goes last among its kind."""
    cleaned = validate_rule(kind=kind, events=events, conditions=conditions, actions=actions)
    now = timezone.now()
    rule = Rule.objects.create(
        name=name.strip(), kind=kind, active=active, created_by=actor, updated_by=actor,
        position=_next_position(kind) if position is None else position,
        created_at=now, updated_at=now, **cleaned)
    return rule


@transaction.atomic
def update_rule(*, rule: Rule, actor=None, **changes) -> Rule:
    """Change some of a rule's parts; the whole rule is validated again."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    for name, value in changes.items():
        setattr(rule, name, value.strip() if name == "name" else value)
    cleaned = validate_rule(kind=rule.kind, events=rule.events, conditions=rule.conditions,
                            actions=rule.actions)
    for name, value in cleaned.items():
        setattr(rule, name, value)
    rule.updated_by, rule.updated_at = actor, timezone.now()
    rule.save(update_fields=sorted({*changes, *cleaned, "updated_by", "updated_at"}))
    return rule


def delete_rule(*, rule: Rule) -> None:
    rule.delete()


@transaction.atomic
def move_rule(*, rule: Rule, direction: str, actor=None) -> Rule:
    """Swap the rule with its neighbour above ("up") or below ("down") in its kind's order.

    Positions are renumbered 0..n-1 first, so equal positions (rules created with
    the same number through the API) still move one step."""
    ordered = list(Rule.objects.select_for_update().filter(kind=rule.kind)
                   .order_by("position", "pk"))
    index = next(i for i, r in enumerate(ordered) if r.pk == rule.pk)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(ordered):
        ordered[index], ordered[other] = ordered[other], ordered[index]
    now = timezone.now()
    for position, item in enumerate(ordered):
        if item.position != position:
            item.position, item.updated_at = position, now
            item.save(update_fields=["position", "updated_at"])
    engine.bump_version()
    return next(r for r in ordered if r.pk == rule.pk)


def set_rule_active(*, rule: Rule, active: bool, actor=None) -> Rule:
    rule.active, rule.updated_by, rule.updated_at = active, actor, timezone.now()
    rule.save(update_fields=["active", "updated_by", "updated_at"])
    return rule

