"""The email intake: storing, de-duplication, threading, noise, quarantine and retry."""

from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from django.utils import timezone

from helpdesk.models import OutboundEmail
from helpdesk.outbox import queue_email
from tickets import intake, services
from tickets.email_tokens import make_reply_address
from tickets.models import Customer, InboundEmail, Message, Ticket

SUPPORT = "support@example.com"


def make_email(*, sender="Kalle Customer <customer@example.com>", to=SUPPORT,
               subject="Printer on fire", body="It is on fire.", msgid=None,
               headers=None, html=None) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    if msgid is not False:
        msg["Message-ID"] = msgid or make_msgid(domain="example.com")
    msg.set_content(body)
    if html:
        msg.add_alternative(html, subtype="html")
    for name, value in (headers or {}).items():  # after set_content, which drops Content-*
        msg[name] = value
    return msg.as_bytes()


def receive(raw: bytes, **kwargs) -> intake.IntakeResult:
    return intake.receive_raw(raw, source=InboundEmail.Source.FILE, **kwargs)


@pytest.fixture
def reply_to(ticket):
    """A reply to the ticket's first message, by its Message-ID."""
    message = ticket.messages.get()
    message.email_message_id = "<first@example.com>"
    message.save(update_fields=["email_message_id"])
    return "<first@example.com>"


def test_new_email_creates_ticket_with_decoded_subject_and_sender(db):
    raw = make_email(sender="=?utf-8?q?P=C3=A4ivi_Py=C3=B6r=C3=A4?= <paivi@example.fi>",
                     subject="=?iso-8859-1?q?T=E4m=E4_ei_toimi?=")
    result = receive(raw)
    assert result.status == "created"
    assert result.ticket.subject == "Tämä ei toimi"
    assert result.ticket.customer.name == "Päivi Pyörä"
    assert result.ticket.channel == "email"
    assert result.message.body_text == "It is on fire."


def test_every_message_is_stored_raw_with_its_outcome(db):
    raw = make_email()
    result = receive(raw)
    stored = InboundEmail.objects.get()
    assert bytes(stored.raw) == raw
    assert stored.status == InboundEmail.Status.CREATED
    assert stored.ticket == result.ticket
    assert stored.sender == "customer@example.com"


def test_same_message_twice_is_stored_once_and_reported_duplicate(db):
    raw = make_email(msgid="<once@example.com>")
    first = receive(raw)
    second = receive(raw)
    assert second.status == "duplicate"
    assert second.ticket == first.ticket
    assert InboundEmail.objects.count() == 1
    assert Message.objects.count() == 1


def test_message_without_message_id_is_deduplicated_by_content(db):
    raw = make_email(msgid=False)
    assert receive(raw).status == "created"
    assert receive(raw).status == "duplicate"
    assert InboundEmail.objects.get().dedup_key.startswith("sha256:")


def test_reply_threads_by_in_reply_to(ticket, reply_to):
    result = receive(make_email(subject="Re: fire", headers={"In-Reply-To": reply_to}))
    assert result.status == "added"
    assert result.ticket == ticket
    assert result.message.in_reply_to == reply_to


def test_reply_threads_by_references_to_an_outbound_email(ticket):
    sent = queue_email(kind="agent_reply", to="customer@example.com", subject="Re",
                       body_text="We look", ticket_id=ticket.pk)
    result = receive(make_email(subject="Thanks", headers={
        "References": f"<unknown@x> {sent.message_id}"}))
    assert result.status == "added"
    assert result.ticket == ticket


def test_reply_threads_by_signed_plus_address(ticket):
    result = receive(make_email(sender="colleague@example.org", to=make_reply_address(ticket.pk),
                                subject="Another"))
    assert result.status == "added"
    assert result.ticket == ticket


def test_tampered_plus_address_starts_a_new_ticket(ticket):
    forged = make_reply_address(ticket.pk).replace(f"+{ticket.pk}.", f"+{ticket.pk + 1}.")
    result = receive(make_email(to=forged))
    assert result.status == "created"
    assert result.ticket != ticket


def test_subject_reference_threads_for_the_tickets_customer(ticket):
    result = receive(make_email(subject=f"Re: [{ticket.reference}] Printer on fire"))
    assert result.status == "added"
    assert result.ticket == ticket


def test_subject_reference_from_another_sender_starts_a_new_ticket(ticket):
    result = receive(make_email(sender="stranger@example.net",
                                subject=f"[{ticket.reference}] let me in"))
    assert result.status == "created"
    assert result.ticket != ticket


def test_reply_to_closed_ticket_starts_a_linked_ticket(ticket, agent, reply_to):
    services.solve_ticket(ticket=ticket, actor=agent)
    services.close_ticket(ticket=ticket, actor=agent)
    result = receive(make_email(headers={"In-Reply-To": reply_to}))
    assert result.status == "created"
    assert result.ticket.follows_up == ticket


