"""Every change of a ticket's state. Views, the API, commands and tasks call these.

They send no email themselves: the notifications (acknowledgement, reply, solved
notice, …) are default rules of the rules app that hear the signals sent here.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from helpdesk.models import User
from helpdesk.prepared import Prepared, planned_once

from .. import policy, routing, search
from ..models import Channel, Customer, Message, Tag, Team, Ticket
from ..signals import (
    message_added,
    ticket_assigned,
    ticket_changed,
    ticket_closed,
    ticket_created,
    ticket_reopened,
    ticket_solved,
)
from . import sla
from .events import record_event
from .held import hold, holds, write_held
from .new_ticket import EmailDetails, NewTicket

Status = Ticket.Status


_IN_UNIT: ContextVar[bool] = ContextVar("tickets_in_unit", default=False)


@contextmanager
def unit(*, savepoint: bool = True) -> Iterator[None]:
    """A block rolled back whole when anything in it raises (the email intake's SAVEPOINT
    per mail, or with ``savepoint=False`` its whole batch): ``open_ticket`` and
    ``add_customer_message`` called in it take no SAVEPOINT of their own, two statements
    less per mail (docs/performance.md, "Email intake"). Should one of them raise and
    the caller catch it inside the block, the block can only roll back: Django refuses
    any further query in it."""
    with transaction.atomic(savepoint=savepoint):
        token = _IN_UNIT.set(True)
        try:
            yield
        finally:
            _IN_UNIT.reset(token)


def _atomic[F: Callable](func: F) -> F:
    """``transaction.atomic``, without a SAVEPOINT inside a ``unit``."""
    @functools.wraps(func)
    def inner(*args: object, **kwargs: object) -> object:
        with transaction.atomic(savepoint=not _IN_UNIT.get()):
            return func(*args, **kwargs)
    return inner  # type: ignore[return-value]


def _after_commit(signal: Signal, *, message: Message | None = None, **kwargs: object) -> None:
    """Send ``signal`` once the transaction commits. With ``message``, its id goes as
    ``message_id``, read at commit: a message the intake's batch holds gets one only
    then (tickets.services.held)."""
    if message is None:
        transaction.on_commit(lambda: signal.send(sender=Ticket, **kwargs))
    else:
        transaction.on_commit(lambda: signal.send(sender=Ticket, message_id=message.pk,
                                                  **kwargs))


def _announce_status(ticket: Ticket, old: str, actor_id: int | None) -> None:
    if ticket.status == old:
        return
    _after_commit(ticket_changed, ticket_id=ticket.pk, field="status", old=old, new=ticket.status)
    if ticket.status == Status.SOLVED:
        _after_commit(ticket_solved, ticket_id=ticket.pk, actor_id=actor_id)
    elif ticket.status == Status.CLOSED:
        _after_commit(ticket_closed, ticket_id=ticket.pk)
    elif old == Status.SOLVED:
        _after_commit(ticket_reopened, ticket_id=ticket.pk)


def _validate_text(body: str, field: str = "body") -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationError({field: _("This field may not be blank.")}, code="blank")
    return body


def create_ticket(new: NewTicket, /, *, actor: User | None = None,
                  now: datetime | None = None) -> Ticket:
    """Open a ticket with the customer's first message: ``open_ticket`` without the message."""
    return open_ticket(new, actor=actor, now=now)[0]


def _store_customer_message(*, ticket: Ticket, customer: Customer, channel: str,
                            now: datetime, body: str, is_automatic: bool,
                            email: EmailDetails, first: bool = False) -> Message:
    """One public message in the customer's words (with the mail's HTML and headers).
    A new ticket's ``first`` may be held and written with the intake batch's others
    (tickets.services.held): it has no id until then."""
    message = Message(
        ticket=ticket, author_type=Message.Author.CUSTOMER, author_customer=customer,
        public=True, channel=channel, created_at=now, body_text=body or "",
        body_html=email.body_html, quoted_text=email.quoted_text, is_automatic=is_automatic,
        email_message_id=email.message_id, in_reply_to=email.in_reply_to,
        references=email.references,
    )
    if not (first and hold(message)):
        with planned_once():  # the same INSERT for every message
            message.save(force_insert=True)
    return message


