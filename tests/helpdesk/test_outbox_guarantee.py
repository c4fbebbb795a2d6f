"""The outbox's delivery guarantee around crashes (issue 11, item 7).

At least once, with the row's Message-ID as the idempotency key: a row whose sender
died is sent again after its lease; a row the ESP already has (its tracking events
say so) is recorded as sent and never sent twice; recording a send survives a
database hiccup. See docs/email-delivery.md.
"""

import base64
import json
from datetime import timedelta

import pytest
from django.db import OperationalError
from django.db.models.query import QuerySet
from django.utils import timezone

from helpdesk import outbox
from helpdesk.models import OutboundEmail

Status = OutboundEmail.Status
SECRET = "hook:s3cret-long-enough"
AUTH = {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(SECRET.encode()).decode()}


@pytest.fixture(autouse=True)
def _webhooks(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}
    settings.ANYMAIL_WEBHOOK_SECRET = SECRET
    settings.HELPDESK_OUTBOX_LEASE_SECONDS = 600


def make_row(**fields) -> OutboundEmail:
    return OutboundEmail.objects.create(
        kind="agent_reply", to="customer@example.com", subject="[HD-1] Re: fire",
        body_text="We are on it.", message_id=outbox.new_message_id(), **fields)


def postmark_event(client, email: OutboundEmail, record_type="Delivery", esp_id="pm-77"):
    """A real Postmark tracking post: its MessageID is Postmark's own id, which we never
    recorded (the sender died first); our Message-ID rides along in the metadata."""
    payload = {"RecordType": record_type, "ServerID": 23, "MessageID": esp_id,
               "Recipient": email.to, "Tag": "", "DeliveredAt": "2026-12-01T06:00:00Z",
               "Details": "ok", "MessageStream": "outbound",
               "Metadata": {"message_id": email.message_id,
                            "outbound_email_id": str(email.pk)}}
    if record_type == "Open":
        payload |= {"FirstOpen": True, "ReceivedAt": "2026-12-01T06:01:00Z", "Platform": "",
                    "UserAgent": "", "OS": {}, "Client": {}, "Geo": {}}
    return client.post("/anymail/postmark/tracking/", json.dumps(payload),
                       content_type="application/json", **AUTH)


def test_sent_but_not_recorded_is_settled_by_the_tracking_webhook(client, db, mailoutbox):
    email = make_row()
    assert outbox.claim(email.pk)  # the worker sent it, then died before recording
    assert postmark_event(client, email).status_code == 200
    email.refresh_from_db()
    assert email.status == Status.SENT
    assert email.esp_message_id == "pm-77"
    assert email.delivery == OutboundEmail.Delivery.DELIVERED
    outbox.sweep(now=timezone.now() + timedelta(hours=1))
    assert mailoutbox == []  # never sent a second time


def test_an_open_event_also_proves_the_email_left(client, db, mailoutbox):
    email = make_row()
    assert outbox.claim(email.pk)
    assert postmark_event(client, email, record_type="Open").status_code == 200
    email.refresh_from_db()
    assert email.status == Status.SENT
    outbox.sweep(now=timezone.now() + timedelta(hours=1))
    assert mailoutbox == []


def test_expired_lease_with_tracking_evidence_is_recorded_not_resent(db, mailoutbox):
    email = make_row()
    assert outbox.claim(email.pk)
    OutboundEmail.objects.filter(pk=email.pk).update(
        delivery=OutboundEmail.Delivery.DELIVERED, delivery_at=timezone.now())
    outbox.sweep(now=timezone.now() + timedelta(minutes=11))
    email.refresh_from_db()
    assert email.status == Status.SENT
    assert "tracking" in email.last_error
    assert mailoutbox == []


def test_expired_lease_of_a_row_at_its_last_attempt_fails_for_a_person(db, mailoutbox):
    email = make_row(attempts=outbox.MAX_ATTEMPTS - 1)
    assert outbox.claim(email.pk)
    outbox.sweep(now=timezone.now() + timedelta(minutes=11))
    email.refresh_from_db()
    assert email.status == Status.FAILED
    assert mailoutbox == []


def test_a_database_error_while_recording_the_send_does_not_fail_the_row(
    db, monkeypatch, mailoutbox
):
    """Before: the error escaped after the mail had gone out; the row stayed SENDING and
    was later marked FAILED, and an admin retry would have sent it twice."""
    monkeypatch.setattr(outbox, "RECORD_RETRY_DELAYS", (0, 0, 0))
    original = QuerySet.update
    failures = []

    def database_restarting(self, **kwargs):
        if self.model is OutboundEmail and kwargs.get("status") == Status.SENT and len(
                failures) < 2:
            failures.append(kwargs)
            raise OperationalError("server closed the connection unexpectedly")
        return original(self, **kwargs)

    monkeypatch.setattr(QuerySet, "update", database_restarting)
    email = make_row()
    assert outbox.send_one(email.pk) is True
    email.refresh_from_db()
    assert len(failures) == 2
    assert email.status == Status.SENT
    assert email.sent_at is not None
    assert len(mailoutbox) == 1


def test_admin_retry_does_not_send_again_what_tracking_says_was_received(
    client, admin_user, mailoutbox, django_capture_on_commit_callbacks
):
    delivered = make_row(status=Status.FAILED, delivery=OutboundEmail.Delivery.DELIVERED,
                         delivery_at=timezone.now())
    never_left = make_row(status=Status.FAILED)
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/helpdesk/outboundemail/", {
            "action": "resend", "_selected_action": [delivered.pk, never_left.pk]}, follow=True)
    assert response.status_code == 200
    delivered.refresh_from_db()
    never_left.refresh_from_db()
    assert delivered.status == Status.SENT
    assert never_left.status == Status.SENT
    assert [m.extra_headers["Message-ID"] for m in mailoutbox] == [never_left.message_id]
    texts = [str(m) for m in response.context["messages"]]
    assert any("not sent again" in text for text in texts)


def test_admin_copy_of_a_delivered_email_is_refused_with_a_warning(
    client, admin_user, mailoutbox, django_capture_on_commit_callbacks
):
    delivered = make_row(status=Status.SENT, sent_at=timezone.now(),
                         delivery=OutboundEmail.Delivery.DELIVERED)
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/helpdesk/outboundemail/", {
            "action": "resend", "_selected_action": [delivered.pk]}, follow=True)
    assert OutboundEmail.objects.count() == 1
    assert mailoutbox == []
    assert any("not sent again" in str(m) for m in response.context["messages"])


def test_every_attempt_carries_the_same_message_id(db, monkeypatch, mailoutbox):
    from django.core.mail.backends.locmem import EmailBackend

    email = make_row()
    original = EmailBackend.send_messages
    monkeypatch.setattr(EmailBackend, "send_messages",
                        lambda self, messages: (_ for _ in ()).throw(OSError("ESP down")))
    outbox.send_one(email.pk)
    monkeypatch.setattr(EmailBackend, "send_messages", original)
    email.refresh_from_db()
    assert email.status == Status.QUEUED and email.attempts == 1
    OutboundEmail.objects.filter(pk=email.pk).update(  # the backoff is over
        next_attempt_at=timezone.now() - timedelta(seconds=1))
    outbox.sweep()
    email.refresh_from_db()
    assert email.status == Status.SENT and email.attempts == 2
    assert [m.extra_headers["Message-ID"] for m in mailoutbox] == [email.message_id]
