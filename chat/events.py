"""What goes out on the sockets (docs/live-chat.md, "Frames").

Each chat has a group ``chat.<id>``: the visitor's sockets and the sockets of agents
who opened that chat. Agents' inboxes listen on ``chat.inbox``, which only says
"something changed" (with the chat's team, so an agent's socket passes on only what
the agent may see); the inbox then reloads its list over HTTP.
"""

from __future__ import annotations

import logging
import threading

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from helpdesk.files import SAFE_IMAGE_TYPES, normalize_type

logger = logging.getLogger(__name__)

INBOX = "chat.inbox"


def group(chat_id: int) -> str:
    return f"chat.{chat_id}"


def file_entry(attachment) -> dict:
    """A file as the frames list it; each socket adds the ``url`` its side may use."""
    return {"id": attachment.pk, "name": attachment.filename, "size": attachment.size,
            "type": attachment.content_type or "application/octet-stream",
            "image": normalize_type(attachment.content_type) in SAFE_IMAGE_TYPES}


def _attachments(message) -> list:
    """The message's attachments without a query: those the chat service just stored,
    or those prefetched with it (``queries.history``, the receiver); none otherwise."""
    stored = getattr(message, "chat_files", None)
    if stored is not None:
        return stored
    return getattr(message, "_prefetched_objects_cache", {}).get("attachments", [])


def message_frame(message, *, name: str) -> dict:
    author = {"customer": "visitor", "agent": "agent"}.get(message.author_type, "system")
    files = [file_entry(a) for a in _attachments(message)]
    body = message.body_text
    if files and body == ", ".join(f["name"] for f in files):
        body = ""  # the files' caption (chat.services.files_caption): the list says it
    frame = {"type": "message", "id": message.pk, "author": author, "name": name,
             "body": body, "at": message.created_at.isoformat()}
    if files:
        frame["files"] = files
    return frame


def with_file_urls(frame: dict, url_for) -> dict:
    """The frame with each file's download address for this socket's side."""
    files = frame.get("files")
    if not files:
        return frame
    return {**frame, "files": [{**f, "url": url_for(f["id"])} for f in files]}


def _send(group_name: str, event: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group_name, event)
    except Exception:  # a channel layer outage must not fail the change that was saved
        logger.exception("chat broadcast to %s failed", group_name)


def broadcast(chat_id: int, frame: dict) -> None:
    _send(group(chat_id), {"type": "chat.frame", "chat": chat_id, "frame": frame})


def notify_inbox(chat_id: int, *, team_id: int | None, assignee_id: int | None,
                 new: bool = False) -> None:
    """Tell the agents' inboxes that a chat changed; each agent socket passes it on only
    to agents who see the chat's team or have the chat (tickets/policy.py's rule)."""
    _send(INBOX, {"type": "chat.inbox", "chat": chat_id, "team": team_id,
                  "assignee": assignee_id, "new": new})


def broadcast_after_commit(chat_id: int, frame: dict) -> None:
    transaction.on_commit(lambda: broadcast(chat_id, frame))


# Messages the chat services broadcast themselves, first thing after the commit, so
# the ``message_added`` receiver (chat/receivers.py) does not send them again. Thread
# local: the commit, its callbacks and the receiver all run in the writing thread.
_sent = threading.local()


def message_after_commit(chat_id: int, *, name: str):
    """Broadcast the message a chat service is about to write as soon as its row is
    committed: the callback is registered before the ticket services register theirs
    (rules, webhooks, ...), so the other side sees the message before that work runs.
    Returns the setter the service calls with the stored message."""
    holder: list = []

    def send() -> None:
        if not holder:
            return
        message = holder[0]
        ids = getattr(_sent, "ids", None)
        if ids is None:
            ids = _sent.ids = set()
        ids.add(message.pk)
        broadcast(chat_id, message_frame(message, name=name))

    transaction.on_commit(send)
    return holder.append


def already_sent(message_id: int) -> bool:
    """Was this message broadcast by ``message_after_commit`` (forgotten once asked)?"""
    ids = getattr(_sent, "ids", None)
    if ids and message_id in ids:
        ids.discard(message_id)
        return True
    return False