@_atomic
def open_ticket(new: NewTicket, /, *, actor: User | None = None,
                now: datetime | None = None) -> tuple[Ticket, Message]:
    """Open the ticket ``new`` describes with the customer's first message, from any channel.

    Returns the ticket and that message (callers that need it, such as the email
    intake, need not load it again).

    ``actor`` is the agent who logged it (phone, chat on behalf); the first
    message is still the customer's words. An acknowledgement is emailed unless
    the message is automatic or ``new.acknowledge`` is false.

    Without ``new.team`` the ticket goes to the default team of its receiving
    ``addresses`` (email) or channel (``routing.default_team``): no ticket is
    ever without a team, so no ticket is invisible to agents.
    """
    now = now or timezone.now()
    subject = (new.subject or "").strip()[:255] or _("(no subject)")
    channel, customer = new.channel, new.customer
    if channel not in Channel.values:
        raise ValidationError({"channel": _("Unknown channel.")}, code="invalid")
    if new.priority not in Ticket.Priority.values:
        raise ValidationError({"priority": _("Unknown priority.")}, code="invalid")
    team = new.team
    if team is None:
        team = routing.default_team(channel=channel, addresses=new.addresses)
    ticket = Ticket(
        subject=subject,
        customer=customer,
        channel=channel,
        priority=new.priority,
        team=team,
        assignee=new.assignee,
        created_at=now,
        updated_at=now,
        waiting_since=now,
        follows_up=new.follows_up,
        # Written with the row (its thread will be the one message below): no UPDATE.
        search_vector=search.new_ticket_vector(subject=subject, customer_id=customer.pk,
                                               body=new.body or ""),
    )
    with planned_once():  # the same INSERT for every new ticket
        ticket.save(force_insert=True)
    ticket.__dict__.pop("search_vector", None)  # deferred: the database holds the document
    record_event(ticket=ticket, field="created", new=channel, actor=actor,
                 actor_customer=None if actor else customer, at=now)
    sla.start_clocks(ticket=ticket, now=now)
    if new.follows_up is not None:
        record_event(ticket=ticket, field="follows_up", new=new.follows_up.pk, at=now)
    if new.tags:
        _apply_tags(ticket, new.tags, actor=actor, at=now)
    message = _store_customer_message(
        ticket=ticket, customer=customer, channel=channel, now=now, body=new.body,
        is_automatic=new.is_automatic, email=new.email, first=True,
    )
    # The acknowledgement and the assignment email are the default rules' (docs/rules.md).
    _after_commit(ticket_created, message=message, ticket_id=ticket.pk,
                  actor_id=getattr(actor, "pk", None),
                  acknowledge=new.acknowledge and not new.is_automatic, channel=channel)
    # What the receivers would otherwise read back: the message is the ticket's first.
    _after_commit(message_added, message=message, ticket_id=ticket.pk,
                  author_type=message.author_type, public=True, ticket_channel=channel,
                  is_automatic=new.is_automatic, first=True)
    return ticket, message


# The search document is rewritten by add_customer_message and read by nobody there.
# Every reply locks its ticket: the SQL is built once per process (helpdesk/prepared.py).
_locked_ticket = Prepared(lambda pk: Ticket.objects.select_for_update().defer("search_vector")
                          .filter(pk=pk))


