"""Mail that is not a customer writing: auto-replies, bounces, reports and our own mail."""

from __future__ import annotations

import re
import time
from email.message import EmailMessage
from email.utils import getaddresses

from django.conf import settings

from .parse import ParsedEmail, header

_AUTO_SUBJECT = re.compile(
    r"^\s*(out of (the )?office|automatic reply|auto(matic)?[ -]?(reply|response)|auto:"
    r"|autosvar|automatisk (svar|besvarelse)|abwesenheit|abwesenheitsnotiz|automatische antwort"
    r"|poissa toimistolta|automaattinen vastaus|lomavastaaja|fraværende|frånvaro"
    r"|réponse automatique|absence|away from (the )?office|on vacation|vacation reply)"
    r"|\bis out of the office\b|\bout of office\b",
    re.IGNORECASE,
)
_BOUNCE_SENDER = re.compile(r"^(mailer-daemon|postmaster|mail-daemon|mailerdaemon)@", re.I)
_BOUNCE_SUBJECT = re.compile(
    r"(undeliver(able|ed)|delivery (status notification|failure|has failed)|mail delivery failed"
    r"|returned mail|failure notice|non[- ]delivery|could not be delivered|delivery failed)",
    re.IGNORECASE,
)
_ADDRESS = re.compile(r"[\w.+'-]+@[\w-]+(\.[\w-]+)+")


def is_automatic(parsed: ParsedEmail) -> bool:
    """Auto-replies, out-of-office notes and bulk mail: recorded, never acknowledged."""
    auto = parsed.header("Auto-Submitted").lower()
    if auto and not auto.startswith("no"):
        return True
    if parsed.header("X-Autoreply") or parsed.header("X-Autorespond"):
        return True
    if parsed.header("Precedence").lower() in ("bulk", "junk", "list", "auto_reply"):
        return True
    # Exchange marks its own out-of-office replies with these.
    if parsed.header("X-MS-Exchange-Generated-Message-Source"):
        return True
    if "autorespon" in parsed.header("X-POST-MessageClass").lower():
        return True
    if parsed.header("X-Auto-Response-Suppress") and _AUTO_SUBJECT.search(parsed.subject):
        return True
    return bool(_AUTO_SUBJECT.search(parsed.subject))


def report_kind(parsed: ParsedEmail) -> str:
    """"bounce", "complaint", "read receipt" or "" for a machine report."""
    msg = parsed.message
    if msg.get_content_type() == "multipart/report":
        kind = (msg.get_param("report-type") or "").lower()
        if kind == "feedback-report":
            return "complaint"
        if kind == "disposition-notification":
            return "read receipt"
        return "bounce"
    if any(p.get_content_type() == "message/delivery-status" for p in msg.walk()):
        return "bounce"
    if _BOUNCE_SENDER.match(parsed.from_email) or parsed.header("X-Failed-Recipients"):
        return "bounce"
    if not parsed.from_email.strip() and _BOUNCE_SUBJECT.search(parsed.subject):
        return "bounce"
    return ""


def bounced_addresses(parsed: ParsedEmail) -> set[str]:
    """Recipients a bounce reports as failed: DSN fields, X-Failed-Recipients, else body text."""
    found: set[str] = set()
    for part in parsed.message.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        for block in part.get_payload() if isinstance(part.get_payload(), list) else []:
            action = str(block.get("Action", "failed")).lower()
            if "fail" not in action:
                continue
            for name in ("Final-Recipient", "Original-Recipient"):
                value = str(block.get(name, ""))
                found.update(m.group(0).lower() for m in _ADDRESS.finditer(value))
    failed = parsed.header("X-Failed-Recipients")
    found.update(addr.lower() for _n, addr in getaddresses([failed]) if "@" in addr)
    if not found and report_kind(parsed) == "bounce":
        found.update(m.group(0).lower() for m in _ADDRESS.finditer(parsed.text[:5000]))
    return found - own_addresses()


def _address(value: str) -> str:
    return value.rsplit("<", 1)[-1].rstrip(">").strip().lower()


_TEAM_CACHE: dict[str, tuple[float, frozenset[str]]] = {}
_TEAM_CACHE_SECONDS = 60


def _team_addresses() -> frozenset[str]:
    # Teams change rarely and intake runs per message: a short per-process cache
    # saves a query on every email without letting a new team address loop for long.
    from ..models import Team

    cached = _TEAM_CACHE.get("teams")
    now = time.monotonic()
    if cached and now - cached[0] < _TEAM_CACHE_SECONDS:
        return cached[1]
    addresses = frozenset(
        a.lower() for a in Team.objects.exclude(email="").values_list("email", flat=True))
    _TEAM_CACHE["teams"] = (now, addresses)
    return addresses


def own_addresses() -> set[str]:
    addresses = {_address(settings.DEFAULT_FROM_EMAIL), _address(settings.SERVER_EMAIL)}
    addresses.update(_team_addresses())
    addresses.update(a.lower() for a in getattr(settings, "HELPDESK_OWN_ADDRESSES", ()))
    return {a for a in addresses if a}


def is_own_mail(parsed: ParsedEmail, *, check_outbox: bool = True) -> bool:
    """Mail we sent ourselves coming back (loops): our addresses or our outbox headers.

    ``check_outbox=False`` leaves out the outbox query (the intake folds it into its
    own lookup query).
    """
    msg: EmailMessage = parsed.message
    if any(key.lower().startswith("x-helpdesk") for key in msg.keys()):  # noqa: SIM118
        return True
    sender = parsed.from_email
    local, _, domain = sender.partition("@")
    plain = f"{local.split('+', 1)[0]}@{domain}"
    own = own_addresses()
    if sender in own or plain in own:
        return True
    if parsed.message_id and check_outbox:
        from helpdesk.models import OutboundEmail

        return OutboundEmail.objects.filter(message_id=parsed.message_id).exists()
    return False


__all__ = ["bounced_addresses", "forget_team_addresses", "header", "is_automatic", "is_own_mail",
           "report_kind"]


def forget_team_addresses(**kwargs) -> None:
    """Drop the cached team addresses (connected to Team saves and deletes)."""
    _TEAM_CACHE.clear()
