"""Placeholders in agents' texts (canned responses, macros): ``{{ customer.name }}`` and friends."""

from __future__ import annotations

import re

from .models import Ticket

_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+\.[a-z_]+)\s*\}\}")

#: The placeholders a text may use, for help texts.
NAMES = ("customer.name", "customer.first_name", "customer.email", "ticket.reference",
         "ticket.subject", "agent.name", "team.name")


def fill_placeholders(text: str, ticket: Ticket, agent) -> str:
    """Fill the few placeholders canned responses and macros may use. A plain
    substitution, not the template engine: the text is user input and must not
    reach arbitrary attributes. Unknown placeholders are left as they are."""
    values = {
        "customer.name": ticket.customer.display_name,
        "customer.first_name": ticket.customer.display_name.split(" ")[0],
        "team.name": ticket.team.name if ticket.team_id else "",
        "customer.email": ticket.customer.email,
        "ticket.reference": ticket.reference,
        "ticket.subject": ticket.subject,
        "agent.name": agent.get_full_name(),
    }
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)
