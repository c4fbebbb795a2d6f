"""An agent's reply or note as written in the reply box or sent to the API: files,
CC and BCC, formatting and signature (docs/replies.md).

Everything is checked before anything is written, so a refused file or address
changes nothing and the caller can show the reply again as it was typed. The
message itself is written by ``reply_to_ticket`` (first response, SLA, status,
events, the ``message_added`` signal); the email that the default rule sends for
it carries the CC, BCC and files (``tickets.notifications.agent_replied``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet

from helpdesk.models import User

from .. import policy
from ..models import Message, Team, Ticket
from ..replies import formatting, signatures
from ..replies.addresses import parse_addresses
from ..replies.files import check_files, link_inline_images, store_files
from .events import record_event
from .tickets import reply_to_ticket


def _copies(ticket: Ticket, cc: Iterable[str] | None, bcc: Iterable[str] | None
            ) -> tuple[list[str], list[str]]:
    """The reply's CC and BCC: as given, or the ticket's when not given (None)."""
    own = ticket.customer.email
    cc = list(ticket.cc) if cc is None else parse_addresses(cc, field="cc", exclude=own)
    bcc = list(ticket.bcc) if bcc is None else parse_addresses(bcc, field="bcc", exclude=own)
    return cc, bcc


def _keep_copies(ticket: Ticket, cc: list[str], bcc: list[str], agent: User,
                 now: datetime) -> None:
    """Later replies keep the CC and BCC until an agent removes them."""
    fields = []
    for name, value in (("cc", cc), ("bcc", bcc)):
        if list(getattr(ticket, name)) != value:
            record_event(ticket=ticket, field=name, old=", ".join(getattr(ticket, name)),
                         new=", ".join(value), actor=agent, at=now)
            setattr(ticket, name, value)
            fields.append(name)
    if fields:
        Ticket.objects.filter(pk=ticket.pk).update(**{f: getattr(ticket, f) for f in fields})


def preview(*, ticket: Ticket, agent: User, body: str, public: bool = True) -> formatting.Body:
    """What ``send_reply`` would store for this text: formatted, signed when public."""
    if public:
        body, _signed = signatures.sign(body, signatures.signature_for(agent, ticket))
    return formatting.render(body)


@transaction.atomic
def send_reply(
    *,
    ticket: Ticket,
    agent: User,
    body: str,
    public: bool = True,
    new_status: str | None = None,
    files: Iterable = (),
    cc: Iterable[str] | None = None,
    bcc: Iterable[str] | None = None,
    now: datetime | None = None,
) -> Message:
    """Reply (public) or note, with files; CC/BCC given replace the ticket's, None keeps them.

    Raises ValidationError naming ``attachments``, ``cc``, ``bcc`` or ``body``; the
    policy's PermissionDenied for agents who may not reply to the ticket.
    """
    policy.check(agent, policy.Action.REPLY if public else policy.Action.NOTE, ticket)
    checked = check_files(files)
    cc, bcc = _copies(ticket, cc, bcc) if public else ([], [])
    text = link_inline_images(body or "", checked)
    signed = False
    if public and text.strip():
        text, signed = signatures.sign(text, signatures.signature_for(agent, ticket))
    rendered = formatting.render(text)
    message = reply_to_ticket(ticket=ticket, agent=agent, body=rendered.text if text.strip() else "",
                              body_html=rendered.html, public=public, new_status=new_status,
                              now=now)
    message.cc, message.bcc, message.signed = cc, bcc, signed
    message.save(update_fields=["cc", "bcc", "signed"])
    store_files(message, checked)
    if public:
        _keep_copies(ticket, cc, bcc, agent, message.created_at)
    return message


def signature_teams(user: User) -> QuerySet[Team]:
    """Teams whose signature ``user`` may edit: managers and admins all, a team lead theirs."""
    from ..models import Team

    if policy.sees_all(user):
        return Team.objects.all()
    return Team.objects.filter(memberships__user=user, memberships__is_lead=True)


@transaction.atomic
def set_team_signature(*, team: Team, signature: str, actor: User) -> None:
    if not signature_teams(actor).filter(pk=team.pk).exists():
        raise PermissionDenied
    team.signature = (signature or "").strip()[:5000]
    team.save(update_fields=["signature"])
