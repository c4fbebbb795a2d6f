"""anymail's inbound webhooks, posted in each ESP's real request format and authentication.

Payload shapes follow anymail's documentation and its webhook parsers; the raw MIME
each ESP carries goes through tickets.intake like every other path.
"""

import hashlib
import hmac
import json
from base64 import b64encode

import pytest

from tickets.models import InboundEmail, Ticket

from .test_intake import make_email

SECRET = "anymail-user:anymail-password"
AUTH = {"HTTP_AUTHORIZATION": "Basic " + b64encode(SECRET.encode()).decode()}
MAILGUN_KEY = "mailgun-signing-key"


@pytest.fixture(autouse=True)
def anymail_settings(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET, "MAILGUN_WEBHOOK_SIGNING_KEY": MAILGUN_KEY}


def raw_email(subject: str) -> bytes:
    return make_email(sender="Webhook Customer <hook@example.com>", subject=subject)


def assert_one_ticket(subject: str, esp: str) -> None:
    ticket = Ticket.objects.get()
    assert ticket.subject == subject
    assert ticket.customer.email == "hook@example.com"
    stored = InboundEmail.objects.get()
    assert (stored.source, stored.esp, stored.status) == ("webhook", esp, "created")


def _mailgun_signature(timestamp: str, token: str, key: str = MAILGUN_KEY) -> str:
    return hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()


def mailgun_post(client, subject="Via Mailgun", key=MAILGUN_KEY):
    timestamp, token = "1700000000", "a" * 50
    return client.post("/anymail/mailgun/inbound_mime/", {
        "body-mime": raw_email(subject).decode(), "recipient": "support@example.com",
        "sender": "hook@example.com", "timestamp": timestamp, "token": token,
        "signature": _mailgun_signature(timestamp, token, key),
    }, **AUTH)


def test_mailgun_inbound_creates_a_ticket(client, db):
    assert mailgun_post(client).status_code == 200
    assert_one_ticket("Via Mailgun", "Mailgun")


def test_mailgun_with_a_wrong_signature_is_refused(client, db):
    assert mailgun_post(client, key="wrong-key").status_code == 400
    assert not InboundEmail.objects.exists()


def test_mailgun_retry_of_the_same_message_is_stored_once(client, db):
    raw = raw_email("Twice").decode()
    for _ in range(2):
        client.post("/anymail/mailgun/inbound_mime/", {
            "body-mime": raw, "timestamp": "1", "token": "t" * 50,
            "signature": _mailgun_signature("1", "t" * 50)}, **AUTH)
    assert InboundEmail.objects.count() == 1
    assert Ticket.objects.count() == 1


def test_sendgrid_raw_mime_inbound_creates_a_ticket(client, db):
    response = client.post("/anymail/sendgrid/inbound/", {
        "email": raw_email("Via SendGrid").decode(), "charsets": json.dumps({"email": "utf-8"}),
        "envelope": json.dumps({"to": ["support@example.com"], "from": "hook@example.com"}),
        "to": "support@example.com", "from": "hook@example.com",
    }, **AUTH)
    assert response.status_code == 200
    assert_one_ticket("Via SendGrid", "SendGrid")


def test_webhook_without_basic_auth_is_refused(client, db):
    response = client.post("/anymail/sendgrid/inbound/", {"email": raw_email("x").decode()})
    assert response.status_code == 400
    assert not InboundEmail.objects.exists()


def test_postmark_inbound_with_raw_email_creates_a_ticket(client, db):
    payload = {
        "FromFull": {"Email": "hook@example.com", "Name": "Webhook Customer"},
        "ToFull": [{"Email": "support@example.com", "Name": ""}],
        "Subject": "Via Postmark", "MessageID": "22c74902-a0c1-4511-804f-341342852c90",
        "Date": "Thu, 5 Apr 2012 16:59:01 +0200", "TextBody": "It is on fire.",
        "Headers": [], "Attachments": [], "RawEmail": raw_email("Via Postmark").decode(),
    }
    response = client.post("/anymail/postmark/inbound/", json.dumps(payload),
                           content_type="application/json", **AUTH)
    assert response.status_code == 200
    assert_one_ticket("Via Postmark", "Postmark")


