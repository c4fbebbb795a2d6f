"""What a parsed email becomes on a Message: visible text, quoted text, HTML, files."""

from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from ..models import Attachment, Message
from ..services.held import write_held
from .clean import html_to_text, sanitize_html, split_reply
from .parse import ParsedEmail, Part

_FINNISH = re.compile(
    r"\b(kiitos|terveisin|ystävällisin|hei|moi|moikka|että|ongelma|tilaus|laskun?|voitteko"
    r"|pystyttekö|kirjoitti|toimi(i|vat)?)\b", re.IGNORECASE)


@dataclass
class Content:
    text: str
    quoted: str
    html: str
    language: str
    attachments: list[Part] = field(default_factory=list)


def guess_language(parsed: ParsedEmail, text: str) -> str:
    """"fi" when the mail says so or reads Finnish; "en" otherwise. Cheap on purpose."""
    if parsed.language.startswith("fi"):
        return "fi"
    return "fi" if len(_FINNISH.findall(text[:2000])) >= 2 else "en"


def _safe_filename(part: Part, index: int) -> str:
    name = re.sub(r"[\x00-\x1f/\\:*?\"<>|]+", "_", part.filename).strip(" ._")
    if not name:
        ext = mimetypes.guess_extension(part.content_type) or ".bin"
        name = f"attachment-{index}{ext}"
    if len(name) > 120:
        stem, dot, ext = name.rpartition(".")
        name = f"{stem[:100]}.{ext[:10]}" if dot else name[:120]
    return name


def visible_content(parsed: ParsedEmail) -> Content:
    source = parsed.text if parsed.text.strip() else html_to_text(parsed.html)
    reply = split_reply(source.replace("\x00", ""))
    limit = settings.HELPDESK_MAX_ATTACHMENT_BYTES
    kept, notes = [], []
    for index, part in enumerate(parsed.attachments, start=1):
        part.filename = _safe_filename(part, index)
        if len(part.data) > limit:
            notes.append(_("Attachment %(name)s (%(size)s) was not stored: it is larger than "
                           "the limit of %(limit)s.")
                         % {"name": part.filename, "size": filesizeformat(len(part.data)),
                            "limit": filesizeformat(limit)})
        else:
            kept.append(part)
    text = "\n\n".join(x for x in (reply.text, *notes) if x)
    return Content(
        text=text, quoted=reply.hidden, html=sanitize_html(parsed.html.replace("\x00", "")),
        language=guess_language(parsed, reply.text), attachments=kept,
    )


def store_attachments(message: Message, parts: list[Part]) -> list[Attachment]:
    """Attachment rows for the kept parts (inline images included), in the caller's transaction."""
    if parts and message.pk is None:  # held in the intake's batch: written now, for its id
        write_held(Message)
    stored = []
    for part in parts:
        attachment = Attachment(
            message=message, filename=part.filename, content_type=part.content_type[:255],
            size=len(part.data), content_id=part.content_id, inline=part.inline,
        )
        attachment.file.save(part.filename, ContentFile(part.data), save=False)
        attachment.save()
        stored.append(attachment)
    return stored
