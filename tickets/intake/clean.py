"""HTML to text, HTML sanitizing, and the split of a reply from its quoted history."""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass
from html.parser import HTMLParser

import nh3

_BLOCK = {"p", "div", "tr", "table", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
          "pre", "hr", "section", "article", "header", "footer", "address", "center"}
_SKIP = {"script", "style", "head", "title", "template", "xml"}


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = [""]
        self.skip = 0
        self.quote = 0

    def _newline(self) -> None:
        self.lines.append("")

    def handle_starttag(self, tag, attrs):
        if tag in _SKIP:
            self.skip += 1
        elif tag == "br":
            self._newline()
        elif tag == "blockquote":
            self.quote += 1
            self._newline()
        elif tag == "li":
            self._newline()
            self.lines[-1] = "- "
        elif tag in _BLOCK or tag == "td" and self.lines[-1].strip():
            self._newline()

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag == "blockquote":
            self.quote = max(0, self.quote - 1)
            self._newline()
        elif tag in _BLOCK:
            self._newline()

    def handle_data(self, data):
        if self.skip:
            return
        text = re.sub(r"\s+", " ", data)
        if not self.lines[-1].strip() and self.quote and not self.lines[-1].startswith(">"):
            self.lines[-1] = "> " * self.quote
        if not self.lines[-1].strip():
            text = text.lstrip()
        self.lines[-1] += text


def html_to_text(html: str) -> str:
    """Readable text of an HTML body; blockquotes become "> " lines like a text reply."""
    parser = _TextExtractor()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # broken markup: strip the tags crudely
        return html_lib.unescape(re.sub(r"<[^>]+>", " ", html)).strip()
    lines = [line.rstrip().replace("\xa0", " ") for line in parser.lines]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def sanitize_html(html: str) -> str:
    """Safe HTML for the agent UI: no scripts, styles, handlers or remote tricks."""
    if not html.strip():
        return ""
    # cid: kept so inline images can be shown from our origin (tickets.mail_html).
    return nh3.clean(html, link_rel="noopener noreferrer nofollow",
                     url_schemes=nh3.ALLOWED_URL_SCHEMES | {"cid"})


@dataclass
class Reply:
    text: str
    signature: str
    quoted: str

    @property
    def hidden(self) -> str:
        """Everything not shown as the new text: signature, then quoted history."""
        return "\n\n".join(p for p in (self.signature, self.quoted) if p)


_WROTE = re.compile(
    r"(wrote|writes|schrieb|schreef|skrev|kirjoitti|a écrit|escribió|scrisse|napisał"
    r"|написал\w*|skrifaði)(\s*:?|\s+[^:]{0,150}:)\s*$", re.IGNORECASE)
_ORIGINAL = re.compile(
    r"^\s*[-_=]{2,}\s*(original message|ursprüngliche nachricht|oprindelig (besked|meddelelse)"
    r"|opprinnelig melding|ursprungligt meddelande|alkuperäinen viesti|message d'origine"
    r"|mensaje original|reply message)\s*[-_=]{2,}\s*$", re.IGNORECASE)
_HEADER_FROM = re.compile(
    r"^\s*\*?(from|von|fra|från|lähettäjä|de|van|od|da|от)\s*:\*?\s*\S", re.IGNORECASE)
_HEADER_OTHER = re.compile(
    r"^\s*\*?(sent|date|to|cc|subject|gesendet|datum|an|betreff|sendt|til|emne|skickat|till"
    r"|ämne|lähetetty|päivämäärä|vastaanottaja|aihe|envoyé|objet|à|verzonden|aan|onderwerp"
    r"|enviado|para|asunto|kopio)\s*:", re.IGNORECASE)
_RULE = re.compile(r"^\s*_{10,}\s*$")


_FORWARD = re.compile(
    r"^\s*([-_=]{2,}\s*(forwarded message|weitergeleitete nachricht|välitetty viesti"
    r"|videresendt (melding|besked)|vidarebefordrat meddelande|message transféré)\s*[-_=]{2,}"
    r"|begin forwarded message:)\s*$", re.IGNORECASE)


def _quote_start(lines: list[str]) -> int | None:
    for i, line in enumerate(lines):
        stripped = line.strip()
        if _FORWARD.match(stripped):
            return None  # a forward: what follows is the content, not history
        if _ORIGINAL.match(stripped):
            return i
        if _HEADER_FROM.match(stripped) and sum(
            bool(_HEADER_OTHER.match(nxt.strip())) for nxt in lines[i + 1 : i + 6]
        ) >= 2:
            return i - 1 if i and _RULE.match(lines[i - 1]) else i
        if stripped and len(stripped) < 300 and _looks_like_attribution(stripped):
            # "On <date>, <name> wrote:" split over up to three lines by some clients.
            for span in (1, 2, 3):
                chunk = lines[i : i + span]
                if not all(x.strip() for x in chunk):
                    break
                joined = " ".join(x.strip() for x in chunk)
                if _WROTE.search(joined) and len(joined) < 400:
                    return i
        if stripped.startswith(">") and _rest_is_quoted(lines[i:]):
            return i
    return None


def _looks_like_attribution(joined: str) -> bool:
    # An attribution names a person or date: an address, a digit or "On"/"Am"/"Le" opener.
    return bool(
        re.search(r"@|\d|^(on|am|le|el|den|op|il|пн|вт)\b", joined, re.IGNORECASE))


def _rest_is_quoted(lines: list[str]) -> bool:
    """Bottom-posted history; interleaved answers between quotes stay visible."""
    return all(x.lstrip().startswith(">") for x in lines if x.strip())


_MOBILE = re.compile(
    r"^(sent from my |sent from (mail|outlook) for |get outlook for |envoyé de mon "
    r"|von meinem .* gesendet|lähetetty (iphonesta|android|puhelimesta)|skickat från min )",
    re.IGNORECASE)


def _signature_start(lines: list[str]) -> int | None:
    """A "-- " signature block, else a mobile client's "Sent from my …" last line."""
    for i in range(len(lines) - 1, -1, -1):
        if lines[i].rstrip("\r") in ("-- ", "--") and len(lines) - i <= 15:
            return i
    filled = [i for i, line in enumerate(lines) if line.strip()]
    if filled and _MOBILE.match(lines[filled[-1]].strip()):
        return filled[-1]
    return None


def _bottom_posted(lines: list[str]) -> tuple[list[str], list[str]]:
    """A reply written under the quote: the new text is what follows the last "> " line."""
    last = max((i for i, x in enumerate(lines) if x.lstrip().startswith(">")), default=None)
    if last is None or not any(x.strip() for x in lines[last + 1 :]):
        return [], lines
    return lines[last + 1 :], lines[: last + 1]


def split_reply(text: str) -> Reply:
    """Separate the new text from quoted history and a trailing "-- " signature."""
    lines = text.replace("\r\n", "\n").split("\n")
    start = _quote_start(lines)
    quoted = ""
    if start is not None:
        head, tail = lines[:start], lines[start:]
        if not any(x.strip() for x in head):
            head, tail = _bottom_posted(tail)
        quoted = "\n".join(tail).strip()
        lines = head
    signature = ""
    sig = _signature_start(lines)
    if sig is not None and sig > 0:
        signature = "\n".join(lines[sig:]).strip("\n")
        lines = lines[:sig]
    return Reply(text="\n".join(lines).strip("\n").rstrip(), signature=signature, quoted=quoted)
