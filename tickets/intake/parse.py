"""Raw RFC 822 bytes → a ParsedEmail: decoded headers, text, HTML and attachments.

The stdlib parser (policy.default) does the MIME work; every value it hands back
is re-checked, because real mail breaks each rule at least once.
"""

from __future__ import annotations

import email
import re
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import getaddresses, parseaddr
from functools import lru_cache

from .charset import decode_bytes, decode_header_value, fix_surrogates
from .tnef import unpack_tnef

_MSGID = re.compile(r"<[^<>\s]+>")


class _CachingPolicy(EmailPolicy):
    """policy.default, remembering parsed header objects.

    policy.default parses a header into a structured object on every read, and
    intake reads the same ones many times (get_content_type() on each part by
    every noise check): that was a third of the parse time. The objects are
    never changed in place, so one parse per distinct (name, value) is shared.
    """

    def header_fetch_parse(self, name, value):
        if hasattr(value, "name") or len(value) > 4000:
            return super().header_fetch_parse(name, value)
        return _parse_header(name, value)


_POLICY = _CachingPolicy()


@lru_cache(maxsize=4096)
def _parse_header(name: str, value: str):
    return EmailPolicy.header_fetch_parse(_POLICY, name, value)


@dataclass
class Part:
    filename: str
    content_type: str
    data: bytes
    content_id: str = ""
    inline: bool = False


@dataclass
class ParsedEmail:
    message: EmailMessage
    message_id: str = ""
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    subject: str = ""
    from_name: str = ""
    from_email: str = ""
    recipients: list[str] = field(default_factory=list)
    text: str = ""
    html: str = ""
    language: str = ""
    attachments: list[Part] = field(default_factory=list)

    def header(self, name: str) -> str:
        return header(self.message, name)


def header(msg: EmailMessage, name: str) -> str:
    """One header decoded to text, or ""; a malformed header never raises."""
    try:
        value = msg.get(name)
    except Exception:  # the header parser choked: fall back to the raw value
        value = None
        for key, raw in msg.raw_items():
            if key.lower() == name.lower():
                value = decode_header_value(str(raw))
                break
    if value is None:
        return ""
    text = str(value)
    if "=?" in text or "\ufffd" in text or _has_surrogates(text):
        raw = next((str(v) for k, v in msg.raw_items() if k.lower() == name.lower()), text)
        text = decode_header_value(raw)
    return " ".join(fix_surrogates(text).split())


def _has_surrogates(text: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in text)


def message_ids(value: str) -> list[str]:
    return _MSGID.findall(value or "")


def addresses(msg: EmailMessage, *names: str) -> list[str]:
    found = []
    for name in names:
        values = [header(msg, name)] if name in msg else []
        for _display, addr in getaddresses(values):
            if "@" in addr:
                found.append(addr.strip().lower())
    return found


def parse(raw: bytes) -> ParsedEmail:
    msg = email.message_from_bytes(raw, policy=_POLICY)
    name, addr = _sender(msg)
    parsed = ParsedEmail(
        message=msg,
        message_id=(message_ids(header(msg, "Message-ID")) or [""])[0][:255],
        in_reply_to=message_ids(header(msg, "In-Reply-To")),
        references=message_ids(header(msg, "References")),
        subject=header(msg, "Subject"),
        from_name=name.strip().strip('"'),
        from_email=addr.strip().lower() if "@" in addr else "",
        recipients=addresses(msg, "To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To"),
        language=header(msg, "Content-Language").lower(),
    )
    _collect(msg, parsed)
    return parsed


_ADDRESS = re.compile(r"[\w.+'=-]+@[\w-]+(?:\.[\w-]+)+")


def _sender(msg: EmailMessage) -> tuple[str, str]:
    """(display name, address) of the author: From, else Sender, Reply-To or Return-Path."""
    for name in ("From", "Sender", "Reply-To", "Return-Path"):
        value = header(msg, name)
        display, addr = parseaddr(value)
        if "@" not in addr:  # "Name [mailto:a@b] On Behalf Of …" and friends
            match = _ADDRESS.search(value)
            addr, display = (match.group(0), "") if match else ("", display)
        if addr:
            return display, addr
    return "", ""


def _payload(part: EmailMessage) -> bytes:
    data = part.get_payload(decode=True)
    if isinstance(data, bytes):
        return data
    payload = part.get_payload()
    return payload.encode("utf-8", "surrogateescape") if isinstance(payload, str) else b""


def _filename(part: EmailMessage) -> str:
    try:
        name = part.get_filename() or ""
    except Exception:
        name = ""
    return decode_header_value(str(name)) if name else ""


def _collect(part: EmailMessage, parsed: ParsedEmail) -> None:
    """Walk the MIME tree: first body text/HTML, everything else an attachment.

    Forwarded messages (message/rfc822) are kept whole as .eml attachments
    instead of being descended into, so their text never mixes with the reply.
    """
    ctype = part.get_content_type()
    if part.is_multipart() and ctype != "message/rfc822":
        for sub in part.iter_parts() if hasattr(part, "iter_parts") else part.get_payload():
            _collect(sub, parsed)
        return
    disposition = (part.get_content_disposition() or "").lower()
    filename = _filename(part)
    if ctype == "message/rfc822":
        inner = part.get_payload()
        data = inner[0].as_bytes() if isinstance(inner, list) and inner else _payload(part)
        subject = header(inner[0], "Subject") if isinstance(inner, list) and inner else ""
        parsed.attachments.append(Part(filename or f"{subject or 'forwarded'}.eml"[:120],
                                       "message/rfc822", data))
        return
    data = _payload(part)
    if ctype in ("application/ms-tnef", "application/vnd.ms-tnef") or filename.lower() == "winmail.dat":
        unpack_tnef(data, filename or "winmail.dat", parsed)
        return
    is_body = disposition != "attachment" and not filename and ctype in ("text/plain", "text/html")
    if is_body:
        text = decode_bytes(data, part.get_content_charset())
        if ctype == "text/html":
            parsed.html = parsed.html or text
        elif not parsed.text:
            parsed.text = text
        else:  # a second inline text part (list footer, split body): keep it
            parsed.text += "\n\n" + text
        return
    content_id = str(part.get("Content-ID", "") or "").strip().strip("<>")
    parsed.attachments.append(Part(
        filename=filename, content_type=ctype, data=data, content_id=content_id[:255],
        inline=disposition == "inline" or bool(content_id and disposition != "attachment"),
    ))
