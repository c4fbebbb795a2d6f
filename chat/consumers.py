"""The two websockets of live chat (docs/live-chat.md, "Sockets").

``VisitorConsumer`` at ``/ws/chat/<token>/``: the widget, authenticated by the
signed chat token alone; it only ever joins its own chat's group, so no other
chat's messages can reach it. ``AgentConsumer`` at ``/ws/agent/``: the workspace,
authenticated by the session; it joins the inbox and the chats the agent opens,
each checked against ``tickets.policy``.

Bad input never ends a consumer: a frame that is too large, not JSON, or of an
unknown type gets an ``error`` frame; a service refusal gets the refusal's field
message; a socket that floods gets ``rate_limited`` errors and, if it goes on,
the close code ``CLOSE_FLOOD``.
"""

from __future__ import annotations

import json
import logging
import time

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from helpdesk.permissions import is_staff_member
from tickets import policy

from . import events, queries, rating, services
from .models import Chat
from .services import display_name, refuse
from .tokens import TokenError, read_token

logger = logging.getLogger(__name__)

# Close codes (4000–4999 are the application's; docs/live-chat.md lists them).
CLOSE_FORGED = 4401  # the token's signature is wrong
CLOSE_EXPIRED = 4408  # the token is older than HELPDESK_CHAT_TOKEN_MAX_AGE
CLOSE_FORBIDDEN = 4403  # the agent socket without a staff session
CLOSE_GONE = 4404  # the chat no longer exists
CLOSE_FLOOD = 4429  # kept on flooding after rate_limited errors


def write_async(func):
    """A chat write off the event loop, in the loop's thread pool rather than Channels'
    one shared thread (``thread_sensitive=True``), so hundreds of chats do not queue
    behind each other: each write is one short transaction on its thread's own
    connection, rows are locked (chat, then ticket) like every other writer, and one
    socket's frames are handled one after another, so a chat's messages keep their order.
    """
    return database_sync_to_async(func, thread_sensitive=False)


class TokenBucket:
    """``rate`` frames per ``per`` seconds, with bursts up to ``rate``."""

    def __init__(self, rate: int, per: float = 10.0):
        self.capacity, self.refill = float(rate), rate / per
        self.tokens, self.stamp = float(rate), time.monotonic()
        self.refused = 0

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.refill)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            self.refused = 0
            return True
        self.refused += 1
        return False


def _refusal_detail(error: ValidationError) -> tuple[str, str]:
    if hasattr(error, "error_dict"):
        field, items = next(iter(error.error_dict.items()))
        return (items[0].code or "invalid"), f"{field}: {items[0].messages[0]}"
    return (error.code or "invalid"), error.messages[0]


class _ChatSocket(AsyncWebsocketConsumer):
    """Frame parsing, flood control and error frames shared by both sockets."""

    groups_joined: list[str]

    async def websocket_connect(self, message):
        self.groups_joined = []
        self.bucket = TokenBucket(settings.HELPDESK_CHAT_RATE)
        await super().websocket_connect(message)

    async def disconnect(self, code):
        for name in self.groups_joined:
            await self.channel_layer.group_discard(name, self.channel_name)

    async def join(self, name: str) -> None:
        if name not in self.groups_joined:
            await self.channel_layer.group_add(name, self.channel_name)
            self.groups_joined.append(name)

    async def send_json(self, frame: dict) -> None:
        await self.send(text_data=json.dumps(frame, ensure_ascii=False))

    async def error(self, code: str, detail: str) -> None:
        await self.send_json({"type": "error", "code": code, "detail": detail})

    async def receive(self, text_data=None, bytes_data=None):
        if not self.bucket.take():
            if self.bucket.refused > 3 * self.bucket.capacity:
                await self.close(code=CLOSE_FLOOD)
                return
            await self.error("rate_limited", _("Too many messages. Please slow down."))
            return
        limit = settings.HELPDESK_CHAT_MAX_MESSAGE
        if text_data is None or len(text_data) > 2 * limit + 1000:
            await self.error("too_large", _("A message may have at most %(n)d characters.")
                             % {"n": limit})
            return
        try:
            frame = json.loads(text_data)
        except ValueError:
            await self.error("bad_json", _("The frame is not valid JSON."))
            return
        if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
            await self.error("bad_frame", _("Send a JSON object with a \"type\"."))
            return
        handler = getattr(self, "on_" + frame["type"], None) if frame["type"].isidentifier() else None
        if handler is None:
            await self.error("unknown_type", _("Unknown frame type."))
            return
        try:
            await handler(frame)
        except ValidationError as refusal:
            await self.error(*_refusal_detail(refusal))
        except PermissionDenied:
            await self.error("forbidden", _("You may not do this."))
        except Chat.DoesNotExist:
            await self.error("not_found", _("No such chat."))
        except Exception:
            logger.exception("chat frame failed")
            await self.error("server_error", _("Something went wrong. Please try again."))


