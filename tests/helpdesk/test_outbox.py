"""The outbox: rows written with the change, sent once, retried with backoff, swept."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from helpdesk import outbox, tasks
from helpdesk.models import OutboundEmail
from tickets import services

Status = OutboundEmail.Status


@pytest.fixture
def broker_down(monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("[Errno 111] Connection refused")

    monkeypatch.setattr(tasks.send_outbound_email, "delay", refuse)


def _queue(**kwargs) -> OutboundEmail:
    fields = {"kind": "test", "to": "someone@example.com", "subject": "Hello",
              "body_text": "Body"} | kwargs
    return outbox.queue_email(**fields)


def test_queued_email_is_sent_after_commit(db, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        email = _queue()
    email.refresh_from_db()
    assert email.status == Status.SENT
    assert email.attempts == 1
    assert len(mailoutbox) == 1
    assert mailoutbox[0].extra_headers["Message-ID"] == email.message_id


def test_nothing_is_sent_when_the_change_rolls_back(db, django_capture_on_commit_callbacks,
                                                    mailoutbox):
    with (django_capture_on_commit_callbacks(execute=True) as callbacks,
          pytest.raises(RuntimeError), transaction.atomic()):
        _queue()
        raise RuntimeError("the change failed")
    assert callbacks == []
    assert not OutboundEmail.objects.exists()
    assert mailoutbox == []


def test_change_commits_and_email_waits_when_broker_is_down(
    customer, team, broker_down, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = services.create_ticket(services.NewTicket(
            subject="Help", body="Please", customer=customer, team=team
        ))
    assert ticket.pk is not None
    row = OutboundEmail.objects.get(ticket_id=ticket.pk, kind="acknowledgement")
    assert row.status == Status.QUEUED
    assert mailoutbox == []


def test_sweeper_sends_waiting_email_once_when_broker_is_back(
    customer, team, monkeypatch, django_capture_on_commit_callbacks, mailoutbox
):
    def refuse(*args, **kwargs):
        raise OperationalError("down")

    monkeypatch.setattr(tasks.send_outbound_email, "delay", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        services.create_ticket(services.NewTicket(
            subject="Help", body="Please", customer=customer, team=team
        ))
    monkeypatch.undo()  # the broker is back (eager in tests)
    later = timezone.now() + timedelta(minutes=2)
    assert len(outbox.sweep(now=later)) == 1
    assert outbox.sweep(now=later) == []
    assert len(mailoutbox) == 1
    assert OutboundEmail.objects.get().status == Status.SENT


def test_sweeper_sends_itself_while_broker_stays_down(db, broker_down,
                                                      django_capture_on_commit_callbacks,
                                                      mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        email = _queue()
    later = timezone.now() + timedelta(minutes=2)
    outbox.sweep(now=later)
    outbox.sweep(now=later)
    email.refresh_from_db()
    assert email.status == Status.SENT
    assert len(mailoutbox) == 1


def test_sweeper_leaves_fresh_rows_to_their_task(db, broker_down,
                                                 django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _queue()
    assert outbox.sweep(now=timezone.now()) == []


def test_a_worker_racing_the_sender_does_not_send_twice(db, monkeypatch, broker_down,
                                                        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email = _queue()
    original = EmailBackend.send_messages
    raced = []

    def send_while_another_worker_runs(self, messages):
        # A second worker (or sweep) gets the same row while the first is mid-send.
        raced.append(outbox.send_one(email.pk))
        return original(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", send_while_another_worker_runs)
    assert outbox.send_one(email.pk) is True
    assert raced == [False]
    assert len(mail.outbox) == 1


def test_two_sweeps_racing_send_once(db, monkeypatch, broker_down,
                                     django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _queue()
    later = timezone.now() + timedelta(minutes=2)
    original = EmailBackend.send_messages
    inner = []

    def sweep_during_send(self, messages):
        if not inner:
            inner.append(outbox.sweep(now=later))
        return original(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", sweep_during_send)
    outbox.sweep(now=later)
    assert inner == [[]]  # the row was claimed, so the second sweep saw nothing due
    assert len(mail.outbox) == 1


def test_failed_send_is_requeued_with_exponential_backoff(db, monkeypatch, broker_down,
                                                          django_capture_on_commit_callbacks,
                                                          mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        email = _queue()

    def smtp_down(self, messages):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(EmailBackend, "send_messages", smtp_down)
    waits = []
    for _ in range(3):
        before = timezone.now()
        OutboundEmail.objects.filter(pk=email.pk).update(next_attempt_at=None)
        outbox.send_one(email.pk)
        email.refresh_from_db()
        waits.append(round((email.next_attempt_at - before).total_seconds() / 30))
    assert email.status == Status.QUEUED
    assert email.attempts == 3
    assert "smtp down" in email.last_error
    assert waits == [1, 2, 4]


def test_row_waiting_out_its_backoff_is_not_claimed(db, broker_down,
                                                    django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email = _queue()
    now = timezone.now()
    OutboundEmail.objects.filter(pk=email.pk).update(next_attempt_at=now + timedelta(minutes=5))
    assert outbox.claim(email.pk, now=now) is False
    assert outbox.claim(email.pk, now=now + timedelta(minutes=6)) is True


def test_sweeper_retries_a_failed_send_when_its_backoff_is_over(
    db, monkeypatch, broker_down, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        email = _queue()
    monkeypatch.setattr(EmailBackend, "send_messages",
                        lambda self, messages: (_ for _ in ()).throw(OSError("down")))
    outbox.send_one(email.pk)
    monkeypatch.undo()
    monkeypatch.setattr(tasks.send_outbound_email, "delay",
                        lambda *a: (_ for _ in ()).throw(OperationalError("down")))
    email.refresh_from_db()
    assert outbox.sweep(now=email.next_attempt_at - timedelta(seconds=1)) == []
    assert outbox.sweep(now=email.next_attempt_at + timedelta(minutes=2)) == [email.pk]
    assert len(mailoutbox) == 1


def test_gives_up_after_max_attempts(db, monkeypatch, broker_down,
                                     django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email = _queue()
    OutboundEmail.objects.filter(pk=email.pk).update(attempts=outbox.MAX_ATTEMPTS - 1)
    monkeypatch.setattr(EmailBackend, "send_messages",
                        lambda self, messages: (_ for _ in ()).throw(OSError("down")))
    outbox.send_one(email.pk)
    email.refresh_from_db()
    assert email.status == Status.FAILED
    assert email.next_attempt_at is None


def test_row_left_sending_by_a_dead_worker_is_sent_again_after_its_lease(
    db, broker_down, django_capture_on_commit_callbacks, mailoutbox
):
    """Before: marked FAILED and never sent. Now: at least once, with the same Message-ID."""
    with django_capture_on_commit_callbacks(execute=True):
        email = _queue()
    assert outbox.claim(email.pk)  # the worker claimed it, then died
    assert outbox.sweep(now=timezone.now() + timedelta(minutes=5)) == []  # lease still held
    outbox.sweep(now=timezone.now() + timedelta(minutes=11))
    email.refresh_from_db()
    assert email.status == Status.SENT
    assert email.attempts == 2
    assert [m.extra_headers["Message-ID"] for m in mailoutbox] == [email.message_id]


def test_retry_now_requeues_failed_rows(db, broker_down, django_capture_on_commit_callbacks,
                                        mailoutbox, monkeypatch):
    with django_capture_on_commit_callbacks(execute=True):
        email = _queue()
    OutboundEmail.objects.filter(pk=email.pk).update(status=Status.FAILED)
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.retry_now(email_ids=[email.pk]) == (1, 0)
    email.refresh_from_db()
    assert email.status == Status.SENT
    assert len(mailoutbox) == 1


def test_sweep_task_returns_the_number_it_handled(db, broker_down,
                                                  django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        _queue()
    OutboundEmail.objects.update(created_at=timezone.now() - timedelta(minutes=5))
    assert tasks.sweep_outbox() == 1
    assert len(mailoutbox) == 1


def test_email_carries_html_reply_to_and_esp_metadata(db, django_capture_on_commit_callbacks,
                                                      mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        email = _queue(body_html="<p>Hi</p>", reply_to="support+x@example.com",
                       headers={"X-Helpdesk-Ticket": "HD-1"})
    sent = mailoutbox[0]
    assert sent.alternatives[0][0] == "<p>Hi</p>"
    assert sent.reply_to == ["support+x@example.com"]
    assert sent.extra_headers["X-Helpdesk-Ticket"] == "HD-1"
    assert sent.metadata == {"outbound_email_id": str(email.pk), "message_id": email.message_id}
