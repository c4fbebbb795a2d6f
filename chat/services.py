"""Every change of a chat's state (docs/live-chat.md). A chat is a ticket on the chat
channel: messages go through the ticket services, assignment and ending through
``apply_ticket_changes``; this module adds only what a chat has on top.

What visitors and agents see live is broadcast by ``chat.receivers`` from the ticket
signals, after commit, so a message on the socket is always a message in the thread.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from helpdesk.models import User
from tickets import policy, routing
from tickets import services as ticket_services
from tickets.models import Channel, Message, Team, Ticket
from tickets.replies.files import CheckedFile, check_files, store_files
from tickets.services import assignment
from tickets.services.changes import apply_ticket_changes

from . import events, hours
from .models import AgentChatSettings, Chat
from .rating import rating_request

Status = Chat.Status
#: At most this many waiting chats are handed out in one pass.
WAITING_BATCH = 200


@dataclass
class Started:
    chat: Chat
    offline: bool
    reason: str = ""  # offline: "closed" (outside chat hours) or "away" (nobody available)


def display_name(user) -> str:
    """Visitors see the agent's first name only."""
    return (user.name or "").split(" ")[0] if user is not None else ""


def refuse(field: str, message: str, code: str) -> ValidationError:
    """A refusal naming the field, with a code the socket's error frame carries."""
    return ValidationError({field: ValidationError(message, code=code)})


def clean_body(body, field: str = "body") -> str:
    if not isinstance(body, str) or not body.strip():
        raise refuse(field, _("This field may not be blank."), "blank")
    if len(body) > settings.HELPDESK_CHAT_MAX_MESSAGE:
        raise refuse(field, _("A message may have at most %(n)d characters.")
                     % {"n": settings.HELPDESK_CHAT_MAX_MESSAGE}, "too_long")
    return body.strip()


def files_caption(names) -> str:
    """The text of a chat message that carries files and no words of its own: the file
    names, so the ticket thread, search and email show what was sent."""
    return ", ".join(names)


def _text_with_files(body, checked: list[CheckedFile]) -> str:
    if checked and (body is None or (isinstance(body, str) and not body.strip())):
        return files_caption(f.name for f in checked)
    return clean_body(body)


def _store_chat_files(message: Message, checked: list[CheckedFile]) -> None:
    """The files as attachments of the message; the broadcast frame lists them
    (``events.message_frame`` reads ``chat_files``, no query)."""
    message.chat_files = store_files(message, checked) if checked else []


def _available_agents(team: Team | None):
    agents = User.objects.filter(is_active=True, availability=User.Availability.AVAILABLE
                                 ).exclude(role="")
    return agents.filter(memberships__team=team) if team is not None else agents


def agents_online(team: Team | None) -> bool:
    """Is anyone of the chat team available (docs/live-chat.md: otherwise email)?"""
    return _available_agents(team).exists()


def _open_chat_count(agent_id: int) -> int:
    return Chat.objects.filter(agent_id=agent_id, status=Status.ACTIVE).count()


def capacity_of(agent_id: int) -> int:
    """How many chats this agent takes at once (their setting, or the default)."""
    capacity = (AgentChatSettings.objects.filter(agent_id=agent_id)
                .values_list("capacity", flat=True).first())
    return settings.HELPDESK_CHAT_CAPACITY if capacity is None else capacity


def has_chat_room(agent_id: int) -> bool:
    return _open_chat_count(agent_id) < capacity_of(agent_id)


def _route(team: Team | None) -> User | None:
    """An available agent of the team with chat room, in the order the team's assignment
    mode prefers (``tickets.services.assignment.in_mode_order``: round robin after the
    last one served, or least busy counted in active chats); None for a manual team or
    when everyone is full: the chat waits to be accepted."""
    if team is None or team.assignment == Team.Assignment.MANUAL:
        return None
    agents = (_available_agents(team)
              .annotate(active_chats=Count("chats", filter=Q(chats__status=Status.ACTIVE)),
                        chat_capacity=Coalesce("chat_settings__capacity",
                                               Value(settings.HELPDESK_CHAT_CAPACITY)))
              .filter(active_chats__lt=F("chat_capacity")).order_by("pk"))
    ordered = assignment.in_mode_order(team, list(agents), load=lambda a: a.active_chats)
    return ordered[0] if ordered else None