def test_postmark_parsed_inbound_without_raw_email_creates_a_ticket(client, db):
    payload = {
        "FromFull": {"Email": "hook@example.com", "Name": "Webhook Customer"},
        "ToFull": [{"Email": "support@example.com", "Name": ""}], "CcFull": [],
        "Subject": "Parsed by Postmark", "Date": "Thu, 5 Apr 2012 16:59:01 +0200",
        "TextBody": "Hei, kiitos!", "HtmlBody": "", "Attachments": [],
        "Headers": [{"Name": "Message-ID", "Value": "<parsed@example.com>"}],
    }
    response = client.post("/anymail/postmark/inbound/", json.dumps(payload),
                           content_type="application/json", **AUTH)
    assert response.status_code == 200
    assert_one_ticket("Parsed by Postmark", "Postmark")
    assert Ticket.objects.get().messages.get().body_text == "Hei, kiitos!"


def ses_notification(raw: bytes) -> dict:
    ses_event = {
        "notificationType": "Received",
        "mail": {"timestamp": "2018-03-30T17:21:51.636Z", "source": "hook@example.com",
                 "messageId": "jili9m351il3gkburn7o2f0u6788stij94c8ld01",
                 "destination": ["support@example.com"]},
        "receipt": {"recipients": ["support@example.com"], "spamVerdict": {"status": "PASS"},
                    "action": {"type": "SNS", "encoding": "BASE64",
                               "topicArn": "arn:aws:sns:us-east-1:111111111111:SES_Inbound"}},
        "content": b64encode(raw).decode(),
    }
    return {
        "Type": "Notification", "MessageId": "8f6dbcd1-8e8b-5fb1-9e5d-c2e1c2b4e3a1",
        "TopicArn": "arn:aws:sns:us-east-1:111111111111:SES_Inbound",
        "Message": json.dumps(ses_event), "Timestamp": "2018-03-30T17:21:51.802Z",
        "SignatureVersion": "1", "Signature": "EXAMPLE-SIGNATURE",
        "SigningCertURL": "https://sns.us-east-1.amazonaws.com/cert.pem",
    }


def post_ses(client, body: dict, **headers):
    return client.post("/anymail/amazon_ses/inbound/", json.dumps(body),
                       content_type="text/plain; charset=UTF-8",
                       HTTP_X_AMZ_SNS_MESSAGE_TYPE=body["Type"],
                       HTTP_X_AMZ_SNS_MESSAGE_ID=body["MessageId"], **headers)


def test_amazon_ses_sns_inbound_creates_a_ticket(client, db):
    response = post_ses(client, ses_notification(raw_email("Via SES")), **AUTH)
    assert response.status_code == 200
    assert_one_ticket("Via SES", "Amazon SES")


def test_amazon_ses_without_credentials_gets_the_401_sns_needs(client, db):
    response = post_ses(client, ses_notification(raw_email("Via SES")))
    assert response.status_code == 401
    assert not InboundEmail.objects.exists()


def test_sparkpost_relay_inbound_creates_a_ticket(client, db):
    payload = [{"msys": {"relay_message": {
        "content": {"email_rfc822": b64encode(raw_email("Via SparkPost")).decode(),
                    "email_rfc822_is_base64": True, "headers": [], "html": "", "text": "",
                    "subject": "Via SparkPost", "to": ["support@example.com"]},
        "customer_id": "1337", "friendly_from": "hook@example.com",
        "msg_from": "hook@example.com", "rcpt_to": "support@example.com",
        "webhook_id": "1234567890", "protocol": "smtp",
    }}}]
    response = client.post("/anymail/sparkpost/inbound/", json.dumps(payload),
                           content_type="application/json", **AUTH)
    assert response.status_code == 200
    assert_one_ticket("Via SparkPost", "SparkPost")


def test_webhook_reply_threads_by_envelope_plus_address(client, ticket):
    from tickets.email_tokens import make_reply_address

    timestamp, token = "1700000000", "b" * 50
    response = client.post("/anymail/mailgun/inbound_mime/", {
        "body-mime": raw_email("Re: fire").decode(), "recipient": make_reply_address(ticket.pk),
        "timestamp": timestamp, "token": token,
        "signature": _mailgun_signature(timestamp, token)}, **AUTH)
    assert response.status_code == 200
    assert InboundEmail.objects.get().ticket == ticket
