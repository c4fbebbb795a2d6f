"""Placeholders in rule texts: ``{{ticket.reference}}``, ``{{customer.name}}`` …

Only the names in ``schema.PLACEHOLDERS`` exist; a rule is refused when it uses any
other (so nothing here reaches beyond them, unlike a full template language a
manager could point at any attribute).
"""

from __future__ import annotations

from django.conf import settings

from tickets.models import Ticket

from .schema import PLACEHOLDER


def pick_language(texts, language: str) -> tuple[str, str]:
    """The text for ``language`` (a string applies to every language), falling back to
    the site's language and then to any text the rule holds. Returns (text, language)."""
    if isinstance(texts, str):
        return texts, language or settings.LANGUAGE_CODE
    for code in (language, settings.LANGUAGE_CODE, "en"):
        if code and texts.get(code):
            return texts[code], code
    code, text = next(iter(texts.items()))
    return text, code


def values(ticket: Ticket, *, message=None, rule_name: str = "") -> dict[str, str]:
    customer = ticket.customer
    site = settings.SITE_URL
    return {
        "ticket.reference": ticket.reference,
        "ticket.subject": ticket.subject,
        "ticket.status": str(ticket.get_status_display()),
        "ticket.priority": str(ticket.get_priority_display()),
        "ticket.channel": str(ticket.get_channel_display()),
        "ticket.url": f"{site}{ticket.get_absolute_url()}",
        "ticket.portal_url": f"{site}/support/",
        "customer.name": customer.display_name,
        "customer.email": customer.email,
        "assignee.name": str(ticket.assignee) if ticket.assignee_id else "",
        "team.name": ticket.team.name if ticket.team_id else "",
        "message.body": message.body_text if message is not None else "",
        "rule.name": rule_name,
    }


def render(text: str, context: dict[str, str]) -> str:
    return PLACEHOLDER.sub(lambda m: context.get(m.group(1), ""), text)