def _assign(chat: Chat, team: Team | None) -> Chat:
    """Offer the waiting chat to the team's next agent with room (inside the caller's
    transaction); the team row is locked so one chat of a team is routed at a time."""
    if team is None or team.assignment == Team.Assignment.MANUAL:
        return chat
    team = Team.objects.select_for_update().get(pk=team.pk)
    agent = _route(team)
    if agent is None:
        return chat
    apply_ticket_changes(ticket=chat.ticket, changes={"assignee": agent}, actor=None,
                         source="assignment")
    Team.objects.filter(pk=team.pk).update(last_assigned=agent)
    return sync_agent(chat_id=chat.pk)


def assign_waiting_chats(*, team_ids=None) -> int:
    """Hand the waiting chats out, oldest first, to agents who have room (after a chat
    ends or moves, a capacity grows, and every minute from the sweep). A waiting chat
    whose ticket the ticket assignment already gave to someone (by ticket capacity)
    joins that agent once they have chat room; an unassigned one goes by its team's
    mode. Each chat is its own short transaction; a team whose next chat finds nobody
    is skipped. Returns how many chats were assigned."""
    waiting = (Chat.objects.filter(status=Status.WAITING)
               .exclude(ticket__assignee__isnull=True,
                        ticket__team__assignment=Team.Assignment.MANUAL)
               .order_by("started_at", "pk"))
    if team_ids is not None:
        waiting = waiting.filter(ticket__team_id__in=team_ids)
    assigned, full = 0, set()
    rows = waiting.values_list("pk", "ticket__team_id", "ticket__assignee_id")[:WAITING_BATCH]
    for chat_id, team_id, assignee_id in rows:
        if assignee_id is None and team_id in full:
            continue
        with transaction.atomic():
            chat = (Chat.objects.select_for_update(of=("self",)).select_related("ticket__team")
                    .filter(pk=chat_id, status=Status.WAITING).first())
            if chat is None:
                continue
            if chat.ticket.assignee_id is not None:
                chat = sync_agent(chat_id=chat.pk, by_system=True)
                if chat.status == Status.ACTIVE:  # no new assignment signal: say it here
                    events.broadcast_after_commit(chat.pk, {
                        "type": "joined", "name": display_name(chat.ticket.assignee)})
                    transaction.on_commit(lambda c=chat: events.notify_inbox(
                        c.pk, team_id=c.ticket.team_id, assignee_id=c.agent_id))
            else:
                chat = _assign(chat, chat.ticket.team)
        if chat.status == Status.ACTIVE:
            assigned += 1
        elif assignee_id is None:
            full.add(team_id)
    return assigned


def _assign_waiting_after_commit(team_ids: list) -> None:
    team_ids = [t for t in team_ids if t is not None]
    if team_ids:
        transaction.on_commit(lambda: assign_waiting_chats(team_ids=team_ids))


@transaction.atomic
def set_chat_capacity(*, actor: User, agent: User, capacity) -> AgentChatSettings:
    """A manager sets how many chats ``agent`` takes at once; more room may hand waiting
    chats to them."""
    if not policy.sees_all(actor):
        raise PermissionDenied
    if isinstance(capacity, bool) or not isinstance(capacity, int) or not 0 <= capacity <= 50:
        raise refuse("capacity", _("Give a whole number of chats from 0 to 50."), "invalid")
    row, _created = AgentChatSettings.objects.update_or_create(
        agent=agent, defaults={"capacity": capacity})
    _assign_waiting_after_commit(list(agent.memberships.values_list("team_id", flat=True)))
    return row


