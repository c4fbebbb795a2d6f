"""Signatures: the agent's own, else the ticket team's, with placeholders filled.

A signature ends public replies only (never notes). It is added once: when the
reply already contains it (a canned response or macro that ends with it, or the
agent typed it), it is not added again.
"""

from __future__ import annotations

import re

from ..models import Ticket
from ..placeholders import fill_placeholders


def signature_for(agent, ticket: Ticket) -> str:
    text = (getattr(agent, "signature", "") or "").strip()
    if not text and ticket.team_id:
        text = (ticket.team.signature or "").strip()
    return fill_placeholders(text, ticket, agent).strip() if text else ""


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def contains(body: str, signature: str) -> bool:
    return bool(signature) and _squeezed(signature) in _squeezed(body)


def sign(body: str, signature: str) -> tuple[str, bool]:
    """(the body ending with the signature, whether it is signed)."""
    if not signature:
        return body, False
    if contains(body, signature):
        return body, True
    return f"{body.rstrip()}\n\n{signature}", True
