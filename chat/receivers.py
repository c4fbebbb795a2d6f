"""The chat hears the ticket's signals and puts them on the sockets (docs/live-chat.md):
a public message of a chat ticket, whichever door it came through (the chat, the
ticket page, the API), reaches the visitor; an assignment makes the agent join."""

from __future__ import annotations

from django.dispatch import receiver

from tickets.models import Channel, Message
from tickets.signals import message_added, ticket_assigned, ticket_created

from . import events, services
from .models import Chat
from .services import display_name


@receiver(message_added, dispatch_uid="chat.message_added")
def on_message_added(sender, *, ticket_id: int, message_id: int, public: bool,
                     author_type: str, **kwargs) -> None:
    if not public:
        return  # internal notes stay in the workspace
    if kwargs.get("ticket_channel", Channel.CHAT) != Channel.CHAT:
        return  # only chat tickets have a chat (chat.services.start_chat)
    if events.already_sent(message_id):  # the chat services broadcast it at commit
        return
    chat_id = Chat.objects.filter(ticket_id=ticket_id).values_list("pk", flat=True).first()
    if chat_id is None:
        return
    message = (Message.objects.select_related("author_user", "author_customer")
               .prefetch_related("attachments").filter(pk=message_id).first())
    if message is None:
        return
    if message.author_type == Message.Author.AGENT:
        services.first_agent_message(ticket_id=ticket_id, at=message.created_at)
        name = display_name(message.author_user)
    else:
        name = message.author_customer.name if message.author_customer else ""
    events.broadcast(chat_id, events.message_frame(message, name=name))
    # No inbox notice: a message changes nothing the inbox lists show (docs/live-chat.md);
    # a notice per message made every agent page reload its list on every message.


@receiver(ticket_assigned, dispatch_uid="chat.ticket_assigned")
def on_ticket_assigned(sender, *, ticket_id: int, assignee_id, actor_id=None, **kwargs) -> None:
    chat_id = Chat.objects.filter(ticket_id=ticket_id).values_list("pk", flat=True).first()
    if chat_id is None:
        return
    chat = services.sync_agent(chat_id=chat_id, by_system=actor_id is None)
    if chat.status == Chat.Status.ACTIVE and chat.agent_id == assignee_id:
        events.broadcast(chat_id, {"type": "joined", "name": display_name(chat.agent)})
    events.notify_inbox(chat_id, team_id=chat.ticket.team_id, assignee_id=assignee_id)


@receiver(ticket_created, dispatch_uid="chat.ticket_created")
def on_ticket_created(sender, *, ticket_id: int, **kwargs) -> None:
    if kwargs.get("channel", Channel.CHAT) != Channel.CHAT:
        return  # an email or web ticket: no chat waits for it
    row = (Chat.objects.filter(ticket_id=ticket_id, status=Chat.Status.WAITING)
           .values_list("pk", "ticket__team_id").first())
    if row is not None:
        events.notify_inbox(row[0], team_id=row[1], assignee_id=None, new=True)
