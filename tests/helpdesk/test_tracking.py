"""ESP tracking webhooks, in each ESP's real payload shape, through anymail's views."""

import base64
import hashlib
import hmac
import json
import time

import pytest

from helpdesk.models import OutboundEmail
from tickets.models import Customer

Delivery = OutboundEmail.Delivery
MAILGUN_KEY = "key-mailgun-signing-test"


@pytest.fixture(autouse=True)
def webhook_settings(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "hook:s3cret", "MAILGUN_WEBHOOK_SIGNING_KEY": MAILGUN_KEY}


@pytest.fixture
def auth():
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(b"hook:s3cret").decode()}


@pytest.fixture
def sent_email(customer):
    return OutboundEmail.objects.create(
        kind="agent_reply", to=customer.email, subject="[HD-1] Hi", body_text="Hi",
        message_id="<170000.1.2@example.com>", esp_message_id="esp-123", status="sent",
    )


def _mailgun(event: str, *, message_id: str, recipient: str, **extra) -> dict:
    timestamp, token = str(int(time.time())), "a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0"
    signature = hmac.new(MAILGUN_KEY.encode(), f"{timestamp}{token}".encode(),
                         hashlib.sha256).hexdigest()
    return {
        "signature": {"timestamp": timestamp, "token": token, "signature": signature},
        "event-data": {
            "event": event, "timestamp": 1521472262.908181, "id": "G9Bn5sl1TC6nu79C8C0bwg",
            "recipient": recipient, "log-level": "error",
            "message": {"headers": {"message-id": message_id, "to": recipient,
                                    "from": "support@example.com", "subject": "Hi"},
                        "attachments": [], "size": 111},
            "user-variables": {},
            "delivery-status": {"code": 550, "message": "No such user", "description": ""},
            **extra,
        },
    }


def _post(client, esp, payload, auth):
    return client.post(f"/anymail/{esp}/tracking/", data=json.dumps(payload),
                       content_type="application/json", **auth)


def test_mailgun_delivered_is_recorded(client, auth, sent_email):
    payload = _mailgun("delivered", message_id="170000.1.2@example.com",
                       recipient=sent_email.to)
    assert _post(client, "mailgun", payload, auth).status_code == 200
    sent_email.refresh_from_db()
    assert sent_email.delivery == Delivery.DELIVERED
    assert sent_email.delivery_at is not None


def test_mailgun_permanent_failure_bounces_email_and_customer(client, auth, sent_email, customer):
    payload = _mailgun("failed", severity="permanent", reason="bounce",
                       message_id="170000.1.2@example.com", recipient=customer.email)
    assert _post(client, "mailgun", payload, auth).status_code == 200
    sent_email.refresh_from_db()
    customer.refresh_from_db()
    assert sent_email.delivery == Delivery.BOUNCED
    assert customer.bounced is True
    assert customer.bounced_at is not None


def test_mailgun_temporary_failure_changes_nothing(client, auth, sent_email, customer):
    payload = _mailgun("failed", severity="temporary", reason="generic",
                       message_id="170000.1.2@example.com", recipient=customer.email)
    assert _post(client, "mailgun", payload, auth).status_code == 200
    sent_email.refresh_from_db()
    customer.refresh_from_db()
    assert sent_email.delivery == Delivery.UNKNOWN
    assert customer.bounced is False


def test_mailgun_bad_signature_is_refused(client, auth, sent_email):
    payload = _mailgun("delivered", message_id="170000.1.2@example.com", recipient=sent_email.to)
    payload["signature"]["signature"] = "0" * 64
    assert _post(client, "mailgun", payload, auth).status_code == 400
    sent_email.refresh_from_db()
    assert sent_email.delivery == Delivery.UNKNOWN


def test_webhook_without_basic_auth_is_refused(client, sent_email):
    payload = {"RecordType": "Delivery", "MessageID": "esp-123", "Recipient": sent_email.to,
               "DeliveredAt": "2026-01-01T10:00:00Z", "Metadata": {}}
    response = _post(client, "postmark", payload, {})
    assert response.status_code == 400  # anymail answers a failed validation with 400
    sent_email.refresh_from_db()
    assert sent_email.delivery == Delivery.UNKNOWN


def test_postmark_delivery_matches_by_esp_message_id(client, auth, sent_email):
    payload = {"RecordType": "Delivery", "ServerID": 23, "MessageStream": "outbound",
               "MessageID": "esp-123", "Recipient": sent_email.to, "Tag": "",
               "DeliveredAt": "2026-01-01T10:00:00Z", "Details": "smtp;250 2.0.0 OK",
               "Metadata": {}}
    assert _post(client, "postmark", payload, auth).status_code == 200
    sent_email.refresh_from_db()
    assert sent_email.delivery == Delivery.DELIVERED


