"""The reply editor's text: Markdown (bold, italic, lists, links, pasted images) to
sanitized HTML, and the plain-text part derived from that HTML.

The agent types in a plain textarea with a small toolbar that inserts Markdown
marks (static/tickets/compose.js), so a reply is never lost to an editor and
canned responses and macros insert plain text as before. markdown-it-py renders
CommonMark with raw HTML switched off and line breaks kept; nh3 then keeps only
the tags below, whatever the renderer produced.
"""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass

import nh3
from markdown_it import MarkdownIt

from ..intake.clean import html_to_text

TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "img", "blockquote", "code",
        "pre", "hr", "h1", "h2", "h3", "h4", "del", "s"}
ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto", "tel", "cid"}

_markdown = MarkdownIt("commonmark", {"breaks": True, "html": False}).enable("strikethrough")
_LINK = re.compile(r'<a\s[^>]*?href="([^"]*)"[^>]*>(.*?)</a>', re.DOTALL)
_IMAGE = re.compile(r'<img\s[^>]*?alt="([^"]*)"[^>]*>')


@dataclass(frozen=True)
class Body:
    text: str
    html: str


def sanitize(html: str) -> str:
    return nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES,
                     link_rel="noopener noreferrer nofollow")


def to_text(html: str) -> str:
    """Plain text of the sanitized HTML: links keep their address, images their name."""
    def link(match: re.Match) -> str:
        url, label = html_lib.unescape(match.group(1)), match.group(2)
        plain = html_lib.unescape(re.sub(r"<[^>]+>", "", label)).strip()
        if not url or url == plain or url == f"mailto:{plain}":
            return label
        return f"{label} ({html_lib.escape(url)})"

    html = _LINK.sub(link, html)
    html = _IMAGE.sub(lambda m: f"[{m.group(1)}]", html)
    return html_to_text(html)


def render(markdown: str) -> Body:
    html = sanitize(_markdown.render(markdown or "")).strip()
    return Body(text=to_text(html), html=html)
