"""What a rule does when it fires.

Field actions (team, assignee, priority, status, tags) of one rule are applied
together through ``apply_ticket_changes`` (source "rule"); should that change set
be refused (an inactive assignee, a deleted team), each action is tried alone so
the others still apply, and every failure is written to the ticket's history. A
failure never reaches the change that fired the rule: that was committed before.
"""

from __future__ import annotations

import contextlib
import logging

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from helpdesk import outbox
from helpdesk.models import User
from helpdesk.outbox import queue_email
from tickets import notifications
from tickets.email_tokens import make_reply_address
from tickets.models import Team, Ticket
from tickets.services import add_internal_note, record_event
from tickets.services.changes import apply_ticket_changes

from . import engine, templating
from .schema import EMAIL_ACTIONS

logger = logging.getLogger(__name__)

FIELD_ACTIONS = ("set_team", "set_assignee", "set_priority", "set_status", "add_tags",
                 "remove_tags", "set_field")


class ActionFailed(Exception):
    pass


def _message_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(str(m) for m in exc.messages)
    return str(exc) or exc.__class__.__name__


def _fail(ticket: Ticket, rule, action: str, exc: Exception) -> None:
    record_event(ticket=ticket, field="rule_failed", old=rule.name,
                 new=f"{action}: {_message_text(exc)}")


def _change(kind: str, value) -> dict:
    """One field action as a change-set entry for ``apply_ticket_changes``."""
    if kind == "set_team":
        if value is None:
            return {"team": None}
        team = Team.objects.filter(pk=value).first()
        if team is None:
            raise ActionFailed(_("team %(id)s no longer exists") % {"id": value})
        return {"team": team}
    if kind == "set_assignee":
        if value is None:
            return {"assignee": None}
        user = User.objects.filter(pk=value).first()
        if user is None:
            raise ActionFailed(_("user %(id)s no longer exists") % {"id": value})
        if not user.is_active:
            raise ActionFailed(_("%(name)s is not active") % {"name": user})
        return {"assignee": user}
    if kind == "set_priority":
        return {"priority": value}
    if kind == "set_status":
        return {"status": value}
    if kind == "add_tags":
        return {"add_tags": value}
    if kind == "set_field":  # a custom field (docs/custom-fields.md)
        return {"fields": {value["field"]: value["value"]}}
    return {"remove_tags": value}


def _apply(ticket: Ticket, changes: dict, event, chain) -> Ticket:
    with transaction.atomic():
        engine.chained(ticket.pk, chain, event.depth + 1)
        result = apply_ticket_changes(ticket=ticket, changes=changes, actor=None, source="rule",
                                      depth=event.depth + 1)
        engine.unchained(ticket.pk)
    return result.ticket


def _field_actions(rule, ticket: Ticket, actions: list[dict], event, chain) -> Ticket:
    entries = []
    for action in actions:
        try:
            entries.append((action["type"], _change(action["type"], action["value"])))
        except ActionFailed as exc:
            _fail(ticket, rule, action["type"], exc)
    if not entries:
        return ticket
    combined: dict = {}
    for _kind, change in entries:
        for key, value in change.items():
            if key in ("add_tags", "remove_tags"):
                combined[key] = [*combined.get(key, []), *value]
            elif key == "fields":
                combined[key] = {**combined.get(key, {}), **value}
            else:
                combined[key] = value
    try:
        return _apply(ticket, combined, event, chain)
    except (ValidationError, PermissionDenied, ObjectDoesNotExist):
        pass
    # Refused as a whole: apply one by one so only the failing action is lost.
    for kind, change in entries:
        try:
            ticket = _apply(ticket, change, event, chain)
        except (ValidationError, PermissionDenied, ObjectDoesNotExist) as exc:
            _fail(ticket, rule, kind, exc)
    return ticket