def test_postmark_hard_bounce_matches_by_our_message_id_in_metadata(client, auth, customer):
    email = OutboundEmail.objects.create(
        kind="solved", to=customer.email, subject="s", body_text="b",
        message_id="<ours@example.com>", status="sent")
    payload = {"RecordType": "Bounce", "ID": 4323372036854775807, "Type": "HardBounce",
               "TypeCode": 1, "Name": "Hard bounce", "Tag": "", "MessageID": "unknown-to-us",
               "Metadata": {"message_id": "<ours@example.com>"}, "ServerID": 23,
               "Description": "The server was unable to deliver your message",
               "Details": "smtp;550 5.1.1 user unknown", "Email": customer.email,
               "From": "support@example.com", "BouncedAt": "2026-01-01T10:00:00Z",
               "DumpAvailable": True, "Inactive": True, "CanActivate": True,
               "Subject": "s", "MessageStream": "outbound"}
    assert _post(client, "postmark", payload, auth).status_code == 200
    email.refresh_from_db()
    customer.refresh_from_db()
    assert email.delivery == Delivery.BOUNCED
    assert customer.bounced is True


def test_postmark_soft_bounce_does_not_mark_the_customer(client, auth, sent_email, customer):
    payload = {"RecordType": "Bounce", "ID": 42, "Type": "SoftBounce", "TypeCode": 4096,
               "MessageID": "esp-123", "Email": customer.email, "Metadata": {},
               "BouncedAt": "2026-01-01T10:00:00Z", "Description": "mailbox full"}
    assert _post(client, "postmark", payload, auth).status_code == 200
    customer.refresh_from_db()
    assert customer.bounced is False


def test_postmark_spam_complaint_marks_customer(client, auth, sent_email, customer):
    payload = {"RecordType": "SpamComplaint", "ID": 42, "Type": "SpamComplaint",
               "TypeCode": 512, "MessageID": "esp-123", "Email": customer.email,
               "BouncedAt": "2026-01-01T10:00:00Z", "Metadata": {}}
    assert _post(client, "postmark", payload, auth).status_code == 200
    sent_email.refresh_from_db()
    customer.refresh_from_db()
    assert sent_email.delivery == Delivery.COMPLAINED
    assert customer.bounced is True


def test_late_delivered_event_does_not_undo_a_bounce(client, auth, sent_email):
    OutboundEmail.objects.filter(pk=sent_email.pk).update(delivery=Delivery.BOUNCED)
    payload = {"RecordType": "Delivery", "MessageID": "esp-123", "Recipient": sent_email.to,
               "DeliveredAt": "2026-01-01T10:00:00Z", "Metadata": {}}
    _post(client, "postmark", payload, auth)
    sent_email.refresh_from_db()
    assert sent_email.delivery == Delivery.BOUNCED


def test_sendgrid_batch_records_each_event(client, auth, customer, other_customer):
    first = OutboundEmail.objects.create(kind="a", to=customer.email, subject="s",
                                         body_text="b", message_id="<one@example.com>")
    second = OutboundEmail.objects.create(kind="a", to=other_customer.email, subject="s",
                                          body_text="b", message_id="<two@example.com>")
    payload = [
        {"email": customer.email, "timestamp": 1700000000, "smtp-id": "<one@example.com>",
         "event": "delivered", "sg_event_id": "ev1", "sg_message_id": "sg1.filter",
         "response": "250 OK", "message_id": "<one@example.com>"},
        {"email": other_customer.email, "timestamp": 1700000001,
         "smtp-id": "<two@example.com>", "event": "dropped", "sg_event_id": "ev2",
         "sg_message_id": "sg2.filter", "reason": "Bounced Address", "status": "5.0.0"},
    ]
    assert _post(client, "sendgrid", payload, auth).status_code == 200
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.delivery == Delivery.DELIVERED
    assert second.delivery == Delivery.REJECTED


def test_event_for_unknown_email_is_accepted_and_ignored(client, auth, customer):
    payload = {"RecordType": "Delivery", "MessageID": "never-sent-by-us",
               "Recipient": customer.email, "DeliveredAt": "2026-01-01T10:00:00Z",
               "Metadata": {}}
    assert _post(client, "postmark", payload, auth).status_code == 200
    assert Customer.objects.get(pk=customer.pk).bounced is False