def test_reply_to_solved_ticket_reopens_it(ticket, agent, reply_to):
    services.solve_ticket(ticket=ticket, actor=agent)
    receive(make_email(headers={"In-Reply-To": reply_to}))
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.OPEN
    assert ticket.reopen_count == 1


def test_auto_reply_to_a_ticket_is_recorded_as_automatic_and_not_acknowledged(ticket, reply_to):
    sent_before = OutboundEmail.objects.count()
    result = receive(make_email(subject="Out of Office: Printer on fire",
                                headers={"In-Reply-To": reply_to, "Auto-Submitted": "auto-replied"}))
    assert result.status == "added"
    assert result.message.is_automatic
    assert OutboundEmail.objects.count() == sent_before


@pytest.mark.parametrize("headers,subject", [
    ({"Auto-Submitted": "auto-replied"}, "Hello"),
    ({"X-Autoreply": "yes"}, "Hello"),
    ({"X-Autorespond": "yes"}, "Hello"),
    ({"Precedence": "bulk"}, "Hello"),
    ({"X-MS-Exchange-Generated-Message-Source": "Mailbox Rules Agent"}, "Hello"),
    ({}, "Automatic reply: your message"),
    ({}, "Poissa toimistolta: Re: tilaus"),
    ({}, "Automaattinen vastaus: lasku"),
])
def test_auto_reply_matching_no_ticket_is_skipped(db, headers, subject):
    result = receive(make_email(subject=subject, headers=headers))
    assert (result.status, result.reason) == ("skipped", "auto-reply")
    assert not Ticket.objects.exists()


def test_auto_submitted_no_is_a_person(db):
    assert receive(make_email(headers={"Auto-Submitted": "no"})).status == "created"


def _dsn(recipient: str) -> bytes:
    raw = (
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.net>\r\n"
        "To: support@example.com\r\nSubject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <dsn1@mx.example.net>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.net\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n"
        "--B--\r\n"
    )
    return raw.encode()


def test_bounce_marks_the_customer_bounced_and_creates_no_ticket(customer):
    result = receive(_dsn(customer.email))
    assert (result.status, result.reason) == ("skipped", "bounce")
    customer.refresh_from_db()
    assert customer.bounced
    assert customer.bounced_at is not None
    assert not Ticket.objects.exists()


def test_bounce_never_creates_a_customer(db):
    receive(_dsn("nobody@example.org"))
    assert not Customer.objects.exists()


@pytest.mark.parametrize("sender", ["Support <support@example.com>",
                                    "support-team@helpdesk.test"])
def test_mail_from_our_own_addresses_is_skipped(team, sender):
    result = receive(make_email(sender=sender))
    assert (result.status, result.reason) == ("skipped", "own mail")


def test_mail_carrying_our_helpdesk_header_is_skipped(db):
    result = receive(make_email(sender="relay@example.org", headers={"X-Helpdesk-Ticket": "HD-1"}))
    assert (result.status, result.reason) == ("skipped", "own mail")


def test_our_own_outbound_message_coming_back_is_skipped(ticket):
    sent = OutboundEmail.objects.filter(ticket_id=ticket.pk).first()
    result = receive(make_email(sender="forwarder@example.org", msgid=sent.message_id))
    assert (result.status, result.reason) == ("skipped", "own mail")


def test_sender_over_the_rate_limit_is_skipped(db, settings):
    settings.HELPDESK_INTAKE_RATE_LIMIT = 3
    results = [receive(make_email(subject=f"storm {i}")) for i in range(5)]
    assert [r.status for r in results] == ["created"] * 3 + ["skipped"] * 2
    assert results[-1].reason == "rate limited"


def test_rate_limit_counts_only_the_window(db, settings, time_machine):
    settings.HELPDESK_INTAKE_RATE_LIMIT = 1
    time_machine.move_to(timezone.now() - timezone.timedelta(hours=1))
    receive(make_email(subject="old"))
    time_machine.move_to(timezone.now() + timezone.timedelta(hours=1))
    assert receive(make_email(subject="new")).status == "created"


def test_crash_quarantines_the_raw_message_and_retry_processes_it(db, monkeypatch):
    from tickets.intake import receive as receive_module

    def broken(raw):
        raise ValueError("parser exploded")

    original = receive_module.parse
    monkeypatch.setattr(receive_module, "parse", broken)
    result = receive(make_email())
    assert result.status == "quarantined"
    assert "parser exploded" in result.reason
    stored = InboundEmail.objects.get()
    assert stored.status == InboundEmail.Status.QUARANTINED
    assert "ValueError" in stored.error
    monkeypatch.setattr(receive_module, "parse", original)
    retried = intake.retry(stored)
    assert retried.status == "created"
    stored.refresh_from_db()
    assert (stored.status, stored.attempts) == (InboundEmail.Status.CREATED, 2)