class VisitorConsumer(_ChatSocket):
    async def connect(self):
        await self.accept()  # a close code needs an open socket to travel on
        self.token = self.scope["url_route"]["kwargs"]["token"]
        try:
            chat_id = read_token(self.token)
        except TokenError as problem:
            await self.close(code=CLOSE_EXPIRED if problem.expired else CLOSE_FORGED)
            return
        state = await database_sync_to_async(_visitor_state)(chat_id)
        if state is None:
            await self.close(code=CLOSE_GONE)
            return
        self.chat, frames = state
        await self.join(events.group(self.chat.pk))
        for frame in frames:
            await self.send_json(events.with_file_urls(frame, self.file_url))

    def file_url(self, attachment_id: int) -> str:
        """The visitor downloads with the chat's token (chat/visitor.py)."""
        return reverse("chat:visitor_file", kwargs={"token": self.token, "pk": attachment_id})

    async def disconnect(self, code):
        await super().disconnect(code)
        chat = getattr(self, "chat", None)
        if chat is not None:  # the sweep may make a waiting chat left alone a missed one
            await write_async(_visitor_left)(chat.pk)

    async def chat_frame(self, event):
        frame = event["frame"]
        if frame["type"] == "typing" and frame.get("author") == "visitor":
            return  # the visitor's own typing
        await self.send_json(events.with_file_urls(frame, self.file_url))

    async def chat_inbox(self, event):  # only agents' sockets are in the inbox group
        return

    async def on_message(self, frame):
        body = services.clean_body(frame.get("body"))  # refused before any database work
        await write_async(services.visitor_message)(chat=self.chat, body=body)

    async def on_typing(self, frame):
        events_frame = {"type": "typing", "author": "visitor"}
        await self.channel_layer.group_send(events.group(self.chat.pk), {
            "type": "chat.frame", "chat": self.chat.pk, "frame": events_frame})

    async def on_rating(self, frame):
        chat = await database_sync_to_async(_fresh)(self.chat.pk)
        if chat.is_open:
            raise refuse("score", _("Rate the chat once it has ended."), "open")
        await database_sync_to_async(rating.rate_chat)(
            chat=chat, score=frame.get("score"), comment=frame.get("comment") or "")
        await self.send_json({"type": "rated"})

    async def on_end(self, frame):
        await database_sync_to_async(services.end_chat)(chat=self.chat, actor=None)


def _visitor_left(chat_id: int) -> None:
    Chat.objects.filter(pk=chat_id).update(visitor_left_at=timezone.now())


def _fresh(chat_id: int) -> Chat:
    return Chat.objects.select_related("ticket__customer", "agent").get(pk=chat_id)


def _visitor_state(chat_id: int):
    """The chat and the frames a (re)connecting visitor gets: the conversation so far,
    who joined, and, once ended, the rating question if it is still open."""
    chat = Chat.objects.select_related("ticket__customer", "agent").filter(pk=chat_id).first()
    if chat is None:
        return None
    if chat.visitor_left_at is not None:  # back (a reload, another page of the site)
        Chat.objects.filter(pk=chat.pk).update(visitor_left_at=None)
    frames = [events.message_frame(m, name=display_name(m.author_user) if m.author_user
                                   else (m.author_customer.name if m.author_customer else ""))
              for m in queries.history(chat)]
    if chat.agent_id and chat.status != Chat.Status.MISSED:
        # Where the agent joined: before their first message (or at the end, not yet written).
        at = next((i for i, f in enumerate(frames) if f["author"] == "agent"), len(frames))
        frames.insert(at, {"type": "joined", "name": display_name(chat.agent)})
    if not chat.is_open:
        frames.append({"type": "ended"})
        request = rating.rating_request(chat) if chat.status == Chat.Status.ENDED else None
        if request:
            frames.append(request)
    return chat, frames


def _agent_file_url(attachment_id: int) -> str:
    """Agents download through the ticket page's view, which checks tickets.policy."""
    return reverse("tickets:attachment", args=[attachment_id])


class AgentConsumer(_ChatSocket):
    async def connect(self):
        await self.accept()
        user = self.scope.get("user")
        if not is_staff_member(user):
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.user = user
        self.chats: dict[int, Chat] = {}  # subscribed chats, proven visible (tickets.policy)
        self.team_ids, self.sees_all = await database_sync_to_async(
            lambda: (policy.team_ids(user), user.sees_all_tickets))()
        await self.join(events.INBOX)
        await self.send_json({"type": "hello", "agent": user.pk})

    async def chat_frame(self, event):
        frame = event["frame"]
        if frame["type"] == "typing" and frame.get("agent") == self.user.pk:
            return
        frame = events.with_file_urls(frame, _agent_file_url)
        await self.send_json({"chat": event["chat"], **frame})

    async def chat_inbox(self, event):
        team, assignee = event.get("team"), event.get("assignee")
        if not self.sees_all and team not in self.team_ids and assignee != self.user.pk:
            return  # a chat of another team: not this agent's business
        await self.send_json({"type": "inbox", "chat": event["chat"], "new": event.get("new")})

    async def _chat(self, frame, *, proven: bool = True) -> Chat:
        """The chat a frame names: one this socket subscribed to (already checked), or
        one the agent may see (checked now)."""
        chat_id = frame.get("chat")
        if isinstance(chat_id, bool) or not isinstance(chat_id, int):
            raise refuse("chat", _("Give the chat's id."), "invalid")
        if proven and chat_id in self.chats:
            return self.chats[chat_id]
        chat = await database_sync_to_async(
            lambda: queries.visible_chats(self.user).select_related("ticket").filter(
                pk=chat_id).first())()
        if chat is None:
            raise Chat.DoesNotExist
        return chat

    async def on_subscribe(self, frame):
        chat = await self._chat(frame, proven=False)
        self.chats[chat.pk] = chat
        await self.join(events.group(chat.pk))
        await self.send_json({"type": "subscribed", "chat": chat.pk})

    async def on_message(self, frame):
        chat = await self._chat(frame)
        body = services.clean_body(frame.get("body"))
        await write_async(services.agent_message)(chat=chat, agent=self.user, body=body)

    async def on_typing(self, frame):
        chat = await self._chat(frame)
        await self.channel_layer.group_send(events.group(chat.pk), {
            "type": "chat.frame", "chat": chat.pk,
            "frame": {"type": "typing", "author": "agent", "agent": self.user.pk}})
