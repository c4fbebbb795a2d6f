"""Signed reply addresses: support+<token>@domain threads a reply into its ticket.

The token is the ticket id signed with SECRET_KEY (salted), so it cannot be
guessed or altered to post into somebody else's ticket.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing

_SALT = "tickets.reply-address"
_signer = signing.Signer(salt=_SALT, sep=".")


def _support_address() -> tuple[str, str]:
    address = settings.DEFAULT_FROM_EMAIL.rsplit("<", 1)[-1].rstrip(">").strip()
    local, _, domain = address.partition("@")
    return local.split("+", 1)[0], domain


def make_reply_address(ticket_id: int) -> str:
    local, domain = _support_address()
    token = _signer.sign(str(ticket_id)).lower()
    return f"{local}+{token}@{domain}"


def ticket_id_from_address(address: str) -> int | None:
    """The ticket id in a signed plus-address, or None if absent or tampered with."""
    address = address.strip().strip("<>").lower()
    local = address.split("@", 1)[0]
    if "+" not in local:
        return None
    token = local.split("+", 1)[1]
    value, _, signature = token.partition(".")
    if not value.isdigit() or not signature:
        return None
    expected = _signer.sign(value).lower()
    if not signing.constant_time_compare(expected, token):
        return None
    return int(value)
