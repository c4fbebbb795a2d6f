"""Showing a customer's HTML email to agents without letting it phone home.

The HTML was sanitized at intake (tickets.intake.clean.sanitize_html). Before it is shown,
image sources are rewritten: ``cid:`` references become the URL of the message's own inline
attachment (served from our origin), remote images are left out until the agent asks for
them, anything else is dropped. Links open in a new tab. See docs/security.md.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import nh3

# Sanitized HTML always quotes attributes, so a plain pattern finds every remote image.
_REMOTE_IMG = re.compile(r'<img\b[^>]*?\ssrc="(?:https?:)?//', re.IGNORECASE)
URL_SCHEMES = nh3.ALLOWED_URL_SCHEMES | {"cid"}


def remote_image_count(html: str) -> int:
    """How many images of this (sanitized) HTML would be fetched from another server."""
    return len(_REMOTE_IMG.findall(html)) if html else 0


def _is_remote(src: str) -> bool:
    lowered = src.strip().lower()
    return lowered.startswith(("http://", "https://", "//"))


@dataclass
class Rendered:
    html: str
    blocked: int


def render_email_html(html: str, *, cid_urls: Mapping[str, str],
                      show_remote: bool) -> Rendered:
    """The message's HTML for its frame: inline images from our origin, remote images only
    when ``show_remote``; ``blocked`` counts the remote images left out."""
    blocked = 0

    def rewrite(tag: str, attribute: str, value: str) -> str | None:
        nonlocal blocked
        if tag != "img" or attribute != "src":
            return value
        if value.lower().startswith("cid:"):
            return cid_urls.get(value[4:].strip().strip("<>"))
        if _is_remote(value):
            if show_remote:
                return value
            blocked += 1
        return None  # a relative URL would reach our own endpoints; nothing else is an image

    cleaned = nh3.clean(html, attribute_filter=rewrite, url_schemes=URL_SCHEMES,
                        link_rel="noopener noreferrer nofollow",
                        set_tag_attribute_values={"a": {"target": "_blank"}})
    return Rendered(html=cleaned, blocked=blocked)
