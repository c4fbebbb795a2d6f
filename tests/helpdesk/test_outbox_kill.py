"""The outbox around a real `kill -9` of the sending process (issue 11, item 7).

A separate Python process claims a row and sends it through a backend that blocks
(tests/helpdesk/blocking_backend.py); the test kills it with SIGKILL mid-send and
then runs the sweep in this process, against the same PostgreSQL test database.
"""

import json
import os
import signal
import subprocess
import sys
import time
from base64 import b64encode
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest
from django.db import connection

from helpdesk import outbox
from helpdesk.models import OutboundEmail

ROOT = Path(__file__).resolve().parents[2]
DATABASE_URL = os.environ.get("DATABASE_URL", "")
Status = OutboundEmail.Status
SECRET = "hook:s3cret-long-enough"
LEASE = 2

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(not DATABASE_URL.startswith(("postgres", "pgsql")),
                       reason="needs a PostgreSQL DATABASE_URL shared with a subprocess"),
]


@pytest.fixture
def sender(transactional_db, tmp_path, settings):
    """Start `send_one(pk)` in a process of its own; yields (start, mail_dir)."""
    settings.HELPDESK_OUTBOX_LEASE_SECONDS = LEASE
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}
    settings.ANYMAIL_WEBHOOK_SECRET = SECRET
    mail_dir = tmp_path / "esp"
    mail_dir.mkdir()
    processes = []

    def start(email_id: int, *, accepted_before_block: bool = False) -> subprocess.Popen:
        (mail_dir / "gate").write_text("closed")
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "helpdesk.settings",
               "DATABASE_URL": urlunparse(urlparse(DATABASE_URL)._replace(
                   path="/" + connection.settings_dict["NAME"])),
               "EMAIL_BACKEND": "tests.helpdesk.blocking_backend.EmailBackend",
               "BLOCKING_EMAIL_DIR": str(mail_dir),
               "BLOCKING_EMAIL_AFTER": "1" if accepted_before_block else ""}
        code = ("import sys, django; django.setup(); from helpdesk import outbox; "
                "outbox.send_one(int(sys.argv[1]))")
        process = subprocess.Popen([sys.executable, "-c", code, str(email_id)],  # noqa: S603
                                   cwd=ROOT, env=env)
        processes.append(process)
        deadline = time.monotonic() + 60
        while not list(mail_dir.glob("started-*")):
            assert process.poll() is None, "the sender exited before sending"
            assert time.monotonic() < deadline, "the sender never started sending"
            time.sleep(0.05)
        return process

    yield start, mail_dir
    for process in processes:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


def kill_9(process: subprocess.Popen) -> None:
    os.kill(process.pid, signal.SIGKILL)
    assert process.wait(timeout=10) == -signal.SIGKILL


def sent_by_the_dead(mail_dir: Path) -> list[str]:
    log = mail_dir / "sent.log"
    return log.read_text().split() if log.exists() else []


def make_row() -> OutboundEmail:
    return OutboundEmail.objects.create(
        kind="agent_reply", to="customer@example.com", subject="[HD-1] Re: fire",
        body_text="We are on it.", message_id=outbox.new_message_id())


def after_the_lease() -> None:
    time.sleep(LEASE + 0.5)
    outbox.sweep()


def test_killed_mid_send_is_sent_exactly_once_after_the_lease(sender, mailoutbox):
    start, mail_dir = sender
    email = make_row()
    kill_9(start(email.pk))
    email.refresh_from_db()
    assert email.status == Status.SENDING
    assert sent_by_the_dead(mail_dir) == []

    outbox.sweep()  # the lease still holds: nothing happens yet
    assert mailoutbox == []
    after_the_lease()
    email.refresh_from_db()
    assert email.status == Status.SENT
    assert email.attempts == 2
    assert [m.extra_headers["Message-ID"] for m in mailoutbox] == [email.message_id]
    outbox.sweep()
    assert len(mailoutbox) == 1


def test_killed_after_the_esp_took_it_is_settled_by_tracking_not_resent(sender, client,
                                                                        mailoutbox):
    start, mail_dir = sender
    email = make_row()
    kill_9(start(email.pk, accepted_before_block=True))
    assert sent_by_the_dead(mail_dir) == [email.message_id]  # it went out, unrecorded
    payload = {"RecordType": "Delivery", "ServerID": 23, "MessageID": "pm-1",
               "Recipient": email.to, "Tag": "", "DeliveredAt": "2026-12-01T06:00:00Z",
               "Details": "ok", "MessageStream": "outbound",
               "Metadata": {"message_id": email.message_id}}
    response = client.post("/anymail/postmark/tracking/", json.dumps(payload),
                           content_type="application/json",
                           HTTP_AUTHORIZATION="Basic " + b64encode(SECRET.encode()).decode())
    assert response.status_code == 200
    after_the_lease()
    email.refresh_from_db()
    assert email.status == Status.SENT
    assert mailoutbox == []  # exactly once in all


def test_without_tracking_a_second_copy_carries_the_same_message_id(sender, mailoutbox):
    """The at-least-once end of the guarantee: the sender died after the ESP took the
    mail and no tracking event came; the copy is the same message to the recipient."""
    start, mail_dir = sender
    email = make_row()
    kill_9(start(email.pk, accepted_before_block=True))
    after_the_lease()
    assert sent_by_the_dead(mail_dir) == [email.message_id]
    assert [m.extra_headers["Message-ID"] for m in mailoutbox] == [email.message_id]