def test_garbage_bytes_are_quarantined_not_lost(db):
    result = receive(b"\x00\xff garbage without headers")
    assert result.status == "quarantined"
    assert bytes(InboundEmail.objects.get().raw) == b"\x00\xff garbage without headers"


def test_attachments_are_stored_and_oversized_ones_noted(db, settings):
    settings.HELPDESK_MAX_ATTACHMENT_BYTES = 1000
    msg = EmailMessage()
    msg["From"] = "customer@example.com"
    msg["To"] = SUPPORT
    msg["Subject"] = "Files"
    msg.set_content("See attached.")
    msg.add_attachment(b"small file", maintype="text", subtype="csv", filename="small.csv")
    msg.add_attachment(b"x" * 5000, maintype="application", subtype="pdf", filename="big.pdf")
    result = receive(msg.as_bytes())
    attachments = list(result.message.attachments.all())
    assert [(a.filename, a.size) for a in attachments] == [("small.csv", 10)]
    assert attachments[0].file.read() == b"small file"
    assert "big.pdf" in result.message.body_text
    assert "See attached." in result.message.body_text


def test_inline_image_is_stored_with_its_content_id(db):
    msg = EmailMessage()
    msg["From"] = "customer@example.com"
    msg["Subject"] = "Screenshot"
    msg.set_content("text")
    msg.add_alternative('<p>Look: <img src="cid:shot1"></p>', subtype="html")
    html_part = msg.get_payload()[1]
    html_part.add_related(b"\x89PNG fake", maintype="image", subtype="png", cid="<shot1>")
    result = receive(msg.as_bytes())
    image = result.message.attachments.get()
    assert (image.content_id, image.inline, image.content_type) == ("shot1", True, "image/png")


def test_html_only_mail_gets_text_and_sanitized_html(db):
    msg = EmailMessage()
    msg["From"] = "customer@example.com"
    msg["Subject"] = "HTML"
    msg.set_content('<p>Hello <b>there</b></p><script>alert(1)</script><p onclick="x()">Bye</p>',
                    subtype="html")
    result = receive(msg.as_bytes())
    assert result.message.body_text == "Hello there\n\nBye"
    assert "<script" not in result.message.body_html
    assert "onclick" not in result.message.body_html
    assert "<b>there</b>" in result.message.body_html


def test_quoted_history_is_separated(ticket, reply_to):
    body = "Still broken.\n\nOn Mon, 3 Mar 2025 at 10:00, Support <support@example.com> wrote:\n> We fixed it"
    result = receive(make_email(body=body, headers={"In-Reply-To": reply_to}))
    assert result.message.body_text == "Still broken."
    assert result.message.quoted_text.startswith("On Mon, 3 Mar 2025")


def test_koi8r_and_latin1_bodies_are_decoded(db):
    for charset, text in (("koi8-r", "Привет, принтер горит"), ("iso-8859-1", "Grüße aus Köln")):
        raw = (f"From: {charset}@example.com\r\nSubject: {charset}\r\nMIME-Version: 1.0\r\n"
               f"Content-Type: text/plain; charset={charset}\r\n"
               "Content-Transfer-Encoding: 8bit\r\n\r\n").encode() + text.encode(charset)
        assert receive(raw).message.body_text == text


def test_utf8_mislabelled_as_latin1_is_decoded_as_utf8(db):
    raw = (b"From: a@example.com\r\nSubject: x\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
           b"Content-Transfer-Encoding: 8bit\r\n\r\n" + "Hyvää päivää".encode())
    assert receive(raw).message.body_text == "Hyvää päivää"


def test_finnish_mail_makes_a_finnish_customer(db):
    result = receive(make_email(sender="matti@example.fi",
                                body="Hei! Tulostin ei toimi. Kiitos avusta.\n\nTerveisin Matti"))
    assert result.ticket.customer.language == "fi"


def test_content_language_header_sets_finnish(db):
    result = receive(make_email(sender="liisa@example.fi", body="OK",
                                headers={"Content-Language": "fi-FI"}))
    assert result.ticket.customer.language == "fi"


def test_english_mail_makes_an_english_customer(db):
    result = receive(make_email(sender="john@example.com", body="Hello, the printer is broken."))
    assert result.ticket.customer.language == "en"


def test_organization_is_found_by_sender_domain(db):
    from tests.factories import OrganizationDomainFactory

    domain = OrganizationDomainFactory(domain="acme.example")
    result = receive(make_email(sender="wile@acme.example"))
    assert result.ticket.customer.organization == domain.organization
