"""The built-in notifications as rules (docs/rules.md, "Default rules").

A data migration ships one trigger per notification of ``tickets.notifications``
(acknowledgement, agent reply, customer reply, assignment, solved notice) with a
``notify`` action, and the auto-close automation. A manager may switch any of
them off, or give a ``notify`` action their own subject and text (per language,
with placeholders); without texts the built-in templates are used, so a fresh
install sends exactly what it always did.

The guards that were in the senders stay with them: no acknowledgement of an
automatic message or when the agent unticked it, no assignment email to the agent
who assigned themselves, nothing to a bounced address.
"""

from __future__ import annotations

from django.utils import translation

from tickets import live, notifications
from tickets.models import Message, Ticket

from . import templating

TRIGGERS = [
    ("notify.acknowledgement", "Acknowledge new tickets", ["ticket.created"],
     {"all": [], "any": []}, "acknowledgement"),
    ("notify.agent_reply", "Email agents' replies to the customer", ["message.agent"],
     {"all": [], "any": []}, "agent_reply"),
    ("notify.customer_reply", "Tell the assignee (or team) about customer replies",
     ["message.customer"], {"all": [], "any": []}, "customer_reply"),
    ("notify.assigned", "Tell agents about tickets assigned to them",
     ["ticket.created", "ticket.assigned"],
     {"all": [{"field": "assignee", "op": "is_not", "value": None}], "any": []}, "assigned"),
    ("notify.solved", "Tell the customer their ticket is solved", ["ticket.solved"],
     {"all": [], "any": []}, "solved"),
]


def auto_close_rule(hours: int) -> dict:
    return {
        "name": "Close solved tickets after a quiet period",
        "kind": "automation", "events": [],
        "conditions": {"all": [{"field": "status", "op": "is", "value": "solved"},
                               {"field": "hours_since_solved", "op": "gt", "value": hours},
                               {"field": "hours_since_updated", "op": "gt", "value": hours}],
                       "any": []},
        "actions": [{"type": "set_status", "value": "closed"}],
    }


def _override(rule, ticket: Ticket, value: dict, message):
    """The rule's own texts as ``language -> (subject, body)``, or None for the templates."""
    if not value.get("subject") and not value.get("body"):
        return None

    def texts(language: str) -> tuple[str | None, str | None]:
        out = []
        for key in ("subject", "body"):
            if not value.get(key):
                out.append(None)
                continue
            text, used = templating.pick_language(value[key], language)
            with translation.override(used):
                out.append(templating.render(text, templating.values(
                    ticket, message=message, rule_name=rule.name)))
        return out[0], out[1]

    return texts


def _first_message(ticket: Ticket) -> Message | None:
    return Message.objects.filter(ticket=ticket).order_by("created_at", "pk").first()


def send_notification(*, rule, ticket: Ticket, value: dict, event, message) -> None:
    template = value["template"]
    # Live chat: the customer reads the reply in the chat, the agent the message (docs/live-chat.md).
    if template in ("agent_reply", "customer_reply") and live.ticket_is_live(ticket):
        return
    override = _override(rule, ticket, value, message)
    if template == "acknowledgement":
        if not event.extra.get("acknowledge", True):
            return
        first = message or _first_message(ticket)
        if first is None or first.is_automatic:
            return
        notifications.acknowledge_ticket(ticket=ticket, message=first, override=override)
    elif template == "agent_reply" and message is not None and message.public:
        notifications.agent_replied(ticket=ticket, message=message, override=override)
    elif template == "customer_reply" and message is not None:
        notifications.customer_replied(ticket=ticket, message=message, override=override)
    elif template == "assigned":
        actor = None
        if event.actor_id is not None:
            from helpdesk.models import User
            actor = User.objects.filter(pk=event.actor_id).first()
        notifications.ticket_assigned(ticket=ticket, actor=actor, override=override)
    elif template == "solved":
        notifications.ticket_solved(ticket=ticket, override=override)
