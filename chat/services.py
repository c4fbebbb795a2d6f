"""Every change of a chat's state (docs/live-chat.md). A chat is a ticket on the chat
channel: messages go through the ticket services, assignment and ending through
``apply_ticket_changes``; this module adds only what a chat has on top.

What visitors and agents see live is broadcast by ``chat.receivers`` from the ticket
signals, after commit, so a message on the socket is always a message in the thread.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from helpdesk.models import User
from tickets import policy, routing
from tickets import services as ticket_services
from tickets.models import Channel, Message, Team, Ticket
from tickets.services.changes import apply_ticket_changes

from . import events
from .models import Chat
from .rating import rating_request

Status = Chat.Status


@dataclass
class Started:
    chat: Chat
    offline: bool


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


def _available_agents(team: Team | None):
    agents = User.objects.filter(is_active=True, availability=User.Availability.AVAILABLE
                                 ).exclude(role="")
    return agents.filter(memberships__team=team) if team is not None else agents


def agents_online(team: Team | None) -> bool:
    """Is anyone of the chat team available (docs/live-chat.md: otherwise email)?"""
    return _available_agents(team).exists()


def _open_chat_count(agent_id: int) -> int:
    return Chat.objects.filter(agent_id=agent_id, status=Status.ACTIVE).count()


def _route(team: Team | None) -> User | None:
    """An available agent of the team with chat room, in the order the team's assignment
    mode prefers (round robin after the last one served, or least busy in chats);
    None for a manual team or when everyone is full: the chat waits to be accepted."""
    if team is None or team.assignment == Team.Assignment.MANUAL:
        return None
    agents = (_available_agents(team)
              .annotate(active_chats=Count("chats", filter=Q(chats__status=Status.ACTIVE)))
              .filter(active_chats__lt=settings.HELPDESK_CHAT_CAPACITY).order_by("pk"))
    agents = list(agents)
    if team.assignment == Team.Assignment.LEAST_BUSY:
        agents.sort(key=lambda a: (a.active_chats, a.pk))
    else:
        after = [a for a in agents if team.last_assigned_id and a.pk > team.last_assigned_id]
        agents = after + [a for a in agents if a not in after]
    return agents[0] if agents else None


@transaction.atomic
def start_chat(*, name: str, email: str, message: str, language: str = "") -> Started:
    """The visitor's first message opens a chat ticket. With nobody of the chat team
    available the ticket is answered by email as before, and the chat counts as missed."""
    body = clean_body(message, "message")
    customer = ticket_services.get_or_create_customer(email=email, name=name,
                                                      language=language or get_language() or "")
    team = routing.default_team(channel=Channel.CHAT)
    online = agents_online(team)
    subject = body.splitlines()[0][:80]
    # Live: no emailed acknowledgement, the widget shows the chat instead.
    ticket = ticket_services.create_ticket(subject=subject, body=body, customer=customer,
                                           channel=Channel.CHAT, team=team, acknowledge=not online)
    now = timezone.now()
    if not online:
        chat = Chat.objects.create(ticket=ticket, status=Status.MISSED, started_at=now, ended_at=now)
        return Started(chat=chat, offline=True)
    chat = Chat.objects.create(ticket=ticket, started_at=now)
    if team is not None:  # one chat of a team routed at a time (round robin's last agent)
        team = Team.objects.select_for_update().get(pk=team.pk)
    agent = _route(team)
    if agent is not None:
        apply_ticket_changes(ticket=ticket, changes={"assignee": agent}, actor=None,
                             source="assignment")
        Team.objects.filter(pk=team.pk).update(last_assigned=agent)
        chat = sync_agent(chat_id=chat.pk)
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
def visitor_message(*, chat: Chat, body: str) -> Message:
    """A visitor's chat message: a customer message of the ticket.

    The hot path of live chat (docs/live-chat.md, "Benchmark"): ``chat`` is the one the
    visitor's socket loaded when it connected (ticket and customer with it), so only the
    status is read again; the message is broadcast right after its commit, before the
    ticket's other after-commit work (rules, webhooks)."""
    body = clean_body(body)
    customer = chat.ticket.customer
    sent = events.message_after_commit(chat.pk, name=customer.name if customer else "")
    _lock_open(chat)
    message = ticket_services.add_customer_message(ticket=chat.ticket, customer=customer,
                                                   body=body, channel=Channel.CHAT)
    sent(message)
    return message


@transaction.atomic
def agent_message(*, chat: Chat, agent: User, body: str) -> Message:
    """An agent's chat message: a public reply of the ticket (the first one sets the
    ticket's first response); an agent who writes into a waiting chat accepts it.

    ``chat`` may be the agent socket's copy: the status and the assignee are read again
    under the lock (someone else may have taken or ended the chat), the rest is not."""
    body = clean_body(body)
    chat = _locked(chat)
    policy.check(agent, policy.Action.REPLY, chat.ticket)
    if not chat.is_open:
        raise refuse("chat", _("This chat has ended."), "ended")
    if chat.ticket.assignee_id is None:
        accept_chat(chat=chat, agent=agent)
    sent = events.message_after_commit(chat.pk, name=display_name(agent))
    message = ticket_services.reply_to_ticket(ticket=chat.ticket, agent=agent, body=body)
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
    if chat.ticket.assignee_id is None and _open_chat_count(agent.pk) >= settings.HELPDESK_CHAT_CAPACITY:
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
    return sync_agent(chat_id=chat.pk)


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
            and _open_chat_count(assignee_id) >= settings.HELPDESK_CHAT_CAPACITY):
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
    if joined:
        request = rating_request(chat)
        if request is not None:
            events.broadcast_after_commit(chat.pk, request)
    return chat


def first_agent_message(*, ticket_id: int, at) -> None:
    """Waiting time ends at the first agent message (conditional: set once)."""
    Chat.objects.filter(ticket_id=ticket_id, first_agent_message_at=None).update(
        first_agent_message_at=at)
