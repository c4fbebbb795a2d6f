"""Text decoding that never fails: real mail lies about its charsets.

Mislabelled ISO-8859-1 that is really UTF-8, UTF-7, Korean and Chinese aliases
Python does not know, invalid UTF-8 and charsets nobody has heard of all end up
as readable text (with U+FFFD for the few bytes nothing can explain).
"""

from __future__ import annotations

import codecs
import re
from email.header import decode_header

# Names seen in the wild that Python's codec registry does not resolve (or resolves badly).
_ALIASES = {
    "ks_c_5601-1987": "cp949",
    "ks_c_5601": "cp949",
    "euc-kr": "cp949",
    "x-sjis": "cp932",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "hz-gb-2312": "hz",
    "big5": "big5hkscs",
    "iso-8859-8-i": "iso-8859-8",
    "unicode-1-1-utf-7": "utf-7",
    "x-unknown": "",
    "unknown-8bit": "",
    "x-user-defined": "",
    "default": "",
    "iso-8859-1": "cp1252",  # WHATWG: senders labelled Windows text as Latin-1 for decades
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "ansi_x3.4-1968": "cp1252",
}
_LATIN = {"cp1252", ""}


def codec_for(charset: str | None) -> str:
    """A Python codec name for ``charset``, or "" when it is unknown."""
    name = (charset or "").strip().strip('"').lower()
    name = _ALIASES.get(name, name)
    if not name:
        return ""
    try:
        return codecs.lookup(name).name
    except LookupError:
        return ""


def decode_bytes(data: bytes, charset: str | None = None) -> str:
    """Decode ``data`` labelled ``charset``; best effort, never raises."""
    codec = codec_for(charset)
    # Bytes labelled Latin-1/ASCII (or not at all) that are valid UTF-8 are UTF-8.
    candidates = ["utf-8", codec] if codec in _LATIN else [codec, "utf-8"]
    for name in filter(None, candidates):
        try:
            return repair_mojibake(data.decode(name))
        except (UnicodeDecodeError, LookupError, ValueError):
            continue
    guess = _guess(data)
    if guess:
        return guess
    return data.decode(codec if codec and codec != "utf-8" else "cp1252", errors="replace")


def _guess(data: bytes) -> str:
    """A statistical guess for unlabelled or mislabelled text long enough to judge."""
    if len(data) < 40:
        return ""
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # optional: installed with requests almost everywhere
        return ""
    best = from_bytes(data[:20000]).best()
    # Only trust guesses of multi-byte Asian encodings; single-byte guesses for European
    # text are worse than Windows-1252.
    if best is None or not best.encoding.startswith(_TRUSTED_GUESSES):
        return ""
    try:
        return data.decode(best.encoding)
    except (UnicodeDecodeError, LookupError):
        return ""


_TRUSTED_GUESSES = ("gb", "big5", "shift_jis", "cp932", "euc", "cp949", "iso2022", "hz", "johab")
_MOJIBAKE = re.compile("[ÃÂÐÑ][\x80-\xbf\u0152-\u2122]")
_RUN = re.compile("[\x80-\xff\u0152-\u2122]{2,}")


def _repair_run(match: re.Match) -> str:
    try:
        return _as_cp1252_bytes(match.group(0)).decode("utf-8")
    except UnicodeError:
        return match.group(0)


def repair_mojibake(text: str) -> str:
    """UTF-8 that was decoded as Windows-1252 and re-encoded (once or more): undo it.

    Works run by run of non-ASCII characters, so one genuine character elsewhere
    does not stop the repair of the rest.
    """
    for _ in range(3):
        if not _MOJIBAKE.search(text):
            break
        text = _RUN.sub(_repair_run, text)
    return text


def _as_cp1252_bytes(text: str) -> bytes:
    # Per character: Windows-1252 where it maps, Latin-1 for the C1 holes it leaves.
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1252")
        except UnicodeEncodeError:
            out += ch.encode("latin-1")  # raises for anything else: not mojibake
    return bytes(out)


_SURROGATES = re.compile(r"[\udc80-\udcff]")


def fix_surrogates(value: str) -> str:
    """Undo the parser's surrogateescape of raw 8-bit header bytes (RFC 6532 or broken)."""
    if not _SURROGATES.search(value):
        return value
    return decode_bytes(value.encode("utf-8", "surrogateescape"), "utf-8")


def decode_header_value(raw: str) -> str:
    """Decode an RFC 2047 header value by hand, tolerating bad charsets and bad words."""
    raw = fix_surrogates(raw)
    try:
        chunks = decode_header(raw)
    except Exception:  # malformed encoded-words: keep the raw text
        return " ".join(raw.split())
    parts = []
    for chunk, charset in chunks:
        if isinstance(chunk, bytes):
            parts.append(decode_bytes(chunk, charset))
        else:
            parts.append(chunk)
    return " ".join("".join(parts).split())
