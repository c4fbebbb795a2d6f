"""Reply stripping, HTML to text and charset fallbacks, against the corpus's expected texts."""

from pathlib import Path

import pytest

from tickets.intake.charset import decode_bytes, decode_header_value
from tickets.intake.clean import html_to_text, split_reply
from tickets.intake.parse import parse

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "email"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"corpus not found at {CORPUS}")
CRISP = sorted((CORPUS / "crisp-email-reply-parser").glob("*.txt")) if CORPUS.is_dir() else []


def _lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.strip().splitlines()]


@needs_corpus
@pytest.mark.parametrize("path", CRISP, ids=lambda p: p.name)
def test_crisp_localized_quote_headers_leave_the_first_paragraph(path):
    reply = split_reply(path.read_text(encoding="utf-8"))
    # The README: the visible reply is the first paragraph, the Lorem text ending "nec nibh."
    text = path.read_text(encoding="utf-8")
    expected = text[: text.index("nec nibh.") + len("nec nibh.")]
    assert _lines(reply.text) == _lines(expected)
    assert reply.quoted  # the localized header and history are kept, not dropped


@needs_corpus
@pytest.mark.parametrize("name", ["iphone", "sparrow"])
def test_talon_visible_reply_matches_the_expected_text(name):
    folder = CORPUS / "talon" / "standard_replies"
    parsed = parse((folder / f"{name}.eml").read_bytes())
    reply = split_reply(parsed.text)
    expected = (folder / f"{name}_reply_text").read_text(encoding="utf-8")
    # talon's "visible reply" keeps the signature; we keep it too, split off the new text.
    visible = "\n\n".join(p for p in (reply.text, reply.signature) if p)
    assert _lines(visible) == _lines(expected)
    assert reply.text == "Hello"


@needs_corpus
@pytest.mark.parametrize("path", sorted((CORPUS / "talon" / "standard_replies").glob("*.eml"))
                         if CORPUS.is_dir() else [], ids=lambda p: p.name)
def test_talon_replies_lose_their_quoted_block(path):
    parsed = parse(path.read_bytes())
    reply = split_reply(parsed.text or html_to_text(parsed.html))
    assert reply.text.strip().startswith("Hello")
    assert reply.quoted
    assert ">" not in reply.text and "wrote:" not in reply.text


@pytest.mark.parametrize("marker", [
    "ma 3.3.2025 klo 10.00 Tuki <tuki@example.fi> kirjoitti:",
    "Am 03.03.2025 um 10:00 schrieb Support <support@example.com>:",
    "Den 3. mar. 2025 kl. 10.00 skrev Support <support@example.com>:",
    "-----Original Message-----",
    "-------- Alkuperäinen viesti --------",
])
def test_quote_markers_split_the_reply(marker):
    reply = split_reply(f"Kiitos!\n\n{marker}\n> vanha viesti")
    assert reply.text == "Kiitos!"
    assert reply.quoted.startswith(marker)


def test_finnish_outlook_header_block_is_quoted_history():
    text = ("Toimii nyt.\n\n________________________________\nLähettäjä: Tuki <tuki@example.fi>\n"
            "Lähetetty: maanantai 3. maaliskuuta 2025 10.00\nVastaanottaja: Matti\n"
            "Aihe: Tulostin\n\nVanha viesti")
    reply = split_reply(text)
    assert reply.text == "Toimii nyt."
    assert "Lähettäjä:" in reply.quoted


def test_dash_dash_signature_is_split_off():
    reply = split_reply("Thanks\n\n-- \nKalle Customer\nACME Oy")
    assert (reply.text, reply.signature) == ("Thanks", "-- \nKalle Customer\nACME Oy")


def test_interleaved_answers_between_quotes_stay_visible():
    text = "> Which printer?\nThe red one.\n> Which floor?\nThird.\n> Since when?\nMonday."
    assert split_reply(text).text == text


def test_bottom_posted_reply_is_the_text_under_the_quote():
    reply = split_reply("On 04/02/2012 06:26 PM, Megan wrote:\n> Hi\nHello")
    assert reply.text == "Hello"


def test_forwarded_message_is_kept_as_text():
    text = "FYI\n\n---------- Forwarded message ---------\nFrom: a@example.com\nDate: x\nTo: b\n\nBody"
    assert "Body" in split_reply(text).text


def test_html_to_text_keeps_lines_and_quotes_blockquotes():
    html = "<div>Hi<br>there</div><blockquote>old<br>text</blockquote><ul><li>one</li></ul>"
    assert html_to_text(html) == "Hi\nthere\n\n> old\n> text\n\n- one"


@pytest.mark.parametrize("data,charset,expected", [
    ("Grüße".encode("cp1252"), "iso-8859-1", "Grüße"),
    ("Grüße".encode(), "iso-8859-1", "Grüße"),
    ("€ 5".encode("cp1252"), "us-ascii", "€ 5"),
    (b"+AGQAZQ-", "utf-7", "de"),
    ("스티해".encode("cp949"), "ks_c_5601-1987", "스티해"),
    (b"ok", "x-no-such-charset", "ok"),
    (b"bad \xff utf-8", "utf-8", "bad ÿ utf-8"),
])
def test_decode_bytes_survives_lying_charsets(data, charset, expected):
    assert decode_bytes(data, charset) == expected


def test_double_encoded_utf8_is_repaired():
    mangled = "Привет".encode().decode("latin-1").encode()
    assert decode_bytes(mangled, "utf-8") == "Привет"


def test_rfc2047_header_with_unknown_charset_does_not_raise():
    assert decode_header_value("=?x-bogus?q?Hello?= world") == "Hello world"