@transaction.atomic
def start_chat(*, name: str, email: str, message: str, language: str = "") -> Started:
    """The visitor's first message opens a chat ticket. With nobody of the chat team
    available the ticket is answered by email as before, and the chat counts as missed."""
    body = clean_body(message, "message")
    customer = ticket_services.get_or_create_customer(email=email, name=name,
                                                      language=language or get_language() or "")
    team = routing.default_team(channel=Channel.CHAT)
    state = hours.availability(team)
    online = state == hours.OPEN
    subject = body.splitlines()[0][:80]
    # Live: no emailed acknowledgement, the widget shows the chat instead.
    ticket = ticket_services.create_ticket(ticket_services.NewTicket(
        subject=subject, body=body, customer=customer, channel=Channel.CHAT, team=team,
        acknowledge=not online))
    now = timezone.now()
    if not online:
        chat = Chat.objects.create(ticket=ticket, status=Status.MISSED, started_at=now, ended_at=now)
        return Started(chat=chat, offline=True, reason=state)
    chat = Chat.objects.create(ticket=ticket, started_at=now)
    chat = _assign(chat, team)
    return Started(chat=chat, offline=False)


def _locked(chat: Chat) -> Chat:
    return Chat.objects.select_for_update().select_related("ticket").get(pk=chat.pk)


def _lock_open(chat: Chat) -> None:
    """Lock the chat's row (ending and accepting lock it too) and refuse an ended chat:
    one statement, reading only the status."""
    status = (Chat.objects.select_for_update().filter(pk=chat.pk)
              .values_list("status", flat=True).first())
    if status is None:
        raise Chat.DoesNotExist
    if status not in (Status.WAITING, Status.ACTIVE):
        raise refuse("chat", _("This chat has ended."), "ended")


@transaction.atomic
def visitor_message(*, chat: Chat, body: str | None, files=()) -> Message:
    """A visitor's chat message: a customer message of the ticket, with ``files``
    (uploads, checked like reply attachments: ``tickets.replies.files``) as its
    attachments; with files the text may be empty.

    The hot path of live chat (docs/live-chat.md, "Benchmark"): ``chat`` is the one the
    visitor's socket loaded when it connected (ticket and customer with it), so only the
    status is read again; the message is broadcast right after its commit, before the
    ticket's other after-commit work (rules, webhooks)."""
    checked = check_files(files)
    body = _text_with_files(body, checked)
    customer = chat.ticket.customer
    sent = events.message_after_commit(chat.pk, name=customer.name if customer else "")
    _lock_open(chat)
    message = ticket_services.add_customer_message(ticket=chat.ticket, customer=customer,
                                                   body=body, channel=Channel.CHAT)
    _store_chat_files(message, checked)
    sent(message)
    return message


@transaction.atomic
def agent_message(*, chat: Chat, agent: User, body: str | None, files=()) -> Message:
    """An agent's chat message: a public reply of the ticket (the first one sets the
    ticket's first response); an agent who writes into a waiting chat accepts it.

    ``chat`` may be the agent socket's copy: the status and the assignee are read again
    under the lock (someone else may have taken or ended the chat), the rest is not.
    ``files`` as in ``visitor_message``."""
    checked = check_files(files)
    body = _text_with_files(body, checked)
    chat = _locked(chat)
    policy.check(agent, policy.Action.REPLY, chat.ticket)
    if not chat.is_open:
        raise refuse("chat", _("This chat has ended."), "ended")
    if chat.ticket.assignee_id is None:
        accept_chat(chat=chat, agent=agent)
    sent = events.message_after_commit(chat.pk, name=display_name(agent))
    message = ticket_services.reply_to_ticket(ticket=chat.ticket, agent=agent, body=body)
    _store_chat_files(message, checked)
    sent(message)
    if chat.first_agent_message_at is None:
        first_agent_message(ticket_id=chat.ticket_id, at=message.created_at)
    return message


@transaction.atomic
def accept_chat(*, chat: Chat, agent: User) -> Chat:
    chat = _locked(chat)
    if not chat.is_open:
        raise refuse("chat", _("This chat has ended."), "ended")
    if chat.ticket.assignee_id not in (None, agent.pk):
        raise refuse("chat", _("Another agent has taken this chat."), "taken")
    if chat.ticket.assignee_id is None and not has_chat_room(agent.pk):
        raise refuse("chat", _("You already have as many chats as you can take."), "capacity")
    apply_ticket_changes(ticket=chat.ticket, changes={"assignee": agent}, actor=agent,
                         source="chat")
    return sync_agent(chat_id=chat.pk)


