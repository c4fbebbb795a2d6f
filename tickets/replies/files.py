"""Files agents attach to replies and notes: checked before anything is written.

Refused, with an error naming the file under the ``attachments`` field: more files
than ``HELPDESK_MAX_REPLY_FILES``, one file over ``HELPDESK_MAX_ATTACHMENT_BYTES``,
all together over ``HELPDESK_MAX_REPLY_ATTACHMENT_BYTES``, and programs, by name
(``.exe``, ``.js``, …) or by their first bytes (Windows, Linux and macOS
executables whatever they are called). Mail systems refuse such files anyway, and
a helpdesk must not become the way they travel.
"""

from __future__ import annotations

import mimetypes
import re
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from ..models import Attachment, Message

FIELD = "attachments"
FORBIDDEN_EXTENSIONS = frozenset({
    "exe", "com", "bat", "cmd", "scr", "pif", "msi", "msp", "dll", "cpl", "jar", "js", "jse",
    "vbs", "vbe", "wsf", "wsh", "ps1", "psm1", "hta", "lnk", "reg", "sh", "app", "apk",
    "dmg", "pkg", "deb", "rpm", "elf", "bin", "run", "gadget", "inf", "sys", "drv", "ocx",
})
# Windows PE, ELF, Mach-O (both byte orders, 32/64-bit, universal).
_EXECUTABLE_MAGIC = (b"MZ", b"\x7fELF", b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf",
                     b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe")
_UNSAFE_NAME = re.compile(r"[\x00-\x1f/\\:*?\"<>|]+")


@dataclass
class CheckedFile:
    name: str
    content_type: str
    data: bytes
    inline: bool = False
    content_id: str = ""


def clean_name(name: str) -> str:
    name = _UNSAFE_NAME.sub("_", name or "").strip(" ._") or "attachment"
    if len(name) > 120:
        stem, dot, ext = name.rpartition(".")
        name = f"{stem[:100]}.{ext[:10]}" if dot else name[:120]
    return name


def _refuse(message: str) -> ValidationError:
    return ValidationError({FIELD: message}, code="invalid")


def _is_forbidden(name: str, head: bytes) -> bool:
    extension = name.rpartition(".")[2].lower() if "." in name else ""
    return extension in FORBIDDEN_EXTENSIONS or head.startswith(_EXECUTABLE_MAGIC)


def check_files(uploads) -> list[CheckedFile]:
    """The uploads (Django ``UploadedFile``s) as checked files, or a ValidationError
    naming the first file that may not go and why."""
    uploads = [u for u in uploads or [] if u is not None]
    if len(uploads) > settings.HELPDESK_MAX_REPLY_FILES:
        raise _refuse(_("Attach at most %(n)d files to one message.")
                      % {"n": settings.HELPDESK_MAX_REPLY_FILES})
    per_file, total = settings.HELPDESK_MAX_ATTACHMENT_BYTES, 0
    checked = []
    for upload in uploads:
        name = clean_name(getattr(upload, "name", "") or "")
        size = upload.size
        if size > per_file:
            raise _refuse(_("%(name)s (%(size)s) is larger than the limit of %(limit)s per file.")
                          % {"name": name, "size": filesizeformat(size),
                             "limit": filesizeformat(per_file)})
        total += size
        if total > settings.HELPDESK_MAX_REPLY_ATTACHMENT_BYTES:
            raise _refuse(_("With %(name)s the files come to %(size)s, more than the limit of "
                            "%(limit)s per message.")
                          % {"name": name, "size": filesizeformat(total),
                             "limit": filesizeformat(settings.HELPDESK_MAX_REPLY_ATTACHMENT_BYTES)})
        upload.seek(0)
        data = upload.read()
        if _is_forbidden(name, data[:8]):
            raise _refuse(_("%(name)s is a program; programs cannot be attached.")
                          % {"name": name})
        content_type = (getattr(upload, "content_type", "") or mimetypes.guess_type(name)[0]
                        or "application/octet-stream")[:255]
        checked.append(CheckedFile(name=name, content_type=content_type, data=data))
    return checked


_CID_REF = re.compile(r"\(cid:([^)\s]+)\)")


def link_inline_images(text: str, files: list[CheckedFile]) -> str:
    """Images the reply refers to as ``![…](cid:NAME)`` (a pasted image) become inline
    parts with a Content-ID of their own; the text then refers to that id."""
    by_name = {f.name: f for f in files}

    def swap(match: re.Match) -> str:
        item = by_name.get(clean_name(match.group(1)))
        if item is None or not item.content_type.startswith("image/"):
            return match.group(0)
        if not item.content_id:
            item.inline, item.content_id = True, f"{uuid.uuid4().hex}@helpdesk"
        return f"(cid:{item.content_id})"

    return _CID_REF.sub(swap, text)


def store_files(message: Message, files: list[CheckedFile]) -> list[Attachment]:
    stored = []
    for item in files:
        attachment = Attachment(message=message, filename=item.name,
                                content_type=item.content_type, size=len(item.data),
                                content_id=item.content_id, inline=item.inline)
        attachment.file.save(item.name, ContentFile(item.data), save=False)
        attachment.save()
        stored.append(attachment)
    return stored


def outbox_files(attachments) -> list[dict]:
    """Attachment rows as the outbox's file list (``helpdesk.outbox.queue_email``)."""
    return [{"path": a.file.name, "filename": a.filename, "content_type": a.content_type,
             "content_id": a.content_id if a.inline else ""} for a in attachments]
