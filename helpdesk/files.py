"""Serving files that people sent us (attachments, raw emails) without letting them run.

One function for every route that hands out such a file: the customer portal, the agent
UI, the API, the admin. A file is shown in the browser ("inline") only when it is a raster
image by its declared type *and* by its first bytes; everything else is a download of type
application/octet-stream. Every answer forbids sniffing, carries a CSP that allows nothing
(and sandboxes the document should a browser render it anyway) and may only be embedded by
our own pages. See docs/security.md.
"""

from __future__ import annotations

import re
import unicodedata
from typing import BinaryIO
from urllib.parse import quote

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse

# Raster formats browsers decode as images only: no script, no markup, no external loads.
SAFE_IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
_ALIASES = {"image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg", "image/x-png": "image/png"}

# Applied to every user file: should a browser render one as a document anyway, it gets no
# script, plugin, form, subresource or frame around it.
FILE_CSP = "default-src 'none'; img-src 'self'; sandbox; frame-ancestors 'none'"
DOWNLOAD_TYPE = "application/octet-stream"


def sniff_image_type(head: bytes) -> str | None:
    """The raster image type the first bytes announce, None when they are not one."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def normalize_type(content_type: str) -> str:
    base = (content_type or "").split(";", 1)[0].strip().lower()
    return _ALIASES.get(base, base)


def inline_image_type(declared: str, head: bytes) -> str | None:
    """The type to serve inline under, or None for a download.

    Both must agree that the file is a safe raster image: a declared PNG that is HTML
    inside, or PNG bytes declared as text/html, are downloads.
    """
    if normalize_type(declared) not in SAFE_IMAGE_TYPES:
        return None
    return sniff_image_type(head)


def content_disposition(filename: str, *, inline: bool) -> str:
    """An RFC 6266 header: an ASCII fallback name plus the UTF-8 name when they differ."""
    cleaned = re.sub(r"[\x00-\x1f\x7f/\\]+", "_", filename or "").strip() or "download"
    ascii_name = unicodedata.normalize("NFKD", cleaned).encode("ascii", "ignore").decode()
    ascii_name = re.sub(r'["%;]', "_", ascii_name).strip() or "download"
    value = f'{"inline" if inline else "attachment"}; filename="{ascii_name}"'
    if ascii_name != cleaned:
        value += f"; filename*=UTF-8''{quote(cleaned, safe='')}"
    return value


def _harden(response: HttpResponse, *, filename: str, inline: bool) -> HttpResponse:
    response["Content-Disposition"] = content_disposition(filename, inline=inline)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_CSP
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["X-Frame-Options"] = "DENY"
    response["Cache-Control"] = "private, max-age=0"
    response["Referrer-Policy"] = "no-referrer"
    return response


def serve_user_file(source: BinaryIO | bytes, *, filename: str,
                    content_type: str = "") -> HttpResponse:
    """The response for a file a customer or any outsider supplied.

    ``source`` is an open binary file (streamed, then closed) or bytes; ``content_type`` is
    what the sender declared. The caller has already checked that the user may see it.
    """
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        image_type = inline_image_type(content_type, data[:16])
        response: HttpResponse = HttpResponse(data, content_type=image_type or DOWNLOAD_TYPE)
    else:
        head = source.read(16)
        source.seek(0)
        image_type = inline_image_type(content_type, head)
        response = FileResponse(source, content_type=image_type or DOWNLOAD_TYPE)
    return _harden(response, filename=filename, inline=image_type is not None)



def serve_stored_file(field_file: FieldFile, *, filename: str,
                      content_type: str = "") -> HttpResponse:
    """serve_user_file for a file in storage; 404 when it is gone from the disk or bucket."""
    try:
        handle = field_file.open("rb")
    except (FileNotFoundError, ValueError):  # ValueError: the field has no file at all
        raise Http404 from None
    return serve_user_file(handle, filename=filename, content_type=content_type)
