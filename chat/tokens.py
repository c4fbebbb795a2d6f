"""The visitor's chat token: the chat id signed with the site's key and a timestamp.

It is the visitor's only credential (the widget runs on other sites, without our
session), so it is checked on every socket connect: a forged token closes the socket
with ``CLOSE_FORGED``, an expired one with ``CLOSE_EXPIRED`` (docs/live-chat.md).
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing

SALT = "chat.visitor"


class TokenError(Exception):
    def __init__(self, expired: bool):
        super().__init__("expired" if expired else "forged")
        self.expired = expired


def make_token(chat_id: int) -> str:
    return signing.dumps({"c": chat_id}, salt=SALT, compress=False)


def read_token(token: str, *, max_age: int | None = None) -> int:
    """The chat id of a valid token; raises TokenError otherwise."""
    max_age = settings.HELPDESK_CHAT_TOKEN_MAX_AGE if max_age is None else max_age
    try:
        data = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise TokenError(expired=True) from None
    except signing.BadSignature:
        raise TokenError(expired=False) from None
    if not isinstance(data, dict) or not isinstance(data.get("c"), int):
        raise TokenError(expired=False)
    return data["c"]