def run_actions(*, rule, ticket: Ticket, event, chain, facts) -> None:
    field_actions = [a for a in rule.actions if a["type"] in FIELD_ACTIONS]
    if field_actions:
        ticket = _field_actions(rule, ticket, field_actions, event, chain)
        ticket = engine.load_ticket(ticket.pk) or ticket
        facts.ticket_changed(ticket)
    message = None
    for action in rule.actions:
        kind = action["type"]
        if kind in FIELD_ACTIONS:
            continue
        if message is None and event.message_id is not None:
            message = engine.event_message(event)
        try:
            # Inside the intake's outbox.held(): the action's emails are kept with the
            # batch's others, and dropped with its transaction should it fail.
            with transaction.atomic(), _held_if_holding():
                OTHER_ACTIONS[kind](rule=rule, ticket=ticket, value=action["value"],
                                    event=event, message=message)
        except Exception as exc:  # any failure is the rule's, never the ticket change's
            logger.warning("rule %s action %s failed on ticket %s: %s", rule.id, kind,
                           ticket.pk, exc)
            _fail(ticket, rule, kind, exc)


def _held_if_holding() -> contextlib.AbstractContextManager[object]:
    return outbox.held() if outbox.holding() else contextlib.nullcontext()


# Notes and emails --------------------------------------------------------------------


def _texts(ticket: Ticket, value, language: str, *, message, rule) -> tuple[str, str]:
    text, language = templating.pick_language(value, language)
    with translation.override(language):
        return templating.render(text, templating.values(ticket, message=message,
                                                         rule_name=rule.name)), language


def add_note(*, rule, ticket, value, event, message) -> None:
    body, _language = _texts(ticket, value, settings.LANGUAGE_CODE, message=message, rule=rule)
    add_internal_note(ticket=ticket, agent=None, body=body)


def _recipient(kind: str, ticket: Ticket, value) -> tuple[str, str]:
    """Address and language of an email action's recipient ("" when there is none)."""
    if kind == "email_customer":
        customer = ticket.customer
        return ("" if customer.bounced else customer.email), customer.language
    if kind == "email_assignee":
        agent = ticket.assignee
        if agent is None or not agent.is_active:
            raise ActionFailed(_("the ticket has no active assignee"))
        return agent.email, agent.language
    if kind == "email_team":
        if ticket.team is None or not ticket.team.email:
            raise ActionFailed(_("the ticket's team has no address"))
        return ticket.team.email, ""
    return value["to"], ticket.customer.language


def send_email(*, rule, ticket, value, event, message, kind: str) -> None:
    to, language = _recipient(kind, ticket, value)
    if not to:
        return
    subject, language = _texts(ticket, value["subject"], language, message=message, rule=rule)
    body, _language = _texts(ticket, value["body"], language, message=message, rule=rule)
    with translation.override(language):
        html = render_to_string("tickets/email/custom.html", {
            "text": body, "brand_name": settings.HELPDESK_BRAND_NAME, "language": language,
            "site_url": settings.SITE_URL})
    headers = {notifications.TICKET_HEADER: ticket.reference,
               "Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"}
    queue_email(kind="rule", to=to, subject=subject, body_text=body, body_html=html,
                headers=headers, language=language, ticket_id=ticket.pk,
                reply_to=make_reply_address(ticket.pk) if kind == "email_customer" else "")


def webhook(*, rule, ticket, value, event, message) -> None:
    try:
        from integrations.services import queue_webhook_delivery
    except ImportError:
        raise ActionFailed(_("outgoing webhooks are not installed")) from None
    queue_webhook_delivery(url=value["url"], secret=value.get("secret", ""), event=event.name,
                           ticket=ticket)


def notify(*, rule, ticket, value, event, message) -> None:
    """One of the built-in notifications, with the rule's own wording if it has any."""
    from .defaults import send_notification

    send_notification(rule=rule, ticket=ticket, value=value, event=event, message=message)


def _email_action(kind: str):
    def action(**kwargs) -> None:
        send_email(kind=kind, **kwargs)
    return action


OTHER_ACTIONS = {
    "add_note": add_note,
    "webhook": webhook,
    "notify": notify,
    **{kind: _email_action(kind) for kind in EMAIL_ACTIONS},
}