@_atomic
def add_customer_message(
    *,
    ticket: Ticket,
    customer: Customer,
    body: str,
    channel: str | None = None,
    body_html: str = "",
    quoted_text: str = "",
    is_automatic: bool = False,
    email_message_id: str = "",
    in_reply_to: str = "",
    references: str = "",
    now: datetime | None = None,
) -> Message:
    """Add the customer's message to the thread, moving the ticket back to the agents.

    A reply to a solved ticket reopens it (counted); to a pending or on-hold
    ticket it opens it again; to a closed ticket it starts a new ticket that
    follows up the old one. Automatic replies (out-of-office) are recorded but
    change no status. Returns the stored message (whose ticket may be new).
    """
    now = now or timezone.now()
    locked = _locked_ticket.first(ticket.pk)
    if locked is None:
        raise Ticket.DoesNotExist("Ticket matching query does not exist.")
    ticket = locked
    if holds(Message, ticket.pk):  # its first message, held in the intake's batch: the
        write_held(Message)        # search document below is built from its messages
    channel = channel or ticket.channel
    email = EmailDetails(body_html=body_html, quoted_text=quoted_text,
                         message_id=email_message_id, in_reply_to=in_reply_to,
                         references=references)
    if ticket.status == Status.CLOSED and not is_automatic:
        _, message = open_ticket(NewTicket(
            subject=ticket.subject, body=body, customer=customer, channel=channel,
            priority=ticket.priority, team=ticket.team, assignee=ticket.assignee,
            email=email, follows_up=ticket,
        ), now=now)
        return message
    message = _store_customer_message(ticket=ticket, customer=customer, channel=channel,
                                      now=now, body=body, is_automatic=is_automatic, email=email)
    fields = ["updated_at"]
    ticket.updated_at = now
    if not is_automatic:
        old = ticket.status
        if old in (Status.SOLVED, Status.PENDING, Status.ON_HOLD):
            ticket.transition(Status.OPEN, now=now)
            fields += ["status", "solved_at", "reopen_count"]
            record_event(ticket=ticket, field="status", old=old, new=ticket.status,
                         actor_customer=customer, at=now)
            _announce_status(ticket, old, None)
        if ticket.waiting_since is None:
            ticket.waiting_since = now
            fields.append("waiting_since")
        sla.on_customer_message(ticket=ticket, old_status=old, now=now)
    # The fields and the search document in one UPDATE, in this transaction.
    search.save_refreshed(ticket, fields)
    # Never the message of the ticket's ``ticket.created`` (open_ticket's): the rules
    # need not ask which message came first.
    _after_commit(message_added, ticket_id=ticket.pk, message_id=message.pk,
                  author_type=message.author_type, public=True, ticket_channel=ticket.channel,
                  is_automatic=is_automatic, first=False)
    return message


@transaction.atomic
def reply_to_ticket(
    *,
    ticket: Ticket,
    agent: User,
    body: str,
    body_html: str = "",
    public: bool = True,
    new_status: str | None = None,
    now: datetime | None = None,
) -> Message:
    """An agent's public reply (emailed to the customer) or internal note.

    The first public reply sets ``first_response_at`` once; internal notes never
    count as a response. ``new_status`` applies a status change with the reply
    ("send and set pending / solved").
    """
    now = now or timezone.now()
    body = _validate_text(body)
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.status == Status.CLOSED:
        raise ValidationError(
            {"ticket": _("This ticket is closed; it cannot be replied to.")}, code="closed"
        )
    message = Message.objects.create(
        ticket=ticket,
        author_type=Message.Author.AGENT,
        author_user=agent,
        public=public,
        channel=ticket.channel if public else Channel.WEB,
        body_text=body,
        body_html=body_html,
        created_at=now,
    )
    fields = ["updated_at"]
    ticket.updated_at = now
    if public:
        if ticket.first_response_at is None:
            ticket.first_response_at = now
            fields.append("first_response_at")
        ticket.public_reply_count += 1
        ticket.waiting_since = None
        fields += ["public_reply_count", "waiting_since"]
        if ticket.status == Status.NEW and new_status is None:
            new_status = Status.OPEN
    ticket.save(update_fields=fields)
    sla.on_agent_reply(ticket=ticket, public=public, now=now)
    record_event(ticket=ticket, field="reply" if public else "note", new=message.pk,
                 actor=agent, at=now)
    if new_status and new_status != ticket.status:
        from .changes import apply_ticket_changes  # changes builds on this module

        apply_ticket_changes(ticket=ticket, changes={"status": new_status}, actor=agent,
                             source="reply", now=now)
    search.refresh_on_commit(ticket.pk)
    _after_commit(message_added, ticket_id=ticket.pk, message_id=message.pk,
                  author_type=message.author_type, public=public,
                  ticket_channel=ticket.channel)
    return message


def add_internal_note(*, ticket: Ticket, agent: User, body: str,
                      now: datetime | None = None) -> Message:
    return reply_to_ticket(ticket=ticket, agent=agent, body=body, public=False, now=now)


