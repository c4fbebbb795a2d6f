"""Every real-world message of the shared corpus through ``ingest_email``, read in place.

The corpus lives beside the checkout (../shared/corpus/email); these tests skip
when it is absent. Files are read as bytes and never copied into the project.
"""

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from tickets.models import Customer, InboundEmail, Message

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "email"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"corpus not found at {CORPUS}")


def _is_rfc822(path: Path) -> bool:
    # The README's body-only fixtures: crisp reply bodies, talon HTML fragments and texts.
    rel = path.relative_to(CORPUS).as_posix()
    return not (rel.startswith("crisp-email-reply-parser/") or rel.startswith("talon/html_replies/")
                or rel.endswith("_reply_text") or path.name == "README.md")


MESSAGES = sorted(p for p in CORPUS.rglob("*") if p.is_file() and _is_rfc822(p)) if CORPUS.is_dir() else []
OUTCOMES = {"created", "added", "skipped", "quarantined"}


def ingest(rel: str) -> tuple[str, InboundEmail]:
    out = io.StringIO()
    call_command("ingest_email", str(CORPUS / rel), "--quiet-labels", stdout=out)
    return out.getvalue().strip(), InboundEmail.objects.order_by("-pk").first()


@needs_corpus
def test_corpus_has_the_documented_number_of_messages():
    assert len(MESSAGES) == 139


@needs_corpus
@pytest.mark.parametrize("path", MESSAGES, ids=lambda p: p.relative_to(CORPUS).as_posix())
def test_every_corpus_message_is_handled_with_a_recorded_outcome(db, path):
    line, stored = ingest(path.relative_to(CORPUS).as_posix())
    assert bytes(stored.raw) == path.read_bytes()
    assert stored.status in OUTCOMES, line
    assert line.split()[1] == stored.status
    if stored.status in ("skipped", "quarantined"):
        assert stored.reason
    if stored.status in ("created", "added"):
        assert stored.message is not None
        assert line.startswith(stored.ticket.reference)


def message_of(rel: str) -> Message:
    line, stored = ingest(rel)
    assert stored.status == "created", (line, stored.error)
    return stored.message


@needs_corpus
@pytest.mark.parametrize("rel,subject,sender,name", [
    ("django-helpdesk/all-special-chars.eml", "Testovácí email", "timothy.hobbs@auto-mat.cz",
     "Timothy Hobbs"),
    ("flanker/bilingual-simple.eml", "Simple text. How are you? Как ты поживаешь?",
     "hello@example.com", "Hello"),
    ("mail-gem/multi_charset/japanese_iso_2022.eml", "まみむめも", "raasdnil@gmail.com",
     "Mikel Lindsaar"),
    ("mail-parser/mail_test_6", "Быстрее вкладывайте в золото!", "noreply@ggg.com",
     "Время пришло"),
    ("mail-parser/mail_test_12", "代开各地增值税发票", "baoguan@hotmail.com", "张先生"),
])
def test_encoded_subject_and_sender_are_decoded(db, rel, subject, sender, name):
    message = message_of(rel)
    assert message.ticket.subject == subject
    assert (message.author_customer.email, message.author_customer.name) == (sender, name)


@needs_corpus
@pytest.mark.parametrize("rel,snippet", [
    ("mail-gem/multi_charset/japanese_iso_2022.eml", "すみません。"),  # iso-2022-jp
    ("mail-parser/mail_test_12", "你好！我公司可代开各类增值税发票"),  # gb2312, 8-bit
    ("mail-gem/multi_charset/ks_c_5601-1987.eml", "스티해"),
    ("alaveteli/no-part-charset-bad-utf8.eml", "贵公司负责人"),  # unlabelled GB text
    ("alaveteli/russian.eml", "Уважаемая"),  # UTF-8 double-encoded by the sender
    ("django-helpdesk/all-special-chars.eml", "íářčšáíéřášč"),
])
def test_non_utf8_bodies_are_decoded(db, rel, snippet):
    assert snippet in message_of(rel).body_text


@needs_corpus
@pytest.mark.parametrize("name", ["iphone", "sparrow", "gmail", "outlook", "yahoo", "aol"])
def test_talon_reply_is_stored_without_its_quote(db, name):
    message = message_of(f"talon/standard_replies/{name}.eml")
    assert message.body_text == "Hello"
    assert message.quoted_text


@needs_corpus
def test_tnef_attachments_are_unpacked(db):
    message = message_of("alaveteli/incoming-request-tnef-attachments.eml")
    names = sorted(message.attachments.values_list("filename", flat=True))
    assert names == ["FOI 09-02976i.doc", "FOI 09-02976iii.doc"]


@needs_corpus
def test_truncated_tnef_is_kept_as_winmail_dat(db):
    message = message_of("alaveteli/tnef-attachment-truncated.eml")
    assert "winmail.dat" in message.attachments.values_list("filename", flat=True)


@needs_corpus
def test_pdf_and_inline_image_attachments_are_stored(db):
    message = message_of("mail-parser/mail_test_2")
    files = {a.filename: a for a in message.attachments.all()}
    assert files["Bollettino.pdf"].size == 1089942
    assert files["intestazione.jpg"].content_type == "image/jpeg"


@needs_corpus
def test_forwarded_message_is_kept_as_an_eml_attachment(db):
    message = message_of("flanker/enclosed.eml")
    attachment = message.attachments.get(content_type="message/rfc822")
    assert attachment.filename.endswith(".eml")
    assert attachment.size > 0


@needs_corpus
@pytest.mark.parametrize("rel", [
    "alaveteli/track-response-exchange-oof-1.eml", "alaveteli/track-response-abcmail-oof.eml",
    "alaveteli/track-response-messageclass-oof.eml", "alaveteli/track-response-outlook-oof.eml",
])
def test_corpus_out_of_office_is_an_auto_reply(db, rel):
    _line, stored = ingest(rel)
    assert (stored.status, stored.reason) == ("skipped", "auto-reply")


@needs_corpus
@pytest.mark.parametrize("rel", sorted(p.relative_to(CORPUS).as_posix() for p in
                                       (CORPUS / "flanker" / "bounce").glob("*"))
                         if CORPUS.is_dir() else [])
def test_corpus_bounces_are_skipped_as_bounce(db, rel):
    _line, stored = ingest(rel)
    assert (stored.status, stored.reason) == ("skipped", "bounce")


@needs_corpus
def test_corpus_bounce_marks_the_known_recipient_bounced(db):
    path = CORPUS / "mail-gem" / "multipart_report_emails" / "report_422.eml"
    from tickets.intake.noise import bounced_addresses
    from tickets.intake.parse import parse

    recipients = bounced_addresses(parse(path.read_bytes()))
    assert recipients
    address = sorted(recipients)[0]
    Customer.objects.create(email=address)
    ingest("mail-gem/multipart_report_emails/report_422.eml")
    assert Customer.objects.get(email=address).bounced


@needs_corpus
def test_corpus_complaint_is_skipped(db):
    _line, stored = ingest("flanker/complaints/aol.eml")
    assert (stored.status, stored.reason) == ("skipped", "complaint")
