"""Outlook's TNEF (winmail.dat): unpack the files and body inside, else keep it whole."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from .charset import decode_bytes

if TYPE_CHECKING:
    from .parse import ParsedEmail

logger = logging.getLogger(__name__)


def unpack_tnef(data: bytes, filename: str, parsed: ParsedEmail) -> None:
    from .parse import Part

    try:
        from tnefparse import TNEF

        tnef = TNEF(data)
        files = [Part(att.long_filename() or att.name or "attachment", "application/octet-stream",
                      att.data or b"") for att in tnef.attachments]
    except Exception as exc:  # truncated or empty TNEF: the raw file is still worth keeping
        logger.info("could not unpack TNEF %s: %s", filename, exc)
        parsed.attachments.append(Part(filename, "application/ms-tnef", data))
        return
    if not files and not getattr(tnef, "body", None) and not getattr(tnef, "htmlbody", None):
        parsed.attachments.append(Part(filename, "application/ms-tnef", data))
        return
    parsed.attachments.extend(files)
    body = getattr(tnef, "body", None)
    if body and not parsed.text:
        parsed.text = decode_bytes(body) if isinstance(body, bytes) else str(body)
    html = getattr(tnef, "htmlbody", None)
    if html and not parsed.html:
        parsed.html = decode_bytes(html) if isinstance(html, bytes) else str(html)
