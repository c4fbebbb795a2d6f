"""Template helpers of the reply box and the thread's files (docs/replies.md)."""

from __future__ import annotations

import re

from django import template
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from ..replies import formatting
from ..replies.files import FORBIDDEN_EXTENSIONS

register = template.Library()

_CID_SRC = re.compile(r'src="cid:([^"]+)"')
_KINDS = {"application/pdf": "PDF", "text/plain": "TXT", "text/csv": "CSV",
          "application/zip": "ZIP", "message/rfc822": "EML"}


@register.filter
def file_kind(attachment) -> str:
    """A short type for people: PDF, PNG, DOCX… (the extension, else the MIME subtype)."""
    name = attachment.filename or ""
    if "." in name and len(name.rpartition(".")[2]) <= 5:
        return name.rpartition(".")[2].upper()
    content_type = (attachment.content_type or "").split(";")[0]
    return _KINDS.get(content_type) or (content_type.rpartition("/")[2].upper()[:12] or "?")


@register.filter
def agent_html(message) -> str:
    """An agent's formatted reply, sanitized again on the way out, its pasted images
    served by the checked inline-image route instead of ``cid:``."""
    html = formatting.sanitize(message.body_html)

    def source(match: re.Match) -> str:
        url = reverse("tickets:inline_image", args=[message.pk, match.group(1)])
        return f'src="{url}"'

    return mark_safe(_CID_SRC.sub(source, html))  # noqa: S308 - sanitized by nh3 above


@register.simple_tag
def compose_limits() -> dict:
    """The limits of ``tickets.replies.files`` and its messages, for the browser's own
    check before upload; ``{name}`` and ``{size}`` are filled in by compose.js."""
    per_file = settings.HELPDESK_MAX_ATTACHMENT_BYTES
    per_message = settings.HELPDESK_MAX_REPLY_ATTACHMENT_BYTES
    return {
        "per_file": per_file, "per_message": per_message,
        "files": settings.HELPDESK_MAX_REPLY_FILES,
        "forbidden": " ".join(sorted(FORBIDDEN_EXTENSIONS)),
        # filesizeformat's units in the page's language, for sizes the browser writes.
        "units": " ".join(["B", *((_(u) % "").strip() for u in ("%s KB", "%s MB", "%s GB"))]),
        "too_large": _("%(name)s (%(size)s) is larger than the limit of %(limit)s per file.")
        % {"name": "{name}", "size": "{size}", "limit": filesizeformat(per_file)},
        "too_much": _("With %(name)s the files come to %(size)s, more than the limit of "
                      "%(limit)s per message.")
        % {"name": "{name}", "size": "{size}", "limit": filesizeformat(per_message)},
        "program": _("%(name)s is a program; programs cannot be attached.") % {"name": "{name}"},
        "too_many": _("Attach at most %(n)d files to one message.")
        % {"n": settings.HELPDESK_MAX_REPLY_FILES},
    }