@transaction.atomic
def change_status(*, ticket: Ticket, status: str, actor: User | None = None,
                  now: datetime | None = None, actor_customer: Customer | None = None
                  ) -> Ticket:
    if status not in Status.values:
        raise ValidationError({"status": _("Unknown status.")}, code="invalid")
    now = now or timezone.now()
    old = ticket.status
    if old == status:
        return ticket
    ticket.transition(status, now=now)  # refuses illegal moves
    ticket.updated_at = now
    ticket.save(update_fields=["status", "solved_at", "closed_at", "reopen_count", "updated_at"])
    sla.on_status_changed(ticket=ticket, old=old, now=now)
    record_event(ticket=ticket, field="status", old=old, new=status, actor=actor,
                 actor_customer=actor_customer, at=now)
    _announce_status(ticket, old, getattr(actor, "pk", None))
    return ticket


def solve_ticket(*, ticket: Ticket, actor: User, now: datetime | None = None) -> Ticket:
    return change_status(ticket=ticket, status=Status.SOLVED, actor=actor, now=now)


def close_ticket(*, ticket: Ticket, actor: User | None = None,
                 now: datetime | None = None) -> Ticket:
    return change_status(ticket=ticket, status=Status.CLOSED, actor=actor, now=now)


@transaction.atomic
def change_priority(*, ticket: Ticket, priority: str, actor: User | None = None) -> Ticket:
    if priority not in Ticket.Priority.values:
        raise ValidationError({"priority": _("Unknown priority.")}, code="invalid")
    old = ticket.priority
    if old == priority:
        return ticket
    ticket.priority = priority
    ticket.updated_at = timezone.now()
    ticket.save(update_fields=["priority", "updated_at"])
    sla.reevaluate_policy(ticket=ticket, actor=actor, now=ticket.updated_at)
    record_event(ticket=ticket, field="priority", old=old, new=priority, actor=actor)
    _after_commit(ticket_changed, ticket_id=ticket.pk, field="priority", old=old, new=priority)
    return ticket


@transaction.atomic
def change_team(*, ticket: Ticket, team: Team | None, actor: User | None = None) -> Ticket:
    old = ticket.team_id
    if old == (team.pk if team else None):
        return ticket
    ticket.team = team
    ticket.updated_at = timezone.now()
    fields = ["team", "updated_at"]
    # An assignee outside the new team no longer owns the ticket.
    if team and ticket.assignee_id and not team.memberships.filter(user_id=ticket.assignee_id).exists():
        record_event(ticket=ticket, field="assignee", old=ticket.assignee_id, new=None, actor=actor)
        ticket.assignee = None
        fields.append("assignee")
    ticket.save(update_fields=fields)
    record_event(ticket=ticket, field="team", old=old, new=team, actor=actor)
    sla.reevaluate_policy(ticket=ticket, actor=actor, now=ticket.updated_at)
    _after_commit(ticket_changed, ticket_id=ticket.pk, field="team", old=old,
                  new=team.pk if team else None)
    return ticket


@transaction.atomic
def assign_ticket(*, ticket: Ticket, assignee: User | None, actor: User | None = None
                  ) -> Ticket:
    """Give the ticket to an agent (or nobody). An agent with no team on the
    ticket brings the ticket into their first team."""
    if assignee is not None and not assignee.is_active:
        raise ValidationError({"assignee": _("This user is not active.")}, code="inactive")
    old = ticket.assignee_id
    if old == (assignee.pk if assignee else None):
        return ticket
    ticket.assignee = assignee
    ticket.updated_at = timezone.now()
    fields = ["assignee", "updated_at"]
    if assignee is not None and ticket.team_id is None:
        team = assignee.teams.order_by("pk").first()
        if team is not None:
            ticket.team = team
            fields.append("team")
            record_event(ticket=ticket, field="team", old=None, new=team, actor=actor)
    ticket.save(update_fields=fields)
    record_event(ticket=ticket, field="assignee", old=old, new=assignee, actor=actor)
    _after_commit(ticket_assigned, ticket_id=ticket.pk,
                  assignee_id=assignee.pk if assignee else None,
                  actor_id=getattr(actor, "pk", None))
    return ticket


def _apply_tags(ticket: Ticket, names: Iterable[str], *, actor: User | None = None,
                at: datetime | None = None) -> list[str]:
    wanted = sorted({n.strip().lower()[:50] for n in names if n and n.strip()})
    existing = {t.name: t for t in Tag.objects.filter(name__in=wanted)}
    missing = [Tag(name=n) for n in wanted if n not in existing]
    if missing:
        Tag.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {t.name: t for t in Tag.objects.filter(name__in=wanted)}
    old = sorted(ticket.tags.values_list("name", flat=True))
    if old != wanted:
        ticket.tags.set(existing.values())
        record_event(ticket=ticket, field="tags", old=",".join(old), new=",".join(wanted),
                     actor=actor, at=at)
    return wanted