@transaction.atomic
def transfer_chat(*, chat: Chat, actor: User, agent: User | None = None,
                  team: Team | None = None) -> Chat:
    """To another agent (who joins at once) or to a team (the chat waits there for
    its assignment mode or someone to accept it)."""
    chat = _locked(chat)
    if not chat.is_open:
        raise refuse("chat", _("This chat has ended."), "ended")
    if agent is None and team is None:
        raise refuse("agent", _("Choose an agent or a team."), "required")
    changes: dict = {"assignee": agent}
    if team is not None:
        changes["team"] = team
    apply_ticket_changes(ticket=chat.ticket, changes=changes, actor=actor, source="chat")
    chat = sync_agent(chat_id=chat.pk)
    if agent is None:  # waits in the team: its assignment mode may hand it out
        _assign_waiting_after_commit([chat.ticket.team_id])
    return chat


def sync_agent(*, chat_id: int, by_system: bool = False) -> Chat:
    """The chat follows its ticket's assignee: assigned → active with that agent,
    unassigned → waiting again. Called by the services and on ``ticket_assigned``.

    The ticket assignment of an automatic team (tickets/services/assignment.py) counts
    open tickets, not chats: when it gives a waiting chat's ticket to an agent who has
    no chat room (``by_system``), the chat stays waiting, in that agent's inbox, until
    they accept it."""
    chat = Chat.objects.select_related("ticket").get(pk=chat_id)
    if not chat.is_open:
        return chat
    assignee_id = chat.ticket.assignee_id
    if (by_system and assignee_id and chat.status == Status.WAITING
            and not has_chat_room(assignee_id)):
        return chat
    if assignee_id and (chat.agent_id != assignee_id or chat.status != Status.ACTIVE):
        chat.agent_id, chat.status = assignee_id, Status.ACTIVE
        chat.accepted_at = chat.accepted_at or timezone.now()
        chat.save(update_fields=["agent", "status", "accepted_at"])
    elif assignee_id is None and chat.status == Status.ACTIVE:
        chat.status = Status.WAITING
        chat.save(update_fields=["status"])
    return chat


@transaction.atomic
def end_chat(*, chat: Chat, actor: User | None) -> Chat:
    """End the chat (the agent, or the visitor when ``actor`` is None). Ended with an
    agent it solves the ticket (the customer may reopen it by email); a visitor who
    leaves before any agent joined is a missed chat and the ticket stays open."""
    chat = _locked(chat)
    if not chat.is_open:
        return chat
    if actor is not None:
        policy.check(actor, policy.Action.STATUS, chat.ticket)
    joined = chat.status == Status.ACTIVE or chat.first_agent_message_at is not None
    chat.status = Status.ENDED if joined else Status.MISSED
    chat.ended_at = timezone.now()
    chat.save(update_fields=["status", "ended_at"])
    if joined and chat.ticket.status != Ticket.Status.SOLVED:
        apply_ticket_changes(ticket=chat.ticket, changes={"status": Ticket.Status.SOLVED},
                             actor=actor, source="chat")
    events.broadcast_after_commit(chat.pk, {"type": "ended"})
    team_id, assignee_id = chat.ticket.team_id, chat.ticket.assignee_id
    transaction.on_commit(lambda: events.notify_inbox(chat.pk, team_id=team_id,
                                                      assignee_id=assignee_id))
    if joined:  # the agent has room again: a waiting chat of the team may go to them
        _assign_waiting_after_commit([team_id])
    if joined:
        request = rating_request(chat)
        if request is not None:
            events.broadcast_after_commit(chat.pk, request)
    return chat


def first_agent_message(*, ticket_id: int, at) -> None:
    """Waiting time ends at the first agent message (conditional: set once)."""
    Chat.objects.filter(ticket_id=ticket_id, first_agent_message_at=None).update(
        first_agent_message_at=at)
