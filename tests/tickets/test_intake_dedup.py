"""De-duplication only swallows true retries (issue 11, item 2).

A retry is the same Message-ID *and* the same sender, subject and body; a different
message that reuses a Message-ID (a broken mailer, a forwarding loop, a forged
header) is stored and processed like any other mail, never silently dropped.
"""

import json
from base64 import b64encode

import pytest

from tickets import intake
from tickets.models import InboundEmail, Message, Ticket

from .test_intake import make_email

SECRET = "anymail-user:anymail-password"
AUTH = {"HTTP_AUTHORIZATION": "Basic " + b64encode(SECRET.encode()).decode()}


def receive(raw: bytes) -> intake.IntakeResult:
    return intake.receive_raw(raw, source=InboundEmail.Source.FILE)


def test_other_mail_reusing_a_message_id_is_stored_and_processed(db):
    first = receive(make_email(msgid="<reused@mailer.example>", subject="Invoice 1",
                               body="First invoice question."))
    second = receive(make_email(msgid="<reused@mailer.example>", subject="Invoice 2",
                                body="A different question."))
    assert first.status == "created"
    assert second.status == "created"
    assert Ticket.objects.count() == 2
    rows = InboundEmail.objects.order_by("pk")
    assert [r.email_message_id for r in rows] == ["<reused@mailer.example>"] * 2
    assert rows[0].dedup_key != rows[1].dedup_key


@pytest.mark.parametrize("change", [
    {"sender": "Someone Else <else@example.org>"},
    {"subject": "Printer on fire, part two"},
    {"body": "It is still on fire."},
])
def test_same_message_id_with_any_other_sender_subject_or_body_is_not_a_retry(db, change):
    receive(make_email(msgid="<same@example.com>"))
    result = receive(make_email(msgid="<same@example.com>", **change))
    assert result.status != "duplicate"
    assert InboundEmail.objects.count() == 2
    assert Message.objects.count() == 2


def test_retry_with_rewritten_transport_headers_is_still_a_duplicate(db):
    """An ESP or relay re-delivering adds Received headers; the message itself is the same."""
    raw = make_email(msgid="<retry@example.com>")
    receive(raw)
    again = receive(b"Received: from relay2.example by mx.example; Tue, 1 Dec 2026\r\n" + raw)
    assert again.status == "duplicate"
    assert InboundEmail.objects.count() == 1


def test_refolded_headers_and_reencoded_body_of_the_same_mail_are_a_duplicate(db):
    """A webhook that rebuilds the MIME (new boundary, other transfer encoding) is a retry."""
    plain = (b"From: Kalle <customer@example.com>\r\nTo: support@example.com\r\n"
             b"Subject: Same\r\nMessage-ID: <rebuilt@example.com>\r\n"
             b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n"
             b"\r\nP\xc3\xa4iv\xc3\xa4\xc3\xa4!\r\n")
    rebuilt = (b"From: Kalle\r\n <customer@example.com>\r\nTo: support@example.com\r\n"
               b"Subject: Same\r\nMessage-ID: <rebuilt@example.com>\r\n"
               b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n"
               b"\r\n" + b64encode("Päivää!\r\n".encode()) + b"\r\n")
    assert receive(plain).status == "created"
    assert receive(rebuilt).status == "duplicate"


def test_webhook_delivery_of_another_mail_with_a_seen_message_id_is_kept(client, db, settings):
    """The same class on the anymail inbound path: it goes through the same intake."""
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}
    settings.ANYMAIL_WEBHOOK_SECRET = SECRET
    for subject in ("Order 1", "Order 2"):
        payload = {
            "FromFull": {"Email": "hook@example.com", "Name": "Hook"},
            "ToFull": [{"Email": "support@example.com", "Name": ""}], "CcFull": [],
            "Subject": subject, "Date": "Thu, 5 Apr 2012 16:59:01 +0200",
            "TextBody": f"About {subject}", "HtmlBody": "", "Attachments": [],
            "Headers": [{"Name": "Message-ID", "Value": "<shop-mailer@example.com>"}],
        }
        response = client.post("/anymail/postmark/inbound/", json.dumps(payload),
                                content_type="application/json", **AUTH)
        assert response.status_code == 200
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == ["Order 1", "Order 2"]


def test_webhook_retry_of_a_rebuilt_message_is_stored_once(client, db, settings):
    """Postmark's parsed inbound is rebuilt into MIME by anymail with a fresh boundary
    each time; a retry of it must still be recognised."""
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}
    settings.ANYMAIL_WEBHOOK_SECRET = SECRET
    payload = {
        "FromFull": {"Email": "hook@example.com", "Name": "Hook"},
        "ToFull": [{"Email": "support@example.com", "Name": ""}], "CcFull": [],
        "Subject": "Twice", "Date": "Thu, 5 Apr 2012 16:59:01 +0200",
        "TextBody": "Plain", "HtmlBody": "<p>Rich</p>", "Attachments": [],
        "Headers": [{"Name": "Message-ID", "Value": "<twice@example.com>"}],
    }
    for _ in range(2):
        response = client.post("/anymail/postmark/inbound/", json.dumps(payload),
                               content_type="application/json", **AUTH)
        assert response.status_code == 200
    assert InboundEmail.objects.count() == 1
    assert Ticket.objects.count() == 1