@transaction.atomic
def set_tags(*, ticket: Ticket, tags: Iterable[str], actor: User | None = None) -> Ticket:
    tags = list(tags)
    for name in tags:
        if not isinstance(name, str) or not name.strip():
            raise ValidationError({"tags": _("Tags must be non-empty text.")}, code="invalid")
    _apply_tags(ticket, tags, actor=actor)
    ticket.updated_at = timezone.now()
    ticket.save(update_fields=["updated_at"])
    return ticket


def check_merge(*, source: Ticket, target: Ticket, actor: User) -> None:
    """Refuse a merge that ``merge_tickets`` would refuse (the confirm step asks first)."""
    policy.check(actor, policy.Action.MERGE, source)
    policy.check(actor, policy.Action.MERGE, target)
    if source.pk == target.pk:
        raise ValidationError({"target": _("A ticket cannot be merged into itself.")})
    if source.customer_id != target.customer_id:
        raise ValidationError({"target": _("Only tickets of the same customer can be merged.")})
    if source.merged_into_id:
        raise ValidationError({"source": _("This ticket has already been merged.")})
    if target.status == Status.CLOSED:
        raise ValidationError({"target": _("A closed ticket cannot receive a merge.")})


@transaction.atomic
def merge_tickets(*, source: Ticket, target: Ticket, actor: User) -> Ticket:
    """Fold a duplicate into another ticket of the same customer.

    The source's messages move to the target (so email replies to them thread
    into the target), the source is closed and marked merged; both get events.
    The actor must be allowed to merge both tickets (``tickets.policy``).
    """
    check_merge(source=source, target=target, actor=actor)
    now = timezone.now()
    moved = Message.objects.filter(ticket=source).update(ticket=target)
    Message.objects.create(
        ticket=source, author_type=Message.Author.SYSTEM, author_user=actor, public=False,
        channel=Channel.WEB, created_at=now,
        body_text=_("Merged into %(ref)s.") % {"ref": target.reference},
    )
    Message.objects.create(
        ticket=target, author_type=Message.Author.SYSTEM, author_user=actor, public=False,
        channel=Channel.WEB, created_at=now,
        body_text=ngettext("Merged %(n)d message from %(ref)s.",
                           "Merged %(n)d messages from %(ref)s.", moved)
        % {"ref": source.reference, "n": moved},
    )
    old_status = source.status
    source.merged_into = target
    source.status = Status.CLOSED
    source.closed_at = now
    source.updated_at = now
    source.save(update_fields=["merged_into", "status", "closed_at", "updated_at"])
    sla.on_status_changed(ticket=source, old=old_status, now=now)
    record_event(ticket=source, field="merged_into", new=target.pk, actor=actor, at=now)
    record_event(ticket=source, field="status", old=old_status, new=Status.CLOSED, actor=actor, at=now)
    record_event(ticket=target, field="merged_from", new=source.pk, actor=actor, at=now)
    target.updated_at = now
    target.save(update_fields=["updated_at"])
    search.refresh_on_commit(target.pk)
    _after_commit(ticket_changed, ticket_id=source.pk, field="status", old=old_status,
                  new=Status.CLOSED)
    return target


def close_quiet_solved_tickets(*, now: datetime | None = None, limit: int = 5000) -> int:
    """Close solved tickets that have been quiet for HELPDESK_AUTO_CLOSE_HOURS.

    Each ticket is closed through ``close_ticket`` so it gets its event and its
    ``ticket_closed`` signal (surveys listen for it).
    """
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.HELPDESK_AUTO_CLOSE_HOURS)
    ids = list(
        Ticket.objects.filter(status=Status.SOLVED, solved_at__lte=cutoff, updated_at__lte=cutoff)
        .order_by("solved_at")
        .values_list("pk", flat=True)[:limit]
    )
    closed = 0
    for ticket_id in ids:
        with transaction.atomic():
            ticket = Ticket.objects.select_for_update().get(pk=ticket_id)
            if ticket.status == Status.SOLVED:  # a reply may have reopened it meanwhile
                close_ticket(ticket=ticket, actor=None, now=now)
                closed += 1
    return closed
